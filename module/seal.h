/* SPDX-License-Identifier: GPL-2.0-only */
/* The seal: one way until reboot (see seal.c). */
#ifndef CITADEL_SEAL_H
#define CITADEL_SEAL_H

#include <linux/seq_file.h>
#include <linux/types.h>

#include "counters.h"

struct bpf_map;
struct citadel_scope;
struct bpf_prog;
struct file;
union bpf_attr;

bool citadel_sealed(void);
/* Once sealed: whether @obj is a link, program or map the seal holds. */
bool citadel_seal_holds(const void *obj);
/* Once sealed: whether @btf_id (vmlinux) is a bpf_lsm_*() hook the seal holds. */
bool citadel_seal_holds_hook(u32 btf_id);
int citadel_seal(const s32 *link_fds, unsigned int n, char *err,
		 size_t errlen);
void citadel_seal_show_status(struct seq_file *m);
void citadel_seal_exit(void);
/* Records a refusal of the seal (event, counter, log): CITADEL_DENY. */
int citadel_seal_refuse(enum citadel_op op, const char *what);
/* The same for a task of service @svc (NULL: none), under RCU. */
int citadel_seal_refuse_in(enum citadel_op op,
			   const struct citadel_scope *svc, const char *what);

/* Decisions for the hooks that guard the seal: CITADEL_ALLOW or _DENY. */
int citadel_seal_capable(int cap, unsigned int opts);
int citadel_seal_kernel_read_file(struct file *file, int id);
int citadel_seal_kernel_load_data(int id);
int citadel_seal_module_request(const char *name, u32 len);
int citadel_seal_locked_down(int what);
/* seal_bpf.c */
int citadel_seal_bpf(int cmd, const union bpf_attr *attr);
int citadel_seal_bpf_map(const struct bpf_map *map);
int citadel_seal_bpf_prog(const struct bpf_prog *prog);

#endif /* CITADEL_SEAL_H */
