// SPDX-License-Identifier: GPL-2.0-only
/*
 * seal_breaker MODE [PORT]: loads and attaches one program of
 * seal_breaker.bpf.c, as an attacker with root would, and reports by
 * exit status:
 *   connect4, sendmsg4: the program rewrites port PORT (one the policy
 *     allows) to the port of a receiver here (bound to an ephemeral port,
 *     which the policy denies). A UDP datagram is then sent to PORT with
 *     connect()+send() or sendto(). 0: it arrived at the receiver (the
 *     decision was gone around), 1: it did not; 4: the policy let this
 *     process send to the receiver directly (the test is not testing).
 *   fmod_ret, write_user: 0 when loaded and attached.
 *   unseal CMD [ARG...]: attaches LSM programs on the bpf, bpf_map,
 *     bpf_prog and locked_down hooks that return 1 (which would skip
 *     Citadel's programs there), then runs CMD while they are attached
 *     and exits with its status.
 *   label: writes this process's entry in Citadel's task storage map
 *     (citadel_tasks, found by id); 0 when the descriptor was given and
 *     the write succeeded, 100 when refused with EPERM.
 * 100: loading refused with EPERM, 101: loading failed otherwise,
 * 102: attaching refused with EPERM, 103: attaching failed otherwise,
 * 3: another error. The program is detached when this process exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include <bpf/libbpf.h>

#include "seal_breaker.skel.h"

#define CGROUP_DIR "/tmp/seal-breaker-cg2"

static struct sockaddr_in loopback(unsigned short port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	return a;
}

/* The root cgroup of cgroup2, mounted here if need be. */
static int root_cgroup(void)
{
	mkdir(CGROUP_DIR, 0755);
	if (mount("none", CGROUP_DIR, "cgroup2", 0, NULL) && errno != EBUSY)
		return -1;
	return open(CGROUP_DIR, O_RDONLY | O_DIRECTORY);
}

static int receiver(unsigned short *port)
{
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static int arrived(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[8];

	return poll(&p, 1, 500) == 1 && recv(fd, buf, sizeof(buf), 0) > 0;
}

/* Sends one datagram to 127.0.0.1:@port: 0 or the errno. */
static int send_to(unsigned short port, int use_connect)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	if (fd < 0)
		return errno;
	if (use_connect) {
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
		    send(fd, "x", 1, 0) != 1)
			err = errno;
	} else if (sendto(fd, "x", 1, 0, (struct sockaddr *)&a,
			  sizeof(a)) != 1) {
		err = errno;
	}
	close(fd);
	return err;
}

static int redirect(struct seal_breaker_bpf *skel, struct bpf_program *prog,
		    unsigned short port, int use_connect)
{
	struct bpf_link *link;
	unsigned short to;
	int cg, rx;

	rx = receiver(&to);
	if (rx < 0)
		return 3;
	/* The receiver's port must be one the policy denies. */
	if (send_to(to, use_connect) != EPERM)
		return 4;
	skel->bss->from_port = port;
	skel->bss->to_port = to;
	cg = root_cgroup();
	if (cg < 0)
		return 3;
	link = bpf_program__attach_cgroup(prog, cg);
	if (!link)
		return errno == EPERM ? 102 : 103;
	if (send_to(port, use_connect))
		return 1;
	return arrived(rx) ? 0 : 1;
}

/* The positive-return LSM programs, attached; then CMD runs under them. */
static int unseal(struct seal_breaker_bpf *skel, char **cmd)
{
	struct bpf_program *progs[] = {
		skel->progs.breaker_lsm_bpf, skel->progs.breaker_lsm_bpf_map,
		skel->progs.breaker_lsm_bpf_prog,
		skel->progs.breaker_lsm_locked_down,
	};
	unsigned int i;
	int status;
	pid_t pid;

	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		bpf_program__set_autoload(progs[i], true);
	if (seal_breaker_bpf__load(skel))
		return errno == EPERM ? 100 : 101;
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (!bpf_program__attach(progs[i]))
			return errno == EPERM ? 102 : 103;
	if (!cmd[0])
		return 0;
	pid = fork();
	if (pid < 0)
		return 3;
	if (!pid) {
		execv(cmd[0], cmd);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 3;
	return WEXITSTATUS(status);
}

/* Citadel's task storage map by name, then our own entry written. */
static int label(void)
{
	__u32 id = 0;
	int fd = -1;

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);

		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == EPERM)
				return 100;
			continue;
		}
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strcmp(info.name, "citadel_tasks"))
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		return 3;
	{
		__u64 value[3] = { 0, 0, 0 };
		int pidfd = syscall(SYS_pidfd_open, getpid(), 0);

		if (pidfd < 0)
			return 3;
		if (bpf_map_update_elem(fd, &pidfd, value, 0))
			return errno == EPERM ? 100 : 101;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct seal_breaker_bpf *skel;
	struct bpf_program *prog;
	const char *mode = argc > 1 ? argv[1] : "";
	int port = argc > 2 ? atoi(argv[2]) : 0;

	skel = seal_breaker_bpf__open();
	if (!skel)
		return 3;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	if (!strcmp(mode, "connect4"))
		prog = skel->progs.breaker_connect4;
	else if (!strcmp(mode, "sendmsg4"))
		prog = skel->progs.breaker_sendmsg4;
	else if (!strcmp(mode, "fmod_ret"))
		prog = skel->progs.breaker_fmod_ret;
	else if (!strcmp(mode, "write_user"))
		prog = skel->progs.breaker_write_user;
	else if (!strcmp(mode, "unseal"))
		return unseal(skel, argv + 2);
	else if (!strcmp(mode, "label"))
		return label();
	else
		return 3;
	bpf_program__set_autoload(prog, true);
	if (seal_breaker_bpf__load(skel))
		return errno == EPERM ? 100 : 101;
	if (prog == skel->progs.breaker_connect4 ||
	    prog == skel->progs.breaker_sendmsg4)
		return redirect(skel, prog, port,
				prog == skel->progs.breaker_connect4);
	if (!bpf_program__attach(prog))
		return errno == EPERM ? 102 : 103;
	return 0;
}
