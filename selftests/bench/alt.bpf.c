// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * What ops would run instead of Citadel, for make bench to measure in
 * the same boot:
 *   - an empty BPF LSM program on socket_connect and socket_sendmsg: the
 *     floor any BPF LSM design pays; and on the seal's hooks that the
 *     hook benchmarks call (socket_setsockopt, file_ioctl, netlink_send);
 *   - cgroup connect4/connect6/sendmsg4/sendmsg6 programs with LPM tries
 *     of allowed destinations, which is what systemd's IPAddressAllow=
 *     does (addresses only, no ports).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EPERM 1

SEC("lsm/socket_connect")
int BPF_PROG(empty_connect, struct socket *sock, struct sockaddr *address,
	     int addrlen, int ret)
{
	return ret ? -EPERM : 0;
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(empty_sendmsg, struct socket *sock, struct msghdr *msg, int size,
	     int ret)
{
	return ret ? -EPERM : 0;
}

SEC("lsm/socket_setsockopt")
int BPF_PROG(empty_setsockopt, struct socket *sock, int level, int optname,
	     int ret)
{
	return ret ? -EPERM : 0;
}

SEC("lsm/file_ioctl")
int BPF_PROG(empty_file_ioctl, struct file *file, unsigned int cmd,
	     unsigned long arg, int ret)
{
	return ret ? -EPERM : 0;
}

SEC("lsm/netlink_send")
int BPF_PROG(empty_netlink_send, struct sock *sk, struct sk_buff *skb,
	     int ret)
{
	return ret ? -EPERM : 0;
}

struct key4 {
	__u32 prefixlen;
	__u32 addr;
};

struct key6 {
	__u32 prefixlen;
	__u32 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 200000);
	__type(key, struct key4);
	__type(value, __u8);
} allow4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 200000);
	__type(key, struct key6);
	__type(value, __u8);
} allow6 SEC(".maps");

static __always_inline int check4(struct bpf_sock_addr *ctx)
{
	struct key4 k = { .prefixlen = 32, .addr = ctx->user_ip4 };

	return bpf_map_lookup_elem(&allow4, &k) ? 1 : 0;
}

static __always_inline int check6(struct bpf_sock_addr *ctx)
{
	struct key6 k = { .prefixlen = 128 };

	k.addr[0] = ctx->user_ip6[0];
	k.addr[1] = ctx->user_ip6[1];
	k.addr[2] = ctx->user_ip6[2];
	k.addr[3] = ctx->user_ip6[3];
	return bpf_map_lookup_elem(&allow6, &k) ? 1 : 0;
}

SEC("cgroup/connect4")
int lpm_connect4(struct bpf_sock_addr *ctx)
{
	return check4(ctx);
}

SEC("cgroup/sendmsg4")
int lpm_sendmsg4(struct bpf_sock_addr *ctx)
{
	return check4(ctx);
}

SEC("cgroup/connect6")
int lpm_connect6(struct bpf_sock_addr *ctx)
{
	return check6(ctx);
}

SEC("cgroup/sendmsg6")
int lpm_sendmsg6(struct bpf_sock_addr *ctx)
{
	return check6(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
