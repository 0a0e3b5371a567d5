/* SPDX-License-Identifier: GPL-2.0-only */
/* No borrowing across labels: ptrace, memory and descriptors, traced exec. */
#ifndef CITADEL_BOUNDARY_H
#define CITADEL_BOUNDARY_H

#include <linux/binfmts.h>
#include <linux/sched.h>

#include "policy.h"

int citadel_boundary_access(struct task_struct *child, unsigned int mode);
int citadel_boundary_traceme(struct task_struct *parent);
int citadel_boundary_exec(struct linux_binprm *bprm,
			  const struct citadel_policy *pol,
			  const struct citadel_scope *svc, u64 from, u64 to,
			  const char *path);
void citadel_boundary_exit(void);

#endif /* CITADEL_BOUNDARY_H */
