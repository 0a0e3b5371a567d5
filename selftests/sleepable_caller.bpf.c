// SPDX-License-Identifier: GPL-2.0-only
/*
 * A sleepable LSM program asking Citadel's connect kfunc, as any program
 * on the hook may. It runs outside rcu_read_lock(), unlike Citadel's own
 * programs, so the module must take the lock itself (reader_enter() in
 * module/net.c). Only connects of the task that attached it are asked
 * about; it records the module's answers and enforces nothing.
 * net_outbound_test runs it through sleepable_caller.c.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern int bpf_citadel_socket_connect(struct socket *sock,
				      struct sockaddr *address,
				      int addrlen) __ksym;

const volatile __u32 target_tgid;
__u32 calls;
int decisions[2];

SEC("lsm.s/socket_connect")
int BPF_PROG(sleepable_socket_connect, struct socket *sock,
	     struct sockaddr *address, int addrlen, int ret)
{
	__u32 i = calls;
	int d;

	/* See FULL_BTF in bpf/citadel.bpf.c. */
	if (!bpf_core_type_exists(struct socket) ||
	    !bpf_core_type_exists(struct sockaddr))
		return 0;
	if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
		return 0;
	d = bpf_citadel_socket_connect(sock, address, addrlen);
	if (i < 2)
		decisions[i] = d;
	calls = i + 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
