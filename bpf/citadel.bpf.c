// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Citadel's BPF LSM programs. Each one is thin: it hands the hook's
 * arguments to the module's kfunc and returns its decision. The policy,
 * the matching, the counters and the logging all live in citadel.ko.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "citadel_bpf.h"

#define EPERM 1

extern int bpf_citadel_socket_connect(struct socket *sock,
				      struct sockaddr *address,
				      int addrlen) __ksym;
extern int bpf_citadel_socket_sendmsg(struct socket *sock,
				      struct msghdr *msg, int size) __ksym;

/*
 * The verifier of newer kernels wants an LSM program's return value to
 * be a provable errno, so programs return constants only. An earlier
 * BPF LSM program on the same hook that denied keeps the denial.
 */
static __always_inline int verdict(int ret, int decision)
{
	if (ret)
		return -EPERM;
	if (decision == CITADEL_ALLOW)
		return 0;
	return -EPERM;
}

SEC("lsm/socket_connect")
int BPF_PROG(citadel_socket_connect, struct socket *sock,
	     struct sockaddr *address, int addrlen, int ret)
{
	return verdict(ret, bpf_citadel_socket_connect(sock, address, addrlen));
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(citadel_socket_sendmsg, struct socket *sock, struct msghdr *msg,
	     int size, int ret)
{
	return verdict(ret, bpf_citadel_socket_sendmsg(sock, msg, size));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
