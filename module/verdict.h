/* SPDX-License-Identifier: GPL-2.0-only */
/* Turning a refusal into a decision: audit modes, counters, the log. */
#ifndef CITADEL_VERDICT_H
#define CITADEL_VERDICT_H

#include <linux/atomic.h>

#include "citadel_task.h"
#include "counters.h"
#include "policy.h"

/*
 * Outcome of an allowed operation: counted, nothing logged. Inline, as
 * is the rule count: they are on the path of every allowed decision.
 */
static inline int citadel_allow(enum citadel_op op)
{
	citadel_count(op, CITADEL_ALLOWED);
	return CITADEL_ALLOW;
}

/* Counts a use of the rule(s) on source line @line (0: none). */
static inline void citadel_rule_hit(const struct citadel_policy *pol,
				    u32 line)
{
	/* hit_lines is 0 without counters; line 0 has a slot, never shown. */
	if (line >= pol->hit_lines)
		return;
	if (pol->hits)
		this_cpu_inc(pol->hits[line]);
	else
		atomic64_inc(&pol->hits_shared[line]);
}

/*
 * Outcome of an operation no rule allows, under rcu_read_lock() or a
 * policy reference: denied, or allowed and logged as audited when the
 * policy or the task's service is in audit mode. @object describes what
 * was refused for the log line.
 */
int citadel_refuse(enum citadel_op op, const struct citadel_policy *pol,
		   const struct citadel_scope *svc, const char *object);

#endif /* CITADEL_VERDICT_H */
