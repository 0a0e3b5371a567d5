/* SPDX-License-Identifier: GPL-2.0-only */
/* The active policy: one RCU pointer, replaced whole. */
#ifndef CITADEL_POLICY_STORE_H
#define CITADEL_POLICY_STORE_H

#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include "policy.h"

/* Replaced only by policy_store.c; visible for the inline read below. */
extern struct citadel_policy __rcu *citadel_policy_active;

/* Caller holds rcu_read_lock(); NULL when no policy is loaded. */
static inline const struct citadel_policy *citadel_active_policy(void)
{
	return rcu_dereference(citadel_policy_active);
}

/* For callers that sleep: a counted reference, or NULL; then put it. */
const struct citadel_policy *citadel_policy_get(void);
void citadel_policy_put(const struct citadel_policy *pol);

int citadel_store_load(const void *blob, size_t len, unsigned int trial_secs);
int citadel_store_confirm(void);
int citadel_store_unload(void);
int citadel_store_seal(char *err, size_t errlen);
void citadel_store_exit(void);

void citadel_store_show_policy(struct seq_file *m);
void citadel_store_show_status(struct seq_file *m);
void citadel_store_show_last_error(struct seq_file *m);
void citadel_store_note_error(const char *err);
void citadel_store_show_rule_hits(struct seq_file *m);

#define CITADEL_MAX_HIT_LINES	(1u << 20)

#endif /* CITADEL_POLICY_STORE_H */
