// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the module's policy blob parser, table builders
 * and lookups (the files of module/host_sources.txt built as userspace
 * code). Run by scripts/fuzz.sh.
 *
 * Each input is parsed as a blob. A rejected blob must come back with
 * -EINVAL/-E2BIG, no policy and a NUL-terminated error text. An accepted
 * one is checked against the blob itself:
 *  - net and listen rules are read back from the (now validated) sections;
 *    lookups at the edges of the first rules, in their own scope's table
 *    and in the global one, plus lookups taken from the input's last
 *    bytes, must agree with a brute-force scan of the rules, and the
 *    reported line must be that of a covering rule;
 *  - scopes: citadel_scope_of() finds every service by its id, nothing for
 *    0, and for ids taken from the input exactly what a scan finds;
 *  - path tables are sorted, split exact/prefix, point into the strings;
 *    every exec and libs rule is found with its candidate, and lookups of
 *    the blob's strings (whole, cut, with a '/' added) and of input bytes
 *    agree with a scan of the table.
 * Any disagreement aborts, so libFuzzer saves the input as a crash.
 */
#include <stdarg.h>

#include "host_shim.h"
#include "policy.h"

typedef unsigned __int128 u128;

struct frule {
	u128 start, end;
	int table;
	u16 scope;
	bool listen;
	u16 lo, hi;
	u32 line;
};

#define MAX_EDGE_RULES	16
#define MAX_TAIL_PROBES	8
#define MAX_RULES	65536	/* checked against brute force */
#define MAX_STRINGS	64	/* of the blob's strings looked up */

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz_blob: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u64 rd64(const u8 *p)
{
	return (u64)rd32(p) | (u64)rd32(p + 4) << 32;
}

static u128 rdbe(const u8 *p, int n)
{
	u128 v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static u128 host_bits(unsigned int prefix, unsigned int bits)
{
	if (prefix == 0)
		return bits == 128 ? ~(u128)0 : 0xffffffffu;
	return ((u128)1 << (bits - prefix)) - 1;
}

/* The section of @type in an accepted blob: its entries, or NULL. */
static const u8 *find_sec(const u8 *blob, u32 type, u32 *count)
{
	u32 nsec = rd32(blob + offsetof(struct cpol_header, section_count));
	u32 s;

	for (s = 0; s < nsec; s++) {
		const u8 *e = blob + sizeof(struct cpol_header) +
			      (size_t)s * sizeof(struct cpol_section);

		if (rd32(e) == type) {
			*count = rd32(e + 12);
			return blob + rd32(e + 4);
		}
	}
	*count = 0;
	return NULL;
}

/* Reads the net and listen rules of an accepted blob; returns how many. */
static size_t read_rules(const u8 *blob, struct frule *out, size_t cap)
{
	static const u32 types[] = {
		CPOL_SEC_NET4, CPOL_SEC_NET6, CPOL_SEC_LISTEN4, CPOL_SEC_LISTEN6,
	};
	size_t n = 0;
	u32 k, i, count;

	for (k = 0; k < ARRAY_SIZE(types); k++) {
		const u8 *base = find_sec(blob, types[k], &count);
		bool v6 = types[k] == CPOL_SEC_NET6 ||
			  types[k] == CPOL_SEC_LISTEN6;
		u32 esz = v6 ? sizeof(struct cpol_net6) : sizeof(struct cpol_net4);

		for (i = 0; i < count && n < cap; i++) {
			const u8 *p = base + (size_t)i * esz;
			unsigned int bits = v6 ? 128 : 32;
			u8 prefix = p[v6 ? 16 : 4], proto = p[v6 ? 17 : 5];
			const u8 *tail = p + (v6 ? 18 : 6);
			struct frule *r = &out[n++];

			r->start = rdbe(p, v6 ? 16 : 4);
			r->end = r->start | host_bits(prefix, bits);
			r->table = (v6 ? CITADEL_NET6_TCP : CITADEL_NET4_TCP) +
				   (proto == CPOL_PROTO_UDP);
			r->scope = rd16(tail);
			r->listen = k >= 2;
			r->lo = rd16(tail + 2);
			r->hi = rd16(tail + 4);
			r->line = rd32(tail + 6);
		}
	}
	return n;
}

static bool covers(const struct frule *r, u16 scope, bool listen, int table,
		   u128 a, u16 port)
{
	return r->scope == scope && r->listen == listen && r->table == table &&
	       a >= r->start && a <= r->end && port >= r->lo && port <= r->hi;
}

static const struct citadel_net_table *
table_of(const struct citadel_policy *pol, u16 scope, bool listen, int table)
{
	const struct citadel_scope *s = &pol->scopes[scope];

	return listen ? &s->listen[table] : &s->conn[table];
}

static void probe(const struct citadel_policy *pol, const struct frule *rules,
		  size_t n, u16 scope, bool listen, int table, u128 a, u16 port)
{
	const struct citadel_net_table *t = table_of(pol, scope, listen, table);
	struct citadel_addr addr = { (u64)(a >> 64), (u64)a };
	bool want = false, got, line_ok = false;
	u32 line = 0xdeadbeef;
	size_t i;

	for (i = 0; i < n; i++)
		want |= covers(&rules[i], scope, listen, table, a, port);
	got = citadel_net_match(t, &addr, port, &line);
	if (got != want)
		die("scope %u %s table %d, address %016llx%016llx port %u: matcher says %d, the rules %d",
		    scope, listen ? "listen" : "conn", table,
		    (unsigned long long)addr.hi, (unsigned long long)addr.lo,
		    port, got, want);
	if (citadel_net_match(t, &addr, port, NULL) != got)
		die("a NULL line changes the answer");
	if (!got)
		return;
	for (i = 0; i < n; i++)
		line_ok |= rules[i].line == line &&
			   covers(&rules[i], scope, listen, table, a, port);
	if (!line_ok)
		die("scope %u %s table %d, address %016llx%016llx port %u: line %u is not that of a covering rule",
		    scope, listen ? "listen" : "conn", table,
		    (unsigned long long)addr.hi, (unsigned long long)addr.lo,
		    port, line);
}

static void probe_both(const struct citadel_policy *pol,
		       const struct frule *rules, size_t n, u16 scope,
		       bool listen, bool v6, u128 a, u16 port)
{
	int t = v6 ? CITADEL_NET6_TCP : CITADEL_NET4_TCP;

	if (!v6)
		a &= 0xffffffffu;
	probe(pol, rules, n, scope, listen, t, a, port);
	probe(pol, rules, n, scope, listen, t + 1, a, port);
}

/* ------------------------------------------------------------- scopes */

static void check_scope_id(const struct citadel_policy *pol, u64 label)
{
	const struct citadel_scope *got = citadel_scope_of(pol, label);
	const struct citadel_scope *want = NULL;
	u32 i;

	for (i = 1; i < pol->nscopes && label; i++)
		if (pol->scopes[i].id == label)
			want = &pol->scopes[i];
	if (got != want)
		die("citadel_scope_of(%016llx) gives scope %td, a scan %td",
		    (unsigned long long)label, got ? got - pol->scopes : -1,
		    want ? want - pol->scopes : -1);
}

static void check_scopes(const struct citadel_policy *pol, const u8 *data,
			 size_t size)
{
	u32 count, i;
	const u8 *base = find_sec(data, CPOL_SEC_SCOPES, &count);

	if (pol->nscopes != (count ? count : 1) || !pol->scopes ||
	    pol->net != pol->scopes[0].conn)
		die("%u scopes built from a section of %u", pol->nscopes, count);
	if (!count && (pol->scopes[0].families != CPOL_FAM_DEFAULT ||
		       strcmp(pol->scopes[0].name, "global")))
		die("without SCOPES the global scope is not the default one");
	/* The global scope may carry netconf allowances, nothing else. */
	if (pol->scopes[0].id ||
	    (pol->scopes[0].flags & ~CPOL_SCOPE_F_NETCONF))
		die("scope 0 has an id or flags other than netconf");
	for (i = 0; i < pol->nscopes; i++) {
		const struct citadel_scope *s = &pol->scopes[i];
		size_t len = strlen(s->name);

		if (count && (s->id != rd64(base + (size_t)i * 32) ||
			      s->families != rd64(base + (size_t)i * 32 + 24) ||
			      (s->name < pol->strings ||
			       s->name + len >= pol->strings + pol->strings_len)))
			die("scope %u is not as written", i);
		if (s->flags & ~CPOL_SCOPE_F_ALL)
			die("scope %u: unknown flags accepted", i);
		if (!i)
			continue;
		if (!len || len > CPOL_SERVICE_NAME_MAX || !strcmp(s->name, "global") ||
		    s->id != citadel_fnv64(s->name, (u32)len))
			die("scope %u: name %s or id accepted", i, s->name);
		if (citadel_scope_of(pol, s->id) != s)
			die("scope %u is not found by its id", i);
		if (pol->scope_order[i - 1] < 1 ||
		    pol->scope_order[i - 1] >= pol->nscopes ||
		    (i > 1 && pol->scopes[pol->scope_order[i - 2]].id >=
			      pol->scopes[pol->scope_order[i - 1]].id))
			die("scope_order is not a sorted permutation at %u", i - 1);
		check_scope_id(pol, s->id + 1);
		check_scope_id(pol, s->id - 1);
	}
	if (citadel_scope_of(pol, 0))
		die("label 0 selects a scope");
	/* Ids taken from the input's last bytes. */
	for (i = 0; i < MAX_TAIL_PROBES && (i + 1) * 8 <= size; i++)
		check_scope_id(pol, rd64(data + size - (i + 1) * 8));
	check_scope_id(pol, ~0ull);
}

/* -------------------------------------------------------------- paths */

static int pcmp(const char *a, u32 alen, const char *b, u32 blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r;
	return alen < blen ? -1 : alen > blen;
}

/* Table invariants; returns the candidates it holds. */
static u32 check_table(const struct citadel_policy *pol,
		       const struct citadel_path_table *t, bool prefix,
		       bool exec, const char *what)
{
	u32 i, k, sum = 0;

	for (i = 0; i < t->n; i++) {
		const struct citadel_path_entry *e = &t->e[i];

		if (!e->len || e->len > CPOL_PATH_MAX || e->path[0] != '/' ||
		    (e->path[e->len - 1] == '/') != prefix ||
		    e->path < pol->strings ||
		    e->path + e->len >= pol->strings + pol->strings_len ||
		    e->path[e->len] || memchr(e->path, '\0', e->len) ||
		    !e->count)
			die("%s entry %u is malformed", what, i);
		if (i && pcmp(e[-1].path, e[-1].len, e->path, e->len) >= 0)
			die("%s entries %u and %u out of order", what, i - 1, i);
		if (citadel_path_lookup(t, e->path, e->len) != e)
			die("%s entry %u is not found by its path", what, i);
		sum += e->count;
		if (!exec)
			continue;
		if (e->first > pol->rules_exec ||
		    e->count > pol->rules_exec - e->first)
			die("%s entry %u: candidates %u+%u of %u", what, i,
			    e->first, e->count, pol->rules_exec);
		for (k = 0; k < e->count; k++) {
			const struct citadel_exec_cand *c = &pol->cands[e->first + k];

			if (c->scope >= pol->nscopes || c->has_hash > 1 ||
			    (prefix && c->has_hash))
				die("%s entry %u: bad candidate %u", what, i, k);
		}
	}
	return sum;
}

/* citadel_path_lookup() against a scan of the table. */
static void check_lookup(const struct citadel_path_table *t, const char *p,
			 u32 len, const char *what)
{
	const struct citadel_path_entry *got = citadel_path_lookup(t, p, len);
	const struct citadel_path_entry *want = NULL;
	u32 i;

	for (i = 0; i < t->n && !want; i++)
		if (t->e[i].len == len && !memcmp(t->e[i].path, p, len))
			want = &t->e[i];
	if (got != want)
		die("%s: lookup of a %u-byte path gives entry %td, a scan %td",
		    what, len, got ? got - t->e : -1, want ? want - t->e : -1);
}

static void check_lookups(const struct citadel_policy *pol, const char *p,
			  u32 len)
{
	check_lookup(&pol->exec_exact, p, len, "exec exact");
	check_lookup(&pol->exec_prefix, p, len, "exec prefix");
	check_lookup(&pol->libs_exact, p, len, "libs exact");
	check_lookup(&pol->libs_prefix, p, len, "libs prefix");
}

static const struct citadel_path_table *
path_table(const struct citadel_path_table *exact,
	   const struct citadel_path_table *prefix, const u8 *blob, u32 off,
	   u32 len)
{
	return blob[off + len - 1] == '/' ? prefix : exact;
}

static void check_paths(const struct citadel_policy *pol, const u8 *data,
			size_t size)
{
	static char buf[CPOL_PATH_MAX + 2];
	u32 count, nstr, i, k, off, nseen;
	const u8 *base, *str = find_sec(data, CPOL_SEC_STRINGS, &nstr);

	if (pol->strings_len != nstr ||
	    (nstr && memcmp(pol->strings, str, nstr)))
		die("the strings are not a copy of the section");
	if (check_table(pol, &pol->exec_exact, false, true, "exec exact") +
	    check_table(pol, &pol->exec_prefix, true, true, "exec prefix") !=
	    pol->rules_exec)
		die("exec candidates do not add up to the rules");
	if (check_table(pol, &pol->libs_exact, false, false, "libs exact") +
	    check_table(pol, &pol->libs_prefix, true, false, "libs prefix") !=
	    pol->rules_libs)
		die("libs entries do not add up to the rules");

	/* Every exec rule is a candidate of its path's entry. */
	base = find_sec(data, CPOL_SEC_EXEC, &count);
	if (count != pol->rules_exec)
		die("exec rules: %u in the blob, %u counted", count, pol->rules_exec);
	for (i = 0; i < count; i++) {
		const u8 *e = base + (size_t)i * sizeof(struct cpol_exec);
		u32 poff = rd32(e), plen = rd32(e + 4);
		const struct citadel_path_entry *pe;
		bool found = false;

		pe = citadel_path_lookup(path_table(&pol->exec_exact,
						    &pol->exec_prefix, str,
						    poff, plen),
					 (const char *)str + poff, plen);
		for (k = 0; pe && k < pe->count && !found; k++) {
			const struct citadel_exec_cand *c = &pol->cands[pe->first + k];

			found = c->scope == rd16(e + 8) && c->has_hash == e[10] &&
				c->line == rd32(e + 12) &&
				!memcmp(c->sha256, e + 16, 32);
		}
		if (!found)
			die("exec rule %u is not a candidate of its path", i);
	}
	base = find_sec(data, CPOL_SEC_LIBS, &count);
	if (count != pol->rules_libs)
		die("libs rules: %u in the blob, %u counted", count, pol->rules_libs);
	for (i = 0; i < count; i++) {
		const u8 *e = base + (size_t)i * sizeof(struct cpol_lib);
		u32 poff = rd32(e), plen = rd32(e + 4);

		if (!citadel_path_lookup(path_table(&pol->libs_exact,
						    &pol->libs_prefix, str,
						    poff, plen),
					 (const char *)str + poff, plen))
			die("libs rule %u is not found", i);
	}

	/* The blob's strings: whole, one byte short, with '/' added. */
	for (off = 0, nseen = 0; off < nstr && nseen < MAX_STRINGS; nseen++) {
		u32 len = (u32)strlen((const char *)str + off);

		check_lookups(pol, (const char *)str + off, len);
		if (len) {
			check_lookups(pol, (const char *)str + off, len - 1);
			check_lookups(pol, (const char *)str + off + 1, len - 1);
		}
		if (len <= CPOL_PATH_MAX) {
			memcpy(buf, str + off, len);
			buf[len] = '/';
			check_lookups(pol, buf, len + 1);
		}
		off += len + 1;
	}
	/* Bytes of the input: its tail, at a few lengths. */
	for (i = 0; i < 6; i++) {
		u32 len = (u32)(size < (4u << i) ? size : (4u << i));

		check_lookups(pol, (const char *)data + size - len, len);
	}
	check_lookups(pol, "/", 1);
	check_lookups(pol, "", 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frule rules[MAX_RULES];
	struct citadel_policy *pol = (struct citadel_policy *)&pol;
	char err[CITADEL_ERR_MAX];
	size_t n, i, k;
	int ret;

	memset(err, 'x', sizeof(err));
	ret = citadel_policy_parse(data, size, &pol, err, sizeof(err));
	if (ret) {
		if (ret != -EINVAL && ret != -E2BIG && ret != -ENOMEM)
			die("unexpected return %d", ret);
		if (pol)
			die("a rejected blob left *out set");
		if (!memchr(err, '\0', sizeof(err)) || !err[0])
			die("a rejection without a NUL-terminated reason");
		return 0;
	}
	if (!pol || err[0])
		die("accepted without a policy, or with an error text");
	if (!memchr(pol->name, '\0', sizeof(pol->name)) || !pol->name[0])
		die("the policy name is not a non-empty string");
	if (pol->flags & ~CPOL_F_ALL)
		die("unknown flags accepted");

	check_scopes(pol, data, size);
	check_paths(pol, data, size);

	n = read_rules(data, rules, ARRAY_SIZE(rules));
	if (n != (size_t)pol->rules_net4 + pol->rules_net6 +
		 pol->rules_listen4 + pol->rules_listen6 && n < MAX_RULES)
		die("%zu rules in the blob, the policy counts %u + %u + %u + %u",
		    n, pol->rules_net4, pol->rules_net6, pol->rules_listen4,
		    pol->rules_listen6);
	if (n == MAX_RULES) {
		/* Too many to scan for every probe: lookups only. */
		for (i = 0; i < CITADEL_NET_TABLES; i++) {
			struct citadel_addr a = { 0, (u64)size };

			citadel_net_match(&pol->net[i], &a, (u16)size, NULL);
		}
		citadel_policy_free(pol);
		return 0;
	}

	/*
	 * The edges of the first rules, in address and port: in the rule's
	 * own table, in the other kind (conn/listen) of its scope, and in
	 * the global conn table.
	 */
	for (i = 0; i < n && i < MAX_EDGE_RULES; i++) {
		const struct frule *r = &rules[i];
		bool v6 = r->table >= CITADEL_NET6_TCP;
		u128 max = v6 ? ~(u128)0 : 0xffffffffu;
		u128 as[4] = { r->start, r->end, r->start - 1, r->end + 1 };
		u16 ps[4] = { r->lo, r->hi, (u16)(r->lo - 1), (u16)(r->hi + 1) };
		size_t na = 2 + (r->start > 0) + (r->end < max);

		if (r->start == 0)
			as[2] = as[3];
		for (k = 0; k < na * 4; k++) {
			probe_both(pol, rules, n, r->scope, r->listen, v6,
				   as[k / 4], ps[k % 4]);
			probe_both(pol, rules, n, r->scope, !r->listen, v6,
				   as[k / 4], ps[k % 4]);
			if (r->scope || r->listen)
				probe_both(pol, rules, n, 0, false, v6,
					   as[k / 4], ps[k % 4]);
		}
	}
	/* Destinations taken from the input's last bytes, in some scope. */
	for (i = 0; i < MAX_TAIL_PROBES && (i + 1) * 18 <= size; i++) {
		const u8 *p = data + size - (i + 1) * 18;
		u128 a = rdbe(p, 16);
		u16 port = rd16(p + 16);
		u16 scope = (u16)(p[0] % pol->nscopes);
		bool listen = p[1] & 1;

		probe_both(pol, rules, n, 0, false, false, a, port);
		probe_both(pol, rules, n, 0, false, true, a, port);
		probe_both(pol, rules, n, scope, listen, false, a, port);
		probe_both(pol, rules, n, scope, listen, true, a, port);
	}
	citadel_policy_free(pol);
	return 0;
}
