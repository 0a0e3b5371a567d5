/* SPDX-License-Identifier: GPL-2.0-only */
/* Exec allowlist, service labels, and executable file mappings. */
#ifndef CITADEL_EXEC_H
#define CITADEL_EXEC_H

#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/mm_types.h>

#include "citadel_task.h"

int citadel_exec_check(struct linux_binprm *bprm,
		       struct citadel_task_ctx *ctx);
int citadel_mmap_check(struct file *file, unsigned long prot);
int citadel_mprotect_check(struct vm_area_struct *vma, unsigned long prot);
void citadel_file_opened(struct file *file);
void citadel_path_truncated(const struct path *path);
int citadel_exec_init(void);
void citadel_exec_exit(void);

#endif /* CITADEL_EXEC_H */
