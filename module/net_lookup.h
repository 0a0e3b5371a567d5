/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Destination lookups in a built policy table. Called from LSM hooks
 * under RCU: no allocation, no sleeping, bounded work (a hash probe of
 * at most CITADEL_HOST_PROBES slots, a binary search and at most two
 * walks of the CIDR nesting depth). Inline: the hooks' decision is one
 * function with no calls on its allowed path (net.c).
 */
#ifndef CITADEL_NET_LOOKUP_H
#define CITADEL_NET_LOOKUP_H

#include "policy.h"

/* Deepest possible nesting: /0 ... /128. */
#define CITADEL_MAX_DEPTH	129

static __always_inline bool
citadel_ports_match(const struct citadel_net_table *t,
		    const struct citadel_net_node *n, u16 port, u32 *line)
{
	const struct citadel_port_range *r = t->ports + n->first_port;
	u32 lo = 0, hi = n->nports;

	if (hi == 1) {		/* most rules name one port or range */
		if (port < r->lo || port > r->hi)
			return false;
		goto found;
	}
	/* Last range whose low port is <= port. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (r[mid].lo <= port)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || port > r[lo - 1].hi)
		return false;
	r += lo - 1;
found:
	if (line)
		*line = r->line;
	return true;
}

/* The node of exact host @addr, or CITADEL_NO_SLOT. */
static __always_inline u32
citadel_host_node(const struct citadel_net_table *t,
		  const struct citadel_addr *addr)
{
	u32 h, i, n;

	if (!t->hosts)
		return CITADEL_NO_SLOT;
	h = citadel_host_hash(addr);
	for (i = 0; i < t->host_probes; i++) {
		n = t->hosts[(h + i) & t->host_mask];
		if (n == CITADEL_NO_SLOT)
			break;
		if (t->nodes[n].start.lo == addr->lo &&
		    t->nodes[n].start.hi == addr->hi)
			return n;
	}
	return CITADEL_NO_SLOT;
}

/**
 * citadel_net_lookup() - is @addr:@port allowed by table @t?
 * @t: a table of a built policy
 * @addr: destination address (IPv4 in the low 32 bits)
 * @port: destination port, host order
 * @line: receives the source line of the matching rule (may be NULL)
 *
 * Return: true when a rule of @t covers the destination.
 */
static __always_inline bool
citadel_net_lookup(const struct citadel_net_table *t,
		   const struct citadel_addr *addr, u16 port, u32 *line)
{
	u32 lo = 0, hi = t->nnodes, i, depth;

	/* A listed host is the deepest CIDR that contains itself. */
	i = citadel_host_node(t, addr);
	if (i != CITADEL_NO_SLOT)
		goto ports;
	/* Last node starting at or before addr. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (citadel_addr_cmp(&t->nodes[mid].start, addr) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	/* Climb to the deepest CIDR that contains addr... */
	i = lo - 1;
	for (depth = 0; i != CITADEL_NO_NODE && depth < CITADEL_MAX_DEPTH;
	     depth++) {
		if (citadel_addr_cmp(addr, &t->nodes[i].end) <= 0)
			break;
		i = t->nodes[i].parent;
	}
ports:
	/* ...then try its ports and those of every enclosing CIDR. */
	for (depth = 0; i != CITADEL_NO_NODE && depth < CITADEL_MAX_DEPTH;
	     depth++) {
		if (citadel_ports_match(t, &t->nodes[i], port, line))
			return true;
		i = t->nodes[i].parent;
	}
	return false;
}

#endif /* CITADEL_NET_LOOKUP_H */
