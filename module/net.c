// SPDX-License-Identifier: GPL-2.0-only
/*
 * Network decisions: outbound connections (connect, sends with a
 * destination), where a task may listen (bind, listen), and which socket
 * families it may create. A task gets the global rules plus those of
 * its service (its label).
 *
 * The destination is taken from the address the caller passed, decoded
 * the way the protocol itself will decode it (an IPv6 socket sends to
 * AF_INET addresses, IPv4 UDP treats AF_UNSPEC as AF_INET, mapped IPv6
 * addresses are IPv4), so no spelling of an address escapes the rules.
 * Nor does a source route, which would send the packet first to an
 * address the rules never saw (see refuse_any_policy()).
 */
#include "common.h"

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sctp.h>
#include <linux/socket.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "citadel_task.h"
#include "net.h"
#include "netconf.h"
#include "net_lookup.h"
#include "task_label.h"
#include "policy_store.h"
#include "verdict.h"

enum dest_kind {
	DEST_NONE,	/* nothing to check: disconnect, connected send */
	DEST_INET,
	DEST_BAD,	/* unreadable or unsupported address: deny */
};

struct net_dest {
	struct citadel_addr addr;
	u16 port;		/* host order */
	u8 proto;		/* CPOL_PROTO_*, 0 for any other protocol */
	u8 table;		/* enum citadel_net_table_id, after unmapping */
};

/*
 * Everything on the allowed path is inline: the hook's decision is one
 * function without calls (README, Benchmarks, has the instruction count
 * of an allowed connect()).
 */

/* Only plain TCP and UDP sockets have port semantics the rules speak of. */
static __always_inline u8 sock_proto(const struct sock *sk)
{
	if (sk->sk_type == SOCK_STREAM &&
	    (sk->sk_protocol == IPPROTO_TCP || sk->sk_protocol == IPPROTO_MPTCP))
		return CPOL_PROTO_TCP;
	if (sk->sk_type == SOCK_DGRAM && sk->sk_protocol == IPPROTO_UDP)
		return CPOL_PROTO_UDP;
	return 0;
}

/*
 * d->proto is set first: the table is known here, where the family is
 * a constant, rather than worked out again on every lookup.
 */
static __always_inline void set_v4(struct net_dest *d,
				   const struct in_addr *a, __be16 port)
{
	d->table = CITADEL_NET4_TCP + (d->proto == CPOL_PROTO_UDP);
	d->addr.hi = 0;
	d->addr.lo = be32_to_cpu(a->s_addr);
	d->port = be16_to_cpu(port);
}

static __always_inline void set_v6(struct net_dest *d,
				   const struct in6_addr *a, __be16 port)
{
	if (ipv6_addr_v4mapped(a)) {
		struct in_addr v4 = { .s_addr = a->s6_addr32[3] };

		set_v4(d, &v4, port);
		return;
	}
	d->table = CITADEL_NET6_TCP + (d->proto == CPOL_PROTO_UDP);
	d->addr.hi = ((u64)be32_to_cpu(a->s6_addr32[0]) << 32) |
		     be32_to_cpu(a->s6_addr32[1]);
	d->addr.lo = ((u64)be32_to_cpu(a->s6_addr32[2]) << 32) |
		     be32_to_cpu(a->s6_addr32[3]);
	d->port = be16_to_cpu(port);
}

/*
 * Decodes @addr as the socket's protocol will. @unspec_is_v4: the call
 * reads an AF_UNSPEC address as AF_INET (IPv4 UDP sends, IPv4 bind);
 * otherwise AF_UNSPEC carries no address (connect() disconnects).
 */
static __always_inline enum dest_kind read_dest(const struct sockaddr *addr,
						int len, bool unspec_is_v4,
						struct net_dest *d)
{
	if (len < (int)offsetofend(struct sockaddr, sa_family))
		return DEST_BAD;

	switch (addr->sa_family) {
	case AF_UNSPEC:
		if (!unspec_is_v4)
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

static void describe(char *buf, size_t len, const char *key,
		     const struct net_dest *d, enum dest_kind kind)
{
	__be32 raw[4] = {
		cpu_to_be32(d->addr.hi >> 32), cpu_to_be32((u32)d->addr.hi),
		cpu_to_be32(d->addr.lo >> 32), cpu_to_be32((u32)d->addr.lo),
	};

	if (kind != DEST_INET)
		snprintf(buf, len, "proto=%s %s=unreadable",
			 proto_name(d->proto), key);
	else if (d->table < CITADEL_NET6_TCP)
		snprintf(buf, len, "proto=%s %s=%pI4:%u", proto_name(d->proto),
			 key, &raw[3], d->port);
	else
		snprintf(buf, len, "proto=%s %s=[%pI6c]:%u",
			 proto_name(d->proto), key, raw, d->port);
}

static __always_inline bool match_scope(const struct citadel_scope *s,
					bool listen, const struct net_dest *d,
					u32 *line)
{
	u8 t = d->table;

	return citadel_net_lookup(listen ? &s->listen[t] : &s->conn[t],
				  &d->addr, d->port, line);
}

/*
 * Out of line: the allowed path, taken by nearly every call, then never
 * sets up (and, with CONFIG_INIT_STACK_ALL_ZERO, zeroes) the log buffer.
 * The destination comes in scalars: a structure the caller had to keep
 * in memory for this call would give the whole decision a stack frame,
 * realigned, with a canary.
 */
static noinline int refuse(enum citadel_op op, const struct citadel_policy *pol,
			   const struct citadel_scope *svc, enum dest_kind kind,
			   u64 hi, u64 lo, u16 port, u8 proto, u8 table)
{
	const struct net_dest d = {
		.addr = { .hi = hi, .lo = lo },
		.port = port, .proto = proto, .table = table,
	};
	bool listen = op == CITADEL_OP_BIND || op == CITADEL_OP_LISTEN;
	char obj[96];

	describe(obj, sizeof(obj), listen ? "local" : "dst", &d, kind);
	return citadel_refuse(op, pol, svc, obj);
}

/*
 * The BPF trampoline of a non-sleepable program, as Citadel's network
 * programs are, calls the kfunc inside rcu_read_lock(); with preemptible
 * RCU (Debian's kernels) a nesting depth above zero proves it, and the
 * decision does not take the lock again. Any other caller (a sleepable
 * program may call the kfuncs too) gets it taken here.
 */
static __always_inline bool reader_enter(void)
{
	if (rcu_preempt_depth() > 0)
		return false;
	rcu_read_lock();
	return true;
}

static __always_inline void reader_exit(bool locked)
{
	if (locked)
		rcu_read_unlock();
}

/*
 * An unreadable address, or a protocol no rule speaks of: refused
 * under any policy. Out of line, so that the allowed path below keeps
 * none of this in registers.
 */
static noinline int refuse_unmatchable(enum citadel_op op,
				       enum dest_kind kind, u64 hi, u64 lo,
				       u16 port, u8 proto, u8 table)
{
	const struct citadel_policy *pol;
	bool locked = reader_enter();
	int ret = CITADEL_ALLOW;

	pol = citadel_active_policy();
	if (pol)
		ret = refuse(op, pol,
			     citadel_scope_of(pol, citadel_current_label()),
			     kind, hi, lo, port, proto, table);
	reader_exit(locked);
	return ret;
}

/* Outbound (@listen false) or local (@listen true) address decision. */
static __always_inline int decide(enum citadel_op op, bool listen,
				  enum dest_kind kind, struct net_dest d)
{
	const struct citadel_policy *pol;
	const struct citadel_scope *svc;
	u32 line = 0;
	bool locked;
	int ret;

	if (kind == DEST_NONE)
		return CITADEL_ALLOW;
	if (kind != DEST_INET || !d.proto)
		return refuse_unmatchable(op, kind, d.addr.hi, d.addr.lo,
					  d.port, d.proto, d.table);
	locked = reader_enter();
	pol = citadel_active_policy();
	if (!pol) {
		reader_exit(locked);
		return CITADEL_ALLOW;
	}
	/* The global rules first: a destination they allow needs no label. */
	if (match_scope(&pol->scopes[0], listen, &d, &line))
		goto allow;
	svc = citadel_scope_of(pol, citadel_current_label());
	if (svc && match_scope(svc, listen, &d, &line))
		goto allow;
	ret = refuse(op, pol, svc, DEST_INET, d.addr.hi, d.addr.lo, d.port,
		     d.proto, d.table);
	reader_exit(locked);
	return ret;
allow:
	citadel_rule_hit(pol, line);
	reader_exit(locked);
	return citadel_allow(op);
}

/* Sockets the rules speak of; everything else is not outbound traffic. */
static __always_inline bool inet_user_sock(const struct sock *sk)
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
	kind = read_dest(address, addrlen, false, &d);
	return decide(CITADEL_OP_CONNECT, false, kind, d);
}

/*
 * What no rule can allow: refused under any policy (logged and allowed
 * in audit mode, as any refusal).
 *
 * Source routing: an IPv4 source route (IP_OPTIONS, or IP_RETOPTS as a
 * control message of a send) or an IPv6 routing header (IPV6_RTHDR,
 * which needs no privilege) sends the packet first to an address of the
 * caller's choosing, which the rules never saw. The hook is not given
 * the option's value, so every IP_OPTIONS goes (record route and
 * timestamps too: nothing a device needs).
 */
static noinline int refuse_any_policy(enum citadel_op op, const char *what)
{
	const struct citadel_policy *pol;
	bool locked = reader_enter();
	int ret = CITADEL_ALLOW;

	pol = citadel_active_policy();
	if (pol)
		ret = citadel_refuse(op, pol,
				     citadel_scope_of(pol,
						      citadel_current_label()),
				     what);
	reader_exit(locked);
	return ret;
}

/**
 * citadel_net_setsockopt() - decide a setsockopt() on an inet socket
 * @sock: the socket
 * @level: the option's level
 * @optname: the option
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for the options that set a
 * source route or routing header while a policy is loaded, and once
 * sealed for legacy netfilter and multicast routing changes (netconf.c).
 */
int citadel_net_setsockopt(struct socket *sock, int level, int optname)
{
	if (!sock || !sock->sk)
		return CITADEL_DENY;
	if (!inet_user_sock(sock->sk))
		return CITADEL_ALLOW;
	if (level == SOL_IP && optname == IP_OPTIONS)
		return refuse_any_policy(CITADEL_OP_SEND, "setsockopt IP_OPTIONS (source routing)");
	if (level == SOL_IPV6 &&
	    (optname == IPV6_RTHDR || optname == IPV6_2292RTHDR ||
	     optname == IPV6_2292PKTOPTIONS))
		return refuse_any_policy(CITADEL_OP_SEND, "setsockopt IPV6_RTHDR (source routing)");
	return citadel_netconf_sockopt(sock->sk, level, optname);
}

/*
 * The source route among a send's control messages, or NULL. The walk is
 * bounded by msg_controllen, which the socket layer already capped
 * (optmem_max) when it copied the messages in, and walks again itself.
 */
static const char *source_route_cmsg(struct msghdr *msg)
{
	struct cmsghdr *c;

	if (msg->msg_control_is_user)
		return "a control message out of Citadel's reach";
	for_each_cmsghdr(c, msg) {
		if (!CMSG_OK(msg, c))
			break;	/* the protocol refuses the send itself */
		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RETOPTS)
			return "control message IP_RETOPTS (source routing)";
		if (c->cmsg_level == SOL_IPV6 &&
		    (c->cmsg_type == IPV6_RTHDR ||
		     c->cmsg_type == IPV6_2292RTHDR))
			return "control message IPV6_RTHDR (source routing)";
	}
	return NULL;
}

/**
 * citadel_net_sctp_bind_connect() - decide SCTP's own address calls
 * @optname: SCTP_SOCKOPT_BINDX_ADD, SCTP_SOCKOPT_CONNECTX,
 *	SCTP_SENDMSG_CONNECT, SCTP_PRIMARY_ADDR or SCTP_SET_PEER_PRIMARY_ADDR
 *
 * SCTP has no rule kind, so its connect() and bind() are refused under
 * any policy; bindx() and connectx() (socket options) and its other
 * address calls never reach those hooks and are refused here.
 *
 * Return: CITADEL_ALLOW without a policy, else CITADEL_DENY.
 */
int citadel_net_sctp_bind_connect(int optname)
{
	return refuse_any_policy(optname == SCTP_SOCKOPT_BINDX_ADD ?
				 CITADEL_OP_BIND : CITADEL_OP_CONNECT,
				 optname == SCTP_SOCKOPT_BINDX_ADD ?
				 "SCTP bindx (no rule kind for SCTP)" :
				 "SCTP connectx or peer address (no rule kind for SCTP)");
}

static int sendmsg_to(struct sock *sk, const struct msghdr *msg);

/* A send with control messages: rare, out of line. */
static noinline int sendmsg_control(struct sock *sk, struct msghdr *msg)
{
	const char *what = inet_user_sock(sk) ? source_route_cmsg(msg) : NULL;

	if (what && refuse_any_policy(CITADEL_OP_SEND, what) == CITADEL_DENY)
		return CITADEL_DENY;
	if (!msg->msg_name || msg->msg_namelen <= 0)
		return CITADEL_ALLOW;
	return sendmsg_to(sk, msg);
}

/*
 * A send that names a destination. Out of line: the sends without one,
 * nearly all of them, return from citadel_net_sendmsg() before any stack
 * frame is set up (Citadel's BPF program calls the kfunc for every send
 * rather than read the message itself, which costs more on 6.1).
 */
static noinline int sendmsg_to(struct sock *sk, const struct msghdr *msg)
{
	struct net_dest d = { };
	enum dest_kind kind;

	if (!inet_user_sock(sk))
		return CITADEL_ALLOW;
	d.proto = sock_proto(sk);
	if (d.proto == CPOL_PROTO_TCP && !(msg->msg_flags & MSG_FASTOPEN))
		return CITADEL_ALLOW;
	/* IPv4 UDP reads AF_UNSPEC as AF_INET; IPv6 UDP ignores it. */
	kind = read_dest(msg->msg_name, msg->msg_namelen,
			 sk->sk_family == AF_INET &&
			 d.proto == CPOL_PROTO_UDP, &d);
	return decide(CITADEL_OP_SEND, false, kind, d);
}

/**
 * citadel_net_sendmsg() - decide a send with an explicit destination
 * @sock: the socket
 * @msg: the message; msg_name is in kernel memory at this point
 *
 * Sends without a destination go where connect() already allowed. TCP
 * only takes a destination with MSG_FASTOPEN (connect and send in one).
 * A source route among the control messages is refused.
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
int citadel_net_sendmsg(struct socket *sock, struct msghdr *msg)
{
	if (!sock || !sock->sk || !msg)
		return CITADEL_DENY;
	if (unlikely(msg->msg_controllen))
		return sendmsg_control(sock->sk, msg);
	if (!msg->msg_name || msg->msg_namelen <= 0)
		return CITADEL_ALLOW;
	return sendmsg_to(sock->sk, msg);
}

/**
 * citadel_net_bind() - decide a bind() on an inet socket
 * @sock: the socket
 * @address: the local address, already copied from userspace
 * @addrlen: its length
 *
 * Port 0 (let the kernel pick, as clients do) is always allowed; any
 * other port must match a listen rule, address included.
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
int citadel_net_bind(struct socket *sock, struct sockaddr *address,
		     int addrlen)
{
	struct net_dest d = { };
	enum dest_kind kind;
	struct sock *sk;

	if (!sock || !sock->sk || !address)
		return CITADEL_DENY;
	sk = sock->sk;
	if (!inet_user_sock(sk) || sk->sk_type == SOCK_RAW)
		return CITADEL_ALLOW;
	d.proto = sock_proto(sk);
	/* IPv4 bind() reads AF_UNSPEC (with INADDR_ANY) as AF_INET. */
	kind = read_dest(address, addrlen, sk->sk_family == AF_INET, &d);
	if (kind == DEST_INET && d.port == 0)
		return CITADEL_ALLOW;
	return decide(CITADEL_OP_BIND, true, kind, d);
}

/**
 * citadel_net_listen() - decide a listen()
 * @sock: the socket
 *
 * Checks the address and port the socket is bound to; a socket never
 * bound is checked as port 0 (the kernel would pick an ephemeral port).
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
int citadel_net_listen(struct socket *sock)
{
	struct net_dest d = { };
	struct sock *sk;
	__be16 port;

	if (!sock || !sock->sk)
		return CITADEL_DENY;
	sk = sock->sk;
	if (!inet_user_sock(sk))
		return CITADEL_ALLOW;
	d.proto = sock_proto(sk);
	port = htons(inet_sk(sk)->inet_num);
	if (sk->sk_family == AF_INET) {
		struct in_addr a = { .s_addr = inet_sk(sk)->inet_rcv_saddr };

		set_v4(&d, &a, port);
	} else {
#if IS_ENABLED(CONFIG_IPV6)
		set_v6(&d, &sk->sk_v6_rcv_saddr, port);
#else
		return CITADEL_DENY;
#endif
	}
	return decide(CITADEL_OP_LISTEN, true, DEST_INET, d);
}

/**
 * citadel_net_socket_create() - decide socket() and socketpair()
 * @family: address family
 * @type: socket type
 * @protocol: protocol
 * @kern: created by the kernel for itself
 *
 * Raw inet sockets and packet sockets bypass port rules, so they and any
 * family beyond unix, inet, inet6 and netlink need a socket rule.
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
int citadel_net_socket_create(int family, int type, int protocol, int kern)
{
	const struct citadel_policy *pol;
	const struct citadel_scope *svc;
	u64 need, have;
	char obj[64];
	bool locked;
	int ret;

	if (kern)
		return CITADEL_ALLOW;
	locked = reader_enter();
	pol = citadel_active_policy();
	if (!pol) {
		reader_exit(locked);
		return CITADEL_ALLOW;
	}
	svc = citadel_scope_of(pol, citadel_current_label());
	need = family >= 0 && family < CPOL_FAM_RAW ? 1ull << family : 0;
	if ((family == AF_INET || family == AF_INET6) &&
	    (type & SOCK_TYPE_MASK) == SOCK_RAW)
		need |= 1ull << CPOL_FAM_RAW;
	have = pol->scopes[0].families | (svc ? svc->families : 0);
	if (need && (need & have) == need) {
		reader_exit(locked);
		return citadel_allow(CITADEL_OP_SOCKET);
	}
	snprintf(obj, sizeof(obj), "family=%d type=%d protocol=%d", family,
		 type & SOCK_TYPE_MASK, protocol);
	ret = citadel_refuse(CITADEL_OP_SOCKET, pol, svc, obj);
	reader_exit(locked);
	return ret;
}
