// SPDX-License-Identifier: GPL-2.0-only
/*
 * The alternatives make bench compares Citadel with, set up inside the
 * benchmark VM:
 *
 *   bench_alt empty          empty BPF LSM programs on socket_connect and
 *                            socket_sendmsg (pinned: they stay attached)
 *   bench_alt lpm FILE       cgroup connect/sendmsg programs on the root
 *                            cgroup with LPM tries of the CIDRs in FILE
 *                            (one per line), like systemd's IPAddressAllow=
 *   bench_alt off            detach both (remove the pins)
 *   bench_alt landlock N PORT CMD...
 *                            run CMD under Landlock with N TCP connect rules
 *                            by port, PORT among them (kernel 6.7+; exits
 *                            3 when the kernel has no Landlock TCP rules)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "alt.skel.h"

#define PIN_DIR	"/sys/fs/bpf/bench_alt"
#define CGROUP	"/sys/fs/cgroup"

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_alt: %s: %s\n", what, strerror(err));
	exit(1);
}

static void pin(struct bpf_link *link, const char *name)
{
	char path[128];

	if (!link)
		die(name, errno);
	snprintf(path, sizeof(path), PIN_DIR "/%s", name);
	if (bpf_link__pin(link, path))
		die(path, errno);
}

static int fill(struct alt_bpf *skel, const char *file)
{
	FILE *f = fopen(file, "r");
	char line[128], *slash;
	int n = 0;
	uint8_t one = 1;

	if (!f)
		die(file, errno);
	while (fgets(line, sizeof(line), f)) {
		struct { uint32_t prefixlen; uint8_t addr[16]; } k;
		int fd;

		line[strcspn(line, "\n")] = '\0';
		slash = strchr(line, '/');
		memset(&k, 0, sizeof(k));
		if (slash)
			*slash = '\0';
		if (inet_pton(AF_INET, line, k.addr) == 1) {
			k.prefixlen = slash ? atoi(slash + 1) : 32;
			fd = bpf_map__fd(skel->maps.allow4);
		} else if (inet_pton(AF_INET6, line, k.addr) == 1) {
			k.prefixlen = slash ? atoi(slash + 1) : 128;
			fd = bpf_map__fd(skel->maps.allow6);
		} else {
			continue;
		}
		if (bpf_map_update_elem(fd, &k, &one, BPF_ANY))
			die("map update", errno);
		n++;
	}
	fclose(f);
	return n;
}

static int landlock(int n, int port, char **argv)
{
	struct { uint64_t fs, net; } attr = { 0, 1ull << 1 };	/* CONNECT_TCP */
	struct { uint64_t access, port; } __attribute__((packed)) rule;
	int fd = syscall(444 /* landlock_create_ruleset */, &attr,
			 sizeof(attr), 0);
	int i;

	if (fd < 0) {
		fprintf(stderr, "bench_alt: no Landlock TCP rules on this kernel: %s\n",
			strerror(errno));
		return 3;
	}
	for (i = 0; i < n; i++) {
		rule.access = 1ull << 1;
		rule.port = i == 0 ? port : 20000 + i;
		if (syscall(445 /* landlock_add_rule */, fd, 2 /* NET_PORT */,
			    &rule, 0))
			die("landlock_add_rule", errno);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(446 /* landlock_restrict_self */, fd, 0))
		die("landlock_restrict_self", errno);
	close(fd);
	execvp(argv[0], argv);
	die(argv[0], errno);
	return 1;
}

int main(int argc, char **argv)
{
	struct alt_bpf *skel;
	int cg, n;

	if (argc >= 5 && !strcmp(argv[1], "landlock"))
		return landlock(atoi(argv[2]), atoi(argv[3]), argv + 4);
	if (argc == 2 && !strcmp(argv[1], "off"))
		return system("rm -rf " PIN_DIR) ? 1 : 0;
	if (!(argc == 2 && !strcmp(argv[1], "empty")) &&
	    !(argc == 3 && !strcmp(argv[1], "lpm"))) {
		fprintf(stderr, "usage: bench_alt empty | lpm FILE | off | landlock N PORT CMD...\n");
		return 2;
	}
	skel = alt_bpf__open_and_load();
	if (!skel)
		die("load", errno);
	mkdir(PIN_DIR, 0700);
	if (!strcmp(argv[1], "empty")) {
		pin(bpf_program__attach_lsm(skel->progs.empty_connect), "connect");
		pin(bpf_program__attach_lsm(skel->progs.empty_sendmsg), "sendmsg");
		pin(bpf_program__attach_lsm(skel->progs.empty_setsockopt),
		    "setsockopt");
		pin(bpf_program__attach_lsm(skel->progs.empty_file_ioctl),
		    "file_ioctl");
		pin(bpf_program__attach_lsm(skel->progs.empty_netlink_send),
		    "netlink_send");
		return 0;
	}
	n = fill(skel, argv[2]);
	cg = open(CGROUP, O_RDONLY | O_DIRECTORY);
	if (cg < 0)
		die(CGROUP, errno);
	pin(bpf_program__attach_cgroup(skel->progs.lpm_connect4, cg), "c4");
	pin(bpf_program__attach_cgroup(skel->progs.lpm_sendmsg4, cg), "s4");
	pin(bpf_program__attach_cgroup(skel->progs.lpm_connect6, cg), "c6");
	pin(bpf_program__attach_cgroup(skel->progs.lpm_sendmsg6, cg), "s6");
	printf("%d prefixes\n", n);
	return 0;
}
