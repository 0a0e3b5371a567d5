// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * citadelctl seal: hand the module a descriptor for each pinned link
 * (one per hook) in one write to ROOT/seal. The module takes its own
 * references and from then on refuses module loading, kexec, bpf()
 * tampering, unsigned or older policies, audit mode, unload and
 * enrolment, until reboot (see README, "Sealing a device").
 *
 * The links are opened with a raw BPF_OBJ_GET so that this file needs
 * neither libbpf nor the skeleton (the host unit build has neither).
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "citadel_abi.h"
#include "citadelctl.h"
#include "loader.h"
#include "sysfs.h"

static int obj_get(const char *path)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (uint64_t)(uintptr_t)path;
	return (int)syscall(SYS_bpf, BPF_OBJ_GET, &attr, sizeof(attr));
}

/* Opens every pin in CITADEL_PIN_DIR; returns how many, or -1. */
static int open_links(int *fds, int max)
{
	DIR *d = opendir(CITADEL_PIN_DIR);
	struct dirent *de;
	char path[512];
	int n = 0;

	if (!d) {
		p_err("cannot open %s: %s: run 'citadelctl start' first",
		      CITADEL_PIN_DIR, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == max) {
			p_err("more than %d pins in %s", max, CITADEL_PIN_DIR);
			goto fail;
		}
		snprintf(path, sizeof(path), "%s/%s", CITADEL_PIN_DIR,
			 de->d_name);
		fds[n] = obj_get(path);
		if (fds[n] < 0) {
			p_err("cannot open the link pinned at %s: %s", path,
			      strerror(errno));
			goto fail;
		}
		n++;
	}
	closedir(d);
	return n;
fail:
	closedir(d);
	while (n)
		close(fds[--n]);
	return -1;
}

/* What the module would refuse anyway, said before anything is done. */
static int preflight(bool without_keys)
{
	char *st;
	size_t len;
	int err = citadel_read("status", &st, &len);

	if (err) {
		p_err("cannot read %s/status: %s", citadel_root(),
		      strerror(-err));
		return -1;
	}
	if (strstr(st, "\nstate none\n")) {
		p_err("no policy is loaded: load the device's policy before sealing");
		err = -1;
	} else if (!without_keys && strstr(st, "\nkeys 0\n")) {
		p_err("no key is enrolled: after the seal no policy could be loaded until reboot; enrol the ops certificate first ('citadelctl enroll CERT'), or pass --without-keys to freeze this policy until reboot");
		err = -1;
	}
	free(st);
	return err;
}

int cmd_seal(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "without-keys", no_argument, NULL, 'K' },
		{ 0 }
	};
	struct {
		struct cpol_seal h;
		uint32_t fds[CPOL_SEAL_MAX_LINKS];
	} msg;
	int fds[CPOL_SEAL_MAX_LINKS];
	bool without_keys = false;
	int opt, n, i, err;
	char *why;

	optind = 0;
	while ((opt = getopt_long(argc, argv, COMMON_OPTS_SHORT, opts,
				  NULL)) != -1) {
		if (common_opt(opt))
			continue;
		if (opt == 'K') {
			without_keys = true;
			continue;
		}
		usage_cmd("seal", opt == 'h');
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind != argc) {
		p_err("seal takes no arguments");
		usage_cmd("seal", false);
		return EXIT_USAGE;
	}
	if (citadel_require_root())
		return EXIT_ERR;
	if (citadel_is_sealed() == 1) {
		printf("citadel is already sealed until reboot\n");
		return EXIT_OK;
	}
	if (preflight(without_keys))
		return EXIT_ERR;
	n = open_links(fds, CPOL_SEAL_MAX_LINKS);
	if (n < 0)
		return EXIT_ERR;
	if (!n) {
		p_err("%s holds no links: run 'citadelctl start' first",
		      CITADEL_PIN_DIR);
		return EXIT_ERR;
	}
	msg.h.magic = htole32(CPOL_SEAL_MAGIC);
	msg.h.nlinks = htole32((uint32_t)n);
	for (i = 0; i < n; i++)
		msg.fds[i] = htole32((uint32_t)fds[i]);
	err = citadel_write("seal", &msg,
			    sizeof(msg.h) + (size_t)n * sizeof(msg.fds[0]));
	for (i = 0; i < n; i++)
		close(fds[i]);
	if (err == -ENOENT) {
		p_err("%s/seal does not exist: this citadel module cannot seal",
		      citadel_root());
		return EXIT_ERR;
	}
	if (err) {
		why = citadel_last_error();
		p_err("not sealed: %s", why ? why : strerror(-err));
		free(why);
		return EXIT_ERR;
	}
	printf("citadel sealed until reboot: %d hooks held by the module; module loading, kexec, unload, audit mode, enrolment and unsigned or older policies are refused\n",
	       n);
	return EXIT_OK;
}
