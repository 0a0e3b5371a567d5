// SPDX-License-Identifier: GPL-2.0-only
/*
 * Not Citadel's: programs an attacker with root would load to go around
 * Citadel's decisions rather than through them (seal_test runs them
 * before and after the seal; seal_breaker.c loads one at a time):
 *   - cgroup connect4/sendmsg4 programs that rewrite an allowed
 *     destination port to one the policy denies, after Citadel decided;
 *   - an fmod_ret program on security_socket_connect, which could
 *     replace the LSM decision;
 *   - a tracepoint program that calls bpf_probe_write_user(), which could
 *     rewrite a process's memory.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u16 from_port;	/* host order; set by seal_breaker.c */
__u16 to_port;

static __always_inline void rewrite(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port == bpf_htons(from_port))
		ctx->user_port = bpf_htons(to_port);
}

SEC("cgroup/connect4")
int breaker_connect4(struct bpf_sock_addr *ctx)
{
	rewrite(ctx);
	return 1;
}

SEC("cgroup/sendmsg4")
int breaker_sendmsg4(struct bpf_sock_addr *ctx)
{
	rewrite(ctx);
	return 1;
}

SEC("fmod_ret/security_socket_connect")
int BPF_PROG(breaker_fmod_ret, struct socket *sock, struct sockaddr *address,
	     int addrlen)
{
	return 0;
}

SEC("tp/sched/sched_process_exec")
int breaker_write_user(void *ctx)
{
	__u64 zero = 0;

	bpf_probe_write_user((void *)8, &zero, sizeof(zero));
	return 0;
}

/*
 * On 6.1 the verifier lets a BPF LSM program return any value, and the
 * newest program on a hook runs first. A positive return skips every
 * later program on the hook, Citadel's included, and __sys_bpf(),
 * bpf_map_new_fd(), bpf_prog_new_fd() and the bpf_probe_write_user()/
 * read_kernel func_proto checks only refuse when the LSM result is < 0.
 * Once sealed these do not load (module/seal_bpf.c).
 */
SEC("lsm/bpf")
int BPF_PROG(breaker_lsm_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	return 1;
}

SEC("lsm/bpf_map")
int BPF_PROG(breaker_lsm_bpf_map, struct bpf_map *map, unsigned int fmode)
{
	return 1;
}

SEC("lsm/bpf_prog")
int BPF_PROG(breaker_lsm_bpf_prog, struct bpf_prog *prog)
{
	return 1;
}

/* Only the reasons whose callers test "< 0" (bpf helper protos). */
SEC("lsm/locked_down")
int BPF_PROG(breaker_lsm_locked_down, enum lockdown_reason what)
{
	if (what == LOCKDOWN_BPF_WRITE_USER || what == LOCKDOWN_BPF_READ_KERNEL)
		return 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
