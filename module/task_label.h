/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The service label of a task (usually the calling one), read by the
 * module itself from the task storage map of Citadel's BPF programs
 * (citadel_tasks), where the exec programs keep it. Asking the BPF program for it would cost a
 * bpf_task_storage_get() on every decision, about 100 instructions of
 * helper call, migrate_disable/enable and recursion guard; this read is
 * a cache slot and a pointer compare.
 *
 * The module learns which map is Citadel's from the exec kfunc, which
 * Citadel's program hands its storage of the exec'ing task: the module
 * finds that storage among the task's own (so a pointer to anything else
 * teaches it nothing) and holds a reference on its map. After the seal,
 * only a map of the sealed programs is taken.
 */
#ifndef CITADEL_TASK_LABEL_H
#define CITADEL_TASK_LABEL_H

#include <linux/bpf.h>
#include <linux/bpf_local_storage.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "citadel_task.h"

struct citadel_task_map {
	struct bpf_local_storage_map *smap;	/* a reference is held */
	u16 cache_idx;
};

extern struct citadel_task_map __rcu *citadel_task_map;

u64 citadel_label_uncached(const struct citadel_task_map *m,
			   struct bpf_local_storage *ls);

/**
 * citadel_task_label() - the service label of a task
 * @task: the task; the caller holds a reference or is @task
 *
 * Under rcu_read_lock(). Tasks without storage in Citadel's map (they
 * predate the hooks or any labelling exec), and every task before the
 * module has seen Citadel's map, have label 0: the global rules only,
 * the narrowest set (a service's rules only add to them). A task's
 * storage lives until its last reference is put, its elements are freed
 * after an RCU grace period: reading another task's is safe here.
 *
 * Return: the label, 0 for none.
 */
static __always_inline u64 citadel_task_label(const struct task_struct *task)
{
	const struct citadel_task_map *m = rcu_dereference(citadel_task_map);
	struct bpf_local_storage_data *sd;
	struct bpf_local_storage *ls;

	if (!m)
		return 0;
	ls = rcu_dereference(task->bpf_storage);
	if (!ls)
		return 0;
	sd = rcu_dereference(ls->cache[m->cache_idx]);
	if (likely(sd && rcu_access_pointer(sd->smap) == m->smap))
		return ((const struct citadel_task_ctx *)sd->data)->label;
	return citadel_label_uncached(m, ls);
}

/**
 * citadel_current_label() - the calling task's service label
 *
 * Under rcu_read_lock(). See citadel_task_label().
 *
 * Return: the label, 0 for none.
 */
static __always_inline u64 citadel_current_label(void)
{
	return citadel_task_label(current);
}

void citadel_task_map_note(const struct citadel_task_ctx *ctx);
void citadel_task_map_seal(void);
void citadel_task_map_exit(void);

#endif /* CITADEL_TASK_LABEL_H */
