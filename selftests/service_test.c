// SPDX-License-Identifier: GPL-2.0-only
/*
 * Services: labels (entries, fork, global helpers, scripts, tasks older
 * than the policy), per-service rules and audit mode; listen rules
 * (bind/listen, TCP and UDP, IPv4 and IPv6, local addresses, ephemeral
 * ports); socket families; the counters of all of it.
 *
 * A label is only visible through what the task may do, so the tasks
 * are copies of citadel_probe: each does one operation and exits with
 * its errno (see selftests/citadel_probe.c). Denials are checked against
 * a control without policy, or against a task that the rule does allow.
 */
#define _GNU_SOURCE
#include "citadel_test_lib.h"

#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <sys/un.h>

#ifndef AF_XDP
#define AF_XDP		44
#endif

#define SVC		"/opt/svc"
#define HELPERS		SVC "/helpers"
#define TMP		"/tmp/svc"

/* citadel_probe's exit status when listen() (not bind()) failed. */
#define LISTEN_FAILED(e)	(100 + (e))
/* ... and when its "exec" op failed. */
#define EXEC_FAILED(e)		(200 + (e))

/*
 * The lines every test policy starts with: system() runs /bin/sh, and
 * citadelctl, the tests and their helpers are in CITADEL_DIR.
 */
#define BASE_RULES \
	"    exec /bin/busybox\n" \
	"    exec " CITADEL_DIR "/\n" \
	"    libs /lib/ /lib64/ /usr/lib/\n"

static void put_probe(struct __test_metadata *_metadata, const char *dst)
{
	ASSERT_EQ(0, copy_file(CITADEL_PROBE, dst, 0755))
		TH_LOG("cannot copy %s to %s: %s", CITADEL_PROBE, dst,
		       strerror(errno));
}

/* ---- Labels and per-service rules ------------------------------------- */

/*
 * Service "web" may connect to 127.0.0.2:9000 (UDP: connect() needs no
 * peer), listen on TCP 8080 and open raw sockets; "other" may connect to
 * 127.0.0.3:9000; everyone may connect to 127.0.0.1:7100 and listen on
 * 7101. "aud" runs in audit mode.
 */
static const char labels_policy[] =
	"policy labels version 1\n"
	"global {\n"
	BASE_RULES
	"    exec " HELPERS "/\n"
	"    connect udp 127.0.0.1 port 7100\n"
	"    listen tcp 7101\n"
	"}\n"
	"service web {\n"
	"    exec " SVC "/websrv\n"
	"    exec " SVC "/web.sh\n"
	"    exec " HELPERS "/web-entry\n"
	"    connect udp 127.0.0.2 port 9000\n"
	"    listen tcp 8080\n"
	"    socket raw\n"
	"}\n"
	"service other {\n"
	"    exec " SVC "/other\n"
	"    connect udp 127.0.0.3 port 9000\n"
	"}\n"
	"service aud {\n"
	"    audit\n"
	"    exec " SVC "/auditsrv\n"
	"    connect udp 127.0.0.5 port 9000\n"
	"}\n";

FIXTURE(labels) {
	int dummy;
};

FIXTURE_SETUP(labels)
{
	ASSERT_EQ(0, unload_policy());
	run_cmd("rm -rf " SVC " " TMP);
	ASSERT_EQ(0, run_cmd("mkdir -p " HELPERS " " TMP));
	put_probe(_metadata, SVC "/websrv");
	put_probe(_metadata, SVC "/other");
	put_probe(_metadata, SVC "/auditsrv");
	put_probe(_metadata, HELPERS "/tool");
	put_probe(_metadata, HELPERS "/web-entry");
	put_probe(_metadata, TMP "/probe");
	/* A script entry whose interpreter is a global helper. */
	ASSERT_EQ(0, write_file_mode(SVC "/web.sh", "#!/bin/sh\nexec "
				     CITADEL_PROBE " \"$@\"\n", 0755));

	/* Controls: with no policy, the service-only rules are reachable. */
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "connect", "udp", "127.0.0.2", "9000"));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "listen", "tcp", "127.0.0.1", "8080"));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "socket", "2", "3", "1"));

	ASSERT_EQ(0, load_policy(labels_policy));
}

FIXTURE_TEARDOWN(labels)
{
	unload_policy();
	run_cmd("rm -rf " SVC " " TMP);
}

TEST_F(labels, entry_gets_service_rules)
{
	ASSERT_EQ(0, RUN(SVC "/websrv", "connect", "udp", "127.0.0.2", "9000"));
	/* Not another service's rules. */
	ASSERT_EQ(EPERM, RUN(SVC "/websrv", "connect", "udp", "127.0.0.3",
			     "9000"));
	ASSERT_EQ(0, RUN(SVC "/other", "connect", "udp", "127.0.0.3", "9000"));
	ASSERT_EQ(EPERM, RUN(SVC "/other", "connect", "udp", "127.0.0.2",
			     "9000"));
	/* Global rules apply to every label. */
	ASSERT_EQ(0, RUN(SVC "/websrv", "connect", "udp", "127.0.0.1", "7100"));
	ASSERT_EQ(0, RUN(SVC "/other", "connect", "udp", "127.0.0.1", "7100"));
}

/*
 * The module reads labels from the task storage map of the programs
 * attached now, which it learns on the next exec: after the hooks are
 * stopped and started again (a new map), services keep their rules.
 */
TEST_F(labels, service_rules_after_hooks_restart)
{
	ASSERT_EQ(0, run_cmd("citadelctl stop >/dev/null && citadelctl start >/dev/null"));
	ASSERT_EQ(0, RUN(SVC "/websrv", "connect", "udp", "127.0.0.2", "9000"));
	ASSERT_EQ(EPERM, RUN(SVC "/websrv", "connect", "udp", "127.0.0.3",
			     "9000"));
	ASSERT_EQ(0, RUN(SVC "/other", "connect", "udp", "127.0.0.3", "9000"));
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "connect", "udp", "127.0.0.2",
			     "9000"));
}

TEST_F(labels, unlabelled_tasks_get_global_rules_only)
{
	/* The same program at a path that is no entry: no label. */
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "connect", "udp", "127.0.0.2",
			     "9000"));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "connect", "udp", "127.0.0.1", "7100"));
	/* This test process itself. */
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.2", 9000));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", 7100));
}

TEST_F(labels, fork_children_inherit_label)
{
	ASSERT_EQ(0, RUN(SVC "/websrv", "fork", "connect", "udp", "127.0.0.2",
			 "9000"));
	ASSERT_EQ(0, RUN(SVC "/websrv", "fork", "fork", "connect", "udp",
			 "127.0.0.2", "9000"));
	ASSERT_EQ(EPERM, RUN(SVC "/websrv", "fork", "connect", "udp",
			     "127.0.0.3", "9000"));
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "fork", "connect", "udp",
			     "127.0.0.2", "9000"));
}

TEST_F(labels, global_helper_keeps_label)
{
	/* web -> a global helper (exec rule of the global scope). */
	ASSERT_EQ(0, RUN(SVC "/websrv", "exec", CITADEL_PROBE, "connect",
			 "udp", "127.0.0.2", "9000"));
	ASSERT_EQ(0, RUN(SVC "/websrv", "exec", HELPERS "/tool", "connect",
			 "udp", "127.0.0.2", "9000"));
	/* web -> /bin/sh -> the helper: through two helpers. */
	ASSERT_EQ(0, RUN(SVC "/websrv", "exec", "/bin/sh", "-c",
			 "exec " CITADEL_PROBE " connect udp 127.0.0.2 9000"));
	/* An unlabelled task running the same helper stays unlabelled. */
	ASSERT_EQ(EPERM, RUN(HELPERS "/tool", "connect", "udp", "127.0.0.2",
			     "9000"));
}

TEST_F(labels, entry_of_another_service_switches_label)
{
	ASSERT_EQ(EPERM, RUN(SVC "/websrv", "exec", SVC "/other", "connect",
			     "udp", "127.0.0.2", "9000"));
	ASSERT_EQ(0, RUN(SVC "/websrv", "exec", SVC "/other", "connect",
			 "udp", "127.0.0.3", "9000"));
	/* And an unlabelled task becomes labelled the same way. */
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "exec", SVC "/websrv", "connect",
			 "udp", "127.0.0.2", "9000"));
}

TEST_F(labels, exec_outside_the_policy_denied_to_services)
{
	ASSERT_EQ(EXEC_FAILED(EPERM), RUN(SVC "/websrv", "exec", TMP "/probe",
					  "exit", "0"));
}

TEST_F(labels, script_entry_gives_label)
{
	/* web.sh is an entry; its interpreter /bin/sh a global helper. */
	ASSERT_EQ(0, RUN(SVC "/web.sh", "connect", "udp", "127.0.0.2", "9000"));
	ASSERT_EQ(EPERM, RUN(SVC "/web.sh", "connect", "udp", "127.0.0.3",
			     "9000"));
}

TEST_F(labels, entry_inside_global_prefix_gives_label)
{
	/* HELPERS/ is a global exec prefix; HELPERS/web-entry an entry. */
	ASSERT_EQ(0, RUN(HELPERS "/web-entry", "connect", "udp", "127.0.0.2",
			 "9000"));
}

TEST_F(labels, service_listen_rules)
{
	ASSERT_EQ(0, RUN(SVC "/websrv", "listen", "tcp", "127.0.0.1", "8080"));
	ASSERT_EQ(0, RUN(SVC "/websrv", "listen", "tcp", "::1", "8080"));
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "listen", "tcp", "127.0.0.1",
			     "8080"));
	ASSERT_EQ(EPERM, RUN(SVC "/other", "listen", "tcp", "127.0.0.1",
			     "8080"));
	/* The global listen rule, for everyone. */
	ASSERT_EQ(0, RUN(SVC "/websrv", "listen", "tcp", "127.0.0.1", "7101"));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "listen", "tcp", "127.0.0.1", "7101"));
	ASSERT_EQ(EPERM, RUN(SVC "/websrv", "listen", "tcp", "127.0.0.1",
			     "8081"));
}

TEST_F(labels, service_socket_rules)
{
	/* socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) */
	ASSERT_EQ(0, RUN(SVC "/websrv", "socket", "2", "3", "1"));
	ASSERT_EQ(0, RUN(SVC "/websrv", "fork", "socket", "10", "3", "58"));
	ASSERT_EQ(EPERM, RUN(SVC "/other", "socket", "2", "3", "1"));
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "socket", "2", "3", "1"));
	/* "socket raw" is not "socket packet". */
	ASSERT_EQ(EPERM, RUN(SVC "/websrv", "socket", "17", "3", "0"));
}

/* Runs citadel_probe -w ARGS: started now, released later. */
struct waiting {
	pid_t pid;
	int release_fd;
};

static void start_waiting(struct __test_metadata *_metadata,
			  struct waiting *w, char *const argv[])
{
	int to_child[2], from_child[2];
	char buf[8];

	/* Close-on-exec: later tasks must not hold this one's pipes. */
	ASSERT_EQ(0, pipe2(to_child, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(from_child, O_CLOEXEC));
	fflush(NULL);
	w->pid = fork();
	ASSERT_LE(0, w->pid);
	if (w->pid == 0) {
		dup2(to_child[0], 0);
		dup2(from_child[1], 1);
		close(to_child[1]);
		close(from_child[0]);
		execv(argv[0], argv);
		_exit(255);
	}
	close(to_child[0]);
	close(from_child[1]);
	w->release_fd = to_child[1];
	/* "ready": it has executed its entry and runs. */
	ASSERT_EQ(6, read(from_child[0], buf, sizeof(buf)));
	close(from_child[0]);
}

/* Lets the task do its operation; returns its exit status. */
static int release_waiting(struct waiting *w)
{
	int st;

	if (write(w->release_fd, "g", 1) != 1)
		return -1;
	close(w->release_fd);
	if (waitpid(w->pid, &st, 0) != w->pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST_F(labels, tasks_started_before_the_policy_get_global_rules)
{
	struct waiting svc, glob, reexec;

	ASSERT_EQ(0, unload_policy());
	/* The entry executed while no policy was loaded: no label. */
	start_waiting(_metadata, &svc, (char *[]){ SVC "/websrv", "-w",
		      "connect", "udp", "127.0.0.2", "9000", NULL });
	start_waiting(_metadata, &glob, (char *[]){ SVC "/websrv", "-w",
		      "connect", "udp", "127.0.0.1", "7100", NULL });
	/* Executing the entry again once the policy is in: labelled. */
	start_waiting(_metadata, &reexec, (char *[]){ SVC "/websrv", "-w",
		      "exec", SVC "/websrv", "connect", "udp", "127.0.0.2",
		      "9000", NULL });
	ASSERT_EQ(0, load_policy(labels_policy));
	ASSERT_EQ(EPERM, release_waiting(&svc));
	ASSERT_EQ(0, release_waiting(&glob));
	ASSERT_EQ(0, release_waiting(&reexec));
}

TEST_F(labels, audit_service_allows_and_counts)
{
	long long audited, denied;

	/* connect: outside every rule; allowed for aud, counted. */
	audited = status_value("connect_audited");
	denied = status_value("connect_denied");
	ASSERT_LE(0, audited);
	ASSERT_EQ(0, RUN(SVC "/auditsrv", "connect", "udp", "127.0.0.9",
			 "9999"));
	ASSERT_EQ(audited + 1, status_value("connect_audited"));
	ASSERT_EQ(denied, status_value("connect_denied"));
	/* Its own rule: allowed, not audited. */
	ASSERT_EQ(0, RUN(SVC "/auditsrv", "connect", "udp", "127.0.0.5",
			 "9000"));
	ASSERT_EQ(audited + 1, status_value("connect_audited"));
	/* Everyone else stays enforced. */
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "connect", "udp", "127.0.0.9",
			     "9999"));
	ASSERT_EQ(EPERM, RUN(SVC "/websrv", "connect", "udp", "127.0.0.9",
			     "9999"));
	ASSERT_EQ(denied + 2, status_value("connect_denied"));
	ASSERT_EQ(audited + 1, status_value("connect_audited"));

	audited = status_value("bind_audited");
	denied = status_value("bind_denied");
	ASSERT_LE(0, audited);
	ASSERT_EQ(0, RUN(SVC "/auditsrv", "bind", "tcp", "127.0.0.1", "7999"));
	ASSERT_EQ(audited + 1, status_value("bind_audited"));
	ASSERT_EQ(denied, status_value("bind_denied"));

	audited = status_value("listen_audited");
	ASSERT_LE(0, audited);
	ASSERT_EQ(0, RUN(SVC "/auditsrv", "listen", "tcp", "127.0.0.1",
			 "7998"));
	ASSERT_EQ(audited + 1, status_value("listen_audited"));

	audited = status_value("socket_audited");
	denied = status_value("socket_denied");
	ASSERT_LE(0, audited);
	ASSERT_EQ(0, RUN(SVC "/auditsrv", "socket", "2", "3", "1"));
	ASSERT_EQ(audited + 1, status_value("socket_audited"));
	ASSERT_EQ(denied, status_value("socket_denied"));

	audited = status_value("exec_audited");
	denied = status_value("exec_denied");
	ASSERT_LE(0, audited);
	ASSERT_EQ(42, RUN(SVC "/auditsrv", "exec", TMP "/probe", "exit", "42"));
	ASSERT_EQ(audited + 1, status_value("exec_audited"));
	ASSERT_EQ(denied, status_value("exec_denied"));
}

TEST_F(labels, all_counters_reported)
{
	static const char *const ops[] = {
		"connect", "send", "exec", "bind", "listen", "socket", "mmap",
	};
	static const char *const outcomes[] = { "allowed", "denied", "audited" };
	char key[64];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		for (j = 0; j < 3; j++) {
			snprintf(key, sizeof(key), "%s_%s", ops[i], outcomes[j]);
			EXPECT_LE(0, status_value(key)) TH_LOG("no %s", key);
		}
}

/* ---- Listen rules ------------------------------------------------------ */

/*
 * bind() a new socket of @type to ip:port (SO_REUSEADDR); then, if
 * @do_listen, listen(). Returns 0, the errno of bind(), or
 * LISTEN_FAILED(errno). With @keep, the socket is left open in *@keep.
 */
static int try_bind(int type, const char *ip, int port, bool do_listen,
		    int *keep)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, addr_family(ip), ip, port);
	int fd = socket(addr_family(ip), type | SOCK_CLOEXEC, 0), one = 1;
	int ret = 0;

	if (fd < 0)
		return errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len))
		ret = errno;
	else if (do_listen && listen(fd, 16))
		ret = LISTEN_FAILED(errno);
	if (keep && !ret)
		*keep = fd;
	else
		close(fd);
	return ret;
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET ?
		     ((struct sockaddr_in *)&ss)->sin_port :
		     ((struct sockaddr_in6 *)&ss)->sin6_port);
}

#define TCP	SOCK_STREAM
#define UDP	SOCK_DGRAM

static const char listen_policy[] =
	"policy listen version 1\n"
	"global {\n"
	BASE_RULES
	"    listen tcp 7200\n"
	"    listen tcp 7201 on 127.0.0.1\n"
	"    listen udp 7202\n"
	"    listen tcp 7203 on ::1\n"
	"    listen tcp 7204 on 0.0.0.0/0\n"
	"    listen udp 7205 on 127.0.0.0/8\n"
	"}\n";

FIXTURE(listen) {
	int dummy;
};

FIXTURE_SETUP(listen)
{
	ASSERT_EQ(0, unload_policy());
	/* Controls. */
	ASSERT_EQ(0, try_bind(TCP, "0.0.0.0", 7201, true, NULL));
	ASSERT_EQ(0, try_bind(TCP, "127.0.0.1", 7299, true, NULL));
	ASSERT_EQ(0, try_bind(TCP, "::", 7203, true, NULL));
	ASSERT_EQ(0, try_bind(UDP, "127.0.0.1", 7200, false, NULL));
	ASSERT_EQ(0, load_policy(listen_policy));
}

FIXTURE_TEARDOWN(listen)
{
	unload_policy();
}

TEST_F(listen, allowed_port)
{
	ASSERT_EQ(0, try_bind(TCP, "127.0.0.1", 7200, true, NULL));
	ASSERT_EQ(0, try_bind(TCP, "0.0.0.0", 7200, true, NULL));
	ASSERT_EQ(0, try_bind(TCP, "127.0.0.9", 7200, true, NULL));
}

TEST_F(listen, denied_port)
{
	ASSERT_EQ(EPERM, try_bind(TCP, "127.0.0.1", 7299, false, NULL));
	ASSERT_EQ(EPERM, try_bind(TCP, "0.0.0.0", 7299, false, NULL));
	ASSERT_EQ(EPERM, try_bind(TCP, "127.0.0.1", 7199, false, NULL));
	ASSERT_EQ(EPERM, try_bind(TCP, "127.0.0.1", 80, false, NULL));
}

TEST_F(listen, local_address)
{
	ASSERT_EQ(0, try_bind(TCP, "127.0.0.1", 7201, true, NULL));
	/* 0.0.0.0 is every address, not 127.0.0.1. */
	ASSERT_EQ(EPERM, try_bind(TCP, "0.0.0.0", 7201, false, NULL));
	ASSERT_EQ(EPERM, try_bind(TCP, "127.0.0.2", 7201, false, NULL));
	/* "on 0.0.0.0/0" covers 0.0.0.0 and each address. */
	ASSERT_EQ(0, try_bind(TCP, "0.0.0.0", 7204, true, NULL));
	ASSERT_EQ(0, try_bind(TCP, "127.0.0.1", 7204, true, NULL));
}

TEST_F(listen, port_zero_bind_allowed)
{
	ASSERT_EQ(0, try_bind(TCP, "127.0.0.1", 0, false, NULL));
	ASSERT_EQ(0, try_bind(TCP, "0.0.0.0", 0, false, NULL));
	ASSERT_EQ(0, try_bind(UDP, "0.0.0.0", 0, false, NULL));
	ASSERT_EQ(0, try_bind(TCP, "::1", 0, false, NULL));
	ASSERT_EQ(0, try_bind(UDP, "::", 0, false, NULL));
}

TEST_F(listen, listen_on_ephemeral_port_needs_a_rule)
{
	char policy[1024];
	int fd = -1, port;

	ASSERT_EQ(LISTEN_FAILED(EPERM), try_bind(TCP, "127.0.0.1", 0, true,
						 NULL));
	/* A rule for the very port the kernel picked allows it. */
	ASSERT_EQ(0, try_bind(TCP, "127.0.0.1", 0, false, &fd));
	port = bound_port(fd);
	ASSERT_LT(0, port);
	ASSERT_EQ(-1, listen(fd, 16));
	ASSERT_EQ(EPERM, errno);
	snprintf(policy, sizeof(policy), "policy listen2 version 1\n"
		 "global {\n" BASE_RULES "    listen tcp %d on 127.0.0.1\n}\n",
		 port);
	ASSERT_EQ(0, load_policy(policy));
	ASSERT_EQ(0, listen(fd, 16));
	close(fd);
}

TEST_F(listen, listen_on_unbound_socket_denied)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* The kernel would pick a port: checked as port 0, no rule. */
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, listen(fd, 16));
	ASSERT_EQ(EPERM, errno);
	close(fd);
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, listen(fd, 16));
	ASSERT_EQ(EPERM, errno);
	close(fd);
	/* Control. */
	ASSERT_EQ(0, unload_policy());
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, listen(fd, 16));
	close(fd);
}

TEST_F(listen, udp_bind)
{
	ASSERT_EQ(0, try_bind(UDP, "127.0.0.1", 7202, false, NULL));
	ASSERT_EQ(0, try_bind(UDP, "0.0.0.0", 7202, false, NULL));
	ASSERT_EQ(0, try_bind(UDP, "::1", 7202, false, NULL));
	/* Protocols are separate. */
	ASSERT_EQ(EPERM, try_bind(UDP, "127.0.0.1", 7200, false, NULL));
	ASSERT_EQ(EPERM, try_bind(TCP, "127.0.0.1", 7202, false, NULL));
	/* A CIDR as local address. */
	ASSERT_EQ(0, try_bind(UDP, "127.0.0.1", 7205, false, NULL));
	ASSERT_EQ(0, try_bind(UDP, "127.1.2.3", 7205, false, NULL));
	ASSERT_EQ(EPERM, try_bind(UDP, "0.0.0.0", 7205, false, NULL));
}

TEST_F(listen, ipv6)
{
	ASSERT_EQ(0, try_bind(TCP, "::1", 7203, true, NULL));
	ASSERT_EQ(0, try_bind(TCP, "::1", 7200, true, NULL));
	ASSERT_EQ(0, try_bind(TCP, "::", 7200, true, NULL));
	/* :: (also 0.0.0.0 on a dual-stack socket) is not ::1. */
	ASSERT_EQ(EPERM, try_bind(TCP, "::", 7203, false, NULL));
	ASSERT_EQ(EPERM, try_bind(TCP, "127.0.0.1", 7203, false, NULL));
	ASSERT_EQ(EPERM, try_bind(TCP, "::1", 7201, false, NULL));
	ASSERT_EQ(EPERM, try_bind(TCP, "::", 7201, false, NULL));
	ASSERT_EQ(EPERM, try_bind(TCP, "::1", 7299, false, NULL));
	/* A mapped address that no rule allows, as IPv4 or IPv6. */
	ASSERT_EQ(EPERM, try_bind(TCP, "::ffff:127.0.0.2", 7201, false, NULL));
}

TEST_F(listen, unix_sockets_not_restricted)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ASSERT_LE(0, fd);
	strcpy(sun.sun_path, "/tmp/citadel-listen.sock");
	unlink(sun.sun_path);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sun, sizeof(sun)));
	ASSERT_EQ(0, listen(fd, 16));
	close(fd);
	unlink(sun.sun_path);
}

TEST_F(listen, listen_counters)
{
	long long bind_denied = status_value("bind_denied");
	long long listen_denied = status_value("listen_denied");
	long long bind_allowed = status_value("bind_allowed");

	ASSERT_LE(0, bind_denied);
	ASSERT_LE(0, listen_denied);
	ASSERT_EQ(EPERM, try_bind(TCP, "127.0.0.1", 7299, false, NULL));
	ASSERT_EQ(bind_denied + 1, status_value("bind_denied"));
	ASSERT_EQ(LISTEN_FAILED(EPERM), try_bind(TCP, "127.0.0.1", 0, true,
						 NULL));
	ASSERT_EQ(listen_denied + 1, status_value("listen_denied"));
	ASSERT_EQ(0, try_bind(TCP, "127.0.0.1", 7200, false, NULL));
	ASSERT_LT(bind_allowed, status_value("bind_allowed"));
}

/* ---- Socket families --------------------------------------------------- */

static int try_socket(int family, int type, int protocol)
{
	int fd = socket(family, type, protocol);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_socketpair(int family, int type)
{
	int sv[2];

	if (socketpair(family, type, 0, sv))
		return errno;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

FIXTURE(families) {
	int dummy;
};

FIXTURE_SETUP(families)
{
	ASSERT_EQ(0, unload_policy());
	/* Controls: root may open all of these when no policy is loaded. */
	ASSERT_EQ(0, try_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	ASSERT_EQ(0, try_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	ASSERT_EQ(0, try_socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
	ASSERT_EQ(0, load_policy("policy families version 1\nglobal {\n"
				 BASE_RULES "}\n"));
}

FIXTURE_TEARDOWN(families)
{
	unload_policy();
}

TEST_F(families, default_families_allowed)
{
	ASSERT_EQ(0, try_socket(AF_UNIX, SOCK_STREAM, 0));
	ASSERT_EQ(0, try_socket(AF_UNIX, SOCK_DGRAM, 0));
	ASSERT_EQ(0, try_socket(AF_INET, SOCK_STREAM, 0));
	ASSERT_EQ(0, try_socket(AF_INET, SOCK_DGRAM, 0));
	ASSERT_EQ(0, try_socket(AF_INET6, SOCK_STREAM, 0));
	ASSERT_EQ(0, try_socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	ASSERT_EQ(0, try_socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE));
}

TEST_F(families, netlink_raw_is_netlink)
{
	ASSERT_EQ(0, try_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
	ASSERT_EQ(0, try_socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				NETLINK_ROUTE));
}

TEST_F(families, socketpair_unix_allowed)
{
	ASSERT_EQ(0, try_socketpair(AF_UNIX, SOCK_STREAM));
	ASSERT_EQ(0, try_socketpair(AF_UNIX, SOCK_DGRAM));
	ASSERT_EQ(0, try_socketpair(AF_UNIX, SOCK_SEQPACKET));
}

TEST_F(families, packet_denied)
{
	ASSERT_EQ(EPERM, try_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	ASSERT_EQ(EPERM, try_socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL)));
	ASSERT_EQ(EPERM, try_socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
	/* The obsolete spelling: the kernel turns it into AF_PACKET. */
	ASSERT_EQ(EPERM, try_socket(AF_INET, SOCK_PACKET, htons(ETH_P_ALL)));
}

TEST_F(families, raw_inet_denied)
{
	ASSERT_EQ(EPERM, try_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	ASSERT_EQ(EPERM, try_socket(AF_INET, SOCK_RAW, IPPROTO_RAW));
	ASSERT_EQ(EPERM, try_socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK,
				    IPPROTO_UDP));
	ASSERT_EQ(EPERM, try_socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
	ASSERT_EQ(EPERM, try_socket(AF_INET6, SOCK_RAW, IPPROTO_RAW));
}

/*
 * Families outside the default set. Debian builds most of them as
 * modules, which the VM does not have: then socket() fails with
 * EAFNOSUPPORT even without a policy, and a denial has nothing to stop.
 * AF_XDP is built in, so at least one of them is really there.
 */
static const struct {
	const char *name;
	int family, type, protocol;
} other_families[] = {
	{ "xdp", AF_XDP, SOCK_RAW, 0 },
	{ "alg", AF_ALG, SOCK_SEQPACKET, 0 },
	{ "vsock", AF_VSOCK, SOCK_STREAM, 0 },
	{ "bluetooth", AF_BLUETOOTH, SOCK_RAW, 1 /* BTPROTO_HCI */ },
	{ "key", AF_KEY, SOCK_RAW, 2 /* PF_KEY_V2 */ },
	{ "can", AF_CAN, SOCK_RAW, 1 /* CAN_RAW */ },
	{ "tipc", AF_TIPC, SOCK_RDM, 0 },
	{ "rds", AF_RDS, SOCK_SEQPACKET, 0 },
};

TEST_F(families, other_families_denied)
{
	int n = ARRAY_SIZE(other_families);
	int control[ARRAY_SIZE(other_families)];
	int i, ret;

	ASSERT_EQ(0, unload_policy());
	for (i = 0; i < n; i++)
		control[i] = try_socket(other_families[i].family,
					other_families[i].type,
					other_families[i].protocol);
	ASSERT_EQ(0, control[0]) TH_LOG("AF_XDP: %s", strerror(control[0]));
	ASSERT_EQ(0, load_policy("policy families version 1\nglobal {\n"
				 BASE_RULES "}\n"));
	for (i = 0; i < n; i++) {
		ret = try_socket(other_families[i].family,
				 other_families[i].type,
				 other_families[i].protocol);
		if (ret == EPERM)
			continue;
		/* Absent from this kernel: refused before any check. */
		if (control[i] && ret == control[i]) {
			TH_LOG("%s: not in this kernel (%s), nothing to deny",
			       other_families[i].name, strerror(ret));
			continue;
		}
		EXPECT_EQ(EPERM, ret) TH_LOG("%s (control: %s)",
					     other_families[i].name,
					     strerror(control[i]));
	}
}

TEST_F(families, allowed_by_socket_rules)
{
	ASSERT_EQ(0, load_policy("policy families2 version 1\nglobal {\n"
				 BASE_RULES
				 "    socket packet\n"
				 "    socket raw\n}\n"));
	ASSERT_EQ(0, try_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	ASSERT_EQ(0, try_socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL)));
	ASSERT_EQ(0, try_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	ASSERT_EQ(0, try_socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
	/* Still no other family. */
	ASSERT_EQ(EPERM, try_socket(AF_XDP, SOCK_RAW, 0));

	ASSERT_EQ(0, load_policy("policy families3 version 1\nglobal {\n"
				 BASE_RULES "    socket xdp\n}\n"));
	ASSERT_EQ(0, try_socket(AF_XDP, SOCK_RAW, 0));
	ASSERT_EQ(EPERM, try_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	ASSERT_EQ(EPERM, try_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
}

TEST_F(families, socket_counters)
{
	long long denied = status_value("socket_denied");
	long long allowed = status_value("socket_allowed");

	ASSERT_LE(0, denied);
	ASSERT_LE(0, allowed);
	ASSERT_EQ(EPERM, try_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	ASSERT_EQ(denied + 1, status_value("socket_denied"));
	ASSERT_EQ(0, try_socket(AF_INET, SOCK_DGRAM, 0));
	ASSERT_LT(allowed, status_value("socket_allowed"));
}

TEST_HARNESS_MAIN
