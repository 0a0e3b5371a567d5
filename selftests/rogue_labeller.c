// SPDX-License-Identifier: GPL-2.0-only
/*
 * rogue_labeller SERVICE PROGRAM [ARG...]: attaches rogue_labeller.bpf.c
 * with the label of service SERVICE (its FNV-1a hash, as citadelctl
 * compiles it), runs PROGRAM and exits with its status; 125 when the
 * program could not be attached, 126 when it never ran on the exec.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "rogue_labeller.skel.h"

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

int main(int argc, char **argv)
{
	struct rogue_labeller_bpf *skel;
	int status;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: rogue_labeller SERVICE PROGRAM [ARG...]\n");
		return 2;
	}
	skel = rogue_labeller_bpf__open();
	if (!skel)
		return 125;
	skel->rodata->fake_label = fnv1a64(argv[1]);
	if (rogue_labeller_bpf__load(skel) || rogue_labeller_bpf__attach(skel)) {
		fprintf(stderr, "rogue_labeller: cannot load or attach: %s\n",
			strerror(errno));
		rogue_labeller_bpf__destroy(skel);
		return 125;
	}
	pid = fork();
	if (pid == 0) {
		execv(argv[2], argv + 2);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = 125 << 8;
	if (!skel->bss->calls)
		status = 126 << 8;
	rogue_labeller_bpf__destroy(skel);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}
