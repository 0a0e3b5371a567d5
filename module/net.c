// SPDX-License-Identifier: GPL-2.0-only
/*
 * Outbound connections: which destination a connect() or a send reaches,
 * and whether the active policy allows it.
 *
 * The destination is taken from the address the caller passed, decoded
 * the way the protocol itself will decode it (an IPv6 socket sends to
 * AF_INET addresses, IPv4 UDP treats AF_UNSPEC as AF_INET, mapped IPv6
 * addresses are IPv4), so no spelling of an address escapes the rules.
 */
#include "common.h"

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "counters.h"
#include "net.h"
#include "policy_store.h"

enum dest_kind {
	DEST_NONE,	/* nothing to check: disconnect, connected send */
	DEST_INET,
	DEST_BAD,	/* unreadable or unsupported address: deny */
};

struct net_dest {
	u8 family;		/* AF_INET or AF_INET6, after unmapping */
	u8 proto;		/* CPOL_PROTO_*, 0 for any other protocol */
	u16 port;		/* host order */
	u8 raw[16];		/* network order, for the log line */
	struct citadel_addr addr;
};

static DEFINE_RATELIMIT_STATE(log_rs, 5 * HZ, 20);

/* Only plain TCP and UDP sockets have port semantics the rules speak of. */
static u8 sock_proto(const struct sock *sk)
{
	if (sk->sk_type == SOCK_STREAM &&
	    (sk->sk_protocol == IPPROTO_TCP || sk->sk_protocol == IPPROTO_MPTCP))
		return CPOL_PROTO_TCP;
	if (sk->sk_type == SOCK_DGRAM && sk->sk_protocol == IPPROTO_UDP)
		return CPOL_PROTO_UDP;
	return 0;
}

static void set_v4(struct net_dest *d, const struct in_addr *a, __be16 port)
{
	d->family = AF_INET;
	memset(d->raw, 0, sizeof(d->raw));
	memcpy(d->raw, a, 4);
	d->addr.hi = 0;
	d->addr.lo = be32_to_cpu(a->s_addr);
	d->port = be16_to_cpu(port);
}

static void set_v6(struct net_dest *d, const struct in6_addr *a, __be16 port)
{
	if (ipv6_addr_v4mapped(a)) {
		struct in_addr v4 = { .s_addr = a->s6_addr32[3] };

		set_v4(d, &v4, port);
		return;
	}
	d->family = AF_INET6;
	memcpy(d->raw, a, 16);
	d->addr.hi = ((u64)be32_to_cpu(a->s6_addr32[0]) << 32) |
		     be32_to_cpu(a->s6_addr32[1]);
	d->addr.lo = ((u64)be32_to_cpu(a->s6_addr32[2]) << 32) |
		     be32_to_cpu(a->s6_addr32[3]);
	d->port = be16_to_cpu(port);
}

/*
 * Decodes @addr as the socket's protocol will. @send is true for a
 * sendmsg destination, where AF_UNSPEC means something else than for
 * connect().
 */
static enum dest_kind read_dest(const struct sock *sk,
				const struct sockaddr *addr, int len,
				bool send, struct net_dest *d)
{
	if (len < (int)offsetofend(struct sockaddr, sa_family))
		return DEST_BAD;

	switch (addr->sa_family) {
	case AF_UNSPEC:
		/*
		 * connect(AF_UNSPEC) disconnects. An IPv4 UDP send reads the
		 * address behind AF_UNSPEC as AF_INET; an IPv6 one ignores it.
		 */
		if (!send || sk->sk_family != AF_INET ||
		    sock_proto(sk) != CPOL_PROTO_UDP)
			return DEST_NONE;
		fallthrough;
	case AF_INET: {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;

		if (len < (int)sizeof(*sin))
			return DEST_BAD;
		set_v4(d, &sin->sin_addr, sin->sin_port);
		return DEST_INET;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 =
			(const struct sockaddr_in6 *)addr;

		if (len < SIN6_LEN_RFC2133)
			return DEST_BAD;
		set_v6(d, &sin6->sin6_addr, sin6->sin6_port);
		return DEST_INET;
	}
	default:
		return DEST_BAD;
	}
}

static const char *proto_name(u8 proto)
{
	switch (proto) {
	case CPOL_PROTO_TCP:
		return "tcp";
	case CPOL_PROTO_UDP:
		return "udp";
	default:
		return "other";
	}
}

static void log_decision(enum citadel_op op, enum citadel_outcome oc,
			 const struct sock *sk, const struct net_dest *d,
			 enum dest_kind kind, const char *policy, u64 version)
{
	char comm[TASK_COMM_LEN];

	if (!__ratelimit(&log_rs))
		return;
	get_task_comm(comm, current);
	if (kind != DEST_INET)
		pr_info("%s op=%s proto=%s dst=unreadable family=%u pid=%d comm=%s policy=%s version=%llu rule=default\n",
			oc == CITADEL_DENIED ? "deny" : "audit",
			citadel_op_name(op), proto_name(d->proto),
			sk->sk_family, task_tgid_nr(current), comm, policy,
			version);
	else if (d->family == AF_INET)
		pr_info("%s op=%s proto=%s dst=%pI4:%u pid=%d comm=%s policy=%s version=%llu rule=default\n",
			oc == CITADEL_DENIED ? "deny" : "audit",
			citadel_op_name(op), proto_name(d->proto), d->raw,
			d->port, task_tgid_nr(current), comm, policy, version);
	else
		pr_info("%s op=%s proto=%s dst=[%pI6c]:%u pid=%d comm=%s policy=%s version=%llu rule=default\n",
			oc == CITADEL_DENIED ? "deny" : "audit",
			citadel_op_name(op), proto_name(d->proto), d->raw,
			d->port, task_tgid_nr(current), comm, policy, version);
}

static int decide(enum citadel_op op, const struct sock *sk,
		  enum dest_kind kind, struct net_dest *d)
{
	const struct citadel_policy *pol;
	const struct citadel_net_table *t = NULL;
	enum citadel_outcome oc;
	char name[CPOL_NAME_MAX];
	u64 version;
	bool audit;

	if (kind == DEST_NONE)
		return CITADEL_ALLOW;

	rcu_read_lock();
	pol = citadel_active_policy();
	if (!pol) {
		rcu_read_unlock();
		return CITADEL_ALLOW;
	}
	if (kind == DEST_INET && d->proto) {
		int base = d->family == AF_INET ? CITADEL_NET4_TCP :
						  CITADEL_NET6_TCP;

		t = &pol->net[base + (d->proto == CPOL_PROTO_UDP)];
	}
	if (t && citadel_net_match(t, &d->addr, d->port, NULL)) {
		rcu_read_unlock();
		citadel_count(op, CITADEL_ALLOWED);
		return CITADEL_ALLOW;
	}
	audit = pol->flags & CPOL_F_AUDIT;
	memcpy(name, pol->name, sizeof(name));
	version = pol->version;
	rcu_read_unlock();

	oc = audit ? CITADEL_AUDITED : CITADEL_DENIED;
	citadel_count(op, oc);
	log_decision(op, oc, sk, d, kind, name, version);
	return audit ? CITADEL_ALLOW : CITADEL_DENY;
}

/* Sockets the rules speak of; everything else is not outbound traffic. */
static bool inet_user_sock(const struct sock *sk)
{
	return (sk->sk_family == AF_INET || sk->sk_family == AF_INET6) &&
	       !sk->sk_kern_sock;
}

/**
 * citadel_net_connect() - decide a connect() on an inet socket
 * @sock: the socket
 * @address: the destination, already copied from userspace
 * @addrlen: its length as passed by the caller
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
int citadel_net_connect(struct socket *sock, struct sockaddr *address,
			int addrlen)
{
	struct net_dest d = { };
	enum dest_kind kind;
	struct sock *sk;

	if (!sock || !sock->sk || !address)
		return CITADEL_DENY;
	sk = sock->sk;
	if (!inet_user_sock(sk))
		return CITADEL_ALLOW;
	d.proto = sock_proto(sk);
	kind = read_dest(sk, address, addrlen, false, &d);
	return decide(CITADEL_OP_CONNECT, sk, kind, &d);
}

/**
 * citadel_net_sendmsg() - decide a send with an explicit destination
 * @sock: the socket
 * @msg: the message; msg_name is in kernel memory at this point
 *
 * Sends without a destination go where connect() already allowed. TCP
 * only takes a destination with MSG_FASTOPEN (connect and send in one).
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
int citadel_net_sendmsg(struct socket *sock, struct msghdr *msg)
{
	struct net_dest d = { };
	enum dest_kind kind;
	struct sock *sk;

	if (!sock || !sock->sk || !msg)
		return CITADEL_DENY;
	sk = sock->sk;
	if (!inet_user_sock(sk) || !msg->msg_name || msg->msg_namelen <= 0)
		return CITADEL_ALLOW;
	d.proto = sock_proto(sk);
	if (d.proto == CPOL_PROTO_TCP && !(msg->msg_flags & MSG_FASTOPEN))
		return CITADEL_ALLOW;
	kind = read_dest(sk, msg->msg_name, msg->msg_namelen, true, &d);
	return decide(CITADEL_OP_SEND, sk, kind, &d);
}
