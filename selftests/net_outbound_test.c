// SPDX-License-Identifier: GPL-2.0-only
/*
 * Outbound policy: connect() and sends with a destination, TCP and UDP,
 * IPv4 and IPv6, and the other spellings of a destination an attacker
 * would try (mapped IPv6, AF_UNSPEC, AF_INET on an IPv6 socket, TCP Fast
 * Open, raw and ICMP sockets), and source routes, which would send the
 * packet first to an address the rules never saw.
 *
 * Each denial is checked against a control: the same operation to the
 * same place succeeds when no policy is loaded, so EPERM can only come
 * from Citadel.
 */
#define _GNU_SOURCE
#include "citadel_test_lib.h"

#include <linux/io_uring.h>
#include <linux/sctp.h>

#ifndef SOL_SCTP
#define SOL_SCTP 132
#endif
#include <netinet/ip_icmp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/un.h>

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

/* UDP needs no peer for connect() or sendto(): fixed ports will do. */
#define UDP_OK		5301
#define UDP_NO		5302

/*
 * One io_uring operation with raw syscalls (the VM has no liburing).
 * Returns the completion's result (0 or -errno), or 1 when io_uring is
 * not available at all.
 */
static int uring_op(__u8 opcode, int fd, const void *addr, __u64 addr2)
{
	struct io_uring_params p = { 0 };
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned int *tail, *head, idx;
	size_t sq_sz, cq_sz, sz;
	int ring, res;
	char *sq;

	ring = syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0)
		return 1;
	sq_sz = p.sq_off.array + p.sq_entries * sizeof(__u32);
	cq_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sz = sq_sz > cq_sz ? sq_sz : cq_sz;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP))
		abort();
	sq = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  ring, IORING_OFF_SQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes),
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
		    IORING_OFF_SQES);
	if (sq == MAP_FAILED || sqes == MAP_FAILED)
		abort();
	tail = (unsigned int *)(sq + p.sq_off.tail);
	idx = *tail & *(unsigned int *)(sq + p.sq_off.ring_mask);
	memset(&sqes[idx], 0, sizeof(sqes[idx]));
	sqes[idx].opcode = opcode;
	sqes[idx].fd = fd;
	sqes[idx].addr = (unsigned long)addr;
	sqes[idx].addr2 = addr2;
	((unsigned int *)(sq + p.sq_off.array))[idx] = idx;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0)
		abort();
	head = (unsigned int *)(sq + p.cq_off.head);
	cqes = (struct io_uring_cqe *)(sq + p.cq_off.cqes);
	res = cqes[*head & *(unsigned int *)(sq + p.cq_off.ring_mask)].res;
	munmap(sqes, p.sq_entries * sizeof(*sqes));
	munmap(sq, sz);
	close(ring);
	return res;
}

FIXTURE(outbound) {
	int lfd4_ok, lfd4_no, lfd6_ok, lfd6_no;
	int p4_ok, p4_no, p6_ok, p6_no;
};

FIXTURE_SETUP(outbound)
{
	char policy[1024];

	ASSERT_EQ(0, unload_policy());
	self->lfd4_ok = tcp_listener("127.0.0.1", &self->p4_ok);
	self->lfd4_no = tcp_listener("127.0.0.1", &self->p4_no);
	self->lfd6_ok = tcp_listener("::1", &self->p6_ok);
	self->lfd6_no = tcp_listener("::1", &self->p6_no);
	ASSERT_LE(0, self->lfd4_ok);
	ASSERT_LE(0, self->lfd4_no);
	ASSERT_LE(0, self->lfd6_ok);
	ASSERT_LE(0, self->lfd6_no);

	/* Controls: with no policy every destination is reachable. */
	ASSERT_EQ(0, try_connect(SOCK_STREAM, "127.0.0.1", self->p4_no));
	ASSERT_EQ(0, try_connect(SOCK_STREAM, "::1", self->p6_no));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", UDP_NO));
	ASSERT_EQ(0, try_sendto(SOCK_DGRAM, 0, "::1", UDP_NO));

	snprintf(policy, sizeof(policy),
		 "policy outbound-test version 1\n"
		 "global {\n"
		 "    exec /\n"
		 "    connect tcp 127.0.0.1 port %d\n"
		 "    connect tcp ::1 port %d\n"
		 "    connect udp 127.0.0.1 port %d\n"
		 "    connect udp ::1 port %d\n"
		 "}\n", self->p4_ok, self->p6_ok, UDP_OK, UDP_OK);
	ASSERT_EQ(0, load_policy(policy));
}

FIXTURE_TEARDOWN(outbound)
{
	unload_policy();
	close(self->lfd4_ok);
	close(self->lfd4_no);
	close(self->lfd6_ok);
	close(self->lfd6_no);
}

TEST_F(outbound, tcp4_connect)
{
	ASSERT_EQ(0, try_connect(SOCK_STREAM, "127.0.0.1", self->p4_ok));
	ASSERT_EQ(EPERM, try_connect(SOCK_STREAM, "127.0.0.1", self->p4_no));
	/* Loopback is not special: another loopback address is denied. */
	ASSERT_EQ(EPERM, try_connect(SOCK_STREAM, "127.0.0.2", self->p4_ok));
}

TEST_F(outbound, tcp6_connect)
{
	ASSERT_EQ(0, try_connect(SOCK_STREAM, "::1", self->p6_ok));
	ASSERT_EQ(EPERM, try_connect(SOCK_STREAM, "::1", self->p6_no));
}

TEST_F(outbound, udp4_connect)
{
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", UDP_OK));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", UDP_NO));
}

TEST_F(outbound, udp6_connect)
{
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "::1", UDP_OK));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "::1", UDP_NO));
}

TEST_F(outbound, udp4_unconnected_sendto)
{
	ASSERT_EQ(0, try_sendto(SOCK_DGRAM, 0, "127.0.0.1", UDP_OK));
	ASSERT_EQ(EPERM, try_sendto(SOCK_DGRAM, 0, "127.0.0.1", UDP_NO));
}

TEST_F(outbound, udp6_unconnected_sendto)
{
	ASSERT_EQ(0, try_sendto(SOCK_DGRAM, 0, "::1", UDP_OK));
	ASSERT_EQ(EPERM, try_sendto(SOCK_DGRAM, 0, "::1", UDP_NO));
}

TEST_F(outbound, udp_sendmsg_and_sendmmsg)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, AF_INET, "127.0.0.1", UDP_NO);
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct mmsghdr mm = { .msg_hdr = { .msg_name = &ss, .msg_namelen = len,
					   .msg_iov = &iov, .msg_iovlen = 1 } };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, sendmsg(fd, &mm.msg_hdr, 0));
	ASSERT_EQ(EPERM, errno);
	ASSERT_EQ(-1, sendmmsg(fd, &mm, 1, 0));
	ASSERT_EQ(EPERM, errno);
	close(fd);
}

TEST_F(outbound, udp_connected_send_is_checked_at_connect)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, AF_INET, "127.0.0.1", UDP_OK);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&ss, len));
	ASSERT_EQ(1, send(fd, "x", 1, 0));
	/* An explicit denied destination on a connected socket: denied. */
	len = make_addr(&ss, AF_INET, "127.0.0.1", UDP_NO);
	ASSERT_EQ(-1, sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len));
	ASSERT_EQ(EPERM, errno);
	close(fd);
}

TEST_F(outbound, tcp_fast_open_sendto)
{
	/* sendto(MSG_FASTOPEN) connects and sends in one call. */
	ASSERT_EQ(EPERM, try_sendto(SOCK_STREAM, MSG_FASTOPEN, "127.0.0.1",
				    self->p4_no));
	ASSERT_EQ(EPERM, try_sendto(SOCK_STREAM, MSG_FASTOPEN, "::1",
				    self->p6_no));
	ASSERT_NE(EPERM, try_sendto(SOCK_STREAM, MSG_FASTOPEN, "127.0.0.1",
				    self->p4_ok));
}

TEST_F(outbound, tcp_fastopen_connect_sockopt)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, AF_INET, "127.0.0.1", self->p4_no);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one,
				sizeof(one)));
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&ss, len));
	ASSERT_EQ(EPERM, errno);
	close(fd);
}

TEST_F(outbound, ipv4_mapped_ipv6_matches_ipv4_rules)
{
	ASSERT_EQ(0, try_connect_from(AF_INET6, SOCK_STREAM,
				      "::ffff:127.0.0.1", self->p4_ok));
	ASSERT_EQ(EPERM, try_connect_from(AF_INET6, SOCK_STREAM,
					  "::ffff:127.0.0.1", self->p4_no));
	ASSERT_EQ(0, try_connect_from(AF_INET6, SOCK_DGRAM,
				      "::ffff:127.0.0.1", UDP_OK));
	ASSERT_EQ(EPERM, try_sendto_from(AF_INET6, SOCK_DGRAM, 0,
					 "::ffff:127.0.0.1", UDP_NO));
}

TEST_F(outbound, ipv4_address_on_ipv6_socket)
{
	/* An IPv6 UDP socket sends to AF_INET addresses as IPv4. */
	ASSERT_EQ(0, try_sendto_from(AF_INET6, SOCK_DGRAM, 0, "127.0.0.1",
				     UDP_OK));
	ASSERT_EQ(EPERM, try_sendto_from(AF_INET6, SOCK_DGRAM, 0,
					 "127.0.0.1", UDP_NO));
	ASSERT_EQ(EPERM, try_connect_from(AF_INET6, SOCK_DGRAM, "127.0.0.1",
					  UDP_NO));
}

TEST_F(outbound, af_unspec_udp_sendto_is_ipv4)
{
	/* IPv4 UDP reads an AF_UNSPEC destination as AF_INET. */
	struct sockaddr_in sin = { .sin_family = AF_UNSPEC,
				   .sin_port = htons(UDP_NO) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ASSERT_LE(0, fd);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	ASSERT_EQ(-1, sendto(fd, "x", 1, 0, (struct sockaddr *)&sin,
			     sizeof(sin)));
	ASSERT_EQ(EPERM, errno);
	sin.sin_port = htons(UDP_OK);
	ASSERT_EQ(1, sendto(fd, "x", 1, 0, (struct sockaddr *)&sin,
			    sizeof(sin)));
	close(fd);
}

TEST_F(outbound, af_unspec_connect_disconnects)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, AF_INET, "127.0.0.1", UDP_OK);
	struct sockaddr sa = { .sa_family = AF_UNSPEC };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&ss, len));
	ASSERT_EQ(0, connect(fd, &sa, sizeof(sa)));
	close(fd);
}

TEST_F(outbound, short_address_denied)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(UDP_OK) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ASSERT_LE(0, fd);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&sin, 8));
	ASSERT_EQ(EPERM, errno);
	close(fd);
}

TEST_F(outbound, icmp_and_raw_sockets_denied)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, AF_INET, "127.0.0.1", 0);
	struct icmphdr icmp = { .type = ICMP_ECHO };
	char policy[256];
	int fd;

	/* Raw sockets bypass port rules: creating one needs a rule... */
	ASSERT_EQ(-1, socket(AF_INET, SOCK_RAW, IPPROTO_UDP));
	ASSERT_EQ(EPERM, errno);
	ASSERT_EQ(-1, socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
	ASSERT_EQ(EPERM, errno);

	/* ...and with one, their traffic still matches no connect rule. */
	snprintf(policy, sizeof(policy),
		 "policy raw version 1\nglobal {\nexec /\nsocket raw\n"
		 "connect udp 127.0.0.1 port %d\n}\n", UDP_OK);
	ASSERT_EQ(0, load_policy(policy));
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, sendto(fd, &icmp, sizeof(icmp), 0,
			     (struct sockaddr *)&ss, len));
	ASSERT_EQ(EPERM, errno);
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&ss, len));
	ASSERT_EQ(EPERM, errno);
	close(fd);

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, sendto(fd, &icmp, sizeof(icmp), 0,
			     (struct sockaddr *)&ss, len));
	ASSERT_EQ(EPERM, errno);
	close(fd);
}

TEST_F(outbound, io_uring_connect_and_sendmsg)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, AF_INET, "127.0.0.1", self->p4_no);
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr mh = { .msg_name = &ss, .msg_iov = &iov,
			     .msg_iovlen = 1 };
	int fd = socket(AF_INET, SOCK_STREAM, 0), res;

	ASSERT_LE(0, fd);
	res = uring_op(IORING_OP_CONNECT, fd, &ss, len);
	/* Debian's kernels have io_uring: its absence is a failure. */
	ASSERT_NE(1, res) TH_LOG("io_uring_setup failed: %s", strerror(errno));
	ASSERT_EQ(-EPERM, res);
	close(fd);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	len = make_addr(&ss, AF_INET, "127.0.0.1", self->p4_ok);
	ASSERT_EQ(0, uring_op(IORING_OP_CONNECT, fd, &ss, len));
	close(fd);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	mh.msg_namelen = make_addr(&ss, AF_INET, "127.0.0.1", UDP_NO);
	ASSERT_EQ(-EPERM, uring_op(IORING_OP_SENDMSG, fd, &mh, 0));
	mh.msg_namelen = make_addr(&ss, AF_INET, "127.0.0.1", UDP_OK);
	ASSERT_EQ(1, uring_op(IORING_OP_SENDMSG, fd, &mh, 0));
	close(fd);
}

TEST_F(outbound, counters_count_decisions)
{
	long long allowed = status_value("connect_allowed");
	long long denied = status_value("connect_denied");

	ASSERT_LE(0, allowed);
	ASSERT_LE(0, denied);
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", UDP_OK));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", UDP_NO));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", UDP_NO));
	ASSERT_EQ(allowed + 1, status_value("connect_allowed"));
	ASSERT_EQ(denied + 2, status_value("connect_denied"));
}

/*
 * Connects and sends on unix sockets and sends without a destination are
 * not decisions (the BPF programs allow them without asking the module):
 * they work under a policy without unix rules and are not counted, while
 * a send on the same socket that names a destination is decided.
 */
TEST_F(outbound, unix_and_destinationless_sends_allowed_uncounted)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_storage ss;
	long long conn = status_value("connect_allowed");
	long long sent = status_value("send_allowed");
	long long send_denied = status_value("send_denied");
	socklen_t len;
	int lfd, fd, c, d1, d2;

	ASSERT_LE(0, conn);
	ASSERT_LE(0, sent);
	strcpy(sun.sun_path, "/tmp/citadel-outbound.sock");
	unlink(sun.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sun, sizeof(sun)));
	ASSERT_EQ(0, listen(lfd, 1));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&sun, sizeof(sun)));
	ASSERT_EQ(1, send(fd, "x", 1, 0));
	close(fd);
	close(lfd);
	unlink(sun.sun_path);

	/* A unix datagram to a bound path: sendto() with a destination. */
	d1 = socket(AF_UNIX, SOCK_DGRAM, 0);
	d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
	ASSERT_LE(0, d1);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, bind(d1, (struct sockaddr *)&sun, sizeof(sun)));
	ASSERT_EQ(1, sendto(d2, "x", 1, 0, (struct sockaddr *)&sun,
			    sizeof(sun)));
	close(d1);
	close(d2);
	unlink(sun.sun_path);

	/* TCP stream and connected UDP sends: decided at connect(). */
	len = make_addr(&ss, AF_INET, "127.0.0.1", self->p4_ok);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&ss, len));
	c = accept(self->lfd4_ok, NULL, NULL);
	ASSERT_LE(0, c);
	ASSERT_EQ(1, send(fd, "x", 1, 0));
	close(c);
	close(fd);
	len = make_addr(&ss, AF_INET, "127.0.0.1", UDP_OK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&ss, len));
	ASSERT_EQ(1, send(fd, "x", 1, 0));
	ASSERT_EQ(conn + 2, status_value("connect_allowed"));
	ASSERT_EQ(sent, status_value("send_allowed"));
	/*
	 * The same connected socket naming a destination is decided. (No
	 * one listens on UDP_OK: the port unreachable of the first send may
	 * fail this one with ECONNREFUSED, after the decision.)
	 */
	if (sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) < 0)
		ASSERT_EQ(ECONNREFUSED, errno);
	ASSERT_EQ(sent + 1, status_value("send_allowed"));
	len = make_addr(&ss, AF_INET, "127.0.0.1", UDP_NO);
	ASSERT_EQ(-1, sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len));
	ASSERT_EQ(EPERM, errno);
	ASSERT_EQ(send_denied + 1, status_value("send_denied"));
	close(fd);
}

/*
 * Citadel's programs call the kfunc inside the trampoline's RCU read
 * lock and the module does not take it again; a sleepable program on
 * the same hook calls it outside, and the module must take the lock and
 * decide the same (on the debug kernel, lockdep watches it).
 */
TEST_F(outbound, kfunc_from_a_sleepable_program)
{
	char ok[16], no[16];

	snprintf(ok, sizeof(ok), "%d", self->p4_ok);
	snprintf(no, sizeof(no), "%d", self->p4_no);
	ASSERT_EQ(0, RUN(CITADEL_DIR "/sleepable_caller", "127.0.0.1", ok,
			 no));
	snprintf(ok, sizeof(ok), "%d", self->p6_ok);
	snprintf(no, sizeof(no), "%d", self->p6_no);
	ASSERT_EQ(0, RUN(CITADEL_DIR "/sleepable_caller", "::1", ok, no));
}

/* An IPv4 loose source route through 127.0.0.2 (the denied address). */
static const unsigned char lsrr[8] = { 1, 131, 7, 4, 127, 0, 0, 2 };

/*
 * An IPv6 routing header of type 2 (Mobile IPv6) holding ::2: the kernel
 * sends the packet to ::2 first, whatever the destination. No privilege
 * is needed for it, as option or as control message.
 */
static const unsigned char rthdr[24] = { 0, 2, 2, 1, [23] = 2 };

static int sockopt_err(int family, int level, int name, const void *val,
		       socklen_t len)
{
	int fd = socket(family, SOCK_DGRAM, 0), err;

	if (fd < 0)
		return -1;
	err = setsockopt(fd, level, name, val, len) ? errno : 0;
	close(fd);
	return err;
}

/* Sends "x" to @host:@port with one control message: 0 or the errno. */
static int sendmsg_cmsg(int family, const char *host, int port, int level,
			int type, const void *data, size_t len)
{
	union {
		char buf[CMSG_SPACE(64)];
		struct cmsghdr align;
	} u = { 0 };
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr m = { .msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = CMSG_SPACE(len) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	int fd = socket(family, SOCK_DGRAM, 0), err;

	if (fd < 0 || len > 64)
		return -1;
	m.msg_namelen = make_addr(&ss, family, host, port);
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	err = sendmsg(fd, &m, 0) == 1 ? 0 : errno;
	close(fd);
	return err;
}

TEST_F(outbound, source_route_options_refused)
{
	int ttl = 9;

	ASSERT_EQ(EPERM, sockopt_err(AF_INET, IPPROTO_IP, IP_OPTIONS, lsrr,
				     sizeof(lsrr)));
	ASSERT_EQ(EPERM, sockopt_err(AF_INET6, IPPROTO_IPV6, IPV6_RTHDR,
				     rthdr, sizeof(rthdr)));
	ASSERT_EQ(EPERM, sockopt_err(AF_INET6, IPPROTO_IPV6, IPV6_2292RTHDR,
				     rthdr, sizeof(rthdr)));
	/* IPv4 options on an IPv6 socket reach the same code. */
	ASSERT_EQ(EPERM, sockopt_err(AF_INET6, IPPROTO_IP, IP_OPTIONS, lsrr,
				     sizeof(lsrr)));
	/* Other IP options are not touched. */
	ASSERT_EQ(0, sockopt_err(AF_INET, IPPROTO_IP, IP_TTL, &ttl,
				 sizeof(ttl)));
	ASSERT_EQ(0, sockopt_err(AF_INET6, IPPROTO_IPV6, IPV6_UNICAST_HOPS,
				 &ttl, sizeof(ttl)));
	ASSERT_EQ(0, run_cmd("citadelctl -j events | grep -q 'setsockopt IPV6_RTHDR (source routing)'"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", UDP_NO));
}

TEST_F(outbound, source_route_control_messages_refused)
{
	int ttl = 9;

	/* To an allowed destination, through a route of the sender's own. */
	ASSERT_EQ(EPERM, sendmsg_cmsg(AF_INET, "127.0.0.1", UDP_OK,
				      IPPROTO_IP, IP_RETOPTS, lsrr,
				      sizeof(lsrr)));
	ASSERT_EQ(EPERM, sendmsg_cmsg(AF_INET6, "::1", UDP_OK, IPPROTO_IPV6,
				      IPV6_RTHDR, rthdr, sizeof(rthdr)));
	ASSERT_EQ(EPERM, sendmsg_cmsg(AF_INET6, "::1", UDP_OK, IPPROTO_IPV6,
				      IPV6_2292RTHDR, rthdr, sizeof(rthdr)));
	/* Other control messages pass to allowed destinations only. */
	ASSERT_EQ(0, sendmsg_cmsg(AF_INET, "127.0.0.1", UDP_OK, IPPROTO_IP,
				  IP_TTL, &ttl, sizeof(ttl)));
	ASSERT_EQ(EPERM, sendmsg_cmsg(AF_INET, "127.0.0.1", UDP_NO,
				      IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)));
	ASSERT_EQ(0, run_cmd("citadelctl -j events | grep -q 'control message IP_RETOPTS (source routing)'"));
}

/* The controls: with no policy the same options and messages work. */
TEST_F(outbound, source_routes_allowed_without_policy)
{
	ASSERT_EQ(0, unload_policy());
	ASSERT_EQ(0, sockopt_err(AF_INET, IPPROTO_IP, IP_OPTIONS, lsrr,
				 sizeof(lsrr)));
	ASSERT_EQ(0, sendmsg_cmsg(AF_INET, "127.0.0.1", UDP_OK, IPPROTO_IP,
				  IP_RETOPTS, lsrr, sizeof(lsrr)));
	ASSERT_EQ(0, sockopt_err(AF_INET6, IPPROTO_IPV6, IPV6_RTHDR, rthdr,
				 sizeof(rthdr)));
	/* ::2 is not routed here: the send fails, but not in Citadel. */
	ASSERT_NE(EPERM, sendmsg_cmsg(AF_INET6, "::1", UDP_OK, IPPROTO_IPV6,
				      IPV6_RTHDR, rthdr, sizeof(rthdr)));
}

/*
 * SCTP has no rule kind: under a policy its connect() and bind() are
 * refused, and so are connectx() and bindx(), socket options that never
 * reach the connect and bind hooks. The VM loads sctp.ko (--modules).
 */
TEST(sctp_connectx_and_bindx_refused)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int lfd, fd;

	ASSERT_EQ(0, unload_policy());
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	ASSERT_LE(0, lfd) {
		TH_LOG("no SCTP (%s): the VM must load sctp.ko", strerror(errno));
	}
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(lfd, 4));
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&sin, &len));
	/* The control: without a policy connectx() reaches the listener. */
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, setsockopt(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX, &sin,
				sizeof(sin)));
	close(fd);

	ASSERT_EQ(0, load_policy("policy sctp-test version 1\nglobal {\n    exec /\n    connect udp 127.0.0.1 port 5301\n}\n"));
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, setsockopt(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX, &sin,
				 sizeof(sin)));
	ASSERT_EQ(EPERM, errno);
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(EPERM, errno);
	sin.sin_port = 0;
	ASSERT_EQ(-1, setsockopt(fd, SOL_SCTP, SCTP_SOCKOPT_BINDX_ADD, &sin,
				 sizeof(sin)));
	ASSERT_EQ(EPERM, errno);
	close(fd);
	close(lfd);
	ASSERT_EQ(0, run_cmd("citadelctl -j events | grep -q 'SCTP connectx or peer address'"));
	ASSERT_EQ(0, run_cmd("citadelctl -j events | grep -q 'SCTP bindx'"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", UDP_NO));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", UDP_OK));
	ASSERT_EQ(0, unload_policy());
}

TEST_F(outbound, unload_lifts_restrictions)
{
	ASSERT_EQ(EPERM, try_connect(SOCK_STREAM, "127.0.0.1", self->p4_no));
	ASSERT_EQ(0, unload_policy());
	ASSERT_EQ(0, try_connect(SOCK_STREAM, "127.0.0.1", self->p4_no));
	ASSERT_EQ(0, try_sendto(SOCK_DGRAM, 0, "::1", UDP_NO));
}

/* Rule edges, with UDP connect(): it needs no peer, only a route. */
FIXTURE(edges) {
	int dummy;
};

FIXTURE_SETUP(edges)
{
	ASSERT_EQ(0, unload_policy());
	/* Every address of 2001:db8:1::/64 is local (AnyIP), as 127/8 is. */
	run_cmd("ip -6 route add local 2001:db8:1::/64 dev lo 2>/dev/null");
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "2001:db8:1::5", 9));
}

FIXTURE_TEARDOWN(edges)
{
	unload_policy();
}

TEST_F(edges, cidr_prefix_zero)
{
	ASSERT_EQ(0, load_policy("policy e version 1\nglobal {\nexec /\n"
				 "connect udp 0.0.0.0/0 port 7000\n"
				 "connect udp ::/0 port 7001\n}\n"));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", 7000));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.255.255.254", 7000));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", 7001));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "::1", 7001));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "2001:db8:1::ffff", 7001));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "::1", 7000));
}

TEST_F(edges, cidr_host_routes)
{
	ASSERT_EQ(0, load_policy("policy e version 1\nglobal {\nexec /\n"
				 "connect udp 127.0.0.7/32 port 7000\n"
				 "connect udp 2001:db8:1::7/128 port 7000\n}\n"));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.7", 7000));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.6", 7000));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.8", 7000));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "2001:db8:1::7", 7000));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "2001:db8:1::6", 7000));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "2001:db8:1::8", 7000));
}

TEST_F(edges, cidr_first_and_last_address)
{
	ASSERT_EQ(0, load_policy("policy e version 1\nglobal {\nexec /\n"
				 "connect udp 127.0.1.0/24\n"
				 "connect udp 2001:db8:1::100/120\n}\n"));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.1.0", 7000));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.1.255", 7000));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.255", 7000));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.2.0", 7000));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "2001:db8:1::100", 7000));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "2001:db8:1::1ff", 7000));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "2001:db8:1::ff", 7000));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "2001:db8:1::200", 7000));
}

TEST_F(edges, nested_cidrs_with_different_ports)
{
	/* A specific rule must not hide a broader one's ports. */
	ASSERT_EQ(0, load_policy("policy e version 1\nglobal {\nexec /\n"
				 "connect udp 127.0.0.0/8 port 53\n"
				 "connect udp 127.0.5.0/24 port 80\n"
				 "connect udp 127.0.5.5 port 443\n}\n"));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.5.5", 443));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.5.5", 80));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.5.5", 53));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.5.5", 22));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.5.6", 80));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.5.6", 443));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.6.1", 80));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.6.1", 53));
}

TEST_F(edges, port_range_edges)
{
	ASSERT_EQ(0, load_policy("policy e version 1\nglobal {\nexec /\n"
				 "connect udp 127.0.0.1 port 2000-2010,65535\n"
				 "connect tcp 127.0.0.1 port 3000\n}\n"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", 1999));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", 2000));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", 2010));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", 2011));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", 65535));
	/* Protocols are separate: a TCP rule is no UDP rule. */
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", 3000));
}

TEST_HARNESS_MAIN
