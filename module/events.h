/* SPDX-License-Identifier: GPL-2.0-only */
/* The event ring: denials and audit-mode would-denials, for citadelctl. */
#ifndef CITADEL_EVENTS_H
#define CITADEL_EVENTS_H

#include <linux/fs.h>
#include <linux/seq_file.h>

#include "counters.h"
#include "policy.h"

enum citadel_decision {
	CITADEL_EV_DENIED,
	CITADEL_EV_AUDITED,
	CITADEL_EV_ROLLBACK,	/* a trial policy was not confirmed */
	CITADEL_EV_SEALED,	/* Citadel was sealed */
};

/*
 * Records one event; never blocks or sleeps, overwrites the oldest.
 * @pol is the policy in force (for a rollback: the one restored, or NULL).
 */
void citadel_event(enum citadel_op op, enum citadel_decision decision,
		   const struct citadel_policy *pol,
		   const struct citadel_scope *svc, const char *object);

extern const struct file_operations citadel_events_fops;
int citadel_events_init(void);
void citadel_events_exit(void);
void citadel_events_show_status(struct seq_file *m);

#endif /* CITADEL_EVENTS_H */
