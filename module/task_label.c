// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which task storage map holds the service labels (see task_label.h):
 * learnt from the exec kfunc, held by reference, fixed by the seal.
 */
#include "common.h"

#include <linux/bpf.h>
#include <linux/bpf_local_storage.h>
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "seal.h"
#include "task_label.h"

/*
 * A task has one storage element per task storage map that gave it one;
 * a walk past this many is cut short (label 0, the narrowest rules).
 */
#define MAX_TASK_MAPS	64

struct citadel_task_map __rcu *citadel_task_map;
/* Serializes changes of citadel_task_map, and them against the seal. */
static DEFINE_MUTEX(task_map_lock);

/* The element of map @smap among @ls's, or NULL. Under RCU. */
static struct bpf_local_storage_data *
find_by_map(struct bpf_local_storage *ls,
	    const struct bpf_local_storage_map *smap)
{
	struct bpf_local_storage_elem *selem;
	unsigned int n = 0;

	hlist_for_each_entry_rcu(selem, &ls->list, snode) {
		if (rcu_access_pointer(SDATA(selem)->smap) == smap)
			return SDATA(selem);
		if (++n >= MAX_TASK_MAPS)
			break;
	}
	return NULL;
}

/* Another map's element sits in the cache slot: the task's list. */
u64 citadel_label_uncached(const struct citadel_task_map *m,
			   struct bpf_local_storage *ls)
{
	struct bpf_local_storage_data *sd = find_by_map(ls, m->smap);

	return sd ? ((const struct citadel_task_ctx *)sd->data)->label : 0;
}

/* Swaps in @smap (a reference the caller holds) or NULL; drops the old. */
static void publish(struct bpf_local_storage_map *smap)
{
	struct citadel_task_map *m = NULL, *old;

	if (smap) {
		m = kzalloc(sizeof(*m), GFP_KERNEL);
		if (!m) {
			bpf_map_put(&smap->map);
			return;
		}
		m->smap = smap;
		m->cache_idx = smap->cache_idx;
	}
	old = rcu_replace_pointer(citadel_task_map, m,
				  lockdep_is_held(&task_map_lock));
	if (!old)
		return;
	/*
	 * After a grace period no hook compares against the old map, so
	 * another map at its address cannot be taken for it.
	 */
	synchronize_rcu();
	bpf_map_put(&old->smap->map);
	kfree(old);
}

/* Whether Citadel may read labels from @smap now. */
static bool acceptable(const struct bpf_local_storage_map *smap)
{
	return smap->map.map_type == BPF_MAP_TYPE_TASK_STORAGE &&
	       smap->map.value_size == sizeof(struct citadel_task_ctx) &&
	       (!citadel_sealed() || citadel_seal_holds(&smap->map));
}

/**
 * citadel_task_map_note() - learn the label map from an exec's storage
 * @ctx: what the exec kfunc was given as the task's Citadel storage
 *
 * Takes the map only when @ctx is the data of one of the calling task's
 * own task storage elements. May sleep (on a change of map only).
 */
void citadel_task_map_note(const struct citadel_task_ctx *ctx)
{
	struct bpf_local_storage_map *smap = NULL;
	const struct citadel_task_map *m;
	struct bpf_local_storage_data *sd;
	struct bpf_local_storage_elem *selem;
	struct bpf_local_storage *ls;
	unsigned int n = 0;

	rcu_read_lock();
	m = rcu_dereference(citadel_task_map);
	ls = rcu_dereference(current->bpf_storage);
	if (!ls)
		goto out;
	if (m) {
		/* The usual case: the map already known, its element cached. */
		sd = rcu_dereference(ls->cache[m->cache_idx]);
		if (sd && rcu_access_pointer(sd->smap) == m->smap &&
		    (const void *)sd->data == ctx)
			goto out;
	}
	hlist_for_each_entry_rcu(selem, &ls->list, snode) {
		if ((const void *)SDATA(selem)->data == ctx) {
			smap = rcu_dereference(SDATA(selem)->smap);
			break;
		}
		if (++n >= MAX_TASK_MAPS)
			break;
	}
	/* The map may be on its way out: only a live one is taken. */
	if (smap && (m && smap == m->smap))
		smap = NULL;
	if (smap && IS_ERR(bpf_map_inc_not_zero(&smap->map)))
		smap = NULL;
out:
	rcu_read_unlock();
	if (!smap)
		return;
	mutex_lock(&task_map_lock);
	m = rcu_dereference_protected(citadel_task_map,
				      lockdep_is_held(&task_map_lock));
	if (acceptable(smap) && (!m || m->smap != smap))
		publish(smap);
	else
		bpf_map_put(&smap->map);
	mutex_unlock(&task_map_lock);
}

/**
 * citadel_task_map_seal() - keep only a map of the sealed programs
 *
 * Called once sealed: a map learnt before from some other program's
 * storage is dropped (labels read as 0 until Citadel's own exec program
 * runs again and its map is taken).
 */
void citadel_task_map_seal(void)
{
	const struct citadel_task_map *m;

	mutex_lock(&task_map_lock);
	m = rcu_dereference_protected(citadel_task_map,
				      lockdep_is_held(&task_map_lock));
	if (m && !acceptable(m->smap))
		publish(NULL);
	mutex_unlock(&task_map_lock);
}

/* Module exit: no program can call in any more. */
void citadel_task_map_exit(void)
{
	mutex_lock(&task_map_lock);
	publish(NULL);
	mutex_unlock(&task_map_lock);
}
