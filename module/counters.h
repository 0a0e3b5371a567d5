/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-operation decision counters, per CPU so hooks never contend. */
#ifndef CITADEL_COUNTERS_H
#define CITADEL_COUNTERS_H

#include <linux/percpu.h>
#include <linux/seq_file.h>

enum citadel_op {
	CITADEL_OP_CONNECT,
	CITADEL_OP_SEND,
	CITADEL_OP_EXEC,
	CITADEL_OP_BIND,
	CITADEL_OP_LISTEN,
	CITADEL_OP_SOCKET,
	CITADEL_OP_MMAP,
	CITADEL_OP_BOUNDARY,	/* one label's task reaching into another's */
	CITADEL_OP_COUNT,
	/* Not counted: events about Citadel itself. */
	CITADEL_OP_POLICY = CITADEL_OP_COUNT,	/* rejected, rolled back */
	CITADEL_OP_SEAL,	/* the seal itself */
	CITADEL_OP_MODULE,	/* kernel module load/unload, after seal */
	CITADEL_OP_KEXEC,	/* kexec, after seal */
	CITADEL_OP_BPF,		/* bpf() on Citadel's objects, after seal */
	CITADEL_OP_KEYS,	/* enrolment, after seal */
	CITADEL_OP_LOCKDOWN,	/* a kernel lockdown point, after seal */
	CITADEL_OP_NETCONF,	/* a network configuration change, after seal */
	CITADEL_OP_PROTECT,	/* a change to a protected path, after seal */
	CITADEL_OP_ALL,
};

enum citadel_outcome {
	CITADEL_ALLOWED,
	CITADEL_DENIED,
	CITADEL_AUDITED,	/* would have been denied; audit mode let it */
	CITADEL_OUTCOME_COUNT,
};

struct citadel_counters {
	u64 n[CITADEL_OP_COUNT][CITADEL_OUTCOME_COUNT];
};

DECLARE_PER_CPU(struct citadel_counters, citadel_decisions);

const char *citadel_op_name(enum citadel_op op);

/* Inline: every allowed connect() and send() counts one. */
static inline void citadel_count(enum citadel_op op,
				 enum citadel_outcome outcome)
{
	if (op < CITADEL_OP_COUNT && outcome < CITADEL_OUTCOME_COUNT)
		this_cpu_inc(citadel_decisions.n[op][outcome]);
}

void citadel_counters_show(struct seq_file *m);

#endif /* CITADEL_COUNTERS_H */
