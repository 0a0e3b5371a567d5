// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seal. One way until reboot, so vm_suite.sh runs this last, on a
 * freshly loaded and started module, and the tests run in order: what
 * works before the seal, the seal itself, then each tamper attempt an
 * attacker with root would make, which must fail with the documented
 * errno and leave an event. Keys and signed policies come from
 * selftests/signing-keys.sh (signing/), made on the host at test time;
 * citadel_canary.ko is a module that does nothing.
 */
#define _GNU_SOURCE
#include "citadel_test_lib.h"

#include <endian.h>
#include <linux/bpf.h>
#include <linux/kexec.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "citadel_abi.h"

#define SIGDIR		"signing/"
#define CANARY		"citadel_canary.ko"
#define PORT_V2		6201	/* allowed by s-v2 only */
#define PORT_V3		6202	/* allowed by s-v3 only */
#define IDS_FILE	"/tmp/citadel-seal-ids"	/* map id, prog id */
#define LINKS_FILE	"/tmp/citadel-seal-links" /* links pinned at the seal */
#define FTRACE_SYSCTL	"/proc/sys/kernel/ftrace_enabled"
#define TRACEFS		"/tmp/seal-tracefs"
#define BREAKER		CITADEL_DIR "/seal_breaker"
/* Protected by every seal policy (signing-keys.sh): a directory, a file, a name. */
#define PT		"/tmp/pt"
#define PT_DIR		PT "/dir"
#define PT_FILE		PT "/file"
#define PT_ABSENT	PT "/absent"
#define PT_FREE		PT "/free"	/* not protected */
#define PT_LINK		"/tmp/pt-hardlink"	/* a second name of PT_FILE */
#define PT_ALIAS	"/tmp/pt-alias"		/* PT_DIR bind-mounted after the seal */
#define STATE_DIR	"/var/lib/citadel"

/* 0 if @ret is not negative, else errno: for ASSERT_EQ(EPERM, E(...)). */
#define E(ret)		((ret) < 0 ? errno : 0)

/* open() then close(): 0 or the errno of the open. */
static int try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* The layout the protect rules name, made afresh (before the seal). */
static int make_protected_layout(void)
{
	return run_cmd("umount " PT_ALIAS " 2>/dev/null; rm -rf " PT " " PT_LINK " && "
		       "mkdir -p " PT_DIR "/sub " PT_DIR "/empty && "
		       "echo f >" PT_DIR "/f && echo g >" PT_DIR "/sub/g && "
		       "echo file >" PT_FILE " && echo free >" PT_FREE " && "
		       "ln " PT_FILE " " PT_LINK " && mkdir -p " STATE_DIR);
}

/* What the kernel wrote in its state directory, first line: @want? */
static int state_line_is(const char *file, const char *want)
{
	char path[128], buf[256];
	char *nl;

	snprintf(path, sizeof(path), STATE_DIR "/%s", file);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return 0;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return !strcmp(buf, want);
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int status_has(const char *line)
{
	char buf[8192];

	if (read_text(CITADEL_FS "/status", buf, sizeof(buf)) < 0)
		return 0;
	return strstr(buf, line) != NULL;
}

/* Whether the event stream has an event of @op whose object has @text. */
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

static int is_sealed(void)
{
	return status_has("\nsealed yes\n");
}

/* The id of the map or program named @name (BPF_*_GET_NEXT_ID), or 0. */
static __u32 find_id(int next_cmd, int fd_cmd, const char *name)
{
	union bpf_attr a;
	__u32 id = 0;

	for (;;) {
		struct bpf_map_info mi;
		struct bpf_prog_info pi;
		const char *got;
		int fd;

		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (sys_bpf(next_cmd, &a))
			return 0;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		if (fd_cmd == BPF_MAP_GET_FD_BY_ID)
			a.map_id = id;
		else
			a.prog_id = id;
		fd = sys_bpf(fd_cmd, &a);
		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		memset(&pi, 0, sizeof(pi));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = fd;
		if (fd_cmd == BPF_MAP_GET_FD_BY_ID) {
			a.info.info_len = sizeof(mi);
			a.info.info = (__u64)(unsigned long)&mi;
			got = mi.name;
		} else {
			a.info.info_len = sizeof(pi);
			a.info.info = (__u64)(unsigned long)&pi;
			got = pi.name;
		}
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a)) {
			close(fd);
			continue;
		}
		close(fd);
		if (!strcmp(got, name))
			return id;
	}
}

static int get_fd_by_id(int cmd, __u32 id, __u32 flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	if (cmd == BPF_MAP_GET_FD_BY_ID)
		a.map_id = id;
	else if (cmd == BPF_PROG_GET_FD_BY_ID)
		a.prog_id = id;
	else
		a.link_id = id;
	a.open_flags = flags;
	return sys_bpf(cmd, &a);
}

/* Sets the calling task's Citadel label through the task storage map. */
static int set_own_label(int map_fd, __u64 label)
{
	__u64 value[3] = { label, label, 0 };	/* struct citadel_task_ctx */
	int pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	union bpf_attr a;
	int ret;

	if (pidfd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	a.key = (__u64)(unsigned long)&pidfd;
	a.value = (__u64)(unsigned long)value;
	ret = sys_bpf(BPF_MAP_UPDATE_ELEM, &a) ? errno : 0;
	close(pidfd);
	return ret;
}

static int finit_canary(void)
{
	int fd = open(CANARY, O_RDONLY), ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0) ? errno : 0;
	close(fd);
	return ret;
}

static int init_canary(void)
{
	static char image[1 << 20];
	int fd = open(CANARY, O_RDONLY);
	ssize_t len;

	if (fd < 0)
		return -1;
	len = read(fd, image, sizeof(image));
	close(fd);
	if (len <= 0)
		return -1;
	return syscall(SYS_init_module, image, (unsigned long)len, "") ? errno : 0;
}

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? errno : 0;
}

/* Writes a seal request with @n descriptors: 0 or the errno. */
static int write_seal(const int *fds, unsigned int n)
{
	struct {
		struct cpol_seal h;
		__le32 fds[CPOL_SEAL_MAX_LINKS];
	} msg;
	unsigned int i;

	msg.h.magic = htole32(CPOL_SEAL_MAGIC);
	msg.h.nlinks = htole32(n);
	for (i = 0; i < n && i < CPOL_SEAL_MAX_LINKS; i++)
		msg.fds[i] = htole32(fds[i]);
	return write_fs("seal", &msg, sizeof(msg.h) + n * sizeof(msg.fds[0]));
}

static int link_fd_for(const char *hook)
{
	char path[128];
	union bpf_attr a;

	snprintf(path, sizeof(path), "/sys/fs/bpf/citadel/%s", hook);
	memset(&a, 0, sizeof(a));
	a.pathname = (__u64)(unsigned long)path;
	return sys_bpf(BPF_OBJ_GET, &a);
}

/* Writes @val to a /proc/sys file in one write(): 0 or the errno. */
static int write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		err = errno;
	close(fd);
	return err;
}

static int read_int(const char *path)
{
	char buf[32];

	if (read_text(path, buf, sizeof(buf)) <= 0)
		return -1;
	return atoi(buf);
}

/* The links citadelctl start pinned: one per hook the seal must hold. */
static int pinned_links(void)
{
	char out[16] = "";
	FILE *p = popen("ls /sys/fs/bpf/citadel | wc -l", "r");

	if (!p)
		return -1;
	if (!fgets(out, sizeof(out), p))
		out[0] = '\0';
	pclose(p);
	return atoi(out);
}

static int saved_links(void)
{
	FILE *f = fopen(LINKS_FILE, "r");
	int n = -1;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Whether a tracefs control file opens for writing: 0 or the errno. */
static int open_tracefs(void)
{
	int fd = open(TRACEFS "/tracing_on", O_WRONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* SIOCSIFMTU on lo (to its own MTU: no change): 0 or the errno. */
static int set_lo_mtu(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFMTU, &ifr) || ioctl(fd, SIOCSIFMTU, &ifr))
		err = errno;
	close(fd);
	return err;
}

/*
 * In a network namespace of its own, a child sends RTM_SETLINK for lo
 * with IFLA_NET_NS_PID 1: a move into the initial namespace. Returns 0
 * when the message was sent (the kernel then refuses to move lo),
 * the errno of send() otherwise, -1 on a setup failure.
 */
static int setlink_into_init_netns(void)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
		struct rtattr a;
		__u32 pid;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_SETLINK,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
		.i = { .ifi_family = AF_UNSPEC, .ifi_index = 1 },
		.a = { .rta_len = RTA_LENGTH(sizeof(__u32)),
		       .rta_type = IFLA_NET_NS_PID },
		.pid = 1,
	};
	int st, fd;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (unshare(CLONE_NEWNET))
			_exit(255);
		fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
		if (fd < 0)
			_exit(255);
		_exit(send(fd, &req, sizeof(req), 0) == sizeof(req) ? 0 : errno);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) == 255)
		return -1;
	return WEXITSTATUS(st);
}

/* An ioctl on a UDP socket with an ifreq for lo: 0 or the errno. */
static int sock_ioctl(unsigned long cmd)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, cmd, &ifr))
		err = errno;
	close(fd);
	return err;
}

#define SIOCSIWESSID_NR	0x8b1a		/* set: lo has no wireless */
#define SIOCGIWNAME_NR	0x8b01		/* get */
#define SIOCGSTAMP_NEW_NR	0x80108906	/* a read with size bits */

/* Before the seal: what the seal takes away works. */
TEST(before_seal_everything_works)
{
	unsigned int map_id, prog_id;
	FILE *f;
	int fd;

	ASSERT_FALSE(is_sealed());
	ASSERT_EQ(0, finit_canary());
	ASSERT_EQ(0, delete_module("citadel_canary"));
	ASSERT_EQ(0, run_cmd("citadelctl enroll " SIGDIR "c1.der >/dev/null"));
	ASSERT_EQ(0, load_file(SIGDIR "s-unsigned.cpol"));
	ASSERT_EQ(0, unload_policy());
	ASSERT_EQ(0, load_file(SIGDIR "s-v3.cpol"));
	/* Going down a version is allowed before the seal. */
	ASSERT_EQ(0, load_file(SIGDIR "s-v2.cpol"));
	ASSERT_TRUE(status_has("\nversion 2\n"));

	map_id = find_id(BPF_MAP_GET_NEXT_ID, BPF_MAP_GET_FD_BY_ID,
			 "citadel_tasks");
	prog_id = find_id(BPF_PROG_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID,
			  "citadel_capable");
	ASSERT_NE(0, map_id);
	ASSERT_NE(0, prog_id);
	fd = get_fd_by_id(BPF_MAP_GET_FD_BY_ID, map_id, 0);
	ASSERT_GE(fd, 0);
	close(fd);
	fd = get_fd_by_id(BPF_PROG_GET_FD_BY_ID, prog_id, 0);
	ASSERT_GE(fd, 0);
	close(fd);
	f = fopen(IDS_FILE, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "%u %u\n", map_id, prog_id);
	fclose(f);
}

TEST(seal_refuses_bad_requests)
{
	int fds[2], one;

	ASSERT_FALSE(is_sealed());
	ASSERT_EQ(EINVAL, write_seal(NULL, 0));
	fds[0] = open("/dev/null", O_RDONLY);
	ASSERT_GE(fds[0], 0);
	ASSERT_EQ(EBADF, write_seal(fds, 1));
	close(fds[0]);
	/* One hook is not enough: every hook must be held. */
	one = link_fd_for("socket_connect");
	ASSERT_GE(one, 0);
	ASSERT_EQ(EINVAL, write_seal(&one, 1));
	ASSERT_EQ(0, run_cmd("grep -q 'no link for hook' " CITADEL_FS "/last_error"));
	/* The same link twice. */
	fds[0] = one;
	fds[1] = one;
	ASSERT_EQ(EINVAL, write_seal(fds, 2));
	close(one);
	/* An audit-mode policy would seal nothing in. */
	ASSERT_EQ(0, load_policy("policy auditing version 1\nmode audit\nglobal {\n    exec /\n    libs /\n}\n"));
	ASSERT_NE(0, run_cmd("citadelctl seal 2>/tmp/seal.err"));
	ASSERT_EQ(0, run_cmd("grep -q 'audit mode' /tmp/seal.err"));
	ASSERT_EQ(0, unload_policy());
	ASSERT_NE(0, run_cmd("citadelctl seal 2>/tmp/seal.err"));
	ASSERT_EQ(0, run_cmd("grep -q 'no policy is loaded' /tmp/seal.err"));
	ASSERT_EQ(0, load_file(SIGDIR "s-v2.cpol"));
	ASSERT_FALSE(is_sealed());
	ASSERT_TRUE(status_has("\nsealed_links 0\n"));
}

/*
 * Before the seal, each way around Citadel that the seal closes works:
 * this is what the tests after the seal must see refused. s-v2 is in
 * force: UDP to 127.0.0.1 port 6201 only.
 */
TEST(before_seal_the_switches_and_detours_work)
{
	ASSERT_FALSE(is_sealed());
	ASSERT_TRUE(status_has("\nversion 2\n"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
	/* One sysctl turns every BPF LSM program off, then on again. */
	ASSERT_EQ(1, read_int(FTRACE_SYSCTL));
	ASSERT_EQ(0, write_sysctl(FTRACE_SYSCTL, "0"));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
	ASSERT_EQ(0, write_sysctl(FTRACE_SYSCTL, "1"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
	/* While ftrace is off the seal would hold nothing: refused. */
	ASSERT_EQ(0, write_sysctl(FTRACE_SYSCTL, "0"));
	ASSERT_NE(0, run_cmd("citadelctl seal 2>/tmp/seal.err"));
	ASSERT_EQ(0, write_sysctl(FTRACE_SYSCTL, "1"));
	ASSERT_EQ(0, run_cmd("grep -q 'ftrace_enabled is 0' /tmp/seal.err"));
	ASSERT_FALSE(is_sealed());
	/* A cgroup program steers an allowed datagram to a denied port. */
	ASSERT_EQ(0, RUN(BREAKER, "sendmsg4", "6201"));
	ASSERT_EQ(0, RUN(BREAKER, "connect4", "6201"));
	ASSERT_EQ(0, RUN(BREAKER, "fmod_ret"));
	ASSERT_EQ(0, RUN(BREAKER, "write_user"));
	ASSERT_EQ(0, mkdir(TRACEFS, 0755));
	ASSERT_EQ(0, mount("nodev", TRACEFS, "tracefs", 0, NULL));
	ASSERT_EQ(0, open_tracefs());
	/* Root changes the routing table and interfaces. */
	ASSERT_EQ(0, run_cmd("ip route add 10.97.0.0/24 dev lo"));
	ASSERT_EQ(0, run_cmd("ip route | grep -q 10.97.0.0"));
	ASSERT_EQ(0, run_cmd("ip route del 10.97.0.0/24 dev lo"));
	ASSERT_EQ(0, set_lo_mtu());
	ASSERT_NE(EPERM, sock_ioctl(SIOCSIWESSID_NR));
	ASSERT_EQ(0, setlink_into_init_netns());
	ASSERT_EQ(0, write_sysctl("/proc/sys/net/ipv4/ip_forward", "0"));
	ASSERT_EQ(0, run_cmd("cat /sys/class/net/lo/mtu > /sys/class/net/lo/mtu"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
}

/*
 * Before the seal, the attacks on the files of the next boot all work:
 * the tests after the seal must see each of them refused. The layout is
 * then made again, so the seal resolves the inodes that are there.
 */
TEST(before_seal_protected_paths_change)
{
	ASSERT_FALSE(is_sealed());
	ASSERT_EQ(0, make_protected_layout());
	ASSERT_EQ(0, try_open(PT_FILE, O_WRONLY | O_TRUNC));
	ASSERT_EQ(0, truncate(PT_DIR "/f", 0));
	ASSERT_EQ(0, chmod(PT_FILE, 0600));
	ASSERT_EQ(0, try_open(PT_DIR "/new", O_WRONLY | O_CREAT));
	ASSERT_EQ(0, try_open(PT_ABSENT, O_WRONLY | O_CREAT));
	ASSERT_EQ(0, rename(PT_FREE, PT_FILE));
	ASSERT_EQ(0, unlink(PT_DIR "/sub/g"));
	ASSERT_EQ(0, mount("none", PT_DIR, "tmpfs", 0, NULL));
	ASSERT_EQ(0, umount(PT_DIR));
	ASSERT_EQ(0, make_protected_layout());
	ASSERT_EQ(0, status_value("protect_rules"));
}

/*
 * The threat the seal closes: root rewrites its own label through the
 * task storage map. Before the seal that works; after it, even a map
 * descriptor opened before the seal cannot write.
 */
TEST(seal)
{
	unsigned int map_id = 0, prog_id = 0;
	FILE *f = fopen(IDS_FILE, "r");
	int map_fd, links;
	char line[48];

	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, fscanf(f, "%u %u", &map_id, &prog_id));
	fclose(f);
	map_fd = get_fd_by_id(BPF_MAP_GET_FD_BY_ID, map_id, 0);
	ASSERT_GE(map_fd, 0);
	ASSERT_EQ(0, set_own_label(map_fd, 0));
	links = pinned_links();
	ASSERT_GE(links, 21);
	f = fopen(LINKS_FILE, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "%d\n", links);
	fclose(f);
	snprintf(line, sizeof(line), "\nsealed_links %d\n", links);

	ASSERT_EQ(0, run_cmd("citadelctl seal"));
	ASSERT_TRUE(is_sealed());
	ASSERT_TRUE(status_has(line));
	ASSERT_TRUE(has_event("seal", "sealed until reboot"));
	ASSERT_EQ(0, run_cmd("citadelctl status | grep -q '^sealed: *yes'"));
	/* Sealing again is a no-op, and says so. */
	ASSERT_EQ(0, run_cmd("citadelctl seal | grep -q 'already sealed'"));

	ASSERT_EQ(EPERM, set_own_label(map_fd, 0));
	ASSERT_TRUE(has_event("bpf", "BPF_MAP_UPDATE_ELEM"));
	close(map_fd);
}

/* The three test paths, the compiler's defaults and the state directory. */
TEST(seal_resolves_the_protected_paths)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(29, status_value("protect_rules"));
	ASSERT_GE(status_value("protect_inodes"), 5);
	/* PT_ABSENT and the defaults this initramfs does not have. */
	ASSERT_GE(status_value("protect_absent"), 1);
}

TEST(protected_file_write_and_truncate_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(EPERM, try_open(PT_FILE, O_WRONLY));
	ASSERT_TRUE(has_event("protect", "write " PT_FILE " (protect " PT_FILE ")"));
	ASSERT_EQ(EPERM, try_open(PT_FILE, O_RDWR | O_APPEND));
	/* O_TRUNC without write access still truncates: refused too. */
	ASSERT_EQ(EPERM, try_open(PT_FILE, O_RDONLY | O_TRUNC));
	ASSERT_EQ(EPERM, E(truncate(PT_FILE, 0)));
	ASSERT_TRUE(has_event("protect", "truncate " PT_FILE));
	ASSERT_EQ(EPERM, try_open(PT_DIR "/sub/g", O_WRONLY));
	ASSERT_TRUE(has_event("protect", "write " PT_DIR "/sub/g (protect " PT_DIR "/)"));
	ASSERT_EQ(0, try_open(PT_FILE, O_RDONLY));
	ASSERT_EQ(0, run_cmd("grep -qx file " PT_FILE));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
}

TEST(protected_rename_unlink_link_chmod_chown_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(EPERM, E(rename(PT_FILE, PT "/moved")));
	ASSERT_TRUE(has_event("protect", "rename from " PT_FILE));
	ASSERT_EQ(EPERM, E(rename(PT_FREE, PT_FILE)));
	ASSERT_TRUE(has_event("protect", "rename over " PT_FILE));
	ASSERT_EQ(EPERM, E(rename(PT_DIR, PT "/dir2")));
	ASSERT_EQ(EPERM, E(rename(PT_DIR "/f", PT "/f")));
	/* An ancestor moves what is below it away: refused too. */
	ASSERT_EQ(EPERM, E(rename(PT, "/tmp/pt-moved")));
	ASSERT_EQ(EPERM, E(unlink(PT_FILE)));
	ASSERT_TRUE(has_event("protect", "unlink " PT_FILE));
	ASSERT_EQ(EPERM, E(unlink(PT_DIR "/sub/g")));
	ASSERT_EQ(EPERM, E(rmdir(PT_DIR "/empty")));
	ASSERT_TRUE(has_event("protect", "rmdir " PT_DIR "/empty"));
	ASSERT_EQ(EPERM, E(link(PT_FILE, PT "/another")));
	ASSERT_TRUE(has_event("protect", "link from " PT_FILE));
	ASSERT_EQ(EPERM, E(chmod(PT_FILE, 0666)));
	ASSERT_TRUE(has_event("protect", "chmod " PT_FILE));
	ASSERT_EQ(EPERM, E(chown(PT_DIR "/f", 1, 1)));
	ASSERT_TRUE(has_event("protect", "chown " PT_DIR "/f"));
	ASSERT_EQ(EPERM, E(chmod(PT_DIR, 0777)));
	ASSERT_EQ(0, access(PT_FILE, F_OK));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
}

TEST(new_entry_in_protected_dir_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(EPERM, try_open(PT_DIR "/new", O_WRONLY | O_CREAT));
	ASSERT_TRUE(has_event("protect", "create " PT_DIR "/new"));
	ASSERT_EQ(EPERM, E(mkdir(PT_DIR "/sub/newdir", 0755)));
	ASSERT_TRUE(has_event("protect", "mkdir " PT_DIR "/sub/newdir"));
	ASSERT_EQ(EPERM, E(symlink("/etc/passwd", PT_DIR "/ln")));
	ASSERT_EQ(EPERM, E(mkfifo(PT_DIR "/fifo", 0600)));
	ASSERT_EQ(EPERM, E(rename(PT_FREE, PT_DIR "/free")));
	ASSERT_TRUE(has_event("protect", "rename to " PT_DIR "/free"));
	ASSERT_EQ(EPERM, E(link(PT_FREE, PT_DIR "/free")));
	/* A protected name that did not exist at the seal stays unused. */
	ASSERT_EQ(EPERM, try_open(PT_ABSENT, O_WRONLY | O_CREAT));
	ASSERT_TRUE(has_event("protect", "create " PT_ABSENT " (protect " PT_ABSENT ")"));
	ASSERT_EQ(EPERM, E(mkdir(PT_ABSENT, 0755)));
	ASSERT_EQ(EPERM, E(rename(PT_FREE, PT_ABSENT)));
	ASSERT_EQ(ENOENT, E(access(PT_ABSENT, F_OK)));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
}

static int move_mount_onto(const char *from, const char *to)
{
	int fd = syscall(SYS_open_tree, AT_FDCWD, from,
			 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_move_mount, fd, "", AT_FDCWD, to,
		      4 /* MOVE_MOUNT_F_EMPTY_PATH */);
	close(fd);
	return ret;
}

TEST(mount_over_protected_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(0, mkdir("/tmp/pt-other", 0755));
	ASSERT_EQ(EPERM, E(mount("none", PT_DIR, "tmpfs", 0, NULL)));
	ASSERT_TRUE(has_event("protect", "mount over " PT_DIR));
	ASSERT_EQ(EPERM, E(mount("none", PT_DIR "/sub", "tmpfs", 0, NULL)));
	ASSERT_EQ(EPERM, E(mount("/tmp/pt-other", PT_DIR, NULL, MS_BIND, NULL)));
	ASSERT_EQ(EPERM, E(mount(PT_FREE, PT_FILE, NULL, MS_BIND, NULL)));
	/* Over a directory on the way: it would hide what is below. */
	ASSERT_EQ(EPERM, E(mount("none", PT, "tmpfs", 0, NULL)));
	ASSERT_EQ(EPERM, E(move_mount_onto("/tmp/pt-other", PT_DIR)));
	ASSERT_TRUE(has_event("protect", "move_mount over " PT_DIR));
	/* Elsewhere, mounts work: */
	ASSERT_EQ(0, mount("none", "/tmp/pt-other", "tmpfs", 0, NULL));
	ASSERT_EQ(0, umount("/tmp/pt-other"));
	/* and so do propagation changes on a protected path's mount. */
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, access(PT_DIR "/f", F_OK));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
}

/*
 * Child: in a new mount namespace, what systemd's sandboxing does (a
 * read-only bind mount of a protected directory over itself, a tmpfs
 * over it) works and hides nothing outside, and the files below are
 * still refused by inode. Exit 0, or the step that went wrong.
 */
static int private_ns_mount(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(100);
		if (mount(PT_DIR, PT_DIR, NULL, MS_BIND, NULL) ||
		    mount(NULL, PT_DIR, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
			  NULL))
			_exit(101);
		if (umount(PT_DIR))
			_exit(102);
		if (mkdir(PT_ALIAS, 0755) && errno != EEXIST)
			_exit(103);
		if (mount(PT_DIR, PT_ALIAS, NULL, MS_BIND, NULL))
			_exit(104);
		if (mount("none", PT_DIR, "tmpfs", 0, NULL))
			_exit(105);
		/* The tmpfs takes the write; the real file, by another name, not. */
		if (try_open(PT_DIR "/f", O_WRONLY | O_CREAT))
			_exit(106);
		_exit(try_open(PT_ALIAS "/f", O_WRONLY) == EPERM ? 0 : 107);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Child: chroot into PT, write "/file" and create "/dir/x"; exit codes. */
static int chroot_write(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int w, c;

		if (chroot(PT) || chdir("/"))
			_exit(100);
		w = try_open("/file", O_WRONLY);
		c = try_open("/dir/x", O_WRONLY | O_CREAT);
		_exit(w == EPERM && c == EPERM ? 0 : 101);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/*
 * The decision is on the inode, not the name: another name (a hard link
 * made before the seal, a bind mount made after it, a chroot, a private
 * mount namespace) reaches the same inodes and is refused the same way.
 * Mounts in a private namespace are allowed: they hide nothing outside.
 */
TEST(other_names_of_protected_paths_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(EPERM, try_open(PT_LINK, O_WRONLY));
	ASSERT_TRUE(has_event("protect", "write " PT_LINK " (protect " PT_FILE ")"));
	ASSERT_EQ(EPERM, E(unlink(PT_LINK)));
	/* A bind mount at an unprotected place is allowed, and changes nothing. */
	ASSERT_EQ(0, mkdir(PT_ALIAS, 0755));
	ASSERT_EQ(0, mount(PT_DIR, PT_ALIAS, NULL, MS_BIND, NULL));
	ASSERT_EQ(EPERM, try_open(PT_ALIAS "/f", O_WRONLY));
	ASSERT_TRUE(has_event("protect", "write " PT_ALIAS "/f (protect " PT_DIR "/)"));
	ASSERT_EQ(EPERM, try_open(PT_ALIAS "/new", O_WRONLY | O_CREAT));
	ASSERT_EQ(EPERM, E(unlink(PT_ALIAS "/sub/g")));
	ASSERT_EQ(EPERM, E(mount("none", PT_ALIAS "/sub", "tmpfs", 0, NULL)));
	ASSERT_EQ(0, umount(PT_ALIAS));
	ASSERT_EQ(0, chroot_write());
	ASSERT_TRUE(has_event("protect", "write /file (protect " PT_FILE ")"));
	ASSERT_EQ(0, private_ns_mount());
	ASSERT_EQ(0, run_cmd("grep -qx f " PT_DIR "/f"));
	ASSERT_EQ(EPERM, E(mount("none", PT_DIR, "tmpfs", 0, NULL)));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
}

TEST(unprotected_paths_still_change)
{
	int before = count_events("protect", PT_FREE);

	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(0, try_open(PT_FREE, O_WRONLY | O_TRUNC));
	ASSERT_EQ(0, chmod(PT_FREE, 0600));
	ASSERT_EQ(0, rename(PT_FREE, PT "/free2"));
	ASSERT_EQ(0, rename(PT "/free2", PT_FREE));
	ASSERT_EQ(0, try_open(PT "/new", O_WRONLY | O_CREAT));
	ASSERT_EQ(0, unlink(PT "/new"));
	ASSERT_EQ(0, mkdir(PT "/newdir", 0755));
	ASSERT_EQ(0, rmdir(PT "/newdir"));
	ASSERT_EQ(0, try_open("/tmp/pt-elsewhere", O_WRONLY | O_CREAT));
	ASSERT_EQ(before, count_events("protect", PT_FREE));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
}

/* The state the next boot reads: written by the module, kept from root. */
TEST(seal_state_persists_and_is_protected)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_TRUE(state_line_is("sealed", "sealed"));
	ASSERT_TRUE(state_line_is("floor", "seal-kiosk 2"));
	ASSERT_EQ(0, status_value("persist_error"));
	ASSERT_EQ(EPERM, try_open(STATE_DIR "/floor", O_WRONLY));
	ASSERT_EQ(EPERM, E(unlink(STATE_DIR "/sealed")));
	ASSERT_EQ(EPERM, try_open(STATE_DIR "/last-good.cpol",
				  O_WRONLY | O_CREAT));
	ASSERT_TRUE(has_event("protect", STATE_DIR "/"));
}

TEST(rmmod_refused)
{
	int before = count_events("module", "CAP_SYS_MODULE");

	ASSERT_TRUE(is_sealed());
	ASSERT_GE(before, 0);
	ASSERT_EQ(EPERM, delete_module("citadel"));
	ASSERT_NE(0, run_cmd("rmmod citadel 2>/dev/null"));
	ASSERT_EQ(0, access(CITADEL_FS "/status", R_OK));
	ASSERT_GE(count_events("module", "CAP_SYS_MODULE"), before + 2);
}

TEST(insmod_refused)
{
	int before = count_events("module", "CAP_SYS_MODULE");

	ASSERT_TRUE(is_sealed());
	ASSERT_GE(before, 0);
	ASSERT_EQ(EPERM, finit_canary());
	ASSERT_EQ(EPERM, init_canary());
	ASSERT_NE(0, run_cmd("grep -q citadel_canary /proc/modules"));
	ASSERT_EQ(count_events("module", "CAP_SYS_MODULE"), before + 2);
}

TEST(module_autoload_refused)
{
	ASSERT_TRUE(is_sealed());
	/*
	 * An unknown filesystem type makes the kernel ask for fs-<type>;
	 * not over /tmp, which holds protected paths (a refusal of its own).
	 */
	ASSERT_EQ(0, mkdir("/tmp/seal-autoload", 0755));
	ASSERT_NE(0, mount("none", "/tmp/seal-autoload", "citadelnofs", 0, NULL));
	ASSERT_TRUE(has_event("module", "request_module fs-citadelnofs"));
}

TEST(kexec_refused)
{
	int fd = open(CANARY, O_RDONLY);

	ASSERT_TRUE(is_sealed());
	ASSERT_GE(fd, 0);
	ASSERT_NE(0, syscall(SYS_kexec_file_load, fd, -1, 0, NULL,
			     KEXEC_FILE_NO_INITRAMFS));
	if (errno == ENOSYS) {
		/* CONFIG_KEXEC_FILE=n (Debian's arm64 kernels): no such call. */
		TH_LOG("kexec_file_load is not in this kernel (ENOSYS)");
		close(fd);
	} else {
		ASSERT_EQ(EPERM, errno);
		close(fd);
		ASSERT_TRUE(has_event("kexec", "kexec_file_load"));
	}
	ASSERT_NE(0, syscall(SYS_kexec_load, 0, 0, NULL, 0));
	ASSERT_EQ(EPERM, errno);
	ASSERT_TRUE(has_event("kexec", "kexec_load"));
}

TEST(new_fds_for_citadel_maps_and_programs_refused)
{
	unsigned int map_id = 0, prog_id = 0;
	FILE *f = fopen(IDS_FILE, "r");

	ASSERT_TRUE(is_sealed());
	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, fscanf(f, "%u %u", &map_id, &prog_id));
	fclose(f);
	ASSERT_EQ(-1, get_fd_by_id(BPF_MAP_GET_FD_BY_ID, map_id, 0));
	ASSERT_EQ(EPERM, errno);
	/* Read-only is refused too: a program could write through it. */
	ASSERT_EQ(-1, get_fd_by_id(BPF_MAP_GET_FD_BY_ID, map_id,
				   BPF_F_RDONLY));
	ASSERT_EQ(EPERM, errno);
	ASSERT_EQ(-1, get_fd_by_id(BPF_PROG_GET_FD_BY_ID, prog_id, 0));
	ASSERT_EQ(EPERM, errno);
	ASSERT_TRUE(has_event("bpf", "new fd for Citadel map citadel_tasks"));
	ASSERT_TRUE(has_event("bpf", "new fd for Citadel program citadel_capable"));
}

TEST(link_detach_and_update_refused)
{
	union bpf_attr a;
	int fd = link_fd_for("socket_connect");

	ASSERT_TRUE(is_sealed());
	ASSERT_GE(fd, 0);
	memset(&a, 0, sizeof(a));
	a.link_detach.link_fd = fd;
	ASSERT_EQ(-1, sys_bpf(BPF_LINK_DETACH, &a));
	ASSERT_EQ(EPERM, errno);
	memset(&a, 0, sizeof(a));
	a.link_update.link_fd = fd;
	a.link_update.new_prog_fd = fd;
	ASSERT_EQ(-1, sys_bpf(BPF_LINK_UPDATE, &a));
	ASSERT_EQ(EPERM, errno);
	close(fd);
	ASSERT_TRUE(has_event("bpf", "BPF_LINK_DETACH"));
	ASSERT_TRUE(has_event("bpf", "BPF_LINK_UPDATE"));
}

/* The module holds the links: pins, bpffs and the loader do not matter. */
TEST(enforcement_survives_unpin_and_unmount)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V2));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
	ASSERT_NE(0, run_cmd("citadelctl stop 2>/dev/null"));
	ASSERT_EQ(0, run_cmd("rm -rf /sys/fs/bpf/citadel"));
	ASSERT_EQ(0, umount("/sys/fs/bpf"));
	usleep(100000);
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V2));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
	/* start does not attach a second set while sealed. */
	ASSERT_EQ(0, run_cmd("citadelctl start | grep -q 'sealed'"));
	ASSERT_EQ(saved_links(), status_value("sealed_links"));
}

/* kernel.ftrace_enabled=0 would stop every hook: the kernel refuses it. */
TEST(ftrace_off_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(EBUSY, write_sysctl(FTRACE_SYSCTL, "0"));
	ASSERT_EQ(1, read_int(FTRACE_SYSCTL));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V2));
	/* Writing 1 (no change) is fine. */
	ASSERT_EQ(0, write_sysctl(FTRACE_SYSCTL, "1"));
}

/* Programs that would rewrite an allowed destination do not load. */
TEST(redirecting_bpf_programs_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(100, RUN(BREAKER, "sendmsg4", "6201"));
	ASSERT_EQ(100, RUN(BREAKER, "connect4", "6201"));
	ASSERT_TRUE(has_event("bpf", "BPF_PROG_LOAD of a cgroup_sock_addr program"));
	/* An fmod_ret program could replace an LSM decision. */
	ASSERT_EQ(100, RUN(BREAKER, "fmod_ret"));
	ASSERT_TRUE(has_event("bpf", "BPF_PROG_LOAD of a fmod_ret program"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V2));
}

/* The kernel's own lockdown points: tracefs, bpf_probe_write_user(). */
TEST(lockdown_points_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(EPERM, open_tracefs());
	ASSERT_TRUE(has_event("lockdown", "lockdown tracefs"));
	/* The verifier is told the helper is not there: EINVAL. */
	ASSERT_EQ(101, RUN(BREAKER, "write_user"));
	ASSERT_TRUE(has_event("lockdown", "lockdown bpf_probe_write_user"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
}

/* A policy of another role (same key, higher version) does not load. */
TEST(other_role_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(EPERM, load_file(SIGDIR "s-other-role.cpol"));
	ASSERT_TRUE(has_event("policy", "policy seal-camera is for another role than seal-kiosk"));
	ASSERT_TRUE(status_has("\nname seal-kiosk\n"));
	ASSERT_TRUE(status_has("\nversion 2\n"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
}

TEST(unsigned_policy_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(EKEYREJECTED, load_file(SIGDIR "s-unsigned.cpol"));
	ASSERT_TRUE(status_has("\nversion 2\n"));
	ASSERT_TRUE(has_event("policy", "this one is not signed"));
}

TEST(unknown_key_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(ENOKEY, load_file(SIGDIR "s-unknown.cpol"));
	ASSERT_TRUE(status_has("\nversion 2\n"));
	ASSERT_TRUE(has_event("policy", "signed by a key that is not enrolled"));
}

TEST(tampered_policy_refused)
{
	int err;

	ASSERT_TRUE(is_sealed());
	err = load_file(SIGDIR "s-tampered.cpol");
	ASSERT_TRUE(err == EKEYREJECTED || err == EBADMSG) {
		TH_LOG("tampered policy: %s", strerror(err));
	}
	ASSERT_TRUE(status_has("\nversion 2\n"));
	ASSERT_TRUE(has_event("policy", "the signature does not match"));
}

TEST(older_or_same_version_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(EPERM, load_file(SIGDIR "s-v1.cpol"));
	ASSERT_TRUE(has_event("policy", "version 1 is not higher than version 2"));
	ASSERT_EQ(EPERM, load_file(SIGDIR "s-v2.cpol"));
	ASSERT_TRUE(status_has("\nversion 2\n"));
	ASSERT_EQ(0, run_cmd("citadelctl load " SIGDIR "s-v1.cpol 2>&1 | grep -q 'no rollback'"));
}

TEST(audit_mode_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(EPERM, load_file(SIGDIR "s-audit.cpol"));
	ASSERT_TRUE(status_has("\nmode enforce\n"));
	ASSERT_TRUE(has_event("policy", "in audit mode (the whole policy)"));
	ASSERT_EQ(EPERM, load_file(SIGDIR "s-svc-audit.cpol"));
	ASSERT_TRUE(has_event("policy", "in audit mode (a service)"));
	ASSERT_TRUE(status_has("\nversion 2\n"));
}

TEST(unload_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_NE(0, unload_policy());
	ASSERT_EQ(EPERM, errno);
	ASSERT_TRUE(status_has("\nstate loaded\n"));
	ASSERT_TRUE(has_event("policy", "cannot be unloaded"));
	ASSERT_EQ(0, run_cmd("citadelctl unload 2>&1 | grep -q 'sealed'"));
}

TEST(enrol_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_NE(0, run_cmd("citadelctl enroll " SIGDIR "c2.der 2>/dev/null"));
	ASSERT_TRUE(has_event("keys", "enrolment is closed"));
	ASSERT_EQ(ENOKEY, load_file(SIGDIR "s-unknown.cpol"));
}

TEST(signed_higher_version_loads)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(0, run_cmd("citadelctl load " SIGDIR "s-v3.cpol"));
	ASSERT_TRUE(status_has("\nversion 3\n"));
	ASSERT_TRUE(status_has("\nversion 3\n"));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V3));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V2));
	ASSERT_GE(status_value("seal_refusals"), 10);
}

/*
 * A load while sealed moves the floor up and keeps the pushed blob
 * where the next boot finds it; the new policy's protect rules hold.
 */
TEST(sealed_load_moves_the_floor)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_TRUE(state_line_is("floor", "seal-kiosk 3"));
	ASSERT_EQ(0, run_cmd("cmp -s " SIGDIR "s-v3.cpol " STATE_DIR "/last-good.cpol"));
	ASSERT_EQ(0, status_value("persist_error"));
	ASSERT_EQ(EPERM, try_open(PT_FILE, O_WRONLY));
	ASSERT_EQ(EPERM, try_open(PT_DIR "/new", O_WRONLY | O_CREAT));
	ASSERT_EQ(EPERM, try_open(STATE_DIR "/floor", O_WRONLY));
}

/*
 * The module reads service labels from the task storage of Citadel's
 * own programs (module/task_label.c). After the seal, another program
 * that hands its own storage, holding the label it wants, to Citadel's
 * exec kfunc must not make the module read labels there.
 */
TEST(label_map_of_another_program_ignored)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(0, load_file(SIGDIR "s-svc.cpol"));
	ASSERT_EQ(0, copy_file(CITADEL_PROBE, "/tmp/seal-web", 0755));
	/* Controls: the service's entry gets its rule, others do not. */
	ASSERT_EQ(0, RUN("/tmp/seal-web", "connect", "udp", "127.0.0.1",
			 "6203"));
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "connect", "udp", "127.0.0.1",
			     "6203"));
	/* The rogue program ran on the exec (else 126): it gave nothing. */
	ASSERT_EQ(EPERM, RUN(CITADEL_DIR "/rogue_labeller", "web",
			     CITADEL_PROBE, "connect", "udp", "127.0.0.1",
			     "6203"));
	/* Labels still come from Citadel's own map. */
	ASSERT_EQ(0, RUN("/tmp/seal-web", "connect", "udp", "127.0.0.1",
			 "6203"));
	ASSERT_EQ(EPERM, RUN(CITADEL_PROBE, "connect", "udp", "127.0.0.1",
			     "6203"));
}

/*
 * Routes, addresses and interfaces decide where allowed traffic goes:
 * once sealed only a scope with 'netconf route' changes them. s-svc is
 * in force; root here is unlabelled, and the global scope has none.
 */
TEST(network_configuration_changes_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_TRUE(status_has("\nversion 10\n"));
	ASSERT_NE(0, run_cmd("ip route add 10.99.0.0/24 dev lo 2>/dev/null"));
	ASSERT_NE(0, run_cmd("ip route | grep -q 10.99.0.0"));
	ASSERT_TRUE(has_event("netconf", "netlink route message 0x18 (needs "));
	ASSERT_NE(0, run_cmd("ip addr add 10.98.0.1/32 dev lo 2>/dev/null"));
	ASSERT_TRUE(has_event("netconf", "netlink route message 0x14"));
	ASSERT_EQ(EPERM, set_lo_mtu());
	ASSERT_TRUE(has_event("netconf", "socket ioctl 0x8922"));
	ASSERT_EQ(EPERM, sock_ioctl(SIOCSIWESSID_NR));
	ASSERT_TRUE(has_event("netconf", "wireless ioctl 0x8b1a"));
	ASSERT_NE(EPERM, sock_ioctl(SIOCGIWNAME_NR));
	ASSERT_NE(EPERM, sock_ioctl(SIOCGSTAMP_NEW_NR));
	/* Reads still work. */
	ASSERT_EQ(0, run_cmd("ip route >/dev/null && ip addr >/dev/null"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V2));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", 6202));
}

/*
 * A network namespace of one's own has no way out (systemd's
 * PrivateNetwork= sets its loopback up after the seal): its own
 * configuration may change; a link message into another namespace not.
 */
TEST(network_configuration_of_a_private_namespace_allowed)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(0, run_cmd("unshare -n sh -c 'ip link set lo up && ip addr add 10.5.0.1/32 dev lo && ip route add 10.6.0.0/24 dev lo && ip route | grep -q 10.6.0.0'"));
	ASSERT_EQ(EPERM, setlink_into_init_netns());
	ASSERT_TRUE(has_event("netconf", "netlink route message 0x13"));
	ASSERT_NE(0, run_cmd("ip route | grep -q 10.6.0.0"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V2));
}

/* The service the policy names keeps doing its job (a DHCP client's). */
TEST(network_configuration_allowed_to_its_service)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(0, run_cmd("mkdir -p /tmp/seal-net && cp /bin/busybox /tmp/seal-net/ip"));
	ASSERT_EQ(0, run_cmd("/tmp/seal-net/ip route add 10.99.0.0/24 dev lo"));
	ASSERT_EQ(0, run_cmd("ip route | grep -q 10.99.0.0"));
	ASSERT_EQ(0, run_cmd("/tmp/seal-net/ip route del 10.99.0.0/24 dev lo"));
	ASSERT_NE(0, run_cmd("ip route | grep -q 10.99.0.0"));
	/* Another copy of the same binary outside the service: refused. */
	ASSERT_EQ(0, run_cmd("cp /bin/busybox /tmp/seal-net/ip2"));
	ASSERT_NE(0, run_cmd("/tmp/seal-net/ip2 ip route add 10.99.0.0/24 dev lo 2>/dev/null"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V2));
}

/*
 * On 6.1 a BPF LSM program may return any value, and the newest program
 * on a hook runs first: one returning 1 on lsm/bpf would skip Citadel's
 * program there, and __sys_bpf() only refuses when security_bpf() is
 * < 0 (so too lsm/bpf_map, lsm/bpf_prog and lsm/locked_down for the
 * helper protos). With such programs the bpf() seal came apart: a
 * cgroup connect4 program redirected, Citadel's task map was written,
 * bpf_probe_write_user() loaded (found and shown on the previous module
 * by an attack review). Once sealed, LSM programs do not load on the
 * hooks Citadel holds. s-svc is in force: 6202 allowed.
 */
TEST(lsm_programs_on_citadel_hooks_refused)
{
	ASSERT_TRUE(is_sealed());
	/* Controls: each is refused. */
	ASSERT_EQ(100, RUN(BREAKER, "label"));
	ASSERT_EQ(100, RUN(BREAKER, "connect4", "6202"));
	ASSERT_EQ(101, RUN(BREAKER, "write_user"));
	/* The programs that return 1 do not load. */
	ASSERT_EQ(100, RUN(BREAKER, "unseal", BREAKER, "label"));
	ASSERT_TRUE(has_event("bpf", "of an LSM program on a hook Citadel holds"));
	ASSERT_EQ(100, RUN(BREAKER, "connect4", "6202"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V2));
}

/*
 * sysfs and /proc/sys/net set what netconf refuses through netlink and
 * ioctls (netdev_store() asks only for CAP_NET_ADMIN): an interface's
 * MTU, or its flags, which take it down with its routes (a VPN's tun0
 * down sends traffic for an allowed destination out the default route,
 * in clear); forwarding and redirects. Shown on the previous module by
 * the attack review. Once sealed they need 'netconf route'.
 */
TEST(network_configuration_files_refused)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_EQ(0, run_cmd("/tmp/seal-net/ip route add 10.94.0.0/24 dev lo"));
	ASSERT_EQ(EPERM, write_sysctl("/sys/class/net/lo/mtu", "65000"));
	ASSERT_EQ(EPERM, write_sysctl("/sys/class/net/lo/flags", "0x8"));
	ASSERT_TRUE(has_event("netconf", "write to a network sysfs attribute"));
	ASSERT_EQ(0, run_cmd("ip route | grep -q 10.94.0.0"));
	ASSERT_EQ(EPERM, write_sysctl("/proc/sys/net/ipv4/ip_forward", "1"));
	ASSERT_TRUE(has_event("netconf", "write to /proc/sys/net"));
	/* Reads work; other sysctls are not netconf's. */
	ASSERT_LT(0, read_int("/sys/class/net/lo/mtu"));
	ASSERT_LE(0, read_int("/proc/sys/net/ipv4/ip_forward"));
	ASSERT_EQ(0, write_sysctl("/proc/sys/kernel/printk_ratelimit", "5"));
	/* The service the policy names may. */
	ASSERT_EQ(0, run_cmd("/tmp/seal-net/ip route del 10.94.0.0/24 dev lo"));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V2));
}

/*
 * A trial while sealed reaches the disk only once confirmed: a trial that
 * rolls back must not become the next boot's floor.
 */
TEST(sealed_trial_kept_on_disk_once_confirmed)
{
	ASSERT_TRUE(is_sealed());
	ASSERT_TRUE(state_line_is("floor", "seal-kiosk 10"));
	ASSERT_EQ(0, run_cmd("citadelctl load --confirm-within 120 " SIGDIR "s-v11.cpol >/dev/null"));
	ASSERT_TRUE(status_has("\nversion 11\n"));
	ASSERT_TRUE(state_line_is("floor", "seal-kiosk 10"));
	ASSERT_EQ(0, run_cmd("cmp -s " SIGDIR "s-svc.cpol " STATE_DIR "/last-good.cpol"));
	ASSERT_EQ(0, run_cmd("citadelctl confirm >/dev/null"));
	ASSERT_TRUE(state_line_is("floor", "seal-kiosk 11"));
	ASSERT_EQ(0, run_cmd("cmp -s " SIGDIR "s-v11.cpol " STATE_DIR "/last-good.cpol"));
	ASSERT_EQ(0, status_value("persist_error"));
	ASSERT_EQ(EPERM, try_open(PT_FILE, O_WRONLY));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_V2));
}

TEST_HARNESS_MAIN
