// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * citadelctl start/stop: attach Citadel's BPF LSM programs and pin their
 * links so they stay attached after citadelctl exits.
 *
 * Before loading anything, start checks each kernel prerequisite and
 * names the one that is missing, instead of letting the BPF load fail
 * with a verifier message nobody on call can act on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "citadel.skel.h"
#include "loader.h"
#include "sysfs.h"

#define BPFFS		"/sys/fs/bpf"
#define PIN_DIR		CITADEL_PIN_DIR
#define LSM_LIST	"/sys/kernel/security/lsm"
#define MODULE_BTF	"/sys/kernel/btf/citadel"
#define BPF_FS_MAGIC_	0xcafe4a11
/* The kernel's ENOTSUPP, which userspace headers lack. */
#define ENOTSUPP_	524
/* One sentence, checked word for word by selftests/arm64_refusal.sh. */
#define NO_LSM_ATTACH_MSG \
	"Error: this kernel cannot attach BPF LSM programs (ENOTSUPP): on arm64 they need Linux 6.4 or later built with CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS=y, so boot such a kernel (Debian 12's 6.12 kernel qualifies); nothing was attached\n"

static int verbose;
static char libbpf_log[8192];
static size_t libbpf_log_len;

/* Keep libbpf quiet, but keep what it said for when a load fails. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	va_list copy;
	int n;

	if (verbose) {
		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (level == LIBBPF_DEBUG || libbpf_log_len >= sizeof(libbpf_log) - 1)
		return 0;
	n = vsnprintf(libbpf_log + libbpf_log_len,
		      sizeof(libbpf_log) - libbpf_log_len, fmt, ap);
	if (n > 0)
		libbpf_log_len += (size_t)n;
	if (libbpf_log_len > sizeof(libbpf_log) - 1)
		libbpf_log_len = sizeof(libbpf_log) - 1;
	return 0;
}

static const char *securityfs_root(void)
{
	const char *root = getenv("CITADEL_SECURITYFS");

	return root && *root ? root : "/sys/kernel/security/citadel";
}

static int path_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

static int bpf_lsm_active(char *list, size_t len)
{
	FILE *f = fopen(LSM_LIST, "r");
	char *tok, *save;
	char copy[512];

	if (!f) {
		snprintf(list, len, "unreadable: %s", strerror(errno));
		return 0;
	}
	if (!fgets(list, (int)len, f))
		list[0] = '\0';
	fclose(f);
	list[strcspn(list, "\n")] = '\0';
	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, "bpf"))
			return 1;
	return 0;
}

static int load_module_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0) {
		fprintf(stderr, "Error: cannot open %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	ret = (int)syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	if (ret && errno != EEXIST) {
		fprintf(stderr, "Error: cannot load %s: %s (see dmesg)\n",
			path, strerror(errno));
		return -1;
	}
	return 0;
}

static int run_modprobe(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execlp("modprobe", "modprobe", "citadel", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int ensure_bpffs(void)
{
	struct statfs sfs;

	if (statfs(BPFFS, &sfs) == 0 && (unsigned long)sfs.f_type == BPF_FS_MAGIC_)
		return 0;
	if (mount("bpf", BPFFS, "bpf", 0, NULL)) {
		fprintf(stderr, "Error: %s is not a bpf filesystem and mounting one failed: %s\n",
			BPFFS, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Whether this kernel can attach a BPF LSM program at all: loads a
 * program that allows everything on socket_connect and attaches it for a
 * moment. arm64 kernels before 6.4 (no ftrace direct calls, so no BPF
 * trampoline) load LSM programs but refuse to attach them with ENOTSUPP.
 * Returns 0 when the attach worked, or failed for another reason (the
 * real load reports those), -1 when the kernel cannot attach.
 * x86_64 has had the BPF trampoline since 5.5: no probe there (it would
 * cost every start a vmlinux BTF parse and an attach).
 */
static int lsm_attach_possible(void)
{
#ifdef __x86_64__
	return 0;
#else
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.expected_attach_type = BPF_LSM_MAC);
	struct btf *vmlinux;
	int id, prog, link, err;

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return 0;
	id = btf__find_by_name_kind(vmlinux, "bpf_lsm_socket_connect",
				    BTF_KIND_FUNC);
	btf__free(vmlinux);
	if (id <= 0)
		return 0;
	opts.attach_btf_id = id;
	prog = bpf_prog_load(BPF_PROG_TYPE_LSM, "citadel_probe", "GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), &opts);
	if (prog < 0)
		return prog == -ENOTSUPP_ || prog == -EOPNOTSUPP ? -1 : 0;
	link = bpf_link_create(prog, 0, BPF_LSM_MAC, NULL);
	err = link < 0 ? -errno : 0;
	if (link >= 0)
		close(link);
	close(prog);
	return err == -ENOTSUPP_ || err == -EOPNOTSUPP ? -1 : 0;
#endif
}

/* The prerequisites, in the order an ops engineer would fix them. */
static int check_kernel(const char *module_path)
{
	char lsms[512];

	if (!bpf_lsm_active(lsms, sizeof(lsms))) {
		fprintf(stderr, "Error: the BPF LSM is not active (active LSMs: %s): add bpf to the lsm= kernel parameter, e.g. lsm=%s%sbpf, and reboot\n",
			lsms, lsms, lsms[0] ? "," : "");
		return -1;
	}
	/* Before the module is loaded: nothing is left to undo. */
	if (lsm_attach_possible()) {
		fputs(NO_LSM_ATTACH_MSG, stderr);
		return -1;
	}
	if (!path_exists(securityfs_root())) {
		if (module_path ? load_module_file(module_path) : run_modprobe())
			fprintf(stderr, "Error: citadel.ko is not loaded and %s failed: install the citadel-dkms package or pass --module PATH\n",
				module_path ? "loading it" : "'modprobe citadel'");
		if (!path_exists(securityfs_root())) {
			fprintf(stderr, "Error: %s does not exist: citadel.ko is not loaded (see dmesg)\n",
				securityfs_root());
			return -1;
		}
	}
	if (!path_exists(MODULE_BTF)) {
		fprintf(stderr, "Error: %s is missing: citadel.ko was built without BTF, so its kfuncs cannot be called: rebuild it against the running kernel's /sys/kernel/btf/vmlinux (see README, \"Module BTF\")\n",
			MODULE_BTF);
		return -1;
	}
	return ensure_bpffs();
}

static int pin_link(struct bpf_link *link, const char *name)
{
	char path[256];
	int err;

	snprintf(path, sizeof(path), "%s/%s", PIN_DIR, name);
	err = bpf_link__pin(link, path);
	if (err) {
		fprintf(stderr, "Error: cannot pin %s: %s\n", path,
			strerror(-err));
		return -1;
	}
	return 0;
}

/*
 * Removes every pin: the links go with the last reference. Newer kernels
 * (6.12) release a link whose last reference was a pin from a work item,
 * after unlink() has returned; holding a descriptor across the unlink and
 * closing it makes that last put ours, and synchronous, so the hooks are
 * detached when stop says so.
 */
static int remove_pins(void)
{
	DIR *d = opendir(PIN_DIR);
	struct dirent *de;
	char path[512];
	int ret = 0, fd;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", PIN_DIR, de->d_name);
		fd = bpf_obj_get(path);
		if (unlink(path) && errno != ENOENT) {
			fprintf(stderr, "Error: cannot remove %s: %s\n", path,
				strerror(errno));
			ret = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	if (!ret && rmdir(PIN_DIR)) {
		fprintf(stderr, "Error: cannot remove %s: %s\n", PIN_DIR,
			strerror(errno));
		ret = -1;
	}
	return ret;
}

static void usage_start(void)
{
	fprintf(stderr, "Usage: citadelctl start [--module PATH] [-v]\n");
}

int cmd_start(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "module", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *module_path = NULL;
	struct citadel_bpf *skel = NULL;
	int opt, err, ret = 1, i;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "m:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			module_path = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage_start();
			return 0;
		default:
			usage_start();
			return 2;
		}
	}
	if (optind != argc) {
		usage_start();
		return 2;
	}
	libbpf_set_print(libbpf_print);
	if (check_kernel(module_path))
		return 1;
	if (path_exists(PIN_DIR)) {
		printf("citadel is already started (%s exists)\n", PIN_DIR);
		return 0;
	}
	if (citadel_is_sealed() == 1) {
		/* The pins are gone but the module holds the links. */
		printf("citadel is sealed: its hooks are attached and held by the module until reboot\n");
		return 0;
	}

	skel = citadel_bpf__open();
	if (!skel) {
		fprintf(stderr, "Error: cannot open the BPF object: %s\n",
			strerror(errno));
		goto out;
	}
	err = citadel_bpf__load(skel);
	if (err) {
		fprintf(stderr, "Error: the kernel refused Citadel's BPF programs (%s):\n%s",
			strerror(-err), libbpf_log);
		goto out;
	}
	err = citadel_bpf__attach(skel);
	if (err == -ENOTSUPP_ || err == -EOPNOTSUPP) {
		/* The probe passed yet the real attach says so: same words. */
		fputs(NO_LSM_ATTACH_MSG, stderr);
		if (verbose)
			fputs(libbpf_log, stderr);
		goto out;
	}
	if (err) {
		fprintf(stderr, "Error: cannot attach to the LSM hooks (%s):\n%s",
			strerror(-err), libbpf_log);
		goto out;
	}
	if (mkdir(PIN_DIR, 0700) && errno != EEXIST) {
		fprintf(stderr, "Error: cannot create %s: %s\n", PIN_DIR,
			strerror(errno));
		goto out;
	}
	for (i = 0; i < skel->skeleton->prog_cnt; i++) {
		const char *name = skel->skeleton->progs[i].name;

		/* Pins are named after the hook: drop the "citadel_" prefix. */
		if (!strncmp(name, "citadel_", 8))
			name += 8;
		if (pin_link(*skel->skeleton->progs[i].link, name)) {
			/* Leave nothing half-attached. */
			remove_pins();
			goto out;
		}
	}
	printf("citadel started: hooks attached and pinned under %s\n",
	       PIN_DIR);
	ret = 0;
out:
	citadel_bpf__destroy(skel);
	return ret;
}

int cmd_stop(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Usage: citadelctl stop\n");
		return 2;
	}
	if (citadel_is_sealed() == 1) {
		fprintf(stderr, "Error: citadel is sealed: its hooks stay attached until reboot\n");
		return 1;
	}
	if (!path_exists(PIN_DIR)) {
		printf("citadel is not started\n");
		return 0;
	}
	if (remove_pins())
		return 1;
	printf("citadel stopped: hooks detached\n");
	return 0;
}
