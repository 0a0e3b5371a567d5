// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress: policy reloads race decisions on every guest CPU.
 *
 * Two policies, A and B, are swapped in as fast as the kernel takes
 * them (plain loads, and trial loads that are confirmed) while workers
 * connect (TCP and UDP), send (unconnected UDP), bind+listen and exec in
 * loops. Each worker uses destinations whose outcome is the same under
 * both policies — allowed in both, or allowed in neither — so every
 * single decision has one right answer, whichever policy is in force at
 * that instant. A and B differ everywhere else (sizes, rule trees,
 * services), so the swap replaces everything the hooks read.
 *
 * STRESS_SECONDS (default 10) bounds the run; make stress runs longer.
 * The VM rig fails the run on any WARN, oops or lockdep report.
 */
#define _GNU_SOURCE
#include "citadel_test_lib.h"

#include <endian.h>
#include <sys/mman.h>
#include <time.h>

#include "citadel_abi.h"

#define PORT_OK		7001	/* connect/send allowed by A and B */
#define PORT_NEVER	7002	/* allowed by neither */
#define PORT_A		7003	/* A only: either outcome is right */
#define LISTEN_OK	7201	/* listen allowed by A and B */
#define LISTEN_NEVER	7202
#define DENIED_BIN	"/tmp/stress-denied"	/* a copy of busybox: never allowed */

enum { W_CONNECT, W_SEND, W_BIND, W_EXEC, W_KINDS };

struct tally {
	long ops[W_KINDS];
	long wrong[W_KINDS];
	long reloads;
	long reload_errors;
	long a_allowed, a_denied;	/* PORT_A: shows the swaps take effect */
};

static struct tally *shared;	/* one per worker, in shared memory */

static const char *const kind_names[W_KINDS] = {
	"connect", "send", "bind+listen", "exec"
};

static int write_policy(const char *name, const char *text)
{
	char conf[64], out[64];

	snprintf(conf, sizeof(conf), "/tmp/stress-%s.conf", name);
	snprintf(out, sizeof(out), "/tmp/stress-%s.cpol", name);
	if (write_file(conf, text))
		return -1;
	return run_cmd("citadelctl compile %s -o %s 2>/dev/null", conf, out);
}

/* A: many filler rules and a service; B: few rules, another service. */
static int make_policies(void)
{
	size_t cap = 1 << 20, len = 0;
	char *a = malloc(cap);
	int i, ret;

	if (!a)
		return -1;
	len += snprintf(a + len, cap - len,
			"policy stress-a version 1\nglobal {\n    exec /citadel/\n    exec /bin/\n    exec /sbin/\n    exec /usr/\n    libs /\n"
			"    connect tcp 127.0.0.1 port %d\n    connect udp 127.0.0.1 port %d\n"
			"    connect tcp 127.0.0.1 port %d\n    connect udp 127.0.0.1 port %d\n"
			"    listen tcp %d on 127.0.0.1\n",
			PORT_OK, PORT_OK, PORT_A, PORT_A, LISTEN_OK);
	for (i = 0; i < 3000; i++)
		len += snprintf(a + len, cap - len,
				"    connect tcp 10.%d.%d.0/24 port %d\n",
				i / 256, i % 256, 1000 + i);
	for (i = 0; i < 500; i++)
		len += snprintf(a + len, cap - len,
				"    connect udp 2001:db8:%x::/48 port 53\n", i);
	snprintf(a + len, cap - len,
		 "}\nservice other {\n    exec /nonexistent/a\n    connect tcp 192.0.2.1 port 1\n}\n");
	ret = write_policy("a", a);
	free(a);
	if (ret)
		return ret;
	return write_policy("b",
		"policy stress-b version 1\nglobal {\n    exec /citadel/\n    exec /bin/\n    exec /sbin/\n    exec /usr/\n    libs /\n"
		"    connect tcp 127.0.0.1 port 7001\n    connect udp 127.0.0.1 port 7001\n"
		"    listen tcp 7201 on 127.0.0.1\n    connect tcp 198.51.100.0/24\n}\n"
		"service one {\n    exec /nonexistent/b\n}\nservice two {\n    exec /nonexistent/c\n    listen udp 53\n}\n");
}

/* Swaps A and B in until @deadline; every fourth swap is a trial. */
static void reloader(struct tally *t, time_t deadline)
{
	size_t la, lb;
	char *a = slurp("/tmp/stress-a.cpol", &la);
	char *b = slurp("/tmp/stress-b.cpol", &lb);
	struct cpol_trial hdr = { .magic = htole32(CPOL_TRIAL_MAGIC),
				  .seconds = htole32(60) };
	char *trial = b ? malloc(sizeof(hdr) + lb) : NULL;
	long i;

	if (!a || !b || !trial)
		exit(2);
	memcpy(trial, &hdr, sizeof(hdr));
	memcpy(trial + sizeof(hdr), b, lb);
	for (i = 0; time(NULL) < deadline; i++) {
		int err;

		if (i % 4 == 3) {
			err = write_fs("trial", trial, sizeof(hdr) + lb);
			if (!err)
				err = write_fs("confirm", "1", 1);
		} else {
			err = write_fs("policy", i % 2 ? b : a, i % 2 ? lb : la);
		}
		t->reloads++;
		if (err)
			t->reload_errors++;
	}
	exit(0);
}

static int udp_connect(int port)
{
	return try_connect(SOCK_DGRAM, "127.0.0.1", port);
}

static int bind_listen(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, err = 0;

	if (fd < 0)
		return errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, 1))
		err = errno;
	close(fd);
	return err;
}

static int exec_status(const char *path)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(path, "true", (char *)NULL);
		_exit(errno == EPERM ? 126 : 127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* One decision: @right is whether the result matches the only right answer. */
static void note(struct tally *t, int kind, int right)
{
	t->ops[kind]++;
	if (!right)
		t->wrong[kind]++;
}

static void worker(struct tally *t, int kind, time_t deadline)
{
	while (time(NULL) < deadline) {
		switch (kind) {
		case W_CONNECT:
			note(t, kind, udp_connect(PORT_OK) == 0);
			note(t, kind, udp_connect(PORT_NEVER) == EPERM);
			note(t, kind, try_connect(SOCK_STREAM, "127.0.0.1",
						  PORT_NEVER) == EPERM);
			/* Either answer is right; both must occur. */
			if (udp_connect(PORT_A) == 0)
				t->a_allowed++;
			else
				t->a_denied++;
			break;
		case W_SEND:
			note(t, kind, try_sendto(SOCK_DGRAM, 0, "127.0.0.1",
						 PORT_OK) == 0);
			note(t, kind, try_sendto(SOCK_DGRAM, 0, "127.0.0.1",
						 PORT_NEVER) == EPERM);
			break;
		case W_BIND:
			/* EADDRINUSE: another bind worker holds it; not a denial. */
			{
				int err = bind_listen(LISTEN_OK);

				note(t, kind, err == 0 || err == EADDRINUSE);
			}
			note(t, kind, bind_listen(LISTEN_NEVER) == EPERM);
			break;
		case W_EXEC:
			note(t, kind, exec_status("/bin/true") == 0);
			note(t, kind, exec_status(DENIED_BIN) == 126);
			break;
		}
	}
	exit(0);
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* make stress runs for minutes: the harness's default 30 s is too short. */
TEST_F_TIMEOUT(stress, reloads_race_decisions_on_every_cpu, 3600)
{
	const char *env = getenv("STRESS_SECONDS");
	int seconds = env ? atoi(env) : 10;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nworkers = (int)(ncpu < 1 ? 1 : ncpu) * W_KINDS;
	long total_ops = 0, total_wrong = 0, a_allowed = 0, a_denied = 0;
	time_t deadline;
	int i, k, st;

	ASSERT_GT(seconds, 0);
	ASSERT_EQ(0, make_policies());
	ASSERT_EQ(0, run_cmd("cp /bin/busybox " DENIED_BIN));
	shared = mmap(NULL, sizeof(*shared) * (nworkers + 1),
		      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	memset(shared, 0, sizeof(*shared) * (nworkers + 1));
	ASSERT_EQ(0, run_cmd("citadelctl load /tmp/stress-a.cpol"));

	deadline = time(NULL) + seconds;
	if (fork() == 0)
		reloader(&shared[nworkers], deadline);
	for (i = 0; i < nworkers; i++)
		if (fork() == 0)
			worker(&shared[i], i % W_KINDS, deadline);
	for (i = 0; i <= nworkers; i++) {
		ASSERT_GT(wait(&st), 0);
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}

	for (i = 0; i < nworkers; i++) {
		a_allowed += shared[i].a_allowed;
		a_denied += shared[i].a_denied;
	}
	for (k = 0; k < W_KINDS; k++) {
		long ops = 0, wrong = 0;

		for (i = 0; i < nworkers; i++) {
			ops += shared[i].ops[k];
			wrong += shared[i].wrong[k];
		}
		printf("# %-12s %8ld decisions, %ld wrong\n", kind_names[k],
		       ops, wrong);
		EXPECT_GT(ops, 0);
		total_ops += ops;
		total_wrong += wrong;
	}
	printf("# %ld CPUs, %d workers, %d s: %ld policy swaps (%ld refused), %ld decisions\n",
	       ncpu, nworkers, seconds, shared[nworkers].reloads,
	       shared[nworkers].reload_errors, total_ops);
	printf("# port allowed by A only: %ld allowed, %ld denied\n",
	       a_allowed, a_denied);
	EXPECT_EQ(0, total_wrong);
	EXPECT_GT(a_allowed, 0);
	EXPECT_GT(a_denied, 0);
	EXPECT_EQ(0, shared[nworkers].reload_errors);
	EXPECT_GT(shared[nworkers].reloads, 10);
	EXPECT_EQ(0, unload_policy());
	unlink(DENIED_BIN);
}

TEST_HARNESS_MAIN
