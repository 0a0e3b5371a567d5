// SPDX-License-Identifier: GPL-2.0-only
/*
 * Not Citadel's: what an attacker with root could load after the seal.
 * A sleepable LSM program with a task storage map of its own in
 * Citadel's layout writes a label of its choosing there and hands that
 * storage to Citadel's exec kfunc, so that the module would read labels
 * from a map the attacker can write (module/task_label.c). It runs on
 * bprm_committing_creds, after Citadel's exec check, which would
 * otherwise teach the module its own map again; the seal refuses LSM
 * programs on the hooks Citadel holds, and this one is not. seal_test
 * checks that the module ignores it.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "citadel_task.h"

extern int bpf_citadel_bprm_check(struct linux_binprm *bprm,
				  struct citadel_task_ctx *ctx) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct citadel_task_ctx);
} rogue_tasks SEC(".maps");

const volatile __u64 fake_label;
__u64 calls;

SEC("lsm.s/bprm_committing_creds")
int BPF_PROG(rogue_bprm_committing_creds, struct linux_binprm *bprm)
{
	struct citadel_task_ctx *c;

	/* See FULL_BTF in bpf/citadel.bpf.c. */
	if (!bpf_core_type_exists(struct linux_binprm))
		return 0;
	c = bpf_task_storage_get(&rogue_tasks, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return 0;
	c->label = fake_label;
	c->pending = fake_label;
	c->pending_set = 1;
	bpf_citadel_bprm_check(bprm, c);
	__sync_fetch_and_add(&calls, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
