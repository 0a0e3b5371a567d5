// SPDX-License-Identifier: GPL-2.0-only
#include "common.h"

#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>

#include "citadel_task.h"
#include "events.h"
#include "verdict.h"

static DEFINE_RATELIMIT_STATE(log_rs, 5 * HZ, 20);

int citadel_refuse(enum citadel_op op, const struct citadel_policy *pol,
		   const struct citadel_scope *svc, const char *object)
{
	bool audit = (pol->flags & CPOL_F_AUDIT) ||
		     (svc && (svc->flags & CPOL_SCOPE_F_AUDIT));
	char comm[TASK_COMM_LEN];

	citadel_count(op, audit ? CITADEL_AUDITED : CITADEL_DENIED);
	citadel_event(op, audit ? CITADEL_EV_AUDITED : CITADEL_EV_DENIED, pol,
		      svc, object);
	if (__ratelimit(&log_rs)) {
		get_task_comm(comm, current);
		/* One grep-friendly line; the object comes last but one. */
		pr_info("%s op=%s %s pid=%d comm=%s service=%s policy=%s version=%llu rule=default\n",
			audit ? "audit" : "deny", citadel_op_name(op), object,
			task_tgid_nr(current), comm, svc ? svc->name : "-",
			pol->name, pol->version);
	}
	return audit ? CITADEL_ALLOW : CITADEL_DENY;
}
