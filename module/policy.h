/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel form of a loaded policy: built once from a validated blob,
 * then read-only and reached through RCU (policy_store.c).
 */
#ifndef CITADEL_POLICY_H
#define CITADEL_POLICY_H

#ifdef __KERNEL__
#include <linux/refcount.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include "host_shim.h"
#endif
#include "citadel_abi.h"

/* Addresses as 128-bit numbers; IPv4 uses the low 32 bits of lo. */
struct citadel_addr {
	u64 hi;
	u64 lo;
};

struct citadel_port_range {
	u16 lo;
	u16 hi;
	u32 line;	/* source line of the first rule merged into it */
};

#define CITADEL_NO_NODE	0xffffffffu

/*
 * One distinct CIDR of a table. CIDRs are either nested or disjoint, so
 * the nodes sorted by (start, prefix) form a pre-order tree; parent is
 * the nearest enclosing CIDR. A lookup is a binary search plus a walk
 * up at most 129 levels: cost grows with nesting depth, not rule count.
 */
struct citadel_net_node {
	struct citadel_addr start;
	struct citadel_addr end;
	u32 parent;
	u32 first_port;	/* index into the table's port ranges */
	u32 nports;	/* sorted, merged, non-overlapping */
	u32 pad;
};

/*
 * Exact hosts (/32, /128) are most rules of a real policy and the
 * deepest CIDR there is, so a lookup first probes an open-addressing
 * hash of them and only searches the sorted nodes when the destination
 * is no listed host. The longest probe sequence is measured when the
 * table is built and bounds every lookup.
 */
#define CITADEL_NO_SLOT		0xffffffffu
#define CITADEL_HOST_PROBES	16	/* more: the table is built bigger */

struct citadel_net_table {
	u32 nnodes;
	u32 nports;
	struct citadel_net_node *nodes;
	struct citadel_port_range *ports;
	u32 *hosts;		/* node indexes or CITADEL_NO_SLOT; or NULL */
	u32 host_mask;		/* slots - 1, a power of two minus one */
	u32 host_probes;	/* longest probe sequence of any listed host */
};

/* Spreads an address over the slots; the multipliers are odd constants. */
static inline u32 citadel_host_hash(const struct citadel_addr *a)
{
	u64 x = (a->hi * 0x9e3779b97f4a7c15ull) ^ a->lo;

	return (u32)((x * 0xff51afd7ed558ccdull) >> 32);
}

enum citadel_net_table_id {
	CITADEL_NET4_TCP,
	CITADEL_NET4_UDP,
	CITADEL_NET6_TCP,
	CITADEL_NET6_UDP,
	CITADEL_NET_TABLES,
};

/* A service (or the global scope, index 0) and its own rules. */
struct citadel_scope {
	u64 id;			/* the task label that selects it */
	const char *name;	/* into the policy's strings */
	u32 flags;		/* CPOL_SCOPE_F_* */
	u64 families;		/* CPOL_FAM_* bits */
	struct citadel_net_table conn[CITADEL_NET_TABLES];
	struct citadel_net_table listen[CITADEL_NET_TABLES];
};

/* Who may run a path: a global helper (scope 0) or a service entry. */
struct citadel_exec_cand {
	u16 scope;
	u8 has_hash;
	u8 pad;
	u32 line;
	u8 sha256[32];
};

struct citadel_path_entry {
	const char *path;	/* into the policy's strings, NUL-terminated */
	u32 len;
	u32 first;		/* first candidate (exec tables only) */
	u32 count;		/* number of candidates */
	u32 line;
};

/* Distinct paths sorted by bytes; exact files or prefixes ending in '/'. */
struct citadel_path_table {
	u32 n;
	struct citadel_path_entry *e;
};

struct citadel_policy {
#ifdef __KERNEL__
	refcount_t ref;		/* for sleeping users, see policy_store.c */
#endif
	char name[CPOL_NAME_MAX];
	u64 version;
	u32 flags;		/* CPOL_F_* */
	u32 rules_net4;
	u32 rules_net6;
	u32 rules_listen4;
	u32 rules_listen6;
	u32 rules_exec;
	u32 rules_libs;
	u32 rules_protect;
	u32 max_line;		/* highest source line of any rule */
	bool is_signed;		/* verified against an enrolled key */
#ifdef __KERNEL__
	/*
	 * Hit counters per source line: per CPU while they fit the per-CPU
	 * allocator (PCPU_MIN_UNIT_SIZE), else one shared atomic each;
	 * both NULL when the lines are too many or memory is short.
	 */
	u64 __percpu *hits;
	atomic64_t *hits_shared;
	u32 hit_lines;		/* counters allocated: lines 0..hit_lines-1 */
#endif
	u8 digest[32];		/* sha256 of the blob, set by the loader */
	size_t mem_bytes;	/* memory held by this policy */
	u32 nscopes;		/* at least 1: the global scope */
	struct citadel_scope *scopes;
	u32 *scope_order;	/* scope indexes 1.. sorted by id */
	struct citadel_net_table *net;	/* the global scope's conn tables */
	char *strings;
	u32 strings_len;
	struct citadel_exec_cand *cands;
	struct citadel_path_table exec_exact;
	struct citadel_path_table exec_prefix;
	struct citadel_path_table libs_exact;
	struct citadel_path_table libs_prefix;
	/* Paths kept from change once sealed, in blob order (protect.c). */
	struct citadel_path_table protect;
};

#define CITADEL_ERR_MAX	256

static inline int citadel_addr_cmp(const struct citadel_addr *a,
				   const struct citadel_addr *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/* Byte order first, then length: how path tables are sorted. */
static inline int citadel_path_cmp(const char *a, u32 alen, const char *b,
				   u32 blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r;
	return alen < blen ? -1 : alen > blen;
}

int citadel_policy_parse(const void *blob, size_t len,
			 struct citadel_policy **out, char *err, size_t errlen);
void citadel_policy_free(struct citadel_policy *pol);

bool citadel_net_match(const struct citadel_net_table *t,
		       const struct citadel_addr *addr, u16 port, u32 *line);

/**
 * citadel_scope_of() - the service a task label selects
 * @pol: the policy
 * @label: the task's label (0: none)
 *
 * Return: the service's scope, or NULL for no label or a label the policy
 * does not know (a task labelled under an earlier policy): such tasks get
 * the global rules only. Inline: every network decision asks.
 */
static inline const struct citadel_scope *
citadel_scope_of(const struct citadel_policy *pol, u64 label)
{
	u32 lo = 0, hi = pol->nscopes - 1;

	if (!label)
		return NULL;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		u64 id = pol->scopes[pol->scope_order[mid]].id;

		if (id == label)
			return &pol->scopes[pol->scope_order[mid]];
		if (id < label)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct citadel_path_entry *
citadel_path_lookup(const struct citadel_path_table *t, const char *path,
		    u32 len);
u64 citadel_fnv64(const char *s, u32 len);

#endif /* CITADEL_POLICY_H */
