// SPDX-License-Identifier: GPL-2.0-only
/*
 * Micro-benchmarks run inside the test VM (see scripts/bench.sh):
 *
 *   bench_net connect ROUNDS ITERS   TCP connect() to a loopback listener
 *                                    (on port $BENCH_PORT if set)
 *   bench_net sendto ROUNDS ITERS    unconnected UDP sendto() to loopback
 *                                    (to a bound receiver on port 9)
 *   bench_net send ROUNDS ITERS      send() on a UDP socket connected to it
 *   bench_net load FILE ROUNDS       one write() of a policy blob
 *   bench_net forkexec ROUNDS ITERS PATH   fork + execve(PATH) + wait
 *   bench_net bind ROUNDS ITERS      TCP bind() to a fixed port + listen()
 *   bench_net exec1 PATH             one fork+exec of PATH, in ns
 *   bench_net setsockopt ROUNDS ITERS  setsockopt(IP_TTL) on a UDP socket
 *   bench_net ioctl ROUNDS ITERS     ioctl(SIOCGIFMTU) on a UDP socket
 *   bench_net netlink ROUNDS ITERS   an RTM_GETLINK request for lo on a
 *                                    NETLINK_ROUTE socket, and its answer
 *   bench_net cmsg ROUNDS ITERS      sendmsg() to loopback with an IP_TTL
 *                                    control message
 *
 * Each prints the median over ROUNDS of the mean ns per operation (of the
 * median single call for connect and bind). Under
 * QEMU's -icount the guest clock follows executed instructions, so the
 * numbers are repeatable and their ratios meaningful; wall-clock ns they
 * are not.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/*
 * The median of the single connect() times of a round, not their mean:
 * a connect now and then pays for work that is not its own (a slab
 * refill, a timer tick, a softirq for an earlier socket), which moved a
 * round's mean by hundreds of ns between configurations.
 */
static double bench_connect(int iters)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in src = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	double t0, *t = calloc(iters, sizeof(*t)), m;
	int i, fd, c, one = 1;

	if (!t)
		die("calloc");
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* A fixed listener port, for rules by port (bench_alt landlock). */
	if (getenv("BENCH_PORT"))
		sin.sin_port = htons(atoi(getenv("BENCH_PORT")));
	if (lfd >= 0)
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, len) ||
	    listen(lfd, 4096) || getsockname(lfd, (struct sockaddr *)&sin, &len))
		die("listener");
	/*
	 * A fixed source port keeps the ephemeral-port search (whose cost
	 * depends on earlier connections) out of the measurement.
	 */
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	src.sin_port = htons(40000);
	for (i = 0; i < iters; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&src, sizeof(src)))
			die("client socket");
		t0 = now_ns();
		if (connect(fd, (struct sockaddr *)&sin, len))
			die("connect");
		t[i] = now_ns() - t0;
		c = accept(lfd, NULL, NULL);
		if (c < 0)
			die("accept");
		close(c);
		close(fd);
	}
	close(lfd);
	m = median(t, iters);
	free(t);
	return m;
}

/*
 * To a bound receiver that never reads, with the smallest buffer: after
 * the first few datagrams each one is dropped on arrival, the same work
 * every time. Without it, each datagram to a closed port made the kernel
 * consider an ICMP port unreachable, under a rate limit that follows the
 * (guest) clock: a cost that moved with what ran before.
 */
static double bench_sendto(int iters, int connected)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int rfd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
	double t0, t;
	int i;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || rfd < 0 ||
	    setsockopt(rfd, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one)) ||
	    bind(rfd, (struct sockaddr *)&sin, sizeof(sin)))
		die("udp receiver");
	if (connected && connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("connect");
	t0 = now_ns();
	for (i = 0; i < iters; i++)
		if ((connected ? send(fd, "x", 1, 0) :
				 sendto(fd, "x", 1, 0, (struct sockaddr *)&sin,
					sizeof(sin))) != 1)
			die("sendto");
	t = (now_ns() - t0) / iters;
	close(rfd);
	close(fd);
	return t;
}

static double bench_load(const char *path)
{
	static char *blob;
	static ssize_t len;
	double t0, t;
	int fd;

	if (!blob) {
		struct stat st;

		fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &st))
			die(path);
		blob = malloc(st.st_size);
		len = st.st_size;
		if (!blob || read(fd, blob, len) != len)
			die("read");
		close(fd);
	}
	fd = open("/sys/kernel/security/citadel/policy", O_WRONLY);
	if (fd < 0)
		die("open policy");
	t0 = now_ns();
	if (write(fd, blob, len) != len)
		die("write policy");
	t = now_ns() - t0;
	close(fd);
	return t;
}

static double bench_forkexec(int iters, const char *path)
{
	char *const argv[] = { (char *)path, NULL };
	double t0 = now_ns();
	int i, st;
	pid_t pid;

	for (i = 0; i < iters; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execve(path, argv, NULL);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			fprintf(stderr, "%s did not run (status %d)\n", path, st);
			exit(1);
		}
	}
	return (now_ns() - t0) / iters;
}

/* Like connect: the median of the single bind()+listen() times. */
static double bench_bind(int iters)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(7777) };
	double t0, *t = calloc(iters, sizeof(*t)), m;
	int i, fd, one = 1;

	if (!t)
		die("calloc");
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < iters; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
			die("socket");
		t0 = now_ns();
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(fd, 1))
			die("bind/listen");
		t[i] = now_ns() - t0;
		close(fd);
	}
	m = median(t, iters);
	free(t);
	return m;
}

/*
 * The calls the seal's hooks see (socket_setsockopt, file_ioctl,
 * netlink_send, a send with a control message), as an allowed process
 * makes them: the mean ns of one call.
 */
static double bench_setsockopt(int iters)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ttl = 64, i;
	double t0;

	if (fd < 0)
		die("socket");
	t0 = now_ns();
	for (i = 0; i < iters; i++)
		if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)))
			die("setsockopt");
	t0 = (now_ns() - t0) / iters;
	close(fd);
	return t0;
}

static double bench_ioctl(int iters)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i;
	struct ifreq ifr;
	double t0;

	if (fd < 0)
		die("socket");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	t0 = now_ns();
	for (i = 0; i < iters; i++)
		if (ioctl(fd, SIOCGIFMTU, &ifr))
			die("SIOCGIFMTU");
	t0 = (now_ns() - t0) / iters;
	close(fd);
	return t0;
}

static double bench_netlink(int iters)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST },
		.i = { .ifi_family = AF_UNSPEC },
	};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), i;
	static char buf[8192];
	double t0;

	req.i.ifi_index = if_nametoindex("lo");
	if (fd < 0 || !req.i.ifi_index)
		die("netlink");
	t0 = now_ns();
	for (i = 0; i < iters; i++)
		if (send(fd, &req, sizeof(req), 0) != sizeof(req) ||
		    recv(fd, buf, sizeof(buf), 0) <= 0)
			die("RTM_GETLINK");
	t0 = (now_ns() - t0) / iters;
	close(fd);
	return t0;
}

static double bench_cmsg(int iters)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(9) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr m = { .msg_name = &sin, .msg_namelen = sizeof(sin),
			    .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rfd, one = 1, ttl = 64, i;
	double t0;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rfd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || rfd < 0 ||
	    setsockopt(rfd, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one)) ||
	    bind(rfd, (struct sockaddr *)&sin, sizeof(sin)))
		die("udp receiver");
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TTL;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &ttl, sizeof(ttl));
	t0 = now_ns();
	for (i = 0; i < iters; i++)
		if (sendmsg(fd, &m, 0) != 1)
			die("sendmsg");
	t0 = (now_ns() - t0) / iters;
	close(rfd);
	close(fd);
	return t0;
}

int main(int argc, char **argv)
{
	double v[101];
	int rounds, iters = 0, r;

	if (argc == 3 && !strcmp(argv[1], "exec1")) {
		printf("%.0f\n", bench_forkexec(1, argv[2]));
		return 0;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: %s connect|sendto|send|bind|setsockopt|ioctl|netlink|cmsg ROUNDS ITERS | forkexec ROUNDS ITERS PATH | load FILE ROUNDS | exec1 PATH\n",
			argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "load")) {
		rounds = atoi(argv[3]);
	} else {
		rounds = atoi(argv[2]);
		iters = atoi(argv[3]);
	}
	if (rounds < 1 || rounds > 101)
		return 2;
	for (r = 0; r < rounds; r++) {
		if (!strcmp(argv[1], "connect"))
			v[r] = bench_connect(iters);
		else if (!strcmp(argv[1], "sendto"))
			v[r] = bench_sendto(iters, 0);
		else if (!strcmp(argv[1], "send"))
			v[r] = bench_sendto(iters, 1);
		else if (!strcmp(argv[1], "load"))
			v[r] = bench_load(argv[2]);
		else if (!strcmp(argv[1], "bind"))
			v[r] = bench_bind(iters);
		else if (!strcmp(argv[1], "setsockopt"))
			v[r] = bench_setsockopt(iters);
		else if (!strcmp(argv[1], "ioctl"))
			v[r] = bench_ioctl(iters);
		else if (!strcmp(argv[1], "netlink"))
			v[r] = bench_netlink(iters);
		else if (!strcmp(argv[1], "cmsg"))
			v[r] = bench_cmsg(iters);
		else if (!strcmp(argv[1], "forkexec") && argc == 5)
			v[r] = bench_forkexec(iters, argv[4]);
		else
			return 2;
	}
	printf("%.0f\n", median(v, rounds));
	return 0;
}
