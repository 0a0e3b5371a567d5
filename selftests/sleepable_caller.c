// SPDX-License-Identifier: GPL-2.0-only
/*
 * sleepable_caller ADDR ALLOWED_PORT DENIED_PORT: attaches
 * sleepable_caller.bpf.c, makes one TCP connect() to ADDR:ALLOWED_PORT
 * and one to ADDR:DENIED_PORT, and checks that the module's connect
 * kfunc, called from the sleepable program, answered allow and deny as
 * Citadel's own program did. Exits 0 when it did; 1 when an answer or a
 * connect() result differs; 125 when the program could not be attached.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "citadel_task.h"
#include "sleepable_caller.skel.h"

/* 0 when connect() succeeded, else its errno. */
static int tcp_connect(const char *addr, int port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t len = sizeof(*sin);
	int fd, err = 0;

	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	} else {
		return EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&ss, len))
		err = errno;
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	struct sleepable_caller_bpf *skel;
	int ok_err, no_err, rc = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: sleepable_caller ADDR ALLOWED_PORT DENIED_PORT\n");
		return 2;
	}
	skel = sleepable_caller_bpf__open();
	if (!skel)
		return 125;
	skel->rodata->target_tgid = getpid();
	if (sleepable_caller_bpf__load(skel) ||
	    sleepable_caller_bpf__attach(skel)) {
		fprintf(stderr, "sleepable_caller: cannot load or attach: %s\n",
			strerror(errno));
		sleepable_caller_bpf__destroy(skel);
		return 125;
	}
	ok_err = tcp_connect(argv[1], atoi(argv[2]));
	no_err = tcp_connect(argv[1], atoi(argv[3]));
	if (ok_err || no_err != EPERM) {
		fprintf(stderr, "sleepable_caller: connect() gave %s and %s, want success and EPERM\n",
			strerror(ok_err), strerror(no_err));
		rc = 1;
	}
	if (skel->bss->calls != 2 ||
	    skel->bss->decisions[0] != CITADEL_ALLOW ||
	    skel->bss->decisions[1] != CITADEL_DENY) {
		fprintf(stderr, "sleepable_caller: %u kfunc calls answered %d, %d; want 2 answering %d, %d\n",
			skel->bss->calls, skel->bss->decisions[0],
			skel->bss->decisions[1], CITADEL_ALLOW, CITADEL_DENY);
		rc = 1;
	}
	sleepable_caller_bpf__destroy(skel);
	return rc;
}
