// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy blob validation and the build of the lookup tables.
 *
 * Everything in a blob comes from userspace: each field is checked before
 * it is used, the whole blob is checked before anything is built, and a
 * defect yields -EINVAL (or -E2BIG) with a message naming the offset and
 * the cause. This file is also compiled as userspace code for the unit
 * tests and the fuzz target, so it sticks to a small kernel API subset.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#else
#include <stdarg.h>
#include "host_shim.h"
#endif
#include "policy.h"

struct section_kind {
	const char *name;
	u32 entry_size;
};

static const struct section_kind section_kinds[] = {
	[CPOL_SEC_NET4] = { "net4", sizeof(struct cpol_net4) },
	[CPOL_SEC_NET6] = { "net6", sizeof(struct cpol_net6) },
};

/* A rule as read from the blob, before it is merged into a table. */
struct build_rule {
	struct citadel_addr start;
	struct citadel_addr end;
	u8 prefix;
	u16 port_lo;
	u16 port_hi;
	u32 line;
};

struct parse_ctx {
	const u8 *blob;
	size_t len;
	char *err;
	size_t errlen;
	struct cpol_section sec[CPOL_MAX_SECTIONS];
	u32 nsec;
};

static __printf(2, 3) int fail(struct parse_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int addr_cmp(const struct citadel_addr *a, const struct citadel_addr *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

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

static int check_header(struct parse_ctx *c, struct cpol_header *h)
{
	size_t table_end;
	u32 i;

	if (c->len < sizeof(*h))
		return fail(c, "blob too short: %zu bytes, the header alone needs %zu",
			    c->len, sizeof(*h));
	memcpy(h, c->blob, sizeof(*h));
	if (le32_to_cpu(h->magic) != CPOL_MAGIC)
		return fail(c, "offset 0: bad magic 0x%08x (not a compiled citadel policy)",
			    le32_to_cpu(h->magic));
	if (le16_to_cpu(h->abi_version) != CPOL_ABI_VERSION)
		return fail(c, "offset 4: policy ABI version %u, this module reads %u",
			    le16_to_cpu(h->abi_version), CPOL_ABI_VERSION);
	if (le16_to_cpu(h->header_size) != sizeof(*h))
		return fail(c, "offset 6: header size %u, expected %zu",
			    le16_to_cpu(h->header_size), sizeof(*h));
	if (le32_to_cpu(h->total_size) != c->len)
		return fail(c, "offset 8: total size %u but %zu bytes were written (truncated or padded blob)",
			    le32_to_cpu(h->total_size), c->len);
	if (le32_to_cpu(h->flags) & ~CPOL_F_ALL)
		return fail(c, "offset 12: unknown flags 0x%x",
			    le32_to_cpu(h->flags) & ~CPOL_F_ALL);
	if (h->reserved)
		return fail(c, "offset 28: reserved field is not zero");
	if (!h->name[0])
		return fail(c, "offset 32: empty policy name");
	for (i = 0; i < CPOL_NAME_MAX && h->name[i]; i++) {
		char ch = h->name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		      ch == '.'))
			return fail(c, "offset %u: invalid character in policy name",
				    32 + i);
	}
	if (i == CPOL_NAME_MAX)
		return fail(c, "offset 32: policy name is not NUL-terminated");
	for (; i < CPOL_NAME_MAX; i++)
		if (h->name[i])
			return fail(c, "offset %u: policy name padding is not zero",
				    32 + i);

	c->nsec = le32_to_cpu(h->section_count);
	if (c->nsec > CPOL_MAX_SECTIONS)
		return fail(c, "offset 24: %u sections, at most %u allowed",
			    c->nsec, CPOL_MAX_SECTIONS);
	table_end = sizeof(*h) + (size_t)c->nsec * sizeof(struct cpol_section);
	if (table_end > c->len)
		return fail(c, "offset 24: section table (%u entries) runs past the end of the blob",
			    c->nsec);
	memcpy(c->sec, c->blob + sizeof(*h),
	       c->nsec * sizeof(struct cpol_section));
	return 0;
}

static int check_sections(struct parse_ctx *c)
{
	size_t table_end = sizeof(struct cpol_header) +
			   (size_t)c->nsec * sizeof(struct cpol_section);
	u32 i, j;

	for (i = 0; i < c->nsec; i++) {
		const struct cpol_section *s = &c->sec[i];
		u32 type = le32_to_cpu(s->type);
		u32 off = le32_to_cpu(s->offset);
		u32 size = le32_to_cpu(s->size);
		u32 count = le32_to_cpu(s->count);
		size_t at = sizeof(struct cpol_header) + i * sizeof(*s);

		if (type >= ARRAY_SIZE(section_kinds) || !section_kinds[type].name)
			return fail(c, "section %u (offset %zu): unknown type %u",
				    i, at, type);
		for (j = 0; j < i; j++)
			if (le32_to_cpu(c->sec[j].type) == type)
				return fail(c, "section %u: %s section appears twice",
					    i, section_kinds[type].name);
		if (count > CPOL_MAX_RULES)
			return fail(c, "section %u (%s): %u entries, at most %u allowed",
				    i, section_kinds[type].name, count,
				    CPOL_MAX_RULES);
		if ((u64)count * section_kinds[type].entry_size != size)
			return fail(c, "section %u (%s): size %u does not match %u entries of %u bytes",
				    i, section_kinds[type].name, size, count,
				    section_kinds[type].entry_size);
		if (off % CPOL_SECTION_ALIGN)
			return fail(c, "section %u (%s): offset %u is not %u-aligned",
				    i, section_kinds[type].name, off,
				    CPOL_SECTION_ALIGN);
		if (off < table_end)
			return fail(c, "section %u (%s): offset %u overlaps the header or section table",
				    i, section_kinds[type].name, off);
		if ((u64)off + size > c->len)
			return fail(c, "section %u (%s): %u bytes at offset %u run past the end of the blob (%zu bytes)",
				    i, section_kinds[type].name, size, off,
				    c->len);
	}
	for (i = 0; i < c->nsec; i++) {
		u64 a0 = le32_to_cpu(c->sec[i].offset);
		u64 a1 = a0 + le32_to_cpu(c->sec[i].size);

		for (j = i + 1; j < c->nsec; j++) {
			u64 b0 = le32_to_cpu(c->sec[j].offset);
			u64 b1 = b0 + le32_to_cpu(c->sec[j].size);

			if (a0 < b1 && b0 < a1)
				return fail(c, "sections %u and %u overlap", i, j);
		}
	}
	return 0;
}

static const struct cpol_section *find_section(struct parse_ctx *c, u32 type)
{
	u32 i;

	for (i = 0; i < c->nsec; i++)
		if (le32_to_cpu(c->sec[i].type) == type)
			return &c->sec[i];
	return NULL;
}

/* Reads entry @i of a net section into @r; returns its table or < 0. */
static int read_net_rule(struct parse_ctx *c, u32 type, const u8 *p, u32 i,
			 struct build_rule *r)
{
	unsigned int bits = type == CPOL_SEC_NET4 ? 32 : 128;
	const char *sname = section_kinds[type].name;
	struct citadel_addr mask;
	u8 proto, prefix;
	u16 scope;

	if (type == CPOL_SEC_NET4) {
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
			return fail(c, "%s rule %u: reserved field is not zero",
				    sname, i);
	}
	if (prefix > bits)
		return fail(c, "%s rule %u (line %u): prefix length %u exceeds %u",
			    sname, i, r->line, prefix, bits);
	mask = host_mask(prefix, bits);
	if ((r->start.hi & mask.hi) || (r->start.lo & mask.lo))
		return fail(c, "%s rule %u (line %u): address has host bits set beyond /%u",
			    sname, i, r->line, prefix);
	if (proto != CPOL_PROTO_TCP && proto != CPOL_PROTO_UDP)
		return fail(c, "%s rule %u (line %u): unknown protocol %u",
			    sname, i, r->line, proto);
	if (scope != CPOL_SCOPE_GLOBAL)
		return fail(c, "%s rule %u (line %u): scope %u is not supported by this module",
			    sname, i, r->line, scope);
	if (r->port_lo > r->port_hi)
		return fail(c, "%s rule %u (line %u): port range %u-%u is reversed",
			    sname, i, r->line, r->port_lo, r->port_hi);
	r->prefix = prefix;
	r->end.hi = r->start.hi | mask.hi;
	r->end.lo = r->start.lo | mask.lo;
	if (type == CPOL_SEC_NET4)
		return proto == CPOL_PROTO_TCP ? CITADEL_NET4_TCP :
						 CITADEL_NET4_UDP;
	return proto == CPOL_PROTO_TCP ? CITADEL_NET6_TCP : CITADEL_NET6_UDP;
}

static int build_rule_cmp(const void *a, const void *b)
{
	const struct build_rule *x = a, *y = b;
	int r = addr_cmp(&x->start, &y->start);

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
	return addr_cmp(&outer->start, &inner->start) <= 0 &&
	       addr_cmp(&inner->end, &outer->end) <= 0;
}

/* Turns @n sorted rules into the table's CIDR tree and port ranges. */
static int build_table(struct citadel_net_table *t, struct build_rule *r,
		       u32 n, size_t *mem)
{
	u32 i, nn = 0, np = 0;

	if (!n)
		return 0;
	sort(r, n, sizeof(*r), build_rule_cmp, NULL);
	t->nodes = kvcalloc(n, sizeof(*t->nodes), GFP_KERNEL);
	t->ports = kvcalloc(n, sizeof(*t->ports), GFP_KERNEL);
	if (!t->nodes || !t->ports)
		return -ENOMEM;
	*mem += (size_t)n * (sizeof(*t->nodes) + sizeof(*t->ports));

	for (i = 0; i < n; i++) {
		struct citadel_net_node *node = nn ? &t->nodes[nn - 1] : NULL;
		struct citadel_port_range *last;
		u16 lo;

		if (!node || addr_cmp(&node->start, &r[i].start) ||
		    addr_cmp(&node->end, &r[i].end)) {
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
	return 0;
}

static int build_net(struct parse_ctx *c, struct citadel_policy *pol)
{
	static const u32 types[] = { CPOL_SEC_NET4, CPOL_SEC_NET6 };
	struct build_rule *rules[CITADEL_NET_TABLES] = { NULL };
	u32 count[CITADEL_NET_TABLES] = { 0 };
	u32 cap[CITADEL_NET_TABLES] = { 0 };
	struct build_rule tmp;
	int ret = 0, pass, t;
	u32 i, k;

	/* Pass 0 validates and counts, pass 1 fills. */
	for (pass = 0; pass < 2 && !ret; pass++) {
		for (k = 0; k < ARRAY_SIZE(types) && !ret; k++) {
			const struct cpol_section *s = find_section(c, types[k]);
			u32 esz = section_kinds[types[k]].entry_size;
			u32 n = s ? le32_to_cpu(s->count) : 0;
			const u8 *base = s ? c->blob + le32_to_cpu(s->offset) :
					     NULL;

			if (types[k] == CPOL_SEC_NET4)
				pol->rules_net4 = n;
			else
				pol->rules_net6 = n;
			for (i = 0; i < n; i++) {
				t = read_net_rule(c, types[k], base + (size_t)i * esz,
						  i, &tmp);
				if (t < 0) {
					ret = t;
					break;
				}
				if (pass == 0)
					cap[t]++;
				else
					rules[t][count[t]++] = tmp;
			}
		}
		if (pass == 0 && !ret) {
			for (t = 0; t < CITADEL_NET_TABLES; t++) {
				if (!cap[t])
					continue;
				rules[t] = kvcalloc(cap[t], sizeof(**rules),
						    GFP_KERNEL);
				if (!rules[t])
					ret = -ENOMEM;
			}
		}
	}
	for (t = 0; t < CITADEL_NET_TABLES && !ret; t++)
		ret = build_table(&pol->net[t], rules[t], count[t],
				  &pol->mem_bytes);
	if (ret == -ENOMEM)
		fail(c, "out of memory building the lookup tables");
	for (t = 0; t < CITADEL_NET_TABLES; t++)
		kvfree(rules[t]);
	return ret;
}

void citadel_policy_free(struct citadel_policy *pol)
{
	int t;

	if (!pol)
		return;
	for (t = 0; t < CITADEL_NET_TABLES; t++) {
		kvfree(pol->net[t].nodes);
		kvfree(pol->net[t].ports);
	}
	kfree(pol);
}

/**
 * citadel_policy_parse() - validate a policy blob and build its tables
 * @blob: the blob as written by userspace
 * @len: its length in bytes
 * @out: receives the new policy on success
 * @err: receives a one-line reason on failure
 * @errlen: size of @err
 *
 * Return: 0 on success; -E2BIG if @len exceeds CPOL_MAX_BLOB; -EINVAL on
 * any defect of the blob; -ENOMEM.
 */
int citadel_policy_parse(const void *blob, size_t len,
			 struct citadel_policy **out, char *err, size_t errlen)
{
	struct parse_ctx c = { .blob = blob, .len = len, .err = err,
			       .errlen = errlen };
	struct citadel_policy *pol;
	struct cpol_header h;
	int ret;

	BUILD_BUG_ON(sizeof(struct cpol_header) != CPOL_HEADER_SIZE);
	BUILD_BUG_ON(sizeof(struct cpol_section) != CPOL_SECTION_SIZE);
	BUILD_BUG_ON(sizeof(struct cpol_net4) != CPOL_NET4_SIZE);
	BUILD_BUG_ON(sizeof(struct cpol_net6) != CPOL_NET6_SIZE);

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (len > CPOL_MAX_BLOB) {
		fail(&c, "blob of %zu bytes exceeds the %u byte limit", len,
		     CPOL_MAX_BLOB);
		return -E2BIG;
	}
	ret = check_header(&c, &h);
	if (!ret)
		ret = check_sections(&c);
	if (ret)
		return ret;

	pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	if (!pol)
		return -ENOMEM;
	memcpy(pol->name, h.name, sizeof(pol->name));
	pol->version = le64_to_cpu(h.policy_version);
	pol->flags = le32_to_cpu(h.flags);
	pol->mem_bytes = sizeof(*pol);
	ret = build_net(&c, pol);
	if (ret) {
		citadel_policy_free(pol);
		return ret;
	}
	*out = pol;
	return 0;
}
