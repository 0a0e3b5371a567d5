// SPDX-License-Identifier: GPL-2.0-only
/*
 * citadel_probe: a static helper for the service and exec kselftests.
 * Copies of it serve as service entries, global helpers and files to
 * execute; it does one operation and reports the result in its exit
 * status, so a test can see what a task with a given label may do.
 *
 * usage: citadel_probe [-w] OP [ARG...]
 *   -w                      first write "ready\n" to stdout, then wait for
 *                           one byte on stdin (lets a test load a policy
 *                           while this task is already running)
 * OP (exit status 0 on success, otherwise the errno, unless stated):
 *   exit N                  exit with status N
 *   connect tcp|udp IP PORT connect() from a new socket
 *   bind tcp|udp IP PORT    bind() a new socket (SO_REUSEADDR)
 *   listen tcp IP PORT      bind() (its errno), then listen() (100 + errno)
 *   socket FAMILY TYPE PROTO  socket() with these numbers
 *   fork OP [ARG...]        run OP in a child; exit with the child's status
 *                           (150 + signal if it was killed)
 *   exec PATH [ARG...]      execv(PATH, {PATH, ARG...}); 200 + errno if it
 *                           fails
 *   hold                    a UDP socket at descriptor HOLD_FD (10), then
 *                           as -w; the target of getfd
 *   ptrace PID              PTRACE_ATTACH, wait for the stop, detach
 *   seize PID               PTRACE_SEIZE (exiting detaches)
 *   vmread PID | vmwrite PID  process_vm_readv/writev of this program's
 *                           marker at the same address in PID (another
 *                           copy of this program: static, not PIE)
 *   memwrite PID            the same through /proc/PID/mem
 *   environ PID             open /proc/PID/environ
 *   getfd PID FD            pidfd_open(PID) then pidfd_getfd(FD)
 *   traceme OP [ARG...]     PTRACE_TRACEME (to the parent), then OP
 *   sharefs OP [ARG...]     OP in a child sharing this process's fs_struct
 *                           (CLONE_FS); exit with the child's status
 *   traced OP [ARG...]      OP in a child that asked to be traced by this
 *                           process (PTRACE_TRACEME): stops are resumed;
 *                           exit with the child's status (150 + signal)
 *   atsecure                exit with getauxval(AT_SECURE)
 * Usage errors exit with 99.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define USAGE_ERROR	99
#define HOLD_FD		10
/* 98: a cross-process read returned something else than the marker. */
#define MISMATCH	98

#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd	438
#endif

/* Same address in every copy of this (static, non-PIE) program. */
static char marker[] = "citadel-probe-marker";

/* Waits for the test: "ready\n" on stdout, then one byte on stdin. */
static int wait_for_test(void)
{
	char c;

	if (write(1, "ready\n", 6) != 6 || read(0, &c, 1) != 1)
		return USAGE_ERROR;
	return 0;
}

static int cross_process(const char *op, pid_t pid)
{
	char buf[sizeof(marker)], path[64];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { marker, sizeof(marker) };
	ssize_t n;
	int fd;

	if (!strcmp(op, "vmread")) {
		memset(buf, 0, sizeof(buf));
		n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n < 0)
			return errno;
		return memcmp(buf, marker, sizeof(buf)) ? MISMATCH : 0;
	}
	if (!strcmp(op, "vmwrite")) {
		local.iov_base = marker;
		return process_vm_writev(pid, &local, 1, &remote, 1, 0) < 0 ?
		       errno : 0;
	}
	if (!strcmp(op, "memwrite") || !strcmp(op, "environ")) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid,
			 op[0] == 'm' ? "mem" : "environ");
		fd = open(path, op[0] == 'm' ? O_RDWR : O_RDONLY);
		if (fd < 0)
			return errno;
		if (op[0] == 'm' &&
		    pwrite(fd, marker, sizeof(marker), (off_t)(long)marker) < 0)
			return errno;
		close(fd);
		return 0;
	}
	return USAGE_ERROR;
}

static int attach(const char *op, pid_t pid)
{
	int st;

	if (!strcmp(op, "seize"))
		return ptrace(PTRACE_SEIZE, pid, 0, 0) ? errno : 0;
	if (ptrace(PTRACE_ATTACH, pid, 0, 0))
		return errno;
	if (waitpid(pid, &st, __WALL) != pid)
		return errno;
	return ptrace(PTRACE_DETACH, pid, 0, 0) ? errno : 0;
}

static int run_op(int argc, char **argv);

/* OP in a child traced by this process; its exit status. */
static int traced(int argc, char **argv)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(errno);
		_exit(run_op(argc, argv));
	}
	for (;;) {
		if (waitpid(pid, &st, 0) != pid)
			return errno;
		if (WIFEXITED(st))
			return WEXITSTATUS(st);
		if (WIFSIGNALED(st))
			return 150 + WTERMSIG(st);
		/* A stop (the exec's SIGTRAP among them): resume, no signal. */
		if (ptrace(PTRACE_CONT, pid, 0, 0))
			return errno;
	}
}

static socklen_t parse_addr(struct sockaddr_storage *ss, const char *ip,
			    const char *port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(atoi(port));
		if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) != 1)
			exit(USAGE_ERROR);
		return sizeof(*sin6);
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(atoi(port));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1)
		exit(USAGE_ERROR);
	return sizeof(*sin);
}

static int sock_type(const char *proto)
{
	if (!strcmp(proto, "tcp"))
		return SOCK_STREAM;
	if (!strcmp(proto, "udp"))
		return SOCK_DGRAM;
	exit(USAGE_ERROR);
}

/* Runs OP argv[0] with its arguments; returns the exit status to use. */
static int run_op(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, st;
	pid_t pid;

	if (argc < 1)
		return USAGE_ERROR;
	if (!strcmp(argv[0], "exit") && argc == 2)
		return atoi(argv[1]);
	if ((!strcmp(argv[0], "connect") || !strcmp(argv[0], "bind") ||
	     !strcmp(argv[0], "listen")) && argc == 4) {
		len = parse_addr(&ss, argv[2], argv[3]);
		fd = socket(ss.ss_family, sock_type(argv[1]), 0);
		if (fd < 0)
			return errno;
		if (!strcmp(argv[0], "connect"))
			return connect(fd, (struct sockaddr *)&ss, len) ? errno : 0;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, len))
			return errno;
		if (!strcmp(argv[0], "bind"))
			return 0;
		return listen(fd, 16) ? 100 + errno : 0;
	}
	if (!strcmp(argv[0], "socket") && argc == 4) {
		fd = socket(atoi(argv[1]), atoi(argv[2]), atoi(argv[3]));
		return fd < 0 ? errno : 0;
	}
	if (!strcmp(argv[0], "fork") && argc >= 2) {
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return errno;
		if (pid == 0)
			_exit(run_op(argc - 1, argv + 1));
		if (waitpid(pid, &st, 0) != pid)
			return errno;
		return WIFEXITED(st) ? WEXITSTATUS(st) : 150 + WTERMSIG(st);
	}
	if (!strcmp(argv[0], "exec") && argc >= 2) {
		execv(argv[1], argv + 1);
		return 200 + errno;
	}
	if (!strcmp(argv[0], "hold") && argc == 1) {
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || dup2(fd, HOLD_FD) != HOLD_FD)
			return errno;
		return wait_for_test();
	}
	if ((!strcmp(argv[0], "ptrace") || !strcmp(argv[0], "seize")) &&
	    argc == 2)
		return attach(argv[0], atoi(argv[1]));
	if ((!strcmp(argv[0], "vmread") || !strcmp(argv[0], "vmwrite") ||
	     !strcmp(argv[0], "memwrite") || !strcmp(argv[0], "environ")) &&
	    argc == 2)
		return cross_process(argv[0], atoi(argv[1]));
	if (!strcmp(argv[0], "getfd") && argc == 3) {
		int pidfd = syscall(__NR_pidfd_open, atoi(argv[1]), 0);

		if (pidfd < 0)
			return errno;
		fd = syscall(__NR_pidfd_getfd, pidfd, atoi(argv[2]), 0);
		return fd < 0 ? errno : 0;
	}
	if (!strcmp(argv[0], "traceme") && argc >= 2) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			return errno;
		return run_op(argc - 1, argv + 1);
	}
	if (!strcmp(argv[0], "traced") && argc >= 2)
		return traced(argc - 1, argv + 1);
	if (!strcmp(argv[0], "sharefs") && argc >= 2) {
		fflush(NULL);
		/* Like fork(), but the child shares cwd, root and umask. */
		pid = syscall(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);
		if (pid < 0)
			return errno;
		if (pid == 0)
			_exit(run_op(argc - 1, argv + 1));
		if (waitpid(pid, &st, 0) != pid)
			return errno;
		return WIFEXITED(st) ? WEXITSTATUS(st) : 150 + WTERMSIG(st);
	}
	if (!strcmp(argv[0], "atsecure") && argc == 1)
		return (int)getauxval(AT_SECURE);
	return USAGE_ERROR;
}

int main(int argc, char **argv)
{
	argc--;
	argv++;
	if (argc > 0 && !strcmp(argv[0], "-w")) {
		if (wait_for_test())
			return USAGE_ERROR;
		argc--;
		argv++;
	}
	return run_op(argc, argv);
}
