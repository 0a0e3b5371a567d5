// SPDX-License-Identifier: GPL-2.0-only
/*
 * Network rule tables: outbound (NET4/NET6) and listen (LISTEN4/LISTEN6)
 * rules, per scope, as CIDR trees with port ranges (see policy.h).
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#else
#include "host_shim.h"
#endif
#include "policy_build.h"

/* A rule as read from the blob, before it is merged into a table. */
struct build_rule {
	struct citadel_addr start;
	struct citadel_addr end;
	u32 key;		/* scope * CITADEL_NET_TABLES + table */
	u8 prefix;
	u16 port_lo;
	u16 port_hi;
	u32 line;
};

static const char *const net_section_names[] = {
	[CPOL_SEC_NET4] = "net4",
	[CPOL_SEC_NET6] = "net6",
	[CPOL_SEC_LISTEN4] = "listen4",
	[CPOL_SEC_LISTEN6] = "listen6",
};

static u64 be64_from_bytes(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Host-bit mask of a prefix in a family of @bits (32 or 128) bits. */
static struct citadel_addr host_mask(unsigned int prefix, unsigned int bits)
{
	struct citadel_addr m = { 0, 0 };

	if (bits == 32) {
		m.lo = prefix == 0 ? 0xffffffffull :
				     (1ull << (32 - prefix)) - 1;
		return m;
	}
	if (prefix < 64) {
		m.hi = ~0ull >> prefix;
		m.lo = ~0ull;
	} else {
		m.lo = prefix == 128 ? 0 : ~0ull >> (prefix - 64);
	}
	return m;
}

/* Reads entry @i of a net section into @r (key set), or fails. */
static int read_net_rule(struct parse_ctx *c, struct citadel_policy *pol,
			 u32 type, const u8 *p, u32 i, struct build_rule *r)
{
	bool v4 = type == CPOL_SEC_NET4 || type == CPOL_SEC_LISTEN4;
	unsigned int bits = v4 ? 32 : 128;
	const char *sname = net_section_names[type];
	struct citadel_addr mask;
	u8 proto, prefix;
	u16 scope;
	int t;

	if (v4) {
		struct cpol_net4 e;

		memcpy(&e, p, sizeof(e));
		r->start.hi = 0;
		r->start.lo = ((u64)e.addr[0] << 24) | ((u64)e.addr[1] << 16) |
			      ((u64)e.addr[2] << 8) | e.addr[3];
		prefix = e.prefix;
		proto = e.proto;
		scope = le16_to_cpu(e.scope);
		r->port_lo = le16_to_cpu(e.port_lo);
		r->port_hi = le16_to_cpu(e.port_hi);
		r->line = le32_to_cpu(e.line);
	} else {
		struct cpol_net6 e;

		memcpy(&e, p, sizeof(e));
		r->start.hi = be64_from_bytes(e.addr);
		r->start.lo = be64_from_bytes(e.addr + 8);
		prefix = e.prefix;
		proto = e.proto;
		scope = le16_to_cpu(e.scope);
		r->port_lo = le16_to_cpu(e.port_lo);
		r->port_hi = le16_to_cpu(e.port_hi);
		r->line = le32_to_cpu(e.line);
		if (e.reserved)
			return citadel_parse_fail(c, "%s rule %u: reserved field is not zero",
						  sname, i);
	}
	if (prefix > bits)
		return citadel_parse_fail(c, "%s rule %u (line %u): prefix length %u exceeds %u",
					  sname, i, r->line, prefix, bits);
	mask = host_mask(prefix, bits);
	if ((r->start.hi & mask.hi) || (r->start.lo & mask.lo))
		return citadel_parse_fail(c, "%s rule %u (line %u): address has host bits set beyond /%u",
					  sname, i, r->line, prefix);
	if (proto != CPOL_PROTO_TCP && proto != CPOL_PROTO_UDP)
		return citadel_parse_fail(c, "%s rule %u (line %u): unknown protocol %u",
					  sname, i, r->line, proto);
	if (scope >= pol->nscopes)
		return citadel_parse_fail(c, "%s rule %u (line %u): scope %u does not exist (%u scopes)",
					  sname, i, r->line, scope,
					  pol->nscopes);
	if (r->port_lo > r->port_hi)
		return citadel_parse_fail(c, "%s rule %u (line %u): port range %u-%u is reversed",
					  sname, i, r->line, r->port_lo,
					  r->port_hi);
	if (r->line > pol->max_line)
		pol->max_line = r->line;
	r->prefix = prefix;
	r->end.hi = r->start.hi | mask.hi;
	r->end.lo = r->start.lo | mask.lo;
	if (v4)
		t = proto == CPOL_PROTO_TCP ? CITADEL_NET4_TCP :
					      CITADEL_NET4_UDP;
	else
		t = proto == CPOL_PROTO_TCP ? CITADEL_NET6_TCP :
					      CITADEL_NET6_UDP;
	r->key = (u32)scope * CITADEL_NET_TABLES + t;
	return 0;
}

static int build_rule_cmp(const void *a, const void *b)
{
	const struct build_rule *x = a, *y = b;
	int r;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	r = citadel_addr_cmp(&x->start, &y->start);
	if (r)
		return r;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	if (x->port_lo != y->port_lo)
		return x->port_lo < y->port_lo ? -1 : 1;
	if (x->port_hi != y->port_hi)
		return x->port_hi < y->port_hi ? -1 : 1;
	return 0;
}

static bool node_contains(const struct citadel_net_node *outer,
			  const struct citadel_net_node *inner)
{
	return citadel_addr_cmp(&outer->start, &inner->start) <= 0 &&
	       citadel_addr_cmp(&inner->end, &outer->end) <= 0;
}

static bool is_host(const struct citadel_net_node *n)
{
	return !citadel_addr_cmp(&n->start, &n->end);
}

/*
 * Builds @t's hash of exact hosts (linear probing, at most half full),
 * twice as big while some host lands more than CITADEL_HOST_PROBES slots
 * from its hash. A table that never fits keeps the binary search alone.
 */
static int build_hosts(struct citadel_net_table *t, size_t *mem)
{
	u32 i, d, h, nh = 0, size = 4, longest, tries;
	u32 *slots;

	for (i = 0; i < t->nnodes; i++)
		nh += is_host(&t->nodes[i]);
	if (!nh)
		return 0;
	while (size < 2 * nh)
		size <<= 1;
	for (tries = 0; tries < 3; tries++, size <<= 1) {
		slots = kvcalloc(size, sizeof(*slots), GFP_KERNEL);
		if (!slots)
			return -ENOMEM;
		memset(slots, 0xff, (size_t)size * sizeof(*slots));
		longest = 0;
		for (i = 0; i < t->nnodes; i++) {
			if (!is_host(&t->nodes[i]))
				continue;
			h = citadel_host_hash(&t->nodes[i].start);
			for (d = 0; d < CITADEL_HOST_PROBES; d++)
				if (slots[(h + d) & (size - 1)] == CITADEL_NO_SLOT)
					break;
			if (d == CITADEL_HOST_PROBES)
				break;
			slots[(h + d) & (size - 1)] = i;
			if (d + 1 > longest)
				longest = d + 1;
		}
		if (i == t->nnodes) {
			t->hosts = slots;
			t->host_mask = size - 1;
			t->host_probes = longest;
			*mem += (size_t)size * sizeof(*slots);
			return 0;
		}
		kvfree(slots);
	}
	return 0;
}

/* Turns @n sorted rules of one table into its CIDR tree and ports. */
static int build_table(struct citadel_net_table *t,
		       const struct build_rule *r, u32 n, size_t *mem)
{
	u32 i, nn = 0, np = 0;

	t->nodes = kvcalloc(n, sizeof(*t->nodes), GFP_KERNEL);
	t->ports = kvcalloc(n, sizeof(*t->ports), GFP_KERNEL);
	if (!t->nodes || !t->ports)
		return -ENOMEM;
	*mem += (size_t)n * (sizeof(*t->nodes) + sizeof(*t->ports));

	for (i = 0; i < n; i++) {
		struct citadel_net_node *node = nn ? &t->nodes[nn - 1] : NULL;
		struct citadel_port_range *last;
		u16 lo;

		if (!node || citadel_addr_cmp(&node->start, &r[i].start) ||
		    citadel_addr_cmp(&node->end, &r[i].end)) {
			node = &t->nodes[nn++];
			node->start = r[i].start;
			node->end = r[i].end;
			node->first_port = np;
			node->nports = 0;
			node->parent = CITADEL_NO_NODE;
		}
		/*
		 * Ranges arrive sorted by their low port. Overlaps are cut
		 * off the later range, so the ranges stay disjoint for the
		 * binary search and each part keeps the line of a rule that
		 * really covers it.
		 */
		last = node->nports ? &t->ports[np - 1] : NULL;
		lo = r[i].port_lo;
		if (last && lo <= last->hi) {
			if (r[i].port_hi <= last->hi)
				continue;
			lo = last->hi + 1;
		}
		t->ports[np].lo = lo;
		t->ports[np].hi = r[i].port_hi;
		t->ports[np].line = r[i].line;
		np++;
		node->nports++;
	}
	/*
	 * Parent of a node: the previous node or one of its ancestors,
	 * whichever is the first to contain it (pre-order property).
	 */
	for (i = 1; i < nn; i++) {
		u32 p = i - 1;

		while (p != CITADEL_NO_NODE &&
		       !node_contains(&t->nodes[p], &t->nodes[i]))
			p = t->nodes[p].parent;
		t->nodes[i].parent = p;
	}
	t->nnodes = nn;
	t->nports = np;
	return build_hosts(t, mem);
}

/* Reads the two sections of one kind and builds every scope's tables. */
static int build_kind(struct parse_ctx *c, struct citadel_policy *pol,
		      u32 type4, u32 type6, bool listen)
{
	const u32 types[2] = { type4, type6 };
	const u8 *base[2];
	u32 n[2], total, i, k, at = 0;
	struct build_rule *rules;
	int ret = 0;

	for (k = 0; k < 2; k++)
		citadel_find_section(c, types[k], &base[k], &n[k]);
	if (type4 == CPOL_SEC_NET4) {
		pol->rules_net4 = n[0];
		pol->rules_net6 = n[1];
	} else {
		pol->rules_listen4 = n[0];
		pol->rules_listen6 = n[1];
	}
	total = n[0] + n[1];
	if (!total)
		return 0;
	rules = kvcalloc(total, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return -ENOMEM;
	for (k = 0; k < 2 && !ret; k++) {
		u32 esz = type4 == types[k] ? sizeof(struct cpol_net4) :
					      sizeof(struct cpol_net6);

		for (i = 0; i < n[k] && !ret; i++)
			ret = read_net_rule(c, pol, types[k],
					    base[k] + (size_t)i * esz, i,
					    &rules[at++]);
	}
	if (!ret)
		sort(rules, total, sizeof(*rules), build_rule_cmp, NULL);
	/* Each run of equal keys is one table of one scope. */
	for (i = 0; i < total && !ret; ) {
		u32 j = i, key = rules[i].key;
		struct citadel_scope *s = &pol->scopes[key / CITADEL_NET_TABLES];
		struct citadel_net_table *t = listen ? s->listen : s->conn;

		while (j < total && rules[j].key == key)
			j++;
		ret = build_table(&t[key % CITADEL_NET_TABLES], rules + i,
				  j - i, &pol->mem_bytes);
		i = j;
	}
	kvfree(rules);
	return ret;
}

/**
 * citadel_build_net() - validate the network sections and build tables
 * @c: the parse context
 * @pol: the policy being built; its scopes exist already
 *
 * Return: 0, -EINVAL with the reason in @c, or -ENOMEM.
 */
int citadel_build_net(struct parse_ctx *c, struct citadel_policy *pol)
{
	int ret;

	ret = build_kind(c, pol, CPOL_SEC_NET4, CPOL_SEC_NET6, false);
	if (!ret)
		ret = build_kind(c, pol, CPOL_SEC_LISTEN4, CPOL_SEC_LISTEN6, true);
	if (ret == -ENOMEM)
		citadel_parse_fail(c, "out of memory building the lookup tables");
	return ret;
}
