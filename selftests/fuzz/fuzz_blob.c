// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the module's policy blob parser and matcher
 * (module/policy_parse.c, module/net_match.c built as userspace code).
 * Run by scripts/fuzz.sh.
 *
 * Each input is parsed as a blob. A rejected blob must come back with
 * -EINVAL/-E2BIG, no policy and a NUL-terminated error text. An accepted
 * one is checked against the blob itself: its rules are read back from
 * the (now validated) sections and every lookup at the edges of the
 * first rules, plus lookups taken from the input's last bytes, must agree
 * with a brute-force scan of the rules, and the reported line must be
 * that of a rule covering the destination. Any disagreement aborts, so
 * libFuzzer saves the input as a crash.
 */
#include <stdarg.h>

#include "host_shim.h"
#include "policy.h"

typedef unsigned __int128 u128;

struct frule {
	u128 start, end;
	int table;
	u16 lo, hi;
	u32 line;
};

#define MAX_EDGE_RULES	16
#define MAX_TAIL_PROBES	8
#define MAX_RULES	65536	/* checked against brute force */

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

/* Reads the rules of an accepted blob; returns how many. */
static size_t read_rules(const u8 *blob, struct frule *out, size_t cap)
{
	u32 nsec = rd32(blob + offsetof(struct cpol_header, section_count));
	size_t n = 0;
	u32 s, i;

	for (s = 0; s < nsec; s++) {
		const u8 *e = blob + sizeof(struct cpol_header) +
			      (size_t)s * sizeof(struct cpol_section);
		u32 type = rd32(e), off = rd32(e + 4), count = rd32(e + 12);
		bool v6 = type == CPOL_SEC_NET6;
		u32 esz = v6 ? sizeof(struct cpol_net6) : sizeof(struct cpol_net4);

		for (i = 0; i < count && n < cap; i++) {
			const u8 *p = blob + off + (size_t)i * esz;
			unsigned int bits = v6 ? 128 : 32;
			u8 prefix = p[v6 ? 16 : 4], proto = p[v6 ? 17 : 5];
			const u8 *tail = p + (v6 ? 18 : 6);
			struct frule *r = &out[n++];

			r->start = rdbe(p, v6 ? 16 : 4);
			r->end = r->start | host_bits(prefix, bits);
			r->table = (v6 ? CITADEL_NET6_TCP : CITADEL_NET4_TCP) +
				   (proto == CPOL_PROTO_UDP);
			r->lo = rd16(tail + 2);
			r->hi = rd16(tail + 4);
			r->line = rd32(tail + 6);
		}
	}
	return n;
}

static bool covers(const struct frule *r, int table, u128 a, u16 port)
{
	return r->table == table && a >= r->start && a <= r->end &&
	       port >= r->lo && port <= r->hi;
}

static void probe(const struct citadel_policy *pol, const struct frule *rules,
		  size_t n, int table, u128 a, u16 port)
{
	struct citadel_addr addr = { (u64)(a >> 64), (u64)a };
	bool want = false, got, line_ok = false;
	u32 line = 0xdeadbeef;
	size_t i;

	for (i = 0; i < n; i++)
		want |= covers(&rules[i], table, a, port);
	got = citadel_net_match(&pol->net[table], &addr, port, &line);
	if (got != want)
		die("table %d, address %016llx%016llx port %u: matcher says %d, the rules %d",
		    table, (unsigned long long)addr.hi,
		    (unsigned long long)addr.lo, port, got, want);
	if (citadel_net_match(&pol->net[table], &addr, port, NULL) != got)
		die("a NULL line changes the answer");
	if (!got)
		return;
	for (i = 0; i < n; i++)
		line_ok |= rules[i].line == line &&
			   covers(&rules[i], table, a, port);
	if (!line_ok)
		die("table %d, address %016llx%016llx port %u: line %u is not that of a covering rule",
		    table, (unsigned long long)addr.hi,
		    (unsigned long long)addr.lo, port, line);
}

static void probe_both(const struct citadel_policy *pol,
		       const struct frule *rules, size_t n, bool v6, u128 a,
		       u16 port)
{
	int t = v6 ? CITADEL_NET6_TCP : CITADEL_NET4_TCP;

	if (!v6)
		a &= 0xffffffffu;
	probe(pol, rules, n, t, a, port);
	probe(pol, rules, n, t + 1, a, port);
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

	n = read_rules(data, rules, ARRAY_SIZE(rules));
	if (n != (size_t)pol->rules_net4 + pol->rules_net6 && n < MAX_RULES)
		die("%zu rules in the blob, the policy counts %u + %u", n,
		    pol->rules_net4, pol->rules_net6);
	if (n == MAX_RULES) {
		/* Too many to scan for every probe: lookups only. */
		for (i = 0; i < CITADEL_NET_TABLES; i++) {
			struct citadel_addr a = { 0, (u64)size };

			citadel_net_match(&pol->net[i], &a, (u16)size, NULL);
		}
		citadel_policy_free(pol);
		return 0;
	}

	/* The edges of the first rules, in address and port. */
	for (i = 0; i < n && i < MAX_EDGE_RULES; i++) {
		const struct frule *r = &rules[i];
		bool v6 = r->table >= CITADEL_NET6_TCP;
		u128 max = v6 ? ~(u128)0 : 0xffffffffu;
		u128 as[4] = { r->start, r->end, r->start - 1, r->end + 1 };
		u16 ps[4] = { r->lo, r->hi, (u16)(r->lo - 1), (u16)(r->hi + 1) };
		size_t na = 2 + (r->start > 0) + (r->end < max);

		if (r->start == 0)
			as[2] = as[3];
		for (k = 0; k < na * 4; k++)
			probe_both(pol, rules, n, v6, as[k / 4], ps[k % 4]);
	}
	/* Destinations taken from the input's last bytes. */
	for (i = 0; i < MAX_TAIL_PROBES && (i + 1) * 18 <= size; i++) {
		const u8 *p = data + size - (i + 1) * 18;
		u128 a = rdbe(p, 16);
		u16 port = rd16(p + 16);

		probe_both(pol, rules, n, false, a, port);
		probe_both(pol, rules, n, true, a, port);
	}
	citadel_policy_free(pol);
	return 0;
}
