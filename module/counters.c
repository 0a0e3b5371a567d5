// SPDX-License-Identifier: GPL-2.0-only
#include "common.h"

#include <linux/percpu.h>

#include "counters.h"

DEFINE_PER_CPU(struct citadel_counters, citadel_decisions);

static const char *const op_names[CITADEL_OP_COUNT] = {
	[CITADEL_OP_CONNECT] = "connect",
	[CITADEL_OP_SEND] = "send",
	[CITADEL_OP_EXEC] = "exec",
	[CITADEL_OP_BIND] = "bind",
	[CITADEL_OP_LISTEN] = "listen",
	[CITADEL_OP_SOCKET] = "socket",
	[CITADEL_OP_MMAP] = "mmap",
	[CITADEL_OP_BOUNDARY] = "boundary",
};

static const char *const outcome_names[CITADEL_OUTCOME_COUNT] = {
	[CITADEL_ALLOWED] = "allowed",
	[CITADEL_DENIED] = "denied",
	[CITADEL_AUDITED] = "audited",
};

/* The operations that are events only, not counted per CPU. */
static const char *const event_op_names[CITADEL_OP_ALL - CITADEL_OP_COUNT] = {
	[CITADEL_OP_POLICY - CITADEL_OP_COUNT] = "policy",
	[CITADEL_OP_SEAL - CITADEL_OP_COUNT] = "seal",
	[CITADEL_OP_MODULE - CITADEL_OP_COUNT] = "module",
	[CITADEL_OP_KEXEC - CITADEL_OP_COUNT] = "kexec",
	[CITADEL_OP_BPF - CITADEL_OP_COUNT] = "bpf",
	[CITADEL_OP_KEYS - CITADEL_OP_COUNT] = "keys",
	[CITADEL_OP_LOCKDOWN - CITADEL_OP_COUNT] = "lockdown",
	[CITADEL_OP_NETCONF - CITADEL_OP_COUNT] = "netconf",
	[CITADEL_OP_PROTECT - CITADEL_OP_COUNT] = "protect",
};

const char *citadel_op_name(enum citadel_op op)
{
	if (op < CITADEL_OP_COUNT)
		return op_names[op];
	if (op < CITADEL_OP_ALL)
		return event_op_names[op - CITADEL_OP_COUNT];
	return "unknown";
}

void citadel_counters_show(struct seq_file *m)
{
	int op, oc, cpu;

	for (op = 0; op < CITADEL_OP_COUNT; op++) {
		for (oc = 0; oc < CITADEL_OUTCOME_COUNT; oc++) {
			u64 sum = 0;

			for_each_possible_cpu(cpu)
				sum += per_cpu(citadel_decisions.n[op][oc], cpu);
			seq_printf(m, "%s_%s %llu\n", op_names[op],
				   outcome_names[oc], sum);
		}
	}
}
