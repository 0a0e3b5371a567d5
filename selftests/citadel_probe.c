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
 * Usage errors exit with 99.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define USAGE_ERROR	99

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
	return USAGE_ERROR;
}

int main(int argc, char **argv)
{
	char c;

	argc--;
	argv++;
	if (argc > 0 && !strcmp(argv[0], "-w")) {
		if (write(1, "ready\n", 6) != 6 || read(0, &c, 1) != 1)
			return USAGE_ERROR;
		argc--;
		argv++;
	}
	return run_op(argc, argv);
}
