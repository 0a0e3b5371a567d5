// SPDX-License-Identifier: GPL-2.0-only
/*
 * Network configuration once sealed. Routes, rules, neighbours, links
 * and tunnels, tc, IPsec (xfrm) and netfilter (nftables, conntrack, NAT)
 * decide where traffic goes after Citadel allowed it: root could send a
 * connect() to an allowed address anywhere with a route, a NAT rule or
 * a tunnel. Once sealed, the changes are refused unless the policy gives
 * the task's scope (global or its service) the matching allowance:
 *   netconf route      rtnetlink changes (addresses, routes, rules,
 *                      neighbours, links, tunnels, tc), the SIOC* ioctls
 *                      that set interfaces, routes and ARP entries,
 *                      multicast routing (MRT_*, MRT6_*), and writes to
 *                      the network's sysfs attributes (.../net/DEV/mtu,
 *                      flags, ...) and to /proc/sys/net (forwarding,
 *                      redirects, source routes accepted, ...);
 *   netconf xfrm       IPsec states and policies (NETLINK_XFRM);
 *   netconf netfilter  nfnetlink changes (nftables, conntrack, queue
 *                      verdicts, ipset, ...) and the legacy iptables,
 *                      ip6tables, arptables, ebtables and IPVS options;
 *   netconf generic    generic netlink families other than the
 *                      controller (nl80211, wireguard, the MPTCP path
 *                      manager, ethtool, ...) and the wireless
 *                      extensions' SIOCSIW* ioctls.
 * Reads (dumps, GET requests) stay allowed. Before the seal nothing is
 * refused here: the boot sets the network up, and root can unload an
 * unsealed policy anyway.
 *
 * It is the initial network namespace's configuration that is frozen: a
 * namespace of one's own (systemd's PrivateNetwork=, which sets up its
 * loopback after the seal; unshare -n) has no way out but links made
 * before the seal, and creating or moving links in the initial one is
 * refused. A link message that reaches into another namespace
 * (IFLA_TARGET_NETNSID, IFLA_NET_NS_PID, IFLA_NET_NS_FD) counts as a
 * change there wherever it comes from.
 */
#include "common.h"

#include <linux/fs.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/magic.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/ip_vs.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter_arp/arp_tables.h>
#include <linux/netfilter_bridge/ebtables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/sockios.h>
#include <linux/xfrm.h>
#include <linux/if_link.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "citadel_abi.h"
#include "netconf.h"
#include "policy_store.h"
#include "seal.h"
#include "task_label.h"

/* What a message needs: 0 (a read) or one CPOL_SCOPE_F_NETCONF_* bit. */
static u32 rtnl_needs(u16 type)
{
	/* rtnetlink's own convention: type & 3 == 2 is a GET. */
	if (type < RTM_BASE || (type & 3) == 2)
		return 0;
	return CPOL_SCOPE_F_NETCONF_ROUTE;
}

static u32 xfrm_needs(u16 type)
{
	switch (type) {
	case XFRM_MSG_GETSA:
	case XFRM_MSG_GETPOLICY:
	case XFRM_MSG_GETAE:
	case XFRM_MSG_GETSADINFO:
	case XFRM_MSG_GETSPDINFO:
		return 0;
	}
	return type < XFRM_MSG_BASE ? 0 : CPOL_SCOPE_F_NETCONF_XFRM;
}

static bool nft_is_get(u8 msg)
{
	switch (msg) {
	case NFT_MSG_GETTABLE:
	case NFT_MSG_GETCHAIN:
	case NFT_MSG_GETRULE:
	case NFT_MSG_GETSET:
	case NFT_MSG_GETSETELEM:
	case NFT_MSG_GETGEN:
	case NFT_MSG_GETOBJ:
	case NFT_MSG_GETFLOWTABLE:
		return true;
	}
	return false;
}

static u32 nfnl_needs(u16 type)
{
	u8 subsys = NFNL_SUBSYS_ID(type), msg = NFNL_MSG_TYPE(type);

	if (type < NLMSG_MIN_TYPE)
		return 0;
	switch (subsys) {
	case NFNL_SUBSYS_NONE:	/* batch begin and end: their contents count */
		if (type == NFNL_MSG_BATCH_BEGIN || type == NFNL_MSG_BATCH_END)
			return 0;
		break;
	case NFNL_SUBSYS_NFTABLES:
		if (nft_is_get(msg))
			return 0;
		break;
	case NFNL_SUBSYS_CTNETLINK:
		if (msg == IPCTNL_MSG_CT_GET || msg == IPCTNL_MSG_CT_GET_STATS_CPU ||
		    msg == IPCTNL_MSG_CT_GET_STATS || msg == IPCTNL_MSG_CT_GET_DYING ||
		    msg == IPCTNL_MSG_CT_GET_UNCONFIRMED)
			return 0;
		break;
	}
	return CPOL_SCOPE_F_NETCONF_NETFILTER;
}

static u32 genl_needs(u16 type)
{
	return type < NLMSG_MIN_TYPE || type == GENL_ID_CTRL ?
	       0 : CPOL_SCOPE_F_NETCONF_GENERIC;
}

/* A link message naming another network namespace. */
static bool link_crosses_netns(const struct nlmsghdr *nlh)
{
	const int hdr = sizeof(struct ifinfomsg);

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_SETLINK &&
	    nlh->nlmsg_type != RTM_DELLINK)
		return false;
	if (nlh->nlmsg_len < nlmsg_msg_size(hdr))
		return false;	/* rtnetlink refuses it itself */
	return nlmsg_find_attr(nlh, hdr, IFLA_TARGET_NETNSID) ||
	       nlmsg_find_attr(nlh, hdr, IFLA_NET_NS_PID) ||
	       nlmsg_find_attr(nlh, hdr, IFLA_NET_NS_FD);
}

static u32 message_needs(int protocol, u16 type)
{
	switch (protocol) {
	case NETLINK_ROUTE:
		return rtnl_needs(type);
	case NETLINK_XFRM:
		return xfrm_needs(type);
	case NETLINK_NETFILTER:
		return nfnl_needs(type);
	case NETLINK_GENERIC:
		return genl_needs(type);
	}
	return 0;
}

static const char *allowance_name(u32 bit)
{
	switch (bit) {
	case CPOL_SCOPE_F_NETCONF_ROUTE:
		return "route";
	case CPOL_SCOPE_F_NETCONF_XFRM:
		return "xfrm";
	case CPOL_SCOPE_F_NETCONF_NETFILTER:
		return "netfilter";
	default:
		return "generic";
	}
}

/*
 * Refuses unless the task's scope has @bit: the global scope's
 * allowances and its service's add up, as every other rule does.
 */
static int decide(u32 bit, const char *what, unsigned int code)
{
	const struct citadel_policy *pol;
	const struct citadel_scope *svc;
	char obj[96];
	int ret;

	rcu_read_lock();
	pol = citadel_active_policy();
	svc = pol ? citadel_scope_of(pol, citadel_current_label()) : NULL;
	if (pol && ((pol->scopes[0].flags | (svc ? svc->flags : 0)) & bit)) {
		rcu_read_unlock();
		return CITADEL_ALLOW;
	}
	snprintf(obj, sizeof(obj), "%s %#x (needs 'netconf %s')", what, code,
		 allowance_name(bit));
	ret = citadel_seal_refuse_in(CITADEL_OP_NETCONF, svc, obj);
	rcu_read_unlock();
	return ret;
}

int citadel_netconf_netlink(struct sock *sk, struct sk_buff *skb)
{
	static const char *const family[] = {
		[NETLINK_ROUTE] = "netlink route message",
		[NETLINK_XFRM] = "netlink xfrm message",
		[NETLINK_NETFILTER] = "netlink netfilter message",
		[NETLINK_GENERIC] = "generic netlink family",
	};
	const struct nlmsghdr *nlh;
	int len, protocol;
	bool init_ns;
	u32 need;

	if (!citadel_sealed())
		return CITADEL_ALLOW;
	if (!sk || !skb)
		return CITADEL_DENY;
	protocol = sk->sk_protocol;
	if (protocol != NETLINK_ROUTE && protocol != NETLINK_XFRM &&
	    protocol != NETLINK_NETFILTER && protocol != NETLINK_GENERIC)
		return CITADEL_ALLOW;
	/* netlink_sendmsg() builds a linear skb; anything else is refused. */
	if (skb_is_nonlinear(skb))
		return decide(CPOL_SCOPE_F_NETCONF_ROUTE, "nonlinear netlink message", 0);
	init_ns = net_eq(sock_net(sk), &init_net);
	nlh = (const struct nlmsghdr *)skb->data;
	len = skb->len;
	/* Bounded by the message's size: the kernel walks it the same way. */
	for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		if (init_ns)
			need = message_needs(protocol, nlh->nlmsg_type);
		else if (protocol == NETLINK_ROUTE && link_crosses_netns(nlh))
			need = CPOL_SCOPE_F_NETCONF_ROUTE;
		else
			need = 0;
		if (need && decide(need, family[protocol], nlh->nlmsg_type) ==
			    CITADEL_DENY)
			return CITADEL_DENY;
	}
	return CITADEL_ALLOW;
}

/* The socket ioctls that only read: everything else in 0x89xx sets. */
static bool sioc_reads(unsigned int cmd)
{
	switch (cmd) {
	case FIOSETOWN:
	case SIOCSPGRP:
	case FIOGETOWN:
	case SIOCGPGRP:
	case SIOCATMARK:
	case SIOCGSTAMP_OLD:
	case SIOCGSTAMPNS_OLD:
	case SIOCGIFNAME:
	case SIOCGIFCONF:
	case SIOCGIFFLAGS:
	case SIOCGIFADDR:
	case SIOCGIFDSTADDR:
	case SIOCGIFBRDADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFMETRIC:
	case SIOCGIFMEM:
	case SIOCGIFMTU:
	case SIOCGIFENCAP:
	case SIOCGIFHWADDR:
	case SIOCGIFSLAVE:
	case SIOCGIFINDEX:
	case SIOCGIFPFLAGS:
	case SIOCGIFCOUNT:
	case SIOCGIFBR:
	case SIOCGIFTXQLEN:
	case SIOCGMIIPHY:
	case SIOCGMIIREG:
	case SIOCGSKNS:
	case SIOCGARP:
	case SIOCGRARP:
	case SIOCGIFMAP:
	case SIOCGIFVLAN:
	case SIOCGHWTSTAMP:
		return true;
	}
	return false;
}

/* Whether @sk is in the initial network namespace (see the top). */
static bool in_init_netns(const struct sock *sk)
{
	return sk && net_eq(sock_net(sk), &init_net);
}

/*
 * A write to the network's configuration files: sysfs attributes under
 * a .../net/ directory (any network namespace's devices a sysfs mount
 * shows), and /proc/sys/net of the initial namespace (the opener's
 * namespace is the one a /proc/sys/net file sets). The path is the one
 * inside the file system, whatever its mount point.
 */
int citadel_netconf_file_open(struct file *file)
{
	unsigned long magic;
	char buf[192], *p;
	bool net;

	if (!citadel_sealed() || !file || !(file->f_mode & FMODE_WRITE))
		return CITADEL_ALLOW;
	magic = file_inode(file)->i_sb->s_magic;
	if (magic != SYSFS_MAGIC && magic != PROC_SUPER_MAGIC)
		return CITADEL_ALLOW;
	if (magic == PROC_SUPER_MAGIC && current->nsproxy &&
	    !net_eq(current->nsproxy->net_ns, &init_net))
		return CITADEL_ALLOW;
	p = dentry_path_raw(file->f_path.dentry, buf, sizeof(buf));
	if (IS_ERR(p))
		net = true;	/* too long to tell: fail closed */
	else if (magic == SYSFS_MAGIC)
		net = strstr(p, "/net/") != NULL;
	else
		net = !strncmp(p, "/sys/net/", 9);
	if (!net)
		return CITADEL_ALLOW;
	return decide(CPOL_SCOPE_F_NETCONF_ROUTE,
		      magic == SYSFS_MAGIC ? "write to a network sysfs attribute" :
		      "write to /proc/sys/net", 0);
}

/* Wireless extensions: even numbers set, odd ones get (IW_IS_SET). */
#define SIOCIW_FIRST	0x8b00
#define SIOCIW_LAST	0x8bff

int citadel_netconf_ioctl(struct file *file, unsigned int cmd)
{
	bool wext = cmd >= SIOCIW_FIRST && cmd <= SIOCIW_LAST;
	struct socket *sock;

	if (!citadel_sealed() || !((cmd & ~0xffu) == 0x8900 || wext) ||
	    (wext ? (cmd & 1) : sioc_reads(cmd)))
		return CITADEL_ALLOW;
	sock = file ? sock_from_file(file) : NULL;
	if (!sock)
		return CITADEL_ALLOW;	/* not a socket: not a network ioctl */
	if (!in_init_netns(sock->sk))
		return CITADEL_ALLOW;
	if (wext)
		return decide(CPOL_SCOPE_F_NETCONF_GENERIC, "wireless ioctl", cmd);
	return decide(CPOL_SCOPE_F_NETCONF_ROUTE, "socket ioctl", cmd);
}

#define IN_RANGE(x, lo, hi)	((x) >= (lo) && (x) <= (hi))

/* Legacy netfilter and multicast routing options (on raw sockets). */
int citadel_netconf_sockopt(const struct sock *sk, int level, int optname)
{
	bool nf = (level == SOL_IP &&
		   (IN_RANGE(optname, IPT_SO_SET_REPLACE, IPT_SO_SET_MAX) ||
		    IN_RANGE(optname, ARPT_SO_SET_REPLACE, ARPT_SO_SET_MAX) ||
		    IN_RANGE(optname, EBT_SO_SET_ENTRIES, EBT_SO_SET_MAX) ||
		    IN_RANGE(optname, IP_VS_BASE_CTL, IP_VS_SO_SET_MAX))) ||
		  (level == SOL_IPV6 &&
		   IN_RANGE(optname, IP6T_SO_SET_REPLACE, IP6T_SO_SET_MAX));
	bool mrt = (level == SOL_IP && IN_RANGE(optname, MRT_BASE, MRT_MAX)) ||
		   (level == SOL_IPV6 && IN_RANGE(optname, MRT6_BASE, MRT6_MAX));

	if (!citadel_sealed() || (!nf && !mrt) || !in_init_netns(sk))
		return CITADEL_ALLOW;
	return decide(nf ? CPOL_SCOPE_F_NETCONF_NETFILTER :
		      CPOL_SCOPE_F_NETCONF_ROUTE,
		      nf ? "netfilter socket option" : "multicast routing option",
		      optname);
}
