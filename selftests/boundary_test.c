// SPDX-License-Identifier: GPL-2.0-only
/*
 * No borrowing across labels: a process of one label (label 0, the
 * unconfined, counts as one; root included) may not trace a process of
 * another, read or write its memory, or take its descriptors, and a
 * traced exec may not enter a service. Same-label access follows the
 * kernel's own rules. An exec that changes the label is a secure exec.
 *
 * The targets are copies of citadel_probe waiting on their stdin (-w or
 * hold); the actors are this test (root, label 0) or other copies of
 * citadel_probe with their own labels (see selftests/citadel_probe.c).
 */
#define _GNU_SOURCE
#include "citadel_test_lib.h"

#include <sys/ptrace.h>
#include <sys/uio.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd	438
#endif

#define SVC		"/opt/bsvc"
/* citadel_probe's "hold" keeps its socket at this descriptor. */
#define HOLD_FD		"10"
/* citadel_probe's exit status when its "exec" op failed. */
#define EXEC_FAILED(e)	(200 + (e))

static const char boundary_policy[] =
	"policy boundary version 1\n"
	"global {\n"
	"    exec /bin/busybox\n"
	"    exec " CITADEL_DIR "/\n"
	"    libs /lib/ /lib64/ /usr/lib/\n"
	"}\n"
	"service web {\n"
	"    exec " SVC "/websrv\n"
	"    connect udp 127.0.0.2 port 9000\n"
	"}\n"
	"service other {\n"
	"    exec " SVC "/other\n"
	"    connect udp 127.0.0.3 port 9000\n"
	"}\n";

struct target {
	pid_t pid;
	int in;		/* its stdin: one byte lets it go on */
	char id[16];	/* the pid as text, for the probes' arguments */
};

/* Starts @path (a copy of citadel_probe) with @op; waits until ready. */
static void start_target(struct __test_metadata *_metadata,
			 struct target *t, const char *path, const char *op)
{
	int to[2], from[2];
	char buf[8];

	ASSERT_EQ(0, pipe(to));
	ASSERT_EQ(0, pipe(from));
	fflush(NULL);
	t->pid = fork();
	ASSERT_LE(0, t->pid);
	if (t->pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[1]);
		close(from[0]);
		if (!strcmp(op, "hold"))
			execl(path, path, "hold", (char *)NULL);
		else
			execl(path, path, "-w", op, "0", (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	t->in = to[1];
	ASSERT_EQ(6, read(from[0], buf, 6))
		TH_LOG("%s did not start", path);
	close(from[0]);
	snprintf(t->id, sizeof(t->id), "%d", (int)t->pid);
}

/* Lets the target exit; returns its exit status. */
static int stop_target(struct target *t)
{
	int st;

	if (t->pid <= 0)
		return -1;
	if (write(t->in, "x", 1) != 1)
		kill(t->pid, SIGKILL);
	close(t->in);
	if (waitpid(t->pid, &st, 0) != t->pid)
		return -1;
	t->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 256 + WTERMSIG(st);
}

static int has_event(const char *op, const char *text)
{
	return run_cmd("citadelctl -j events | grep '\"operation\":\"%s\"' | grep -qF -- '%s'",
		       op, text) == 0;
}

/* How many events of @op have @text in them (-1: cannot tell). */
static int count_events(const char *op, const char *text)
{
	char cmd[512], out[32];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd),
		 "citadelctl -j events | grep '\"operation\":\"%s\"' | grep -cF -- '%s'",
		 op, text);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fgets(out, sizeof(out), p))
		n = atoi(out);
	pclose(p);
	return n;
}

/* open() of /proc/@pid/@name from this process: 0 or the errno. */
static int open_proc(pid_t pid, const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* ptrace(@request) on @pid from this process: 0 or the errno. */
static int ptrace_from_here(int request, pid_t pid)
{
	int st;

	if (ptrace(request, pid, 0, 0))
		return errno;
	if (request == PTRACE_ATTACH) {
		waitpid(pid, &st, __WALL);
		ptrace(PTRACE_DETACH, pid, 0, 0);
	} else {
		/* A seized task is not stopped: interrupt it to detach. */
		ptrace(PTRACE_INTERRUPT, pid, 0, 0);
		waitpid(pid, &st, __WALL);
		ptrace(PTRACE_DETACH, pid, 0, 0);
	}
	return 0;
}

/* pidfd_getfd(@fd) of @pid from this process: 0 or the errno. */
static int getfd_from_here(pid_t pid, int fd)
{
	int pidfd = syscall(__NR_pidfd_open, pid, 0), got;

	if (pidfd < 0)
		return errno;
	got = syscall(__NR_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (got < 0)
		return errno;
	close(got);
	return 0;
}

/* What must hold after each refusal: enforcement is still on. */
#define ASSERT_STILL_ENFORCED() \
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.2", 9000))

FIXTURE(boundary) {
	struct target t;
};

FIXTURE_SETUP(boundary)
{
	ASSERT_EQ(0, unload_policy());
	run_cmd("rm -rf " SVC);
	ASSERT_EQ(0, run_cmd("mkdir -p " SVC));
	ASSERT_EQ(0, copy_file(CITADEL_PROBE, SVC "/websrv", 0755));
	ASSERT_EQ(0, copy_file(CITADEL_PROBE, SVC "/other", 0755));
	self->t.pid = 0;

	/* Controls: without a policy, root may do all of it. */
	start_target(_metadata, &self->t, SVC "/websrv", "hold");
	ASSERT_EQ(0, ptrace_from_here(PTRACE_ATTACH, self->t.pid));
	ASSERT_EQ(0, ptrace_from_here(PTRACE_SEIZE, self->t.pid));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "vmread", self->t.id));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "vmwrite", self->t.id));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "memwrite", self->t.id));
	ASSERT_EQ(0, getfd_from_here(self->t.pid, atoi(HOLD_FD)));
	ASSERT_EQ(0, stop_target(&self->t));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "traced", "exec", SVC "/websrv",
			 "connect", "udp", "127.0.0.2", "9000"));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "sharefs", "exec", SVC "/websrv",
			 "connect", "udp", "127.0.0.2", "9000"));

	ASSERT_EQ(0, load_policy(boundary_policy));
	/* The policy's own control: the service may connect, root may not. */
	ASSERT_EQ(0, RUN(SVC "/websrv", "connect", "udp", "127.0.0.2", "9000"));
	ASSERT_STILL_ENFORCED();
}

FIXTURE_TEARDOWN(boundary)
{
	if (self->t.pid > 0)
		stop_target(&self->t);
	unload_policy();
	run_cmd("rm -rf " SVC);
}

TEST_F(boundary, attach_from_root_refused)
{
	start_target(_metadata, &self->t, SVC "/websrv", "exit");
	ASSERT_EQ(EPERM, ptrace_from_here(PTRACE_ATTACH, self->t.pid));
	ASSERT_EQ(EPERM, ptrace_from_here(PTRACE_SEIZE, self->t.pid));
	/* From an unlabelled copy of the probe, and from another service. */
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "ptrace", self->t.id));
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "seize", self->t.id));
	ASSERT_EQ(EPERM, RUN(SVC "/other", "ptrace", self->t.id));
	ASSERT_TRUE(has_event("boundary", "ptrace attach pid"));
	ASSERT_TRUE(has_event("boundary", "(service web) from service -"));
	ASSERT_STILL_ENFORCED();
	ASSERT_EQ(0, stop_target(&self->t));
}

TEST_F(boundary, service_may_not_attach_to_unlabelled)
{
	start_target(_metadata, &self->t, CITADEL_PROBE, "exit");
	ASSERT_EQ(EPERM, RUN(SVC "/websrv", "ptrace", self->t.id));
	ASSERT_TRUE(has_event("boundary", "(service -) from service web"));
	ASSERT_EQ(0, stop_target(&self->t));
}

TEST_F(boundary, attach_within_label_allowed)
{
	start_target(_metadata, &self->t, SVC "/websrv", "exit");
	ASSERT_EQ(0, RUN(SVC "/websrv", "ptrace", self->t.id));
	ASSERT_EQ(0, RUN(SVC "/websrv", "seize", self->t.id));
	ASSERT_EQ(0, stop_target(&self->t));
	/* Unlabelled to unlabelled, root included. */
	start_target(_metadata, &self->t, CITADEL_PROBE, "exit");
	ASSERT_EQ(0, ptrace_from_here(PTRACE_ATTACH, self->t.pid));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "ptrace", self->t.id));
	ASSERT_EQ(0, stop_target(&self->t));
}

TEST_F(boundary, memory_across_labels_refused)
{
	start_target(_metadata, &self->t, SVC "/websrv", "exit");
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "vmwrite", self->t.id));
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "vmread", self->t.id));
	/* /proc/PID/mem and environ: mm_access() fails with EACCES. */
	ASSERT_EQ(EACCES, RUN(CITADEL_PROBE, "memwrite", self->t.id));
	ASSERT_EQ(EACCES, RUN(CITADEL_PROBE, "environ", self->t.id));
	ASSERT_EQ(EPERM, RUN(SVC "/other", "vmwrite", self->t.id));
	ASSERT_TRUE(has_event("boundary", "process_vm_writev pid"));
	ASSERT_STILL_ENFORCED();
	/* The same label: the kernel's rules (root may). */
	ASSERT_EQ(0, RUN(SVC "/websrv", "vmwrite", self->t.id));
	ASSERT_EQ(0, RUN(SVC "/websrv", "vmread", self->t.id));
	ASSERT_EQ(0, RUN(SVC "/websrv", "memwrite", self->t.id));
	ASSERT_EQ(0, RUN(SVC "/websrv", "environ", self->t.id));
	ASSERT_EQ(0, stop_target(&self->t));
}

/*
 * What ps and systemd read of other processes stays readable, and the
 * fields of stat the kernel hides (a NOAUDIT check) make no events.
 */
TEST_F(boundary, proc_status_still_readable)
{
	int before = count_events("boundary", "");

	start_target(_metadata, &self->t, SVC "/websrv", "exit");
	ASSERT_EQ(0, run_cmd("cat /proc/%s/stat /proc/%s/status /proc/%s/cmdline /proc/%s/comm /proc/%s/cgroup >/dev/null",
			     self->t.id, self->t.id, self->t.id, self->t.id,
			     self->t.id));
	ASSERT_EQ(0, run_cmd("ps | grep -q '[/]opt/bsvc/websrv'"));
	ASSERT_EQ(0, run_cmd("top -b -n 1 >/dev/null"));
	ASSERT_EQ(before, count_events("boundary", ""));
	/* Its fd, exe and ns are not. */
	ASSERT_EQ(EACCES, open_proc(self->t.pid, "fd/0"));
	ASSERT_EQ(EACCES, open_proc(self->t.pid, "ns/net"));
	ASSERT_EQ(EACCES, open_proc(self->t.pid, "maps"));
	ASSERT_NE(0, run_cmd("readlink /proc/%s/exe >/dev/null 2>&1",
			     self->t.id));
	ASSERT_EQ(0, stop_target(&self->t));
}

/* A refusal repeated by one process is counted each time, told once. */
TEST_F(boundary, repeats_counted_reported_once)
{
	long long denied = status_value("boundary_denied");
	char text[96];

	start_target(_metadata, &self->t, SVC "/websrv", "exit");
	ASSERT_EQ(EACCES, open_proc(self->t.pid, "environ"));
	ASSERT_EQ(EACCES, open_proc(self->t.pid, "environ"));
	ASSERT_EQ(EACCES, open_proc(self->t.pid, "environ"));
	snprintf(text, sizeof(text), "/proc access (read mode) to pid %s ",
		 self->t.id);
	ASSERT_EQ(1, count_events("boundary", text));
	ASSERT_EQ(denied + 3, status_value("boundary_denied"));
	ASSERT_EQ(0, stop_target(&self->t));
}

TEST_F(boundary, getfd_across_labels_refused)
{
	start_target(_metadata, &self->t, SVC "/websrv", "hold");
	ASSERT_EQ(EPERM, getfd_from_here(self->t.pid, atoi(HOLD_FD)));
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "getfd", self->t.id, HOLD_FD));
	ASSERT_EQ(EPERM, RUN(SVC "/other", "getfd", self->t.id, HOLD_FD));
	ASSERT_TRUE(has_event("boundary", "pidfd_getfd pid"));
	ASSERT_STILL_ENFORCED();
	/* Within the label it works. */
	ASSERT_EQ(0, RUN(SVC "/websrv", "getfd", self->t.id, HOLD_FD));
	ASSERT_EQ(0, stop_target(&self->t));
}

/* A traced exec must not enter a service: the tracer would own it. */
TEST_F(boundary, traced_exec_of_entry_refused)
{
	ASSERT_EQ(EXEC_FAILED(EPERM),
		  RUN(CITADEL_PROBE, "traced", "exec", SVC "/websrv",
		      "connect", "udp", "127.0.0.2", "9000"));
	ASSERT_TRUE(has_event("boundary", "traced"));
	ASSERT_STILL_ENFORCED();
	/* A traced exec that keeps the label is the kernel's business. */
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "traced", "exec", CITADEL_PROBE,
			 "exit", "0"));
	ASSERT_EQ(0, RUN(SVC "/websrv", "traced", "exec", SVC "/websrv",
			 "connect", "udp", "127.0.0.2", "9000"));
	/* Into another service from one: refused as well. */
	ASSERT_EQ(EXEC_FAILED(EPERM),
		  RUN(SVC "/websrv", "traced", "exec", SVC "/other",
		      "exit", "0"));
}

/* Nor may an exec enter a service while another process shares its fs. */
TEST_F(boundary, fs_sharing_exec_of_entry_refused)
{
	ASSERT_EQ(EXEC_FAILED(EPERM),
		  RUN(CITADEL_PROBE, "sharefs", "exec", SVC "/websrv",
		      "connect", "udp", "127.0.0.2", "9000"));
	ASSERT_TRUE(has_event("boundary", "with its fs shared"));
	ASSERT_STILL_ENFORCED();
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "sharefs", "exec", CITADEL_PROBE,
			 "exit", "0"));
}

/* A service's task may not make an unlabelled parent its tracer. */
TEST_F(boundary, traceme_across_labels_refused)
{
	/* This test (label 0) is the parent of the service's task. */
	ASSERT_EQ(EPERM, RUN(SVC "/websrv", "traceme", "exit", "0"));
	ASSERT_TRUE(has_event("boundary", "ptrace traceme"));
	ASSERT_STILL_ENFORCED();
	/* Parent and child in the same label: allowed. */
	ASSERT_EQ(0, RUN(SVC "/websrv", "fork", "traceme", "exit", "0"));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "traceme", "exit", "0"));
}

/* An exec that changes the label is a secure exec (AT_SECURE). */
TEST_F(boundary, label_change_is_secure_exec)
{
	ASSERT_EQ(1, RUN(SVC "/websrv", "atsecure"));
	ASSERT_EQ(0, RUN(CITADEL_PROBE, "atsecure"));
	/* web executing its own entry again: no change. */
	ASSERT_EQ(0, RUN(SVC "/websrv", "exec", SVC "/websrv", "atsecure"));
	ASSERT_EQ(1, RUN(SVC "/websrv", "exec", SVC "/other", "atsecure"));
}

TEST_HARNESS_MAIN
