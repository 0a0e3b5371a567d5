/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The per-task state Citadel's BPF programs keep in task storage and hand
 * to the exec kfunc. Shared by the module and bpf/citadel.bpf.c (which
 * gets __u64/__u32 from vmlinux.h).
 */
#ifndef CITADEL_TASK_H
#define CITADEL_TASK_H

#ifndef __bpf__
#include <linux/types.h>
#endif

struct citadel_task_ctx {
	__u64 label;		/* service id; 0: none, global rules only */
	__u64 pending;		/* the label the exec in progress will give */
	__u32 pending_set;	/* a service entry in this exec's chain chose it */
	__u32 reserved;
};

/* Decisions returned by the kfuncs to the BPF programs. */
#define CITADEL_ALLOW		0
#define CITADEL_DENY		1

#endif /* CITADEL_TASK_H */
