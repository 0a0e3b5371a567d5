// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of the module's policy blob parser, table builders and
 * lookups (the files of module/host_sources.txt: policy_parse.c,
 * policy_build_net.c, policy_build_path.c, net_match.c, path_match.c),
 * built as userspace code with ASan and UBSan by scripts/unit-module.sh.
 * Prints TAP.
 *
 * Blobs are made by an independent writer (selftests/fuzz/cpol_writer.h)
 * and then patched to break one rule of the ABI at a time. Every parse
 * reads a private heap copy of exactly the blob's length, so ASan sees
 * any read past its end.
 */
#include <arpa/inet.h>
#include <stdarg.h>

#include "host_shim.h"
#include "policy.h"
#include "../fuzz/cpol_writer.h"

typedef unsigned __int128 u128;

#define TCP CPOL_PROTO_TCP
#define UDP CPOL_PROTO_UDP

/* ------------------------------------------------------------------ TAP */

static unsigned int tap_n, tap_failed;

static __attribute__((format(printf, 1, 2))) void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static __attribute__((format(printf, 2, 3))) bool ok(bool cond,
						     const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %u - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return cond;
}

static void skip(const char *what, const char *why)
{
	printf("ok %u - %s # SKIP %s\n", ++tap_n, what, why);
}

/* ------------------------------------------------------------- helpers */

/*
 * The matcher once more, counting the steps of its walks: every test of
 * a walk's loop condition compares the node index with CITADEL_NO_NODE,
 * so each step costs one call of nm_step(). Nothing in module/ changes;
 * if net_match.c stops using CITADEL_NO_NODE the count stays 0 and the
 * scaling test skips.
 */
static unsigned long nm_steps;

static u32 nm_step(void)
{
	nm_steps++;
	return 0xffffffffu;
}

bool counted_net_match(const struct citadel_net_table *t,
		       const struct citadel_addr *addr, u16 port, u32 *line);
#undef CITADEL_NO_NODE
#define CITADEL_NO_NODE nm_step()
#define citadel_net_match counted_net_match
#include "net_match.c"
#undef citadel_net_match
#undef CITADEL_NO_NODE
#define CITADEL_NO_NODE 0xffffffffu
#undef CITADEL_MAX_DEPTH

static const char *const table_names[CITADEL_NET_TABLES] = {
	"net4/tcp", "net4/udp", "net6/tcp", "net6/udp",
};

/* Parses a private heap copy of @len bytes of @p. */
static int parse_copy(const void *p, size_t len, struct citadel_policy **pol,
		      char *err, size_t errlen)
{
	void *copy = malloc(len ? len : 1);
	int ret;

	if (!copy) {
		perror("malloc");
		exit(2);
	}
	memcpy(copy, p, len);
	ret = citadel_policy_parse(copy, len, pol, err, errlen);
	/* The policy must not point into the blob: ASan would see it. */
	memset(copy, 0xa5, len);
	free(copy);
	return ret;
}

/* Expects @len bytes of @p to be rejected with @want and @keyword. */
static void reject(const char *what, const void *p, size_t len, int want,
		   const char *keyword)
{
	struct citadel_policy *pol = (struct citadel_policy *)&pol;
	char err[CITADEL_ERR_MAX];
	int ret;

	memset(err, 'x', sizeof(err));
	ret = parse_copy(p, len, &pol, err, sizeof(err));
	if (!ok(ret == want && !pol && memchr(err, '\0', sizeof(err)) &&
		strstr(err, keyword),
		"rejects %s: %s, \"%s\"", what, want == -E2BIG ? "E2BIG" :
		"EINVAL", keyword))
		diag("got %d, \"%.*s\"", ret, (int)sizeof(err), err);
	if (ret == 0 && pol != (struct citadel_policy *)&pol)
		citadel_policy_free(pol);
}

static void reject_blob(const char *what, const struct cw_blob *b,
			const char *keyword)
{
	reject(what, b->p, b->len, -EINVAL, keyword);
}

/* Parses @b, which must be accepted; reports a failure as a test. */
static struct citadel_policy *must_parse(const char *what, const struct cw_blob *b)
{
	struct citadel_policy *pol = NULL;
	char err[CITADEL_ERR_MAX];
	int ret;

	ret = parse_copy(b->p, b->len, &pol, err, sizeof(err));
	if (ret || !pol) {
		ok(false, "accepts %s", what);
		diag("got %d, \"%s\"", ret, err);
		return NULL;
	}
	return pol;
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "bad IPv4 literal %s\n", s);
		exit(2);
	}
	return ntohl(a.s_addr);
}

static struct citadel_addr ip6(const char *s)
{
	struct citadel_addr r = { 0, 0 };
	uint8_t b[16];
	int i;

	if (inet_pton(AF_INET6, s, b) != 1) {
		fprintf(stderr, "bad IPv6 literal %s\n", s);
		exit(2);
	}
	for (i = 0; i < 8; i++) {
		r.hi = (r.hi << 8) | b[i];
		r.lo = (r.lo << 8) | b[8 + i];
	}
	return r;
}

static struct citadel_addr a4(const char *s)
{
	struct citadel_addr r = { 0, ip4(s) };

	return r;
}

static struct cpol_net4 R4(const char *addr, u8 prefix, u8 proto, u16 lo,
			   u16 hi, u32 line)
{
	return cw_net4(ip4(addr), prefix, proto, lo, hi, line);
}

static struct cpol_net6 R6(const char *addr, u8 prefix, u8 proto, u16 lo,
			   u16 hi, u32 line)
{
	struct citadel_addr a = ip6(addr);

	return cw_net6(a.hi, a.lo, prefix, proto, lo, hi, line);
}

static struct cw_blob mkblob(const struct cpol_net4 *r4, u32 n4,
			     const struct cpol_net6 *r6, u32 n6)
{
	struct cw_section s[2];
	unsigned int n = 0;

	if (n4) {
		s[n].type = CPOL_SEC_NET4;
		s[n].data = r4;
		s[n++].count = n4;
	}
	if (n6) {
		s[n].type = CPOL_SEC_NET6;
		s[n].data = r6;
		s[n++].count = n6;
	}
	return cw_build("unit", 0, 1, s, n);
}

static struct citadel_policy *mkpol(const char *what,
				    const struct cpol_net4 *r4, u32 n4,
				    const struct cpol_net6 *r6, u32 n6)
{
	struct cw_blob b = mkblob(r4, n4, r6, n6);
	struct citadel_policy *pol = must_parse(what, &b);

	free(b.p);
	return pol;
}

/*
 * One lookup: @want says whether it matches; when it does, the line must
 * be one of @lines (0-terminated; NULL: not checked).
 */
static void expect(const struct citadel_policy *pol, int table,
		   struct citadel_addr a, const char *astr, u16 port,
		   bool want, const u32 *lines)
{
	u32 line = 0xdeadbeef;
	bool got = citadel_net_match(&pol->net[table], &a, port, &line);
	bool good = got == want;
	const u32 *l;

	if (good && got && lines) {
		good = false;
		for (l = lines; *l; l++)
			good |= *l == line;
	}
	if (!ok(good, "%s %s port %u %s%s", table_names[table], astr, port,
		want ? "matches" : "does not match",
		want && lines ? " with the line of a covering rule" : ""))
		diag("got %s, line %u", got ? "match" : "no match", line);
	/* A NULL line must give the same answer. */
	if (citadel_net_match(&pol->net[table], &a, port, NULL) != got)
		ok(false, "%s %s port %u: same answer with line == NULL",
		   table_names[table], astr, port);
}

#define LINES(...) ((const u32[]){ __VA_ARGS__, 0 })
#define YES4(t, s, port, ...) expect(pol, t, a4(s), s, port, true, LINES(__VA_ARGS__))
#define NO4(t, s, port) expect(pol, t, a4(s), s, port, false, NULL)
#define YES6(t, s, port, ...) expect(pol, t, ip6(s), s, port, true, LINES(__VA_ARGS__))
#define NO6(t, s, port) expect(pol, t, ip6(s), s, port, false, NULL)

/* --------------------------------------------------- valid blob, header */

/* 2 net4 rules then 1 net6 rule: net4 at 128..160, net6 at 160..192. */
static struct cw_blob base_blob(void)
{
	static const char name[] = "base.policy-1_A";
	struct cpol_net4 r4[2];
	struct cpol_net6 r6[1];
	struct cw_section s[2];

	r4[0] = R4("10.0.0.0", 8, TCP, 80, 80, 3);
	r4[1] = R4("192.0.2.1", 32, UDP, 53, 53, 4);
	r6[0] = R6("2001:db8::", 32, TCP, 443, 443, 5);
	s[0].type = CPOL_SEC_NET4;
	s[0].data = r4;
	s[0].count = 2;
	s[1].type = CPOL_SEC_NET6;
	s[1].data = r6;
	s[1].count = 1;
	return cw_build(name, CPOL_F_AUDIT, 0x0123456789abcdefull, s, 2);
}

static void test_valid(void)
{
	struct cw_blob b = base_blob(), b2;
	struct citadel_policy *pol = NULL;
	char err[CITADEL_ERR_MAX] = "stale";
	struct cpol_net4 r4[3];
	struct cpol_net6 r6[2];
	struct cw_section s[2];
	int ret, t;

	ok(b.len == 192, "writer lays out header, table and 8-aligned sections (%zu bytes)",
	   b.len);
	ret = parse_copy(b.p, b.len, &pol, err, sizeof(err));
	ok(ret == 0 && pol, "valid blob parses");
	if (ret || !pol) {
		diag("got %d, \"%s\"", ret, err);
		free(b.p);
		return;
	}
	ok(err[0] == '\0', "no error text on success");
	ok(!strcmp(pol->name, "base.policy-1_A"), "name is read (\"%s\")",
	   pol->name);
	ok(pol->version == 0x0123456789abcdefull, "64-bit version is read");
	ok(pol->flags == CPOL_F_AUDIT, "flags are read");
	ok(pol->rules_net4 == 2 && pol->rules_net6 == 1,
	   "rule counts are read (net4 %u, net6 %u)", pol->rules_net4,
	   pol->rules_net6);
	ok(pol->net[CITADEL_NET4_TCP].nnodes == 1 &&
	   pol->net[CITADEL_NET4_UDP].nnodes == 1 &&
	   pol->net[CITADEL_NET6_TCP].nnodes == 1 &&
	   pol->net[CITADEL_NET6_UDP].nnodes == 0,
	   "rules go to the tables of their family and protocol");
	ok(pol->mem_bytes >= sizeof(*pol), "memory use is accounted");
	citadel_policy_free(pol);
	citadel_policy_free(NULL);

	/* No sections at all; a 63-character name; flags 0. */
	b2 = cw_build("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.", 0,
		      0, NULL, 0);
	pol = must_parse("a blob without sections", &b2);
	if (pol) {
		ok(pol->rules_net4 == 0 && pol->rules_net6 == 0 &&
		   strlen(pol->name) == 63 && pol->flags == 0 &&
		   pol->version == 0,
		   "a blob without sections and a 63-character name parses");
		for (t = 0; t < CITADEL_NET_TABLES; t++) {
			struct citadel_addr a = { 0, 0 };

			if (!ok(!citadel_net_match(&pol->net[t], &a, 0, NULL),
				"empty %s table matches nothing", table_names[t]))
				break;
		}
		citadel_policy_free(pol);
	}
	free(b2.p);

	/* Sections in the other order, with zero-count ones. */
	r4[0] = R4("10.0.0.0", 8, TCP, 1, 1, 1);
	r4[1] = R4("10.0.0.0", 8, TCP, 2, 2, 2);
	r4[2] = R4("10.0.0.0", 8, UDP, 3, 3, 3);
	r6[0] = R6("::", 0, UDP, 4, 4, 4);
	r6[1] = R6("::1", 128, UDP, 5, 5, 5);
	s[0].type = CPOL_SEC_NET6;
	s[0].data = r6;
	s[0].count = 2;
	s[1].type = CPOL_SEC_NET4;
	s[1].data = r4;
	s[1].count = 3;
	b2 = cw_build("order", 0, 2, s, 2);
	pol = must_parse("net6 before net4", &b2);
	if (pol) {
		ok(pol->rules_net4 == 3 && pol->rules_net6 == 2,
		   "sections may come in any order");
		citadel_policy_free(pol);
	}
	free(b2.p);
	s[0].count = 0;
	s[1].count = 0;
	b2 = cw_build("zero", 0, 2, s, 2);
	pol = must_parse("zero-count sections", &b2);
	if (pol) {
		ok(pol->rules_net4 == 0 && pol->rules_net6 == 0,
		   "zero-count sections parse");
		citadel_policy_free(pol);
	}
	/* Two empty sections at the same offset do not overlap. */
	cw_put32(&b2, CW_SEC(1) + CW_SEC_OFFSET,
		 cw_get32(&b2, CW_SEC(0) + CW_SEC_OFFSET));
	pol = must_parse("two empty sections at one offset", &b2);
	if (pol) {
		ok(true, "empty sections may share an offset");
		citadel_policy_free(pol);
	}
	free(b2.p);

	/* Bytes after the sections are allowed, up to CPOL_MAX_BLOB. */
	b2.len = CPOL_MAX_BLOB;
	b2.p = calloc(1, b2.len);
	if (!b2.p)
		exit(2);
	memcpy(b2.p, b.p, b.len);
	cw_put32(&b2, CW_OFF_TOTAL, CPOL_MAX_BLOB);
	pol = must_parse("a blob of exactly CPOL_MAX_BLOB bytes", &b2);
	if (pol) {
		ok(pol->rules_net4 == 2, "a blob of exactly CPOL_MAX_BLOB bytes parses");
		citadel_policy_free(pol);
	}
	free(b2.p);
	free(b.p);
}

static void test_errors_api(void)
{
	struct cw_blob b = base_blob();
	struct citadel_policy *pol = (struct citadel_policy *)&pol;
	char err[8];
	int ret;

	cw_put32(&b, CW_OFF_MAGIC, 0);
	ret = parse_copy(b.p, b.len, &pol, NULL, 0);
	ok(ret == -EINVAL && !pol, "a NULL error buffer is allowed");
	memset(err, 'x', sizeof(err));
	ret = parse_copy(b.p, b.len, &pol, err, sizeof(err));
	ok(ret == -EINVAL && err[sizeof(err) - 1] == '\0' &&
	   strlen(err) == sizeof(err) - 1,
	   "a short error buffer is filled and NUL-terminated (\"%s\")", err);
	memset(err, 'x', sizeof(err));
	ret = parse_copy(b.p, b.len, &pol, err, 1);
	ok(ret == -EINVAL && err[0] == '\0' && err[1] == 'x',
	   "an error buffer of 1 byte gets only the NUL");
	free(b.p);
}

static void test_header(void)
{
	struct cw_blob b = base_blob(), m;
	static const char *const bad_names[] = {
		"a b", "a/b", "tab\t", "colon:", "uml\xc3\xa4ut", "x\x7f", "\x80",
	};
	u8 *big;
	size_t i;

#define MUT(stmt, what, kw) do {			\
		m.len = b.len;				\
		m.p = malloc(b.len);			\
		memcpy(m.p, b.p, b.len);		\
		stmt;					\
		reject_blob(what, &m, kw);		\
		free(m.p);				\
	} while (0)

	reject("an empty blob", b.p, 0, -EINVAL, "too short");
	reject("a 1-byte blob", b.p, 1, -EINVAL, "too short");
	reject("a blob one byte shorter than the header", b.p,
	       sizeof(struct cpol_header) - 1, -EINVAL, "too short");

	big = calloc(1, (size_t)CPOL_MAX_BLOB + 1);
	if (!big)
		exit(2);
	memcpy(big, b.p, b.len);
	reject("a blob of CPOL_MAX_BLOB + 1 bytes", big,
	       (size_t)CPOL_MAX_BLOB + 1, -E2BIG, "exceeds");
	free(big);

	MUT(cw_put32(&m, CW_OFF_MAGIC, CPOL_MAGIC + 1), "bad magic", "bad magic");
	MUT(cw_put32(&m, CW_OFF_MAGIC, 0x43504f4c), "byte-swapped magic",
	    "bad magic");
	MUT(cw_put16(&m, CW_OFF_ABI, 0), "ABI version 0", "ABI version");
	MUT(cw_put16(&m, CW_OFF_ABI, CPOL_ABI_VERSION + 1), "ABI version 2",
	    "ABI version");
	MUT(cw_put16(&m, CW_OFF_HSIZE, sizeof(struct cpol_header) - 8),
	    "a smaller header_size", "header size");
	MUT(cw_put16(&m, CW_OFF_HSIZE, sizeof(struct cpol_header) + 8),
	    "a larger header_size", "header size");
	MUT(cw_put16(&m, CW_OFF_HSIZE, 0), "header_size 0", "header size");

	/* total_size against the length written. */
	reject("a truncated blob (total_size > length)", b.p, b.len - 8,
	       -EINVAL, "total size");
	reject("a blob truncated to its header", b.p,
	       sizeof(struct cpol_header), -EINVAL, "total size");
	m.len = b.len + 8;
	m.p = calloc(1, m.len);
	memcpy(m.p, b.p, b.len);
	reject_blob("a padded blob (total_size < length)", &m, "total size");
	free(m.p);
	MUT(cw_put32(&m, CW_OFF_TOTAL, (u32)b.len + 1), "total_size + 1",
	    "truncated or padded");
	MUT(cw_put32(&m, CW_OFF_TOTAL, 0), "total_size 0", "total size");

	MUT(cw_put32(&m, CW_OFF_FLAGS, 8), "unknown flag bit 3", "unknown flags");
	MUT(cw_put32(&m, CW_OFF_FLAGS, 0x80000001u), "unknown flag bit 31",
	    "unknown flags 0x80000000");
	MUT(cw_put32(&m, CW_OFF_RESERVED, 1), "reserved = 1", "reserved");
	MUT(cw_put32(&m, CW_OFF_RESERVED, 0x80000000u), "reserved = 1 << 31",
	    "reserved");

	MUT(memset(m.p + CW_OFF_NAME, 0, CPOL_NAME_MAX), "an empty name",
	    "empty policy name");
	MUT((memset(m.p + CW_OFF_NAME, 0, CPOL_NAME_MAX),
	     m.p[CW_OFF_NAME + 1] = 'a'), "an empty name with junk after it",
	    "empty policy name");
	MUT(memset(m.p + CW_OFF_NAME, 'a', CPOL_NAME_MAX),
	    "an unterminated name", "not NUL-terminated");
	for (i = 0; i < ARRAY_SIZE(bad_names); i++) {
		char what[64];

		snprintf(what, sizeof(what), "bad character in name #%zu", i);
		MUT((memset(m.p + CW_OFF_NAME, 0, CPOL_NAME_MAX),
		     memcpy(m.p + CW_OFF_NAME, bad_names[i],
			    strlen(bad_names[i]))), what, "invalid character");
	}
	MUT(m.p[CW_OFF_NAME + 20] = 'x', "a name with junk in its padding",
	    "padding is not zero");
	MUT(m.p[CW_OFF_NAME + CPOL_NAME_MAX - 1] = 1,
	    "a name with its last padding byte set", "offset 95");

	MUT(cw_put32(&m, CW_OFF_NSEC, CPOL_MAX_SECTIONS + 1), "17 sections",
	    "at most 16");
	MUT(cw_put32(&m, CW_OFF_NSEC, 0xffffffffu), "0xffffffff sections",
	    "at most 16");
	MUT(cw_put32(&m, CW_OFF_NSEC, CPOL_MAX_SECTIONS),
	    "a section table longer than the blob", "past the end");
	MUT(cw_put32(&m, CW_OFF_NSEC, 7), "a section table one entry past the end",
	    "runs past the end");
	m.len = sizeof(struct cpol_header);
	m.p = calloc(1, m.len);
	memcpy(m.p, b.p, m.len);
	cw_put32(&m, CW_OFF_TOTAL, (u32)m.len);
	cw_put32(&m, CW_OFF_NSEC, 1);
	reject_blob("a header-only blob announcing 1 section", &m,
		    "section table");
	free(m.p);
	free(b.p);
}

static void test_sections(void)
{
	struct cw_blob b = base_blob(), m;
	struct cpol_net4 r4[2];
	struct cw_section s[2];
	const size_t s0 = CW_SEC(0), s1 = CW_SEC(1);

	MUT(cw_put32(&m, s0 + CW_SEC_TYPE, 0), "section type 0", "unknown type 0");
	MUT(cw_put32(&m, s1 + CW_SEC_TYPE, CPOL_SEC_PROTECT + 1), "section type 10",
	    "unknown type 10");
	MUT(cw_put32(&m, s1 + CW_SEC_TYPE, 0xffffffffu), "section type 0xffffffff",
	    "unknown type");
	MUT(cw_put32(&m, s1 + CW_SEC_TYPE, CPOL_SEC_NET4),
	    "a second net4 section", "appears twice");

	/* A well-formed duplicate: two net4 sections of one rule each. */
	r4[0] = R4("10.0.0.0", 8, TCP, 80, 80, 1);
	r4[1] = R4("10.0.0.0", 8, TCP, 81, 81, 2);
	s[0].type = CPOL_SEC_NET4;
	s[0].data = &r4[0];
	s[0].count = 1;
	s[1] = s[0];
	s[1].data = &r4[1];
	m = cw_build("dup", 0, 1, s, 2);
	reject_blob("two well-formed net4 sections", &m, "net4 section appears twice");
	free(m.p);

	MUT((cw_put32(&m, s0 + CW_SEC_COUNT, CPOL_MAX_RULES + 1),
	     cw_put32(&m, s0 + CW_SEC_SIZE, (CPOL_MAX_RULES + 1) * 16)),
	    "CPOL_MAX_RULES + 1 net4 entries", "at most 1048576");
	MUT((cw_put32(&m, s1 + CW_SEC_COUNT, 0xffffffffu),
	     cw_put32(&m, s1 + CW_SEC_SIZE, 0xffffffe0u)),
	    "0xffffffff net6 entries", "entries, at most");
	MUT(cw_put32(&m, s0 + CW_SEC_SIZE, 31), "net4 size 31 for 2 entries",
	    "does not match");
	MUT(cw_put32(&m, s0 + CW_SEC_SIZE, 48), "net4 size 48 for 2 entries",
	    "does not match");
	MUT(cw_put32(&m, s0 + CW_SEC_COUNT, 1), "net4 count 1 for 32 bytes",
	    "does not match");
	MUT(cw_put32(&m, s1 + CW_SEC_SIZE, 16), "net6 size 16 for 1 entry",
	    "does not match");
	MUT(cw_put32(&m, s1 + CW_SEC_SIZE, 0), "net6 size 0 for 1 entry",
	    "does not match");
	/* 0x10000000 entries of 16 bytes wrap a 32-bit size to 0. */
	MUT((cw_put32(&m, s0 + CW_SEC_COUNT, 0x10000000u),
	     cw_put32(&m, s0 + CW_SEC_SIZE, 0)),
	    "a count whose size wraps to 0", "at most");

	MUT(cw_put32(&m, s1 + CW_SEC_OFFSET, 164), "a 4-aligned offset",
	    "not 8-aligned");
	MUT(cw_put32(&m, s1 + CW_SEC_OFFSET, 161), "an odd offset", "aligned");
	MUT(cw_put32(&m, s0 + CW_SEC_OFFSET, 0), "offset 0",
	    "overlaps the header");
	MUT(cw_put32(&m, s0 + CW_SEC_OFFSET, 64), "an offset inside the header",
	    "overlaps the header");
	MUT(cw_put32(&m, s0 + CW_SEC_OFFSET, 96), "an offset at the section table",
	    "overlaps the header or section table");
	MUT(cw_put32(&m, s0 + CW_SEC_OFFSET, 120),
	    "an offset in the last table entry", "overlaps the header");
	MUT(cw_put32(&m, s1 + CW_SEC_OFFSET, 168), "a section 8 bytes past the end",
	    "run past the end");
	MUT(cw_put32(&m, s1 + CW_SEC_OFFSET, 0xfffffff8u),
	    "a section at offset 0xfffffff8", "run past the end");
	MUT(cw_put32(&m, s1 + CW_SEC_OFFSET, 152), "overlapping sections",
	    "sections 0 and 1 overlap");
	MUT(cw_put32(&m, s1 + CW_SEC_OFFSET, 128), "two sections at one offset",
	    "overlap");
	MUT(cw_put32(&m, s0 + CW_SEC_OFFSET, 136),
	    "sections overlapping by their last 8 bytes", "overlap");
	free(b.p);
}

/* Rule validation: one bad rule (the second of its section). */
static void rule4(const char *what, struct cpol_net4 e, const char *kw)
{
	struct cpol_net4 r[2] = { R4("10.0.0.0", 8, TCP, 80, 80, 1), e };
	struct cw_blob b = mkblob(r, 2, NULL, 0);

	reject_blob(what, &b, kw);
	free(b.p);
}

static void rule6(const char *what, struct cpol_net6 e, const char *kw)
{
	struct cpol_net4 r4 = R4("10.0.0.0", 8, TCP, 80, 80, 1);
	struct cpol_net6 r[2] = { R6("2001:db8::", 32, TCP, 80, 80, 2), e };
	struct cw_blob b = mkblob(&r4, 1, r, 2);

	reject_blob(what, &b, kw);
	free(b.p);
}

static void test_rules(void)
{
	struct cpol_net4 e4;
	struct cpol_net6 e6;

	rule4("net4 prefix 33", R4("10.0.0.0", 33, TCP, 1, 1, 42),
	      "net4 rule 1 (line 42): prefix length 33 exceeds 32");
	rule4("net4 prefix 255", R4("0.0.0.0", 255, TCP, 1, 1, 42), "exceeds 32");
	rule6("net6 prefix 129", R6("::", 129, TCP, 1, 1, 43),
	      "net6 rule 1 (line 43): prefix length 129 exceeds 128");
	rule6("net6 prefix 255", R6("::", 255, TCP, 1, 1, 43), "exceeds 128");

	rule4("10.0.0.1/24", R4("10.0.0.1", 24, TCP, 1, 1, 7), "host bits set");
	rule4("11.0.0.0/7", R4("11.0.0.0", 7, TCP, 1, 1, 7), "host bits set beyond /7");
	rule4("0.0.0.1/0", R4("0.0.0.1", 0, TCP, 1, 1, 7), "host bits");
	rule4("128.0.0.0/0", R4("128.0.0.0", 0, TCP, 1, 1, 7), "host bits");
	rule4("10.0.0.1/31", R4("10.0.0.1", 31, TCP, 1, 1, 7), "host bits");
	rule6("::1/0", R6("::1", 0, TCP, 1, 1, 7), "host bits");
	rule6("8000::/0", R6("8000::", 0, TCP, 1, 1, 7), "host bits");
	rule6("2001:db8::1/127", R6("2001:db8::1", 127, TCP, 1, 1, 7), "host bits");
	rule6("2001:db8::1:0/96", R6("2001:db8::1:0", 96, TCP, 1, 1, 7),
	      "host bits");
	rule6("2001:db8:0:1::/48 (bit 63)", R6("2001:db8:0:1::", 48, TCP, 1, 1, 7),
	      "host bits");
	rule6("2001:db8::4000:0:0:0/65", R6("2001:db8::4000:0:0:0", 65, TCP, 1, 1, 7),
	      "host bits");
	rule6("2001:db8:0:1::/63", R6("2001:db8:0:1::", 63, TCP, 1, 1, 7),
	      "host bits");

	rule4("protocol 0", R4("10.0.0.0", 8, 0, 1, 1, 8), "unknown protocol 0");
	rule4("protocol 3", R4("10.0.0.0", 8, 3, 1, 1, 8), "unknown protocol 3");
	rule4("protocol 6 (IP number of TCP)", R4("10.0.0.0", 8, 6, 1, 1, 8),
	      "unknown protocol");
	rule6("net6 protocol 17", R6("::", 0, 17, 1, 1, 8), "unknown protocol 17");

	e4 = R4("10.0.0.0", 8, TCP, 1, 1, 9);
	e4.scope = htole16(1);
	rule4("net4 scope 1", e4, "scope 1 does not exist");
	e4.scope = htole16(0xffff);
	rule4("net4 scope 0xffff", e4, "scope");
	e6 = R6("::", 0, UDP, 1, 1, 9);
	e6.scope = htole16(2);
	rule6("net6 scope 2", e6, "scope 2");

	rule4("ports 100-99", R4("10.0.0.0", 8, TCP, 100, 99, 10),
	      "port range 100-99 is reversed");
	rule4("ports 65535-0", R4("10.0.0.0", 8, UDP, 65535, 0, 10), "reversed");
	rule6("net6 ports 2-1", R6("::", 0, TCP, 2, 1, 10), "reversed");

	e6 = R6("::", 0, TCP, 1, 1, 11);
	e6.reserved = htole32(1);
	rule6("net6 reserved = 1", e6, "net6 rule 1: reserved field is not zero");
	e6.reserved = htole32(0x80000000u);
	rule6("net6 reserved = 1 << 31", e6, "reserved");
}

/* ------------------------------------------------------ fixed matching */

static void test_match4(void)
{
	struct cpol_net4 r[] = {
		R4("10.0.0.1", 32, TCP, 443, 443, 10),		/* exact host */
		R4("0.0.0.0", 0, UDP, 53, 53, 20),		/* /0 */
		R4("192.168.0.0", 16, TCP, 1000, 2000, 30),	/* range */
		R4("255.255.255.255", 32, TCP, 0, 0, 31),	/* top, port 0 */
		R4("0.0.0.0", 32, TCP, 65535, 65535, 32),	/* bottom */
		R4("198.51.100.0", 24, TCP, 0, 65535, 33),	/* all ports */
		/* Nested CIDRs, each with its own ports. */
		R4("20.0.0.0", 8, TCP, 80, 80, 1),
		R4("20.1.0.0", 16, TCP, 443, 443, 2),
		R4("20.1.2.0", 24, TCP, 22, 22, 3),
		R4("20.1.2.128", 25, TCP, 8080, 8080, 4),
		R4("20.1.3.0", 24, TCP, 25, 25, 5),
		R4("20.1.2.255", 32, TCP, 9, 9, 6),
		/* One CIDR, several overlapping and adjacent port ranges. */
		R4("172.16.0.0", 12, TCP, 80, 90, 40),
		R4("172.16.0.0", 12, TCP, 85, 100, 41),
		R4("172.16.0.0", 12, TCP, 101, 110, 42),
		R4("172.16.0.0", 12, TCP, 200, 200, 43),
		R4("172.16.0.0", 12, TCP, 80, 80, 44),
		R4("172.16.0.0", 12, TCP, 300, 400, 45),
		R4("172.16.0.0", 12, TCP, 350, 500, 46),
		R4("172.16.0.0", 12, TCP, 320, 330, 47),
		/* Same CIDR, tcp and udp. */
		R4("10.9.9.9", 32, TCP, 1, 100, 50),
		R4("10.9.9.9", 32, UDP, 200, 300, 51),
	};
	struct citadel_policy *pol = mkpol("the IPv4 matching policy", r,
					   ARRAY_SIZE(r), NULL, 0);

	if (!pol)
		return;
	/* Exact host. */
	YES4(CITADEL_NET4_TCP, "10.0.0.1", 443, 10);
	NO4(CITADEL_NET4_TCP, "10.0.0.0", 443);
	NO4(CITADEL_NET4_TCP, "10.0.0.2", 443);
	NO4(CITADEL_NET4_TCP, "10.0.0.1", 442);
	NO4(CITADEL_NET4_TCP, "10.0.0.1", 444);
	/* /0 (udp), and tcp/udp separation. */
	YES4(CITADEL_NET4_UDP, "0.0.0.0", 53, 20);
	YES4(CITADEL_NET4_UDP, "255.255.255.255", 53, 20);
	YES4(CITADEL_NET4_UDP, "10.0.0.1", 53, 20);
	NO4(CITADEL_NET4_UDP, "1.2.3.4", 52);
	NO4(CITADEL_NET4_UDP, "1.2.3.4", 54);
	NO4(CITADEL_NET4_UDP, "10.0.0.1", 443);
	NO4(CITADEL_NET4_TCP, "1.2.3.4", 53);
	/* First and last address of a range, and just outside. */
	YES4(CITADEL_NET4_TCP, "192.168.0.0", 1000, 30);
	YES4(CITADEL_NET4_TCP, "192.168.255.255", 2000, 30);
	YES4(CITADEL_NET4_TCP, "192.168.128.1", 1500, 30);
	NO4(CITADEL_NET4_TCP, "192.167.255.255", 1000);
	NO4(CITADEL_NET4_TCP, "192.169.0.0", 1000);
	NO4(CITADEL_NET4_TCP, "192.168.0.0", 999);
	NO4(CITADEL_NET4_TCP, "192.168.255.255", 2001);
	/* Ends of the address and port spaces. */
	YES4(CITADEL_NET4_TCP, "255.255.255.255", 0, 31);
	NO4(CITADEL_NET4_TCP, "255.255.255.255", 1);
	NO4(CITADEL_NET4_TCP, "255.255.255.254", 0);
	YES4(CITADEL_NET4_TCP, "0.0.0.0", 65535, 32);
	NO4(CITADEL_NET4_TCP, "0.0.0.0", 65534);
	NO4(CITADEL_NET4_TCP, "0.0.0.1", 65535);
	YES4(CITADEL_NET4_TCP, "198.51.100.0", 0, 33);
	YES4(CITADEL_NET4_TCP, "198.51.100.255", 65535, 33);
	NO4(CITADEL_NET4_UDP, "198.51.100.7", 7);
	/* Nested CIDRs: a broader rule's ports still apply inside. */
	YES4(CITADEL_NET4_TCP, "20.1.2.200", 80, 1);
	YES4(CITADEL_NET4_TCP, "20.1.2.200", 443, 2);
	YES4(CITADEL_NET4_TCP, "20.1.2.200", 22, 3);
	YES4(CITADEL_NET4_TCP, "20.1.2.200", 8080, 4);
	YES4(CITADEL_NET4_TCP, "20.1.2.255", 9, 6);
	YES4(CITADEL_NET4_TCP, "20.1.2.255", 80, 1);
	YES4(CITADEL_NET4_TCP, "20.1.2.255", 8080, 4);
	NO4(CITADEL_NET4_TCP, "20.1.2.254", 9);
	NO4(CITADEL_NET4_TCP, "20.1.2.127", 8080);
	YES4(CITADEL_NET4_TCP, "20.1.2.127", 22, 3);
	YES4(CITADEL_NET4_TCP, "20.1.2.0", 22, 3);
	NO4(CITADEL_NET4_TCP, "20.1.3.1", 22);
	YES4(CITADEL_NET4_TCP, "20.1.3.1", 25, 5);
	YES4(CITADEL_NET4_TCP, "20.1.3.1", 443, 2);
	/* Past the last nested CIDR: the lookup must climb back up. */
	YES4(CITADEL_NET4_TCP, "20.1.4.0", 443, 2);
	NO4(CITADEL_NET4_TCP, "20.1.4.0", 25);
	YES4(CITADEL_NET4_TCP, "20.1.255.255", 443, 2);
	YES4(CITADEL_NET4_TCP, "20.2.0.0", 80, 1);
	NO4(CITADEL_NET4_TCP, "20.2.0.0", 443);
	YES4(CITADEL_NET4_TCP, "20.255.255.255", 80, 1);
	NO4(CITADEL_NET4_TCP, "21.0.0.0", 80);
	NO4(CITADEL_NET4_TCP, "19.255.255.255", 80);
	/* Several port ranges on one CIDR: edges and reported lines. */
	NO4(CITADEL_NET4_TCP, "172.16.0.1", 79);
	YES4(CITADEL_NET4_TCP, "172.16.0.1", 80, 40, 44);
	YES4(CITADEL_NET4_TCP, "172.16.0.1", 84, 40);
	YES4(CITADEL_NET4_TCP, "172.16.0.1", 90, 40, 41);
	YES4(CITADEL_NET4_TCP, "172.31.255.255", 100, 41);
	YES4(CITADEL_NET4_TCP, "172.16.0.1", 95, 41);
	YES4(CITADEL_NET4_TCP, "172.16.0.1", 101, 42);
	YES4(CITADEL_NET4_TCP, "172.16.0.1", 110, 42);
	NO4(CITADEL_NET4_TCP, "172.16.0.1", 111);
	NO4(CITADEL_NET4_TCP, "172.16.0.1", 199);
	YES4(CITADEL_NET4_TCP, "172.16.0.1", 200, 43);
	NO4(CITADEL_NET4_TCP, "172.16.0.1", 201);
	YES4(CITADEL_NET4_TCP, "172.16.0.1", 325, 45, 47);
	YES4(CITADEL_NET4_TCP, "172.16.0.1", 450, 46);
	YES4(CITADEL_NET4_TCP, "172.16.0.1", 500, 46);
	NO4(CITADEL_NET4_TCP, "172.16.0.1", 501);
	NO4(CITADEL_NET4_TCP, "172.32.0.0", 80);
	/* tcp and udp tables are separate. */
	YES4(CITADEL_NET4_TCP, "10.9.9.9", 50, 50);
	NO4(CITADEL_NET4_UDP, "10.9.9.9", 50);
	YES4(CITADEL_NET4_UDP, "10.9.9.9", 250, 51);
	NO4(CITADEL_NET4_TCP, "10.9.9.9", 250);
	citadel_policy_free(pol);
}

static void test_families(void)
{
	struct cpol_net4 r4[] = {
		R4("0.0.0.0", 0, TCP, 0, 65535, 1),
		R4("0.0.0.0", 0, UDP, 0, 65535, 2),
	};
	struct cpol_net6 r6[] = {
		R6("::", 0, UDP, 53, 53, 3),
	};
	struct citadel_policy *pol;
	struct citadel_addr v4mapped = ip6("::ffff:10.0.0.1");

	pol = mkpol("an IPv4-only policy", r4, ARRAY_SIZE(r4), NULL, 0);
	if (pol) {
		ok(pol->net[CITADEL_NET6_TCP].nnodes == 0 &&
		   pol->net[CITADEL_NET6_UDP].nnodes == 0,
		   "IPv4 rules leave the IPv6 tables empty");
		NO6(CITADEL_NET6_TCP, "::", 80);
		NO6(CITADEL_NET6_UDP, "::a00:1", 80);
		NO6(CITADEL_NET6_TCP, "::ffff:10.0.0.1", 80);
		YES4(CITADEL_NET4_TCP, "10.0.0.1", 80, 1);
		citadel_policy_free(pol);
	}
	pol = mkpol("an IPv6-only policy", NULL, 0, r6, ARRAY_SIZE(r6));
	if (pol) {
		ok(pol->net[CITADEL_NET4_TCP].nnodes == 0 &&
		   pol->net[CITADEL_NET4_UDP].nnodes == 0,
		   "IPv6 rules leave the IPv4 tables empty");
		NO4(CITADEL_NET4_UDP, "10.0.0.1", 53);
		NO4(CITADEL_NET4_UDP, "0.0.0.0", 53);
		YES6(CITADEL_NET6_UDP, "::ffff:10.0.0.1", 53, 3);
		ok(!citadel_net_match(&pol->net[CITADEL_NET4_UDP], &v4mapped, 53,
				      NULL),
		   "an IPv4-mapped address is not looked up in net4");
		citadel_policy_free(pol);
	}
}

static void test_match6(void)
{
	struct cpol_net6 r[] = {
		R6("2001:db8::1", 128, TCP, 443, 443, 10),
		R6("::", 0, UDP, 53, 53, 20),
		R6("2001:db8:abcd::", 48, TCP, 1000, 2000, 30),
		R6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128, TCP, 0, 0, 31),
		R6("::", 128, TCP, 65535, 65535, 32),
		/* Nested across the 64-bit halves. */
		R6("2001:db8:1000::", 36, TCP, 80, 80, 1),
		R6("2001:db8:1000:2::", 63, TCP, 443, 443, 2),
		R6("2001:db8:1000:3:8000::", 65, TCP, 22, 22, 3),
		R6("2001:db8:1000:3:8000::100", 120, TCP, 8080, 8080, 4),
		R6("2001:db8:1000:3:8000::1ff", 128, TCP, 9, 9, 5),
		R6("2001:db8:1000:3:ffff:ffff::", 96, TCP, 25, 25, 6),
		R6("2001:db8:1000:3:ffff:ffff:ffff:fffe", 127, UDP, 7, 7, 7),
	};
	struct citadel_policy *pol = mkpol("the IPv6 matching policy", NULL, 0,
					   r, ARRAY_SIZE(r));

	if (!pol)
		return;
	YES6(CITADEL_NET6_TCP, "2001:db8::1", 443, 10);
	NO6(CITADEL_NET6_TCP, "2001:db8::", 443);
	NO6(CITADEL_NET6_TCP, "2001:db8::2", 443);
	NO6(CITADEL_NET6_TCP, "2001:db8::1", 444);
	NO6(CITADEL_NET6_UDP, "2001:db8::1", 443);
	YES6(CITADEL_NET6_UDP, "::", 53, 20);
	YES6(CITADEL_NET6_UDP, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 53, 20);
	NO6(CITADEL_NET6_UDP, "2001:db8::1", 54);
	YES6(CITADEL_NET6_TCP, "2001:db8:abcd::", 1000, 30);
	YES6(CITADEL_NET6_TCP, "2001:db8:abcd:ffff:ffff:ffff:ffff:ffff", 2000, 30);
	NO6(CITADEL_NET6_TCP, "2001:db8:abcc:ffff:ffff:ffff:ffff:ffff", 1000);
	NO6(CITADEL_NET6_TCP, "2001:db8:abce::", 1000);
	NO6(CITADEL_NET6_TCP, "2001:db8:abcd::", 2001);
	YES6(CITADEL_NET6_TCP, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, 31);
	NO6(CITADEL_NET6_TCP, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 0);
	YES6(CITADEL_NET6_TCP, "::", 65535, 32);
	NO6(CITADEL_NET6_TCP, "::1", 65535);
	/* /63 spans two values of the high half. */
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:2::", 443, 2);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:ffff:ffff:ffff:ffff", 443, 2);
	NO6(CITADEL_NET6_TCP, "2001:db8:1000:1:ffff:ffff:ffff:ffff", 443);
	NO6(CITADEL_NET6_TCP, "2001:db8:1000:4::", 443);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:4::", 80, 1);
	/* /65: the upper half of 2001:db8:1000:3::/64. */
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:8000::", 22, 3);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:ffff:ffff:ffff:ffff", 22, 3);
	NO6(CITADEL_NET6_TCP, "2001:db8:1000:3:7fff:ffff:ffff:ffff", 22);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:7fff:ffff:ffff:ffff", 443, 2);
	/* Deeper still, all the enclosing ports apply. */
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:8000::1ff", 9, 5);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:8000::1ff", 8080, 4);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:8000::1ff", 22, 3);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:8000::1ff", 443, 2);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:8000::1ff", 80, 1);
	NO6(CITADEL_NET6_TCP, "2001:db8:1000:3:8000::1fe", 9);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:8000::100", 8080, 4);
	NO6(CITADEL_NET6_TCP, "2001:db8:1000:3:8000::ff", 8080);
	NO6(CITADEL_NET6_TCP, "2001:db8:1000:3:8000::200", 8080);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:8000::200", 22, 3);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:ffff:ffff:0:0", 25, 6);
	YES6(CITADEL_NET6_TCP, "2001:db8:1000:3:ffff:ffff:ffff:ffff", 25, 6);
	NO6(CITADEL_NET6_TCP, "2001:db8:1000:3:ffff:fffe:ffff:ffff", 25);
	YES6(CITADEL_NET6_UDP, "2001:db8:1000:3:ffff:ffff:ffff:ffff", 7, 7);
	YES6(CITADEL_NET6_UDP, "2001:db8:1000:3:ffff:ffff:ffff:fffe", 7, 7);
	NO6(CITADEL_NET6_UDP, "2001:db8:1000:3:ffff:ffff:ffff:fffd", 7);
	NO6(CITADEL_NET6_TCP, "2001:db8:1000:3:ffff:ffff:ffff:ffff", 7);
	YES6(CITADEL_NET6_TCP, "2001:db8:1fff:ffff:ffff:ffff:ffff:ffff", 80, 1);
	NO6(CITADEL_NET6_TCP, "2001:db8:2000::", 80);
	NO6(CITADEL_NET6_TCP, "2001:db8:fff:ffff:ffff:ffff:ffff:ffff", 80);
	citadel_policy_free(pol);
}

/* A /64 prefix: the mask of the high half is all of it. */
static void test_match6_64(void)
{
	struct cpol_net6 r[] = {
		R6("2001:db8:1:2::", 64, TCP, 443, 443, 1),
		R6("::", 64, UDP, 53, 53, 2),
		R6("2001:db8:1:2::", 128, TCP, 80, 80, 3),
	};
	struct citadel_policy *pol = mkpol("/64 rules", NULL, 0, r,
					   ARRAY_SIZE(r));

	if (!pol)
		return;
	YES6(CITADEL_NET6_TCP, "2001:db8:1:2::", 443, 1);
	YES6(CITADEL_NET6_TCP, "2001:db8:1:2:ffff:ffff:ffff:ffff", 443, 1);
	YES6(CITADEL_NET6_TCP, "2001:db8:1:2::", 80, 3);
	NO6(CITADEL_NET6_TCP, "2001:db8:1:1:ffff:ffff:ffff:ffff", 443);
	NO6(CITADEL_NET6_TCP, "2001:db8:1:3::", 443);
	YES6(CITADEL_NET6_UDP, "::ffff:ffff:ffff:ffff", 53, 2);
	NO6(CITADEL_NET6_UDP, "0:0:0:1::", 53);
	NO6(CITADEL_NET6_UDP, "2001:db8::", 53);
	citadel_policy_free(pol);
}

/* ----------------------------------------- randomized differential test */

struct trule {
	bool v6;
	u8 proto;
	u8 prefix;
	u16 lo, hi;
	u32 line;
	u128 start, end;
};

static u64 rng_state;

static u64 rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static u128 rnd128(void)
{
	return ((u128)rnd() << 64) | rnd();
}

/* Uniform enough in [a, b]. */
static u128 rnd_between(u128 a, u128 b)
{
	u128 span = b - a + 1;

	return span ? a + rnd128() % span : rnd128();
}

static u128 host_bits(unsigned int prefix, unsigned int bits)
{
	if (prefix == 0)
		return bits == 128 ? ~(u128)0 : 0xffffffffu;
	return ((u128)1 << (bits - prefix)) - 1;
}

static struct citadel_addr to_addr(u128 v)
{
	struct citadel_addr a = { (u64)(v >> 64), (u64)v };

	return a;
}

static void rnd_ports(struct trule *r)
{
	u64 k = rnd() % 100;

	if (k < 65) {
		r->lo = rnd() % 40;
		r->hi = r->lo + rnd() % 20;
	} else if (k < 75) {
		r->lo = 0;
		r->hi = 65535;
	} else if (k < 85) {
		r->lo = 65535 - rnd() % 20;
		r->hi = r->lo + rnd() % (65536 - r->lo);
	} else {
		r->lo = r->hi = rnd() % 60;
	}
}

/* Small address spaces, so the CIDRs nest and overlap a lot. */
static void rnd_rule(struct trule *r, bool v6, u32 line)
{
	static const u32 base4[] = { 0x00000000u, 0x0a140000u, 0xfffffc00u };
	static const u64 base6[] = { 0, 0x20010db800000000ull, ~0ull & ~7ull };
	static const u8 pfx6[] = { 61, 62, 63, 64, 65, 66, 67, 125, 126, 127, 128 };
	u64 k = rnd() % 100;
	u128 a;

	memset(r, 0, sizeof(*r));
	r->v6 = v6;
	r->proto = rnd() & 1 ? TCP : UDP;
	r->line = line;
	if (!v6) {
		a = base4[rnd() % 3] | (rnd() & 0x3ff);
		if (k < 4)
			r->prefix = 0;
		else if (k < 10)
			r->prefix = rnd() & 1 ? 8 : 16;
		else
			r->prefix = 22 + rnd() % 11;
		r->start = a & ~host_bits(r->prefix, 32) & 0xffffffffu;
		r->end = r->start | host_bits(r->prefix, 32);
	} else {
		a = ((u128)(base6[rnd() % 3] | (rnd() & 7)) << 64) |
		    ((u128)(rnd() & 7) << 61) | (rnd() & 7);
		if (k < 4)
			r->prefix = 0;
		else if (k < 8)
			r->prefix = 32;
		else
			r->prefix = pfx6[rnd() % sizeof(pfx6)];
		r->start = a & ~host_bits(r->prefix, 128);
		r->end = r->start | host_bits(r->prefix, 128);
	}
	rnd_ports(r);
}

static int table_of(const struct trule *r)
{
	if (r->v6)
		return r->proto == TCP ? CITADEL_NET6_TCP : CITADEL_NET6_UDP;
	return r->proto == TCP ? CITADEL_NET4_TCP : CITADEL_NET4_UDP;
}

static bool covers(const struct trule *r, int table, u128 a, u16 port)
{
	return table_of(r) == table && a >= r->start && a <= r->end &&
	       port >= r->lo && port <= r->hi;
}

static u128 addr_v(const struct citadel_addr *a)
{
	return ((u128)a->hi << 64) | a->lo;
}

/*
 * The built table's invariants: nodes sorted and distinct, each parent
 * an earlier node that strictly contains it, port ranges in bounds,
 * sorted and disjoint. Returns the deepest nesting (1 = no parent), or
 * 0 with a message in @why.
 */
/*
 * The exact-host index: each host node in exactly one slot, within
 * host_probes slots of its hash, and nothing else in it.
 */
static bool check_hosts(const struct citadel_net_table *t, char *why,
			size_t whylen)
{
	u32 i, d, slots, found = 0, hosts = 0;

	for (i = 0; i < t->nnodes; i++)
		hosts += addr_v(&t->nodes[i].start) == addr_v(&t->nodes[i].end);
	if (!t->hosts)
		return true;	/* binary search only: see test_host_collisions */
	slots = t->host_mask + 1;
	if (slots & t->host_mask || slots < 2 * hosts ||
	    !t->host_probes || t->host_probes > CITADEL_HOST_PROBES) {
		snprintf(why, whylen, "host index: %u slots, %u hosts, %u probes",
			 slots, hosts, t->host_probes);
		return false;
	}
	for (i = 0; i < slots; i++) {
		u32 n = t->hosts[i];

		if (n == CITADEL_NO_SLOT)
			continue;
		if (n >= t->nnodes ||
		    addr_v(&t->nodes[n].start) != addr_v(&t->nodes[n].end)) {
			snprintf(why, whylen, "host index slot %u: node %u is no host", i, n);
			return false;
		}
		d = (i - citadel_host_hash(&t->nodes[n].start)) & t->host_mask;
		if (d >= t->host_probes) {
			snprintf(why, whylen, "host index: node %u is %u slots from its hash, more than %u",
				 n, d, t->host_probes);
			return false;
		}
		found++;
	}
	if (found != hosts) {
		snprintf(why, whylen, "host index holds %u of %u hosts", found, hosts);
		return false;
	}
	return true;
}

static unsigned int check_table(const struct citadel_net_table *t,
				char *why, size_t whylen)
{
	unsigned int maxdepth = 0;
	u32 i, k, d, p;

	for (i = 0; i < t->nnodes; i++) {
		const struct citadel_net_node *n = &t->nodes[i];
		u128 s = addr_v(&n->start), e = addr_v(&n->end);

		if (s > e) {
			snprintf(why, whylen, "node %u: start > end", i);
			return 0;
		}
		if (i && (addr_v(&n[-1].start) > s ||
			  (addr_v(&n[-1].start) == s && addr_v(&n[-1].end) <= e))) {
			snprintf(why, whylen, "nodes %u and %u out of order", i - 1, i);
			return 0;
		}
		if (n->parent != CITADEL_NO_NODE &&
		    (n->parent >= i || addr_v(&t->nodes[n->parent].start) > s ||
		     addr_v(&t->nodes[n->parent].end) < e)) {
			snprintf(why, whylen, "node %u: bad parent %u", i, n->parent);
			return 0;
		}
		if (!n->nports || n->first_port > t->nports ||
		    n->nports > t->nports - n->first_port) {
			snprintf(why, whylen, "node %u: ports %u+%u of %u", i,
				 n->first_port, n->nports, t->nports);
			return 0;
		}
		for (k = 0; k < n->nports; k++) {
			const struct citadel_port_range *pr = &t->ports[n->first_port + k];

			if (pr->lo > pr->hi || (k && pr[-1].hi >= pr->lo)) {
				snprintf(why, whylen, "node %u: port ranges unsorted or overlapping", i);
				return 0;
			}
		}
		for (d = 1, p = n->parent; p != CITADEL_NO_NODE; p = t->nodes[p].parent)
			d++;
		if (d > maxdepth)
			maxdepth = d;
	}
	if (!check_hosts(t, why, whylen))
		return 0;
	return t->nnodes ? maxdepth : 1;
}

struct diff_stats {
	unsigned long probes, match_bad, line_bad;
	char first_match[200], first_line[200];
};

static void fmt_addr(char *buf, size_t len, int table, u128 a)
{
	struct citadel_addr x = to_addr(a);
	u8 b[16];
	int i;

	if (table == CITADEL_NET4_TCP || table == CITADEL_NET4_UDP) {
		u32 v = htonl((u32)a);

		inet_ntop(AF_INET, &v, buf, len);
		return;
	}
	for (i = 0; i < 8; i++) {
		b[i] = (u8)(x.hi >> (56 - 8 * i));
		b[8 + i] = (u8)(x.lo >> (56 - 8 * i));
	}
	inet_ntop(AF_INET6, b, buf, len);
}

static void probe(const struct citadel_policy *pol, const struct trule *rules,
		  u32 n, int table, u128 a, u16 port, struct diff_stats *st)
{
	struct citadel_addr addr = to_addr(a);
	u32 line = 0xdeadbeef, i;
	bool want = false, got, line_ok = false;
	char as[64];

	for (i = 0; i < n; i++)
		want |= covers(&rules[i], table, a, port);
	got = citadel_net_match(&pol->net[table], &addr, port, &line);
	st->probes++;
	if (got != want ||
	    citadel_net_match(&pol->net[table], &addr, port, NULL) != want) {
		if (!st->match_bad++) {
			fmt_addr(as, sizeof(as), table, a);
			snprintf(st->first_match, sizeof(st->first_match),
				 "%s %s port %u: matcher says %s, brute force %s",
				 table_names[table], as, port, got ? "yes" : "no",
				 want ? "yes" : "no");
		}
		return;
	}
	if (!got)
		return;
	for (i = 0; i < n; i++)
		if (rules[i].line == line && covers(&rules[i], table, a, port))
			line_ok = true;
	if (!line_ok && !st->line_bad++) {
		fmt_addr(as, sizeof(as), table, a);
		snprintf(st->first_line, sizeof(st->first_line),
			 "%s %s port %u: line %u does not cover it", table_names[table],
			 as, port, line);
	}
}

static void probe_both(const struct citadel_policy *pol,
		       const struct trule *rules, u32 n, bool v6, u128 a,
		       u16 port, struct diff_stats *st)
{
	probe(pol, rules, n, v6 ? CITADEL_NET6_TCP : CITADEL_NET4_TCP, a, port, st);
	probe(pol, rules, n, v6 ? CITADEL_NET6_UDP : CITADEL_NET4_UDP, a, port, st);
}

static void test_random(unsigned int seed)
{
	u32 n = 1 + (u32)((seed * 7919u) % 90), n4 = 0, n6 = 0, i, j, k;
	struct trule *rules = calloc(n, sizeof(*rules));
	struct cpol_net4 *r4 = calloc(n, sizeof(*r4));
	struct cpol_net6 *r6 = calloc(n, sizeof(*r6));
	struct diff_stats st;
	struct citadel_policy *pol;
	struct cw_blob b;
	char what[64], why[128] = "";
	unsigned int v6share = seed % 3, t, depth;
	bool tables_ok = true;

	if (!rules || !r4 || !r6)
		exit(2);
	memset(&st, 0, sizeof(st));
	rng_state = 0x9e3779b97f4a7c15ull * (seed + 1);
	for (i = 0; i < n; i++) {
		/* Seeds alternate: mostly v4, mixed, mostly v6. */
		bool v6 = rnd() % 4 < v6share + 1;

		rnd_rule(&rules[i], v6, 1000 + i * 3 + (u32)(rnd() % 3));
		if (v6) {
			u64 hi = (u64)(rules[i].start >> 64);

			r6[n6++] = cw_net6(hi, (u64)rules[i].start,
					   rules[i].prefix, rules[i].proto,
					   rules[i].lo, rules[i].hi,
					   rules[i].line);
		} else {
			r4[n4++] = cw_net4((u32)rules[i].start, rules[i].prefix,
					   rules[i].proto, rules[i].lo,
					   rules[i].hi, rules[i].line);
		}
	}
	snprintf(what, sizeof(what), "random policy, seed %u (%u rules)", seed, n);
	b = mkblob(r4, n4, r6, n6);
	pol = must_parse(what, &b);
	free(b.p);
	if (!pol)
		goto out;
	for (t = 0; t < CITADEL_NET_TABLES && tables_ok; t++) {
		depth = check_table(&pol->net[t], why, sizeof(why));
		if (!depth) {
			tables_ok = false;
			diag("%s: %s", table_names[t], why);
		}
	}
	ok(tables_ok && pol->rules_net4 == n4 && pol->rules_net6 == n6,
	   "seed %u: %u net4 + %u net6 rules build well-formed tables",
	   seed, n4, n6);

	/* Every rule's address and port boundaries, and one inside. */
	for (i = 0; i < n; i++) {
		const struct trule *r = &rules[i];
		u128 max = r->v6 ? ~(u128)0 : 0xffffffffu, as[5];
		u32 ps[5], na = 0, np = 0;

		as[na++] = r->start;
		as[na++] = r->end;
		as[na++] = rnd_between(r->start, r->end);
		if (r->start)
			as[na++] = r->start - 1;
		if (r->end < max)
			as[na++] = r->end + 1;
		ps[np++] = r->lo;
		ps[np++] = r->hi;
		ps[np++] = r->lo + rnd() % (r->hi - r->lo + 1u);
		if (r->lo)
			ps[np++] = r->lo - 1u;
		if (r->hi < 65535)
			ps[np++] = r->hi + 1u;
		for (j = 0; j < na; j++)
			for (k = 0; k < np; k++)
				probe_both(pol, rules, n, r->v6, as[j], (u16)ps[k], &st);
	}
	/* Random probes near the rules. */
	for (i = 0; i < 4000; i++) {
		const struct trule *r = &rules[rnd() % n];
		u128 a = r->start ^ (rnd() & 0x7ff);

		if (r->v6)
			a = r->start ^ ((u128)(rnd() & 15) << 60) ^ (rnd() & 0x3ff);
		else
			a &= 0xffffffffu;
		probe_both(pol, rules, n, r->v6, a, (u16)(rnd() % 64), &st);
	}
	if (!ok(!st.match_bad, "seed %u: matcher agrees with brute force on %lu probes",
		seed, st.probes))
		diag("%lu mismatches; first: %s", st.match_bad, st.first_match);
	if (!ok(!st.line_bad, "seed %u: reported lines belong to a covering rule",
		seed))
		diag("%lu bad lines; first: %s", st.line_bad, st.first_line);
	citadel_policy_free(pol);
out:
	free(rules);
	free(r4);
	free(r6);
}

/* ------------------------------------------------------------- scaling */

/* Most walk steps of one lookup over a set of probes. */
static unsigned long walk_steps(const struct citadel_net_table *t,
				const struct citadel_addr *a, u32 na,
				u16 port_lo, u16 port_hi, bool *agree)
{
	unsigned long most = 0;
	u32 i, p;

	*agree = true;
	for (i = 0; i < na; i++) {
		for (p = port_lo; p <= port_hi; p++) {
			bool got;

			nm_steps = 0;
			got = counted_net_match(t, &a[i], (u16)p, NULL);
			if (nm_steps > most)
				most = nm_steps;
			if (got != citadel_net_match(t, &a[i], (u16)p, NULL))
				*agree = false;
		}
	}
	return most;
}

/*
 * A chain of every prefix length around one address, plus @extra
 * disjoint host routes. The walks of a lookup are bounded by the depth
 * of the chain, whatever the number of rules (the binary search, not
 * counted, is logarithmic by construction).
 */
static void test_scaling4(u32 extra, unsigned long *steps)
{
	u32 n = 33 + extra, i, na = 0;
	struct cpol_net4 *r = calloc(n, sizeof(*r));
	struct citadel_addr a[40];
	struct citadel_policy *pol;
	unsigned int depth;
	char why[128] = "", what[80];
	u32 center = ip4("10.20.30.40");
	bool agree;

	if (!r)
		exit(2);
	for (i = 0; i <= 32; i++)
		r[i] = cw_net4(center & ~(u32)host_bits(i, 32), (u8)i, TCP,
			       (u16)(1000 + i), (u16)(1000 + i), i + 1);
	for (i = 0; i < extra; i++)
		r[33 + i] = cw_net4(ip4("11.0.0.0") + i * 3, 32, TCP, 443, 443,
				    100 + i);
	snprintf(what, sizeof(what), "%u net4 rules nested 33 deep", n);
	pol = mkpol(what, r, n, NULL, 0);
	free(r);
	if (!pol)
		return;
	depth = check_table(&pol->net[CITADEL_NET4_TCP], why, sizeof(why));
	if (!ok(depth == 33, "%s: tables well-formed, nesting depth %u", what, depth))
		diag("%s", why);
	ok(pol->net[CITADEL_NET4_TCP].hosts &&
	   pol->net[CITADEL_NET4_TCP].host_probes <= CITADEL_HOST_PROBES,
	   "%s: exact hosts indexed, longest probe %u slots", what,
	   pol->net[CITADEL_NET4_TCP].host_probes);
	a[na++] = a4("10.20.30.40");
	a[na++] = a4("10.20.30.41");
	a[na++] = a4("10.20.30.39");
	a[na++] = a4("10.20.31.0");
	a[na++] = a4("11.0.0.1");
	a[na++] = a4("11.0.0.3");
	a[na++] = a4("255.255.255.255");
	a[na++] = a4("0.0.0.0");
	*steps = walk_steps(&pol->net[CITADEL_NET4_TCP], a, na, 999, 1034, &agree);
	ok(agree, "%s: the counting copy of the matcher agrees", what);
	citadel_policy_free(pol);
}

static void test_scaling6(u32 extra, unsigned long *steps)
{
	u32 n = 129 + extra, i, na = 0;
	struct cpol_net6 *r = calloc(n, sizeof(*r));
	struct citadel_addr a[8];
	struct citadel_policy *pol;
	struct citadel_addr c = ip6("2001:db8:0:1:2:3:4:5");
	u128 center = addr_v(&c), base = addr_v((struct citadel_addr[]){ ip6("2001:db9::") });
	unsigned int depth;
	char why[128] = "", what[80];
	bool agree;

	if (!r)
		exit(2);
	for (i = 0; i <= 128; i++) {
		u128 s = center & ~host_bits(i, 128);

		r[i] = cw_net6((u64)(s >> 64), (u64)s, (u8)i, TCP, (u16)(1000 + i),
			       (u16)(1000 + i), i + 1);
	}
	for (i = 0; i < extra; i++) {
		u128 s = base + (u128)i * 5;

		r[129 + i] = cw_net6((u64)(s >> 64), (u64)s, 128, TCP, 443, 443,
				     1000 + i);
	}
	snprintf(what, sizeof(what), "%u net6 rules nested 129 deep", n);
	pol = mkpol(what, NULL, 0, r, n);
	free(r);
	if (!pol)
		return;
	depth = check_table(&pol->net[CITADEL_NET6_TCP], why, sizeof(why));
	if (!ok(depth == 129, "%s: tables well-formed, nesting depth %u", what, depth))
		diag("%s", why);
	ok(pol->net[CITADEL_NET6_TCP].hosts &&
	   pol->net[CITADEL_NET6_TCP].host_probes <= CITADEL_HOST_PROBES,
	   "%s: exact hosts indexed, longest probe %u slots", what,
	   pol->net[CITADEL_NET6_TCP].host_probes);
	a[na++] = c;
	a[na++] = to_addr(center + 1);
	a[na++] = to_addr(center - 1);
	a[na++] = to_addr(base + 1);
	a[na++] = to_addr(~(u128)0);
	*steps = walk_steps(&pol->net[CITADEL_NET6_TCP], a, na, 999, 1130, &agree);
	ok(agree, "%s: the counting copy of the matcher agrees", what);
	citadel_policy_free(pol);
}

static void test_scaling(void)
{
	unsigned long s4a = 0, s4b = 0, s6a = 0, s6b = 0;

	test_scaling4(100, &s4a);
	test_scaling4(300000, &s4b);
	if (!s4a && !s4b) {
		skip("lookup walks are bounded by the nesting depth",
		     "net_match.c no longer tests CITADEL_NO_NODE: cannot count steps");
		return;
	}
	ok(s4a <= 2 * (33 + 1) && s4b <= 2 * (33 + 1) && s4b <= s4a,
	   "net4: walk steps per lookup bounded by the nesting depth (%lu with 133 rules, %lu with 300033)",
	   s4a, s4b);
	test_scaling6(100, &s6a);
	test_scaling6(200000, &s6b);
	ok(s6a && s6b && s6a <= 2 * (129 + 1) && s6b <= 2 * (129 + 1) &&
	   s6b <= s6a,
	   "net6: walk steps per lookup bounded by the nesting depth (%lu with 229 rules, %lu with 200129)",
	   s6a, s6b);
}

/*
 * Hosts that all hash to one slot, at every table size the builder
 * tries: the index cannot bound their probes, so the table keeps the
 * binary search alone, and lookups still agree with the rules.
 */
static void test_host_collisions(void)
{
	enum { N = 40 };
	struct cpol_net4 r[N + 1];
	struct citadel_policy *pol;
	const struct citadel_net_table *t;
	struct citadel_addr a = { 0, 0 };
	u32 addr[N], n = 0, cand, target = 0;
	char why[128] = "", astr[32];
	bool first = true;

	/* 40 hosts: at least 80 slots, so 128, 256, then 512 are tried. */
	for (cand = ip4("10.0.0.1"); n < N; cand++) {
		a.lo = cand;
		if (first) {
			target = citadel_host_hash(&a) & 511;
			first = false;
		}
		if ((citadel_host_hash(&a) & 511) == target)
			addr[n++] = cand;
	}
	for (n = 0; n < N; n++)
		r[n] = cw_net4(addr[n], 32, TCP, 443, 443, n + 1);
	/* And a network around the first of them, for port 80. */
	r[N] = cw_net4(addr[0] & 0xffffff00u, 24, TCP, 80, 80, N + 1);
	pol = mkpol("40 hosts with one hash", r, N + 1, NULL, 0);
	if (!pol)
		return;
	t = &pol->net[CITADEL_NET4_TCP];
	if (!ok(!t->hosts && check_table(t, why, sizeof(why)),
		"hosts that collide at every size: no host index, a well-formed table"))
		diag("%s", why);
	for (n = 0; n < N; n += 13) {
		a.lo = addr[n];
		snprintf(astr, sizeof(astr), "colliding host %u", n);
		expect(pol, CITADEL_NET4_TCP, a, astr, 443, true, LINES(n + 1));
		expect(pol, CITADEL_NET4_TCP, a, astr, 444, false, NULL);
	}
	a.lo = addr[0];
	expect(pol, CITADEL_NET4_TCP, a, "the first colliding host", 80, true,
	       LINES(N + 1));
	/* addr[0] + 1 is none of them: they all differ in their hash. */
	a.lo = addr[0] + 1;
	expect(pol, CITADEL_NET4_TCP, a, "an unlisted host beside the first",
	       443, false, NULL);
	expect(pol, CITADEL_NET4_TCP, a, "an unlisted host beside the first",
	       80, (a.lo & 0xffffff00u) == (addr[0] & 0xffffff00u),
	       LINES(N + 1));
	citadel_policy_free(pol);
}

/* ------------------------------------------- strings, scopes, paths */

#define FAM_UNIX	(1ull << 1)
#define FAM_INET	(1ull << 2)
#define FAM_INET6	(1ull << 10)
#define FAM_RAW		(1ull << CPOL_FAM_RAW)

/* Global plus "ui" (audit), "telemetry" and "collector": scopes 0..3. */
enum { SC_UI = 1, SC_TELE, SC_COLL, SC_N };

static void pol3(struct cw_policy *p)
{
	memset(p, 0, sizeof(*p));
	cw_add_global(p, FAM_UNIX | FAM_INET);
	cw_add_scope(p, "ui", CPOL_SCOPE_F_AUDIT, FAM_INET6);
	cw_add_scope(p, "telemetry", 0, 0);
	cw_add_scope(p, "collector", 0, FAM_RAW | FAM_INET);
}

/* Builds @p, frees it, and expects the blob to be rejected with @kw. */
static void reject_pol(const char *what, struct cw_policy *p, const char *kw)
{
	struct cw_blob b = cw_policy_build(p, "unit", 0, 1);

	reject_blob(what, &b, kw);
	free(b.p);
	cw_policy_free(p);
}

/* Builds @p, frees it, and parses the blob, which must be accepted. */
static struct citadel_policy *parse_pol(const char *what, struct cw_policy *p,
					u32 flags)
{
	struct cw_blob b = cw_policy_build(p, "unit", flags, 1);
	struct citadel_policy *pol = must_parse(what, &b);

	free(b.p);
	cw_policy_free(p);
	return pol;
}

static void accept_pol(const char *what, struct cw_policy *p)
{
	struct citadel_policy *pol = parse_pol(what, p, 0);

	if (pol) {
		ok(true, "accepts %s", what);
		citadel_policy_free(pol);
	}
}

static u32 le32v(__le32 v)
{
	return le32toh(v);
}

static void test_strings(void)
{
	struct cw_policy p;
	struct cw_section s[2];
	struct citadel_policy *pol;
	struct cw_blob b;
	static const char raw[] = "global\0ui";

	/* The section itself. */
	pol3(&p);
	p.str.p[p.str.len - 1] = 'x';
	reject_pol("a strings section not ending with a NUL", &p,
		   "strings section does not end with a NUL");
	s[0] = (struct cw_section){ CPOL_SEC_STRINGS, "abc", 3 };
	b = cw_build("unit", 0, 1, s, 1);
	reject_blob("strings \"abc\" without a NUL", &b, "does not end with a NUL");
	free(b.p);
	s[0] = (struct cw_section){ CPOL_SEC_STRINGS, raw, 9 };
	b = cw_build("unit", 0, 1, s, 1);
	reject_blob("strings whose last string lacks its NUL", &b,
		    "does not end with a NUL");
	free(b.p);
	s[0] = (struct cw_section){ CPOL_SEC_STRINGS, raw, 10 };
	b = cw_build("unit", 0, 1, s, 1);
	pol = must_parse("a strings section alone", &b);
	if (pol) {
		ok(pol->strings_len == 10 && !memcmp(pol->strings, raw, 10) &&
		   pol->nscopes == 1,
		   "a strings section without references parses and is copied");
		citadel_policy_free(pol);
	}
	free(b.p);
	s[0] = (struct cw_section){ CPOL_SEC_STRINGS, NULL, 0 };
	b = cw_build("unit", 0, 1, s, 1);
	pol = must_parse("an empty strings section", &b);
	if (pol) {
		ok(pol->strings_len == 0, "an empty strings section parses");
		citadel_policy_free(pol);
	}
	free(b.p);

	/* References: scope names. */
	pol3(&p);
	p.scopes[SC_TELE].name_off = htole32(p.str.len);
	reject_pol("a scope name at the end of the strings", &p,
		   "scope 2: name is not a valid string reference");
	pol3(&p);
	p.scopes[SC_TELE].name_off = htole32(0xffffffffu);
	reject_pol("a scope name at offset 0xffffffff", &p,
		   "not a valid string reference");
	pol3(&p);
	p.scopes[SC_TELE].name_len = htole32(0xffffffffu);
	reject_pol("a scope name of length 0xffffffff", &p,
		   "not a valid string reference");
	pol3(&p);
	p.scopes[SC_COLL].name_len = htole32(le32v(p.scopes[SC_COLL].name_len) + 1);
	reject_pol("the last string with its NUL past the end", &p,
		   "scope 3: name is not a valid string reference");
	pol3(&p);
	p.scopes[SC_TELE].name_len = htole32(4);	/* "tele" then 'm' */
	reject_pol("a name not terminated at off + len", &p,
		   "not a valid string reference");
	pol3(&p);
	p.scopes[SC_UI].name_off = htole32(le32v(p.scopes[SC_UI].name_off) - 7);
	p.scopes[SC_UI].name_len = htole32(9);		/* "global\0ui" */
	reject_pol("a name containing a NUL", &p, "not a valid string reference");
	pol3(&p);
	free(p.str.p);
	p.str.p = NULL;
	p.str.len = 0;
	reject_pol("scopes without a strings section", &p,
		   "scope 0: name is not a valid string reference");

	/* A reference to the tail of a longer string is fine. */
	memset(&p, 0, sizeof(p));
	cw_str(&p.str, "/usr/bin/metrics");
	cw_add_global(&p, 0);
	cw_add_scope(&p, "metrics", 0, 0);
	ok(le32v(p.scopes[1].name_off) == 9,
	   "the writer stores a name found at the end of a string once");
	pol = parse_pol("a name sharing the tail of a path", &p, 0);
	if (pol) {
		ok(!strcmp(pol->scopes[1].name, "metrics") &&
		   pol->scopes[1].name == pol->strings + 9,
		   "a name may share the tail of another string");
		citadel_policy_free(pol);
	}

	/* References: exec and libs paths. */
	pol3(&p);
	cw_add_exec(&p, "/usr/bin/ui", SC_UI, NULL, 5);
	cw_add_exec(&p, "/usr/bin/tele", SC_TELE, NULL, 6);
	p.exec[1].path_off = htole32(p.str.len);
	reject_pol("an exec path past the strings", &p,
		   "exec rule 1 (line 6): path is not a valid string reference");
	pol3(&p);
	cw_add_exec(&p, "/usr/bin/ui", SC_UI, NULL, 5);
	p.exec[0].path_len = htole32(8);		/* "/usr/bin" then '/' */
	reject_pol("an exec path not terminated at off + len", &p,
		   "exec rule 0 (line 5): path is not a valid string reference");
	pol3(&p);
	cw_add_exec(&p, "/usr/bin/ui", SC_UI, NULL, 5);
	cw_str(&p.str, "/x");
	p.exec[0].path_len = htole32(14);		/* "/usr/bin/ui\0/x" */
	reject_pol("an exec path containing a NUL", &p,
		   "path is not a valid string reference");
	pol3(&p);
	cw_add_exec(&p, "/usr/bin/ui", SC_UI, NULL, 5);
	p.exec[0].path_off = htole32(0xfffffff0u);
	p.exec[0].path_len = htole32(0x20);
	reject_pol("an exec path whose off + len wraps", &p,
		   "path is not a valid string reference");
	pol3(&p);
	cw_add_lib(&p, "/lib/", 7);
	p.libs[0].path_len = htole32(p.str.len);
	reject_pol("a libs path too long for the strings", &p,
		   "libs rule 0 (line 7): path is not a valid string reference");
	pol3(&p);
	cw_add_lib(&p, "/lib/", 7);
	p.libs[0].path_len = htole32(3);
	reject_pol("a libs path not terminated at off + len", &p,
		   "libs rule 0 (line 7): path is not a valid string reference");
}

static void test_scope0(void)
{
	struct cw_policy p;
	struct citadel_policy *pol;

	pol3(&p);
	p.scopes[0].id = htole64(1);
	reject_pol("scope 0 with id 1", &p, "scope 0 must be the global scope");
	pol3(&p);
	p.scopes[0].id = htole64(cw_fnv64("global", 6));
	reject_pol("scope 0 with the FNV id of \"global\"", &p,
		   "scope 0 must be the global scope");
	pol3(&p);
	p.scopes[0].name_off = htole32(cw_str(&p.str, "globals"));
	p.scopes[0].name_len = htole32(7);
	reject_pol("scope 0 named globals", &p, "scope 0 must be the global scope");
	pol3(&p);
	p.scopes[0].name_len = htole32(5);
	p.scopes[0].name_off = htole32(cw_str(&p.str, "globa"));
	reject_pol("scope 0 named globa", &p, "scope 0 must be the global scope");
	pol3(&p);
	p.scopes[0].name_off = htole32(cw_str(&p.str, "Global"));
	reject_pol("scope 0 named Global", &p, "scope 0 must be the global scope");
	pol3(&p);
	p.scopes[0].name_off = p.scopes[SC_UI].name_off;
	p.scopes[0].name_len = p.scopes[SC_UI].name_len;
	p.scopes[0].id = p.scopes[SC_UI].id;
	p.scopes[SC_UI].name_off = htole32(cw_str(&p.str, "global"));
	p.scopes[SC_UI].name_len = htole32(6);
	p.scopes[SC_UI].id = 0;
	reject_pol("a service first, global second", &p,
		   "scope 0 must be the global scope");
	pol3(&p);
	p.scopes[0].flags = htole32(CPOL_SCOPE_F_AUDIT);
	reject_pol("scope 0 in audit mode", &p, "scope 0 must be the global scope");
	pol3(&p);
	p.scopes[0].flags = htole32(CPOL_SCOPE_F_AUDIT |
				    CPOL_SCOPE_F_NETCONF_ROUTE);
	reject_pol("scope 0 in audit mode with netconf", &p,
		   "scope 0 must be the global scope");
	pol3(&p);
	p.scopes[0].flags = htole32(CPOL_SCOPE_F_NETCONF_ROUTE |
				    CPOL_SCOPE_F_NETCONF_GENERIC);
	pol = parse_pol("scope 0 with netconf route and generic", &p, 0);
	if (pol) {
		ok(pol->scopes[0].flags == (CPOL_SCOPE_F_NETCONF_ROUTE |
					    CPOL_SCOPE_F_NETCONF_GENERIC),
		   "the global scope keeps its netconf allowances");
		citadel_policy_free(pol);
	}
	pol3(&p);
	p.scopes[0].flags = htole32(1u << 5);
	reject_pol("scope 0 with unknown flag 32", &p,
		   "scope 0: unknown flags or reserved field set");
	pol3(&p);
	p.scopes[0].reserved = htole32(1);
	reject_pol("scope 0 with reserved set", &p,
		   "scope 0: unknown flags or reserved field set");

	/* Any families, even none, are the global scope's own. */
	pol3(&p);
	p.scopes[0].families = 0;
	pol = parse_pol("a global scope with no families", &p, 0);
	if (pol) {
		ok(pol->scopes[0].families == 0 && pol->scopes[0].id == 0 &&
		   !strcmp(pol->scopes[0].name, "global"),
		   "a SCOPES section sets the global families, even to none");
		citadel_policy_free(pol);
	}
	memset(&p, 0, sizeof(p));
	cw_add_global(&p, ~0ull);
	pol = parse_pol("a SCOPES section with the global scope only", &p, 0);
	if (pol) {
		ok(pol->nscopes == 1 && pol->scopes[0].families == ~0ull &&
		   !citadel_scope_of(pol, 1) &&
		   !citadel_scope_of(pol, cw_fnv64("global", 6)),
		   "a SCOPES section with only the global scope: 1 scope, no services");
		citadel_policy_free(pol);
	}
}

static void test_service_names(void)
{
	static const char *const bad[] = {
		"a b", "a/b", "a:b", "tab\t", "uml\xc3\xa4ut", "x\x7f", "\x80",
		"semi;", "at@", "q\"", "nl\n", "star*",
	};
	char n63[64], n64[65], what[80];
	struct cw_policy p;
	struct citadel_policy *pol;
	size_t i;

	pol3(&p);
	p.scopes[SC_TELE].name_len = 0;
	p.scopes[SC_TELE].name_off = htole32(6);	/* the NUL after "global" */
	p.scopes[SC_TELE].id = htole64(cw_fnv64("", 0));
	reject_pol("an empty service name", &p, "scope 2: invalid service name");

	memset(n63, 'a', 63);
	n63[63] = '\0';
	memset(n64, 'b', 64);
	n64[64] = '\0';
	pol3(&p);
	cw_add_scope(&p, n64, 0, 0);
	reject_pol("a 64-character service name", &p,
		   "scope 4: invalid service name");
	pol3(&p);
	cw_add_scope(&p, n63, 0, 0);
	cw_add_scope(&p, "A-Z_a-z.0-9", 0, 0);
	cw_add_scope(&p, ".", 0, 0);
	cw_add_scope(&p, "globalx", 0, 0);
	cw_add_scope(&p, "GLOBAL", 0, 0);
	pol = parse_pol("63-character and other unusual valid names", &p, 0);
	if (pol) {
		ok(pol->nscopes == 9 && strlen(pol->scopes[4].name) == 63 &&
		   citadel_scope_of(pol, cw_fnv64(n63, 63)) == &pol->scopes[4] &&
		   citadel_scope_of(pol, cw_fnv64("GLOBAL", 6)) == &pol->scopes[8],
		   "service names of 63 characters, [A-Za-z0-9_.-], globalx and GLOBAL parse");
		citadel_policy_free(pol);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		pol3(&p);
		cw_add_scope(&p, bad[i], 0, 0);
		snprintf(what, sizeof(what), "bad character in service name #%zu", i);
		reject_pol(what, &p, "scope 4: invalid service name");
	}
	pol3(&p);
	cw_add_scope(&p, "global", 0, 0);
	p.scopes[4].id = htole64(cw_fnv64("global", 6));
	reject_pol("a service named global", &p, "scope 4: invalid service name");
	pol3(&p);
	cw_add_scope(&p, "global", 0, 0);
	p.scopes[4].id = 0;
	reject_pol("a service named global with id 0", &p, "invalid service name");

	/* The id is FNV-1a 64 of the name. */
	ok(cw_fnv64("", 0) == CPOL_FNV64_OFFSET &&
	   cw_fnv64("a", 1) == 0xaf63dc4c8601ec8cull &&
	   cw_fnv64("foobar", 6) == 0x85944171f73967e8ull,
	   "the writer's FNV-1a 64 gives the published test vectors");
	ok(citadel_fnv64("", 0) == CPOL_FNV64_OFFSET &&
	   citadel_fnv64("a", 1) == 0xaf63dc4c8601ec8cull &&
	   citadel_fnv64("foobar", 6) == 0x85944171f73967e8ull &&
	   citadel_fnv64("\xff\x80", 2) == cw_fnv64("\xff\x80", 2),
	   "citadel_fnv64 gives the published test vectors (and bytes >= 0x80 unsigned)");
	pol3(&p);
	p.scopes[SC_TELE].id = htole64(cw_fnv64("telemetry", 9) + 1);
	reject_pol("a service id off by one", &p,
		   "scope 2 (telemetry): id does not match the name");
	pol3(&p);
	p.scopes[SC_TELE].id = 0;
	reject_pol("a service with id 0", &p, "id does not match the name");
	pol3(&p);
	p.scopes[SC_TELE].id = p.scopes[SC_UI].id;
	reject_pol("a service with another service's id", &p,
		   "scope 2 (telemetry): id does not match");
	pol3(&p);
	p.scopes[SC_TELE].id = htole64(cw_fnv64("Telemetry", 9));
	reject_pol("a service id of the name in another case", &p,
		   "id does not match");
	pol3(&p);
	p.scopes[SC_TELE].id = htole64(cw_fnv64("telemetry", 10));	/* + NUL */
	reject_pol("a service id that hashes the NUL too", &p, "id does not match");
}

/* Two services of one name, at positions @a < @b among @n services. */
static void dup_scopes(u32 n, u32 a, u32 b)
{
	struct cw_policy p;
	char name[16], what[80], kw[64];
	u32 i;

	memset(&p, 0, sizeof(p));
	cw_add_global(&p, 0);
	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "svc%u", i == b ? a : i);
		cw_add_scope(&p, name, 0, 0);
	}
	snprintf(what, sizeof(what), "services %u and %u of %u with one name",
		 a, b, n);
	snprintf(kw, sizeof(kw), "scopes %u and %u have the same id", a, b);
	reject_pol(what, &p, kw);
}

static void test_scope_limits(void)
{
	struct cw_policy p;
	struct citadel_policy *pol;
	struct cw_blob b;
	char name[16];
	u32 i;
	bool found = true, order = true;

	pol3(&p);
	cw_add_scope(&p, "ui", 0, 0);
	reject_pol("a service declared twice", &p,
		   "scopes 1 and 4 have the same id (duplicate service name)");
	dup_scopes(2, 1, 2);
	dup_scopes(5, 1, 5);
	dup_scopes(5, 2, 4);
	dup_scopes(9, 3, 9);
	dup_scopes(40, 17, 33);
	/* The same id twice, by pointing both at one name. */
	pol3(&p);
	p.scopes[SC_COLL] = p.scopes[SC_UI];
	reject_pol("two scopes sharing one name string", &p,
		   "scopes 1 and 3 have the same id");

	/* CPOL_MAX_SCOPES scopes parse, one more does not. */
	memset(&p, 0, sizeof(p));
	cw_add_global(&p, 0);
	for (i = 1; i < CPOL_MAX_SCOPES; i++) {
		/* Distinct names, declared in no particular order. */
		snprintf(name, sizeof(name), "s%u", (i * 1237u) % 4095u);
		cw_add_scope(&p, name, 0, 0);
	}
	b = cw_policy_build(&p, "unit", 0, 1);
	pol = must_parse("CPOL_MAX_SCOPES scopes", &b);
	free(b.p);
	if (pol) {
		for (i = 1; i < CPOL_MAX_SCOPES; i++)
			found &= citadel_scope_of(pol, le64toh(p.scopes[i].id)) ==
				 &pol->scopes[i];
		for (i = 1; i + 1 < CPOL_MAX_SCOPES; i++)
			order &= pol->scopes[pol->scope_order[i - 1]].id <
				 pol->scopes[pol->scope_order[i]].id;
		ok(pol->nscopes == CPOL_MAX_SCOPES && found && order,
		   "%u scopes parse, sorted by id, each found by citadel_scope_of",
		   CPOL_MAX_SCOPES);
		citadel_policy_free(pol);
	}
	cw_add_scope(&p, "one-more", 0, 0);
	reject_pol("CPOL_MAX_SCOPES + 1 scopes", &p, "4097 scopes, at most 4096");

	/* Service flags and reserved. */
	pol3(&p);
	p.scopes[SC_TELE].flags = htole32(1u << 5);
	reject_pol("a service with unknown flag 32", &p,
		   "scope 2: unknown flags or reserved field set");
	pol3(&p);
	p.scopes[SC_TELE].flags = htole32(0x80000000u);
	reject_pol("a service with unknown flag 31", &p, "unknown flags");
	pol3(&p);
	p.scopes[SC_COLL].reserved = htole32(0x100);
	reject_pol("a service with reserved set", &p,
		   "scope 3: unknown flags or reserved field set");
}

/* Every kind of rule with scope @scope, in a policy of 4 scopes. */
static void rule_scope(u16 scope, bool good)
{
	static const char *const kinds[] = {
		"net4", "net6", "listen4", "listen6", "exec",
	};
	struct cw_policy p;
	char what[80], kw[80];
	size_t k;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		pol3(&p);
		cw_add_net4(&p, R4("10.0.0.0", 8, TCP, 1, 1, 1), 0);
		cw_add_listen6(&p, R6("::", 0, UDP, 1, 1, 2), SC_COLL);
		cw_add_exec(&p, "/bin/sh", 0, NULL, 3);
		switch (k) {
		case 0:
			cw_add_net4(&p, R4("10.0.0.0", 8, UDP, 1, 1, 70), scope);
			break;
		case 1:
			cw_add_net6(&p, R6("::", 0, TCP, 1, 1, 70), scope);
			break;
		case 2:
			cw_add_listen4(&p, R4("0.0.0.0", 0, TCP, 1, 1, 70), scope);
			break;
		case 3:
			cw_add_listen6(&p, R6("::1", 128, TCP, 1, 1, 70), scope);
			break;
		default:
			cw_add_exec(&p, "/usr/bin/x", scope, NULL, 70);
			break;
		}
		snprintf(what, sizeof(what), "a %s rule in scope %u of 4", kinds[k],
			 scope);
		snprintf(kw, sizeof(kw), "%s rule %d (line 70): scope %u does not exist (4 scopes)",
			 kinds[k], k == 1 || k == 2 ? 0 : 1, scope);
		if (good)
			accept_pol(what, &p);
		else
			reject_pol(what, &p, kw);
	}
}

static void test_rule_scopes(void)
{
	struct cw_policy p;

	rule_scope(SC_N - 1, true);
	rule_scope(SC_N, false);
	rule_scope(0xffff, false);
	/* Without SCOPES only scope 0 exists, for every kind. */
	memset(&p, 0, sizeof(p));
	cw_add_listen4(&p, R4("0.0.0.0", 0, TCP, 1, 1, 8), 1);
	reject_pol("a listen4 rule in scope 1 without SCOPES", &p,
		   "listen4 rule 0 (line 8): scope 1 does not exist (1 scopes)");
	memset(&p, 0, sizeof(p));
	cw_add_exec(&p, "/bin/sh", 1, NULL, 9);
	reject_pol("an exec rule in scope 1 without SCOPES", &p,
		   "exec rule 0 (line 9): scope 1 does not exist (1 scopes)");
}

/* Path checks, shared by exec and libs rules. */
static const struct {
	const char *path;
	const char *defect;	/* NULL: valid */
} path_cases[] = {
	{ "", "is not absolute" },
	{ "usr/bin/x", "is not absolute" },
	{ "./x", "is not absolute" },
	{ ".", "is not absolute" },
	{ "x/", "is not absolute" },
	{ "//", "contains //" },
	{ "//usr", "contains //" },
	{ "/usr//bin", "contains //" },
	{ "/usr/bin//", "contains //" },
	{ "/.", "contains a . component" },
	{ "/./", "contains a . component" },
	{ "/./x", "contains a . component" },
	{ "/usr/./bin", "contains a . component" },
	{ "/usr/.", "contains a . component" },
	{ "/usr/./", "contains a . component" },
	{ "/..", "contains a .. component" },
	{ "/../", "contains a .. component" },
	{ "/../x", "contains a .. component" },
	{ "/usr/../bin", "contains a .. component" },
	{ "/usr/..", "contains a .. component" },
	{ "/usr/../", "contains a .. component" },
	{ "/", NULL },
	{ "/usr/.hidden", NULL },
	{ "/usr/..x", NULL },
	{ "/usr/...", NULL },
	{ "/a./b", NULL },
	{ "/a../", NULL },
	{ "/.../", NULL },
	{ "/x.", NULL },
	{ "/usr/lib/x86_64-linux-gnu/", NULL },
	{ "/with space/and\ttab/\xc3\xa4", NULL },
};

static void test_path_checks(void)
{
	static const u8 h1[32] = { 1 };
	char *longp, what[96], kw[96];
	struct cw_policy p;
	size_t i;
	int lib;

	for (lib = 0; lib < 2; lib++) {
		const char *kind = lib ? "libs" : "exec";

		for (i = 0; i < ARRAY_SIZE(path_cases); i++) {
			pol3(&p);
			cw_add_exec(&p, "/bin/sh", 0, NULL, 1);
			cw_add_lib(&p, "/lib/", 1);
			if (lib)
				cw_add_lib(&p, path_cases[i].path, 40);
			else
				cw_add_exec(&p, path_cases[i].path, SC_UI, NULL, 40);
			snprintf(what, sizeof(what), "%s path \"%s\"", kind,
				 path_cases[i].path);
			if (!path_cases[i].defect) {
				accept_pol(what, &p);
				continue;
			}
			snprintf(kw, sizeof(kw), "%s rule 1 (line 40): path %s",
				 kind, path_cases[i].defect);
			reject_pol(what, &p, kw);
		}
		/* CPOL_PATH_MAX bytes parse, one more does not. */
		longp = malloc(CPOL_PATH_MAX + 2);
		if (!longp)
			exit(2);
		memset(longp, 'a', CPOL_PATH_MAX + 1);
		longp[0] = '/';
		longp[CPOL_PATH_MAX + 1] = '\0';
		pol3(&p);
		if (lib)
			cw_add_lib(&p, longp, 41);
		else
			cw_add_exec(&p, longp, 0, NULL, 41);
		snprintf(kw, sizeof(kw), "%s rule 0 (line 41): path is too long", kind);
		snprintf(what, sizeof(what), "a %s path of CPOL_PATH_MAX + 1 bytes", kind);
		reject_pol(what, &p, kw);
		longp[CPOL_PATH_MAX - 1] = '/';		/* a prefix, for a change */
		longp[CPOL_PATH_MAX] = '\0';
		pol3(&p);
		if (lib)
			cw_add_lib(&p, longp, 41);
		else
			cw_add_exec(&p, longp, 0, NULL, 41);
		snprintf(what, sizeof(what), "a %s path of CPOL_PATH_MAX bytes", kind);
		accept_pol(what, &p);
		free(longp);
	}

	/* Exec fields. */
	pol3(&p);
	cw_add_exec(&p, "/bin/sh", 0, NULL, 1);
	p.exec[0].has_hash = 2;
	reject_pol("exec has_hash 2", &p,
		   "exec rule 0 (line 1): reserved or flag field out of range");
	pol3(&p);
	cw_add_exec(&p, "/bin/sh", 0, h1, 1);
	p.exec[0].has_hash = 0xff;
	reject_pol("exec has_hash 255 with a hash", &p, "flag field out of range");
	pol3(&p);
	cw_add_exec(&p, "/bin/sh", 0, NULL, 1);
	p.exec[0].reserved = 1;
	reject_pol("exec reserved 1", &p, "reserved or flag field out of range");
	pol3(&p);
	cw_add_exec(&p, "/bin/sh", 0, NULL, 1);
	cw_add_exec(&p, "/bin/ls", SC_UI, h1, 2);
	p.exec[1].has_hash = 0;
	reject_pol("exec hash bytes without has_hash", &p,
		   "exec rule 1 (line 2): hash bytes without has_hash");
	pol3(&p);
	cw_add_exec(&p, "/bin/sh", 0, NULL, 1);
	p.exec[0].sha256[31] = 0x80;
	reject_pol("exec a last hash byte without has_hash", &p,
		   "hash bytes without has_hash");
	pol3(&p);
	cw_add_exec(&p, "/opt/app/", SC_UI, h1, 3);
	reject_pol("exec prefix with a hash", &p,
		   "exec rule 0 (line 3): a directory prefix cannot carry a hash");
	pol3(&p);
	cw_add_exec(&p, "/", 0, h1, 3);
	reject_pol("exec prefix / with a hash", &p, "cannot carry a hash");
	pol3(&p);
	cw_add_exec(&p, "/bin/sh", SC_COLL, h1, 1);
	cw_add_exec(&p, "/opt/app/", SC_COLL, NULL, 2);
	p.exec[0].has_hash = 1;
	memset(p.exec[0].sha256, 0, 32);
	accept_pol("exec with has_hash and an all-zero hash", &p);

	/* Libs fields. */
	pol3(&p);
	cw_add_lib(&p, "/lib/", 1);
	cw_add_lib(&p, "/usr/lib/libx.so", 2);
	p.libs[1].reserved = htole32(1);
	reject_pol("libs reserved 1", &p,
		   "libs rule 1 (line 2): reserved field is not zero");
	pol3(&p);
	cw_add_lib(&p, "/lib/", 1);
	p.libs[0].reserved = htole32(0x80000000u);
	reject_pol("libs reserved 1 << 31", &p, "reserved field is not zero");
}

/* Protect rules: checked like libs paths, kept in blob order. */
static void test_protect(void)
{
	struct citadel_policy *pol;
	struct cw_policy p;
	u32 i;

	pol3(&p);
	cw_add_lib(&p, "/lib/", 1);
	cw_add_protect(&p, "/etc/citadel/", 0);
	cw_add_protect(&p, "/etc/default/citadel", 7);
	pol = parse_pol("protect rules", &p, 0);
	if (pol) {
		ok(pol->rules_protect == 2 && pol->protect.n == 2 &&
		   !strcmp(pol->protect.e[0].path, "/etc/citadel/") &&
		   pol->protect.e[1].len == 20 && pol->protect.e[1].line == 7 &&
		   pol->max_line == 7,
		   "protect rules: 2, paths, lengths and lines kept");
		citadel_policy_free(pol);
	}
	pol3(&p);
	cw_add_protect(&p, "etc/citadel/", 3);
	reject_pol("a relative protect path", &p,
		   "protect rule 0 (line 3): path is not absolute");
	pol3(&p);
	cw_add_protect(&p, "/etc//citadel/", 3);
	reject_pol("a protect path with //", &p, "path contains //");
	pol3(&p);
	cw_add_protect(&p, "/boot/", 1);
	p.protect[0].reserved = htole32(1);
	reject_pol("protect reserved 1", &p,
		   "protect rule 0 (line 1): reserved field is not zero");
	pol3(&p);
	cw_add_protect(&p, "/boot/", 1);
	p.protect[0].path_len = htole32(p.str.len);
	reject_pol("a protect path past the strings", &p,
		   "protect rule 0 (line 1): path is not a valid string reference");
	pol3(&p);
	for (i = 0; i <= CPOL_MAX_PROTECT; i++)
		cw_add_protect(&p, "/boot/", 1);
	reject_pol("CPOL_MAX_PROTECT + 1 protect rules", &p,
		   "1025 protect rules, at most 1024 allowed");
}

/* Failures late in the build free what was built before (ASan checks). */
static void test_late_failures(void)
{
	struct cw_policy p;

	pol3(&p);
	cw_add_net4(&p, R4("10.0.0.0", 8, TCP, 1, 1, 1), SC_UI);
	cw_add_net6(&p, R6("::", 0, UDP, 1, 1, 2), SC_TELE);
	cw_add_listen4(&p, R4("0.0.0.0", 0, TCP, 1, 1, 3), SC_COLL);
	cw_add_listen4(&p, R4("0.0.0.1", 0, TCP, 1, 1, 4), SC_COLL);
	reject_pol("a bad listen rule after net tables of 3 scopes", &p,
		   "listen4 rule 1 (line 4): address has host bits");
	pol3(&p);
	cw_add_net4(&p, R4("10.0.0.0", 8, TCP, 1, 1, 1), SC_UI);
	cw_add_listen6(&p, R6("::", 0, UDP, 1, 1, 2), SC_TELE);
	cw_add_exec(&p, "/bin/sh", 0, NULL, 3);
	cw_add_exec(&p, "/opt/", SC_COLL, NULL, 4);
	cw_add_lib(&p, "/lib/", 5);
	cw_add_lib(&p, "lib/", 6);
	reject_pol("a bad libs rule after every other table", &p,
		   "libs rule 1 (line 6): path is not absolute");
	pol3(&p);
	cw_add_listen6(&p, R6("::", 0, UDP, 1, 1, 2), SC_TELE);
	cw_add_exec(&p, "/bin/sh", 0, NULL, 3);
	cw_add_exec(&p, "/bin/sh/", 0, NULL, 4);
	cw_add_exec(&p, "/bin//sh", 0, NULL, 5);
	reject_pol("a bad exec rule after net and listen tables", &p,
		   "exec rule 2 (line 5): path contains //");
}

/* citadel_scope_of() for every service of @p, parsed; and unknown ids. */
static bool scopes_found(const struct citadel_policy *pol,
			 const struct cw_policy *p, char *why, size_t whylen)
{
	static const char *const unknown[] = { "global", "nope", "UI", "ui2", "" };
	u32 i;

	if (pol->nscopes != p->nscopes) {
		snprintf(why, whylen, "%u scopes, wrote %u", pol->nscopes, p->nscopes);
		return false;
	}
	for (i = 1; i < p->nscopes; i++) {
		u64 id = le64toh(p->scopes[i].id);
		const struct citadel_scope *s = citadel_scope_of(pol, id);

		if (s != &pol->scopes[i] || s->id != id ||
		    strcmp(s->name, p->str.p + le32v(p->scopes[i].name_off)) ||
		    s->flags != le32v(p->scopes[i].flags) ||
		    s->families != le64toh(p->scopes[i].families)) {
			snprintf(why, whylen, "scope %u (%s) not found or not as written",
				 i, p->str.p + le32v(p->scopes[i].name_off));
			return false;
		}
		if (citadel_scope_of(pol, id + 1) || citadel_scope_of(pol, id - 1)) {
			snprintf(why, whylen, "id %u +- 1 found", i);
			return false;
		}
	}
	if (citadel_scope_of(pol, 0)) {
		snprintf(why, whylen, "id 0 found");
		return false;
	}
	for (i = 0; i < ARRAY_SIZE(unknown); i++)
		if (citadel_scope_of(pol, cw_fnv64(unknown[i], strlen(unknown[i])))) {
			snprintf(why, whylen, "unknown name %s found", unknown[i]);
			return false;
		}
	if (citadel_scope_of(pol, ~0ull) || citadel_scope_of(pol, 1)) {
		snprintf(why, whylen, "id ~0 or 1 found");
		return false;
	}
	return true;
}

static void test_scope_lookup(void)
{
	static const char *const names[] = { "ui", "telemetry", "collector" };
	static const int perms[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	struct cw_policy p, keep;
	struct citadel_policy *pol;
	struct cw_blob b;
	char why[128] = "", name[24];
	int k, i, n;

	for (k = 0; k < 6; k++) {
		memset(&p, 0, sizeof(p));
		cw_add_global(&p, 0);
		for (i = 0; i < 3; i++)
			cw_add_scope(&p, names[perms[k][i]], (u32)i & 1, (u64)i);
		b = cw_policy_build(&p, "unit", 0, 1);
		pol = must_parse("3 services", &b);
		free(b.p);
		if (pol) {
			if (!ok(scopes_found(pol, &p, why, sizeof(why)),
				"3 services declared as %s, %s, %s: each found by id, 0 and unknown ids not",
				names[perms[k][0]], names[perms[k][1]], names[perms[k][2]]))
				diag("%s", why);
			citadel_policy_free(pol);
		}
		cw_policy_free(&p);
	}
	/* Up to 70 services, declared ascending, descending and shuffled. */
	for (n = 1; n <= 70; n += (n < 9 ? 1 : 19)) {
		bool good = true;

		for (k = 0; k < 3 && good; k++) {
			memset(&p, 0, sizeof(p));
			cw_add_global(&p, 0);
			for (i = 0; i < n; i++) {
				int j = k == 0 ? i : k == 1 ? n - 1 - i : (i * 37) % n;

				snprintf(name, sizeof(name), "service-%d", j);
				cw_add_scope(&p, name, 0, (u64)j);
			}
			b = cw_policy_build(&p, "unit", 0, 1);
			keep = p;
			pol = must_parse("many services", &b);
			free(b.p);
			if (pol) {
				good = scopes_found(pol, &keep, why, sizeof(why));
				for (i = 1; good && i < n; i++)
					good = pol->scopes[pol->scope_order[i - 1]].id <
					       pol->scopes[pol->scope_order[i]].id;
				citadel_policy_free(pol);
			} else {
				good = false;
			}
			cw_policy_free(&p);
		}
		if (!ok(good, "%d services in 3 declaration orders: each found by id, unknown ids not",
			n))
			diag("order %d: %s", k - 1, why);
	}
}

static bool tables_empty(const struct citadel_net_table *t)
{
	int i;

	for (i = 0; i < CITADEL_NET_TABLES; i++)
		if (t[i].nnodes || t[i].nports)
			return false;
	return true;
}

#define SYES4(tab, s, port, ln) sexpect(tab, a4(s), s, port, true, ln, #tab)
#define SNO4(tab, s, port) sexpect(tab, a4(s), s, port, false, 0, #tab)
#define SYES6(tab, s, port, ln) sexpect(tab, ip6(s), s, port, true, ln, #tab)
#define SNO6(tab, s, port) sexpect(tab, ip6(s), s, port, false, 0, #tab)

static void sexpect(const struct citadel_net_table *t, struct citadel_addr a,
		    const char *astr, u16 port, bool want, u32 want_line,
		    const char *tname)
{
	u32 line = 0;
	bool got = citadel_net_match(t, &a, port, &line);

	if (!ok(got == want && (!got || line == want_line), "%s: %s port %u %s",
		tname, astr, port, want ? "matches" : "does not match"))
		diag("got %s, line %u", got ? "match" : "no match", line);
}

static void test_services_policy(void)
{
	struct cw_policy p;
	struct citadel_policy *pol;
	const struct citadel_scope *ui, *tele, *coll, *glob;
	struct cw_blob b;
	size_t mem[4];
	int k;

	/* Without SCOPES: one global scope with the default families. */
	memset(&p, 0, sizeof(p));
	cw_add_net4(&p, R4("10.0.0.0", 8, TCP, 80, 80, 1), 0);
	cw_add_listen4(&p, R4("0.0.0.0", 0, TCP, 22, 22, 2), 0);
	pol = parse_pol("a policy without SCOPES", &p, CPOL_F_FILELESS);
	if (pol) {
		ok(pol->nscopes == 1 && pol->scopes[0].id == 0 &&
		   !strcmp(pol->scopes[0].name, "global") &&
		   pol->scopes[0].flags == 0 && pol->net == pol->scopes[0].conn,
		   "without SCOPES: one scope, global, id 0, its conn tables are pol->net");
		ok(pol->scopes[0].families == CPOL_FAM_DEFAULT,
		   "without SCOPES the global families are CPOL_FAM_DEFAULT (0x%llx)",
		   (unsigned long long)pol->scopes[0].families);
		ok(pol->flags == CPOL_F_FILELESS, "header flag CPOL_F_FILELESS is accepted and read");
		ok(!citadel_scope_of(pol, 0) && !citadel_scope_of(pol, 1) &&
		   !citadel_scope_of(pol, cw_fnv64("ui", 2)),
		   "without SCOPES citadel_scope_of finds nothing");
		SYES4(&pol->scopes[0].listen[CITADEL_NET4_TCP], "0.0.0.0", 22, 2);
		SNO4(&pol->scopes[0].conn[CITADEL_NET4_TCP], "0.0.0.0", 22);
		citadel_policy_free(pol);
	}

	/* Three services with net, listen, exec and libs rules. */
	pol3(&p);
	cw_add_net4(&p, R4("10.0.0.0", 8, TCP, 80, 80, 10), 0);
	cw_add_net4(&p, R4("192.0.2.0", 24, TCP, 443, 443, 11), SC_UI);
	cw_add_net4(&p, R4("192.0.2.128", 25, TCP, 8443, 8443, 12), SC_UI);
	cw_add_net4(&p, R4("198.51.100.7", 32, UDP, 123, 123, 13), SC_TELE);
	cw_add_net6(&p, R6("2001:db8::", 32, UDP, 53, 53, 14), SC_TELE);
	cw_add_net6(&p, R6("2001:db8::1", 128, TCP, 443, 443, 15), 0);
	cw_add_listen4(&p, R4("0.0.0.0", 0, TCP, 22, 22, 20), 0);
	cw_add_listen4(&p, R4("127.0.0.1", 32, TCP, 8080, 8081, 21), SC_UI);
	cw_add_listen4(&p, R4("127.0.0.0", 8, TCP, 9000, 9000, 22), SC_UI);
	cw_add_listen6(&p, R6("::", 0, UDP, 514, 514, 23), SC_COLL);
	cw_add_listen6(&p, R6("fe80::", 10, TCP, 6000, 6010, 24), SC_COLL);
	cw_add_exec(&p, "/usr/bin/ui", SC_UI, NULL, 30);
	cw_add_lib(&p, "/usr/lib/", 31);
	b = cw_policy_build(&p, "services", CPOL_F_AUDIT | CPOL_F_FILELESS, 7);
	pol = must_parse("a policy with 3 services", &b);
	free(b.p);
	if (pol) {
		glob = &pol->scopes[0];
		ui = citadel_scope_of(pol, cw_fnv64("ui", 2));
		tele = citadel_scope_of(pol, cw_fnv64("telemetry", 9));
		coll = citadel_scope_of(pol, cw_fnv64("collector", 9));
		ok(pol->nscopes == 4 && ui == &pol->scopes[SC_UI] &&
		   tele == &pol->scopes[SC_TELE] && coll == &pol->scopes[SC_COLL],
		   "a policy with 3 services parses; each service is found by id");
		ok(ui && !strcmp(ui->name, "ui") && ui->flags == CPOL_SCOPE_F_AUDIT &&
		   ui->families == FAM_INET6 && tele && tele->families == 0 &&
		   coll && coll->families == (FAM_RAW | FAM_INET) &&
		   glob->families == (FAM_UNIX | FAM_INET) &&
		   !strcmp(glob->name, "global"),
		   "names, flags and families of every scope are read");
		ok(pol->flags == (CPOL_F_AUDIT | CPOL_F_FILELESS) &&
		   pol->rules_net4 == 4 && pol->rules_net6 == 2 &&
		   pol->rules_listen4 == 3 && pol->rules_listen6 == 2 &&
		   pol->rules_exec == 1 && pol->rules_libs == 1,
		   "flags and rule counts of every section are read");
		if (ui && tele && coll) {
			/* Each rule is in its own scope's tables only. */
			ok(glob->conn[CITADEL_NET4_TCP].nnodes == 1 &&
			   glob->conn[CITADEL_NET6_TCP].nnodes == 1 &&
			   glob->conn[CITADEL_NET4_UDP].nnodes == 0 &&
			   glob->conn[CITADEL_NET6_UDP].nnodes == 0,
			   "the global conn tables hold the global net rules only");
			ok(ui->conn[CITADEL_NET4_TCP].nnodes == 2 &&
			   ui->conn[CITADEL_NET4_UDP].nnodes == 0 &&
			   ui->conn[CITADEL_NET6_TCP].nnodes == 0 &&
			   ui->conn[CITADEL_NET6_UDP].nnodes == 0 &&
			   tele->conn[CITADEL_NET4_UDP].nnodes == 1 &&
			   tele->conn[CITADEL_NET6_UDP].nnodes == 1 &&
			   tele->conn[CITADEL_NET4_TCP].nnodes == 0 &&
			   tele->conn[CITADEL_NET6_TCP].nnodes == 0 &&
			   tables_empty(coll->conn),
			   "a service's net rules land in its own conn tables only");
			ok(glob->listen[CITADEL_NET4_TCP].nnodes == 1 &&
			   ui->listen[CITADEL_NET4_TCP].nnodes == 2 &&
			   coll->listen[CITADEL_NET6_UDP].nnodes == 1 &&
			   coll->listen[CITADEL_NET6_TCP].nnodes == 1 &&
			   tables_empty(tele->listen) &&
			   glob->listen[CITADEL_NET6_UDP].nnodes == 0,
			   "listen rules land in their scope's listen tables only");
			/* Net lookups per scope. */
			SYES4(&glob->conn[CITADEL_NET4_TCP], "10.1.2.3", 80, 10);
			SNO4(&glob->conn[CITADEL_NET4_TCP], "192.0.2.1", 443);
			SYES4(&ui->conn[CITADEL_NET4_TCP], "192.0.2.1", 443, 11);
			SYES4(&ui->conn[CITADEL_NET4_TCP], "192.0.2.200", 443, 11);
			SYES4(&ui->conn[CITADEL_NET4_TCP], "192.0.2.200", 8443, 12);
			SNO4(&ui->conn[CITADEL_NET4_TCP], "192.0.2.1", 8443);
			SNO4(&ui->conn[CITADEL_NET4_TCP], "10.1.2.3", 80);
			SNO4(&tele->conn[CITADEL_NET4_TCP], "192.0.2.1", 443);
			SYES4(&tele->conn[CITADEL_NET4_UDP], "198.51.100.7", 123, 13);
			SNO4(&tele->conn[CITADEL_NET4_UDP], "198.51.100.8", 123);
			SYES6(&tele->conn[CITADEL_NET6_UDP], "2001:db8:1::5", 53, 14);
			SNO6(&glob->conn[CITADEL_NET6_UDP], "2001:db8:1::5", 53);
			SYES6(&glob->conn[CITADEL_NET6_TCP], "2001:db8::1", 443, 15);
			SNO6(&tele->conn[CITADEL_NET6_TCP], "2001:db8::1", 443);
			/* Listen lookups match like net tables. */
			SYES4(&glob->listen[CITADEL_NET4_TCP], "0.0.0.0", 22, 20);
			SYES4(&glob->listen[CITADEL_NET4_TCP], "255.255.255.255", 22, 20);
			SNO4(&glob->listen[CITADEL_NET4_TCP], "0.0.0.0", 23);
			SNO4(&glob->conn[CITADEL_NET4_TCP], "0.0.0.0", 22);
			SYES4(&ui->listen[CITADEL_NET4_TCP], "127.0.0.1", 8080, 21);
			SYES4(&ui->listen[CITADEL_NET4_TCP], "127.0.0.1", 8081, 21);
			SNO4(&ui->listen[CITADEL_NET4_TCP], "127.0.0.1", 8082);
			SNO4(&ui->listen[CITADEL_NET4_TCP], "127.0.0.2", 8080);
			SYES4(&ui->listen[CITADEL_NET4_TCP], "127.0.0.1", 9000, 22);
			SYES4(&ui->listen[CITADEL_NET4_TCP], "127.255.0.1", 9000, 22);
			SNO4(&ui->listen[CITADEL_NET4_TCP], "128.0.0.0", 9000);
			SNO4(&ui->listen[CITADEL_NET4_UDP], "127.0.0.1", 8080);
			SNO4(&ui->conn[CITADEL_NET4_TCP], "127.0.0.1", 8080);
			SYES6(&coll->listen[CITADEL_NET6_UDP], "::", 514, 23);
			SYES6(&coll->listen[CITADEL_NET6_UDP], "2001:db8::9", 514, 23);
			SNO6(&coll->listen[CITADEL_NET6_UDP], "::", 515);
			SYES6(&coll->listen[CITADEL_NET6_TCP], "fe80::1", 6005, 24);
			SYES6(&coll->listen[CITADEL_NET6_TCP], "febf:ffff::", 6010, 24);
			SNO6(&coll->listen[CITADEL_NET6_TCP], "fec0::", 6005);
			SNO6(&coll->listen[CITADEL_NET6_TCP], "fe80::1", 6011);
			SNO6(&glob->listen[CITADEL_NET6_UDP], "::", 514);
			SNO6(&coll->conn[CITADEL_NET6_UDP], "::", 514);
		}
		citadel_policy_free(pol);
	}
	cw_policy_free(&p);

	/* mem_bytes grows with what the policy holds. */
	for (k = 0; k < 4; k++) {
		memset(&p, 0, sizeof(p));
		if (k >= 1)
			pol3(&p);
		if (k >= 2) {
			cw_add_exec(&p, "/usr/bin/ui", SC_UI, NULL, 1);
			cw_add_exec(&p, "/usr/bin/", 0, NULL, 2);
			cw_add_lib(&p, "/lib/", 3);
		}
		if (k >= 3) {
			cw_add_net4(&p, R4("10.0.0.0", 8, TCP, 1, 1, 4), SC_UI);
			cw_add_listen6(&p, R6("::", 0, TCP, 1, 1, 5), SC_TELE);
		}
		b = cw_policy_build(&p, "mem", 0, 1);
		cw_policy_free(&p);
		pol = must_parse("a policy for mem_bytes", &b);
		free(b.p);
		mem[k] = 0;
		if (pol) {
			mem[k] = pol->mem_bytes;
			if (k == 3)
				ok(pol->mem_bytes >= sizeof(*pol) + pol->strings_len +
				   4 * sizeof(struct citadel_scope) +
				   2 * sizeof(struct citadel_exec_cand) +
				   2 * sizeof(struct citadel_net_node),
				   "mem_bytes (%zu) covers the policy, strings, scopes, candidates and nodes",
				   pol->mem_bytes);
			citadel_policy_free(pol);
		}
	}
	ok(mem[0] >= sizeof(struct citadel_policy) && mem[0] < mem[1] &&
	   mem[1] < mem[2] && mem[2] < mem[3],
	   "mem_bytes grows: %zu empty, %zu with scopes, %zu with paths, %zu with rules",
	   mem[0], mem[1], mem[2], mem[3]);
}

/* The candidates of @e as "scope:hashbyte" items, in table order. */
static void cands_str(const struct citadel_policy *pol,
		      const struct citadel_path_entry *e, char *buf, size_t len)
{
	size_t at = 0;
	u32 i;

	buf[0] = '\0';
	for (i = 0; e && i < e->count && at < len; i++) {
		const struct citadel_exec_cand *c = &pol->cands[e->first + i];

		at += snprintf(buf + at, len - at, "%s%u:%s%02x@%u", i ? " " : "",
			       c->scope, c->has_hash ? "" : "-", c->sha256[0],
			       c->line);
	}
}

static const struct citadel_path_entry *
lk(const struct citadel_path_table *t, const char *path)
{
	return citadel_path_lookup(t, path, (u32)strlen(path));
}

static bool table_sorted(const struct citadel_path_table *t, bool prefix,
			 const struct citadel_policy *pol, u32 ncands)
{
	u32 i;

	for (i = 0; i < t->n; i++) {
		const struct citadel_path_entry *e = &t->e[i];
		int r;

		if (!e->len || (e->path[e->len - 1] == '/') != prefix ||
		    e->path[e->len] || strlen(e->path) != e->len ||
		    e->path < pol->strings ||
		    e->path + e->len >= pol->strings + pol->strings_len ||
		    !e->count || (ncands && (e->first > ncands ||
					     e->count > ncands - e->first)))
			return false;
		if (!i)
			continue;
		r = memcmp(e[-1].path, e->path,
			   e[-1].len < e->len ? e[-1].len : e->len);
		if (r > 0 || (!r && e[-1].len >= e->len))
			return false;
	}
	return true;
}

static void test_exec_tables(void)
{
	static const u8 h1[32] = { 0x11, 1 }, h2[32] = { 0x22, 2 };
	struct cw_policy p;
	struct citadel_policy *pol;
	const struct citadel_path_entry *e;
	char buf[256];
	u32 i, sum;

	pol3(&p);
	cw_add_exec(&p, "/usr/bin/ui", SC_UI, h2, 10);
	cw_add_exec(&p, "/usr/bin/ui", SC_UI, h1, 11);
	cw_add_exec(&p, "/usr/bin/ui", 0, NULL, 12);
	cw_add_exec(&p, "/usr/bin/tele", SC_TELE, NULL, 13);
	cw_add_exec(&p, "/usr/bin", 0, NULL, 14);
	cw_add_exec(&p, "/usr/bin/", 0, NULL, 15);
	cw_add_exec(&p, "/opt/app/", SC_COLL, NULL, 16);
	cw_add_exec(&p, "/opt/", 0, NULL, 17);
	cw_add_exec(&p, "/usr/bin/u", SC_TELE, h1, 18);
	cw_add_exec(&p, "/", 0, NULL, 19);
	cw_add_exec(&p, "/usr/bin/ui", SC_UI, h1, 20);
	cw_add_exec(&p, "/usr/bin/ui", SC_COLL, NULL, 21);
	cw_add_lib(&p, "/usr/lib/", 40);
	cw_add_lib(&p, "/lib/", 41);
	cw_add_lib(&p, "/lib/", 42);
	cw_add_lib(&p, "/usr/lib/x86_64-linux-gnu/libc.so.6", 43);
	cw_add_lib(&p, "/usr/lib/x86_64-linux-gnu/libc.so", 44);
	cw_add_lib(&p, "/usr/lib/x86_64-linux-gnu/libc.so", 45);
	pol = parse_pol("exec and libs rules", &p, 0);
	if (!pol)
		return;
	ok(pol->rules_exec == 12 && pol->rules_libs == 6,
	   "exec and libs rule counts (%u, %u)", pol->rules_exec, pol->rules_libs);
	ok(pol->exec_exact.n == 4 && pol->exec_prefix.n == 4,
	   "exec rules split: 4 exact paths, 4 prefixes (%u, %u)",
	   pol->exec_exact.n, pol->exec_prefix.n);
	ok(pol->libs_exact.n == 2 && pol->libs_prefix.n == 2,
	   "libs rules split: 2 exact paths, 2 prefixes (%u, %u)",
	   pol->libs_exact.n, pol->libs_prefix.n);
	ok(table_sorted(&pol->exec_exact, false, pol, pol->rules_exec) &&
	   table_sorted(&pol->exec_prefix, true, pol, pol->rules_exec) &&
	   table_sorted(&pol->libs_exact, false, pol, 0) &&
	   table_sorted(&pol->libs_prefix, true, pol, 0),
	   "path tables: sorted, distinct, exact vs '/'-ended, into the strings, candidates in bounds");
	for (i = 0, sum = 0; i < pol->exec_exact.n; i++)
		sum += pol->exec_exact.e[i].count;
	for (i = 0; i < pol->exec_prefix.n; i++)
		sum += pol->exec_prefix.e[i].count;
	ok(sum == 12, "every exec rule is a candidate of one entry (%u)", sum);

	e = lk(&pol->exec_exact, "/usr/bin/ui");
	cands_str(pol, e, buf, sizeof(buf));
	if (!ok(e && e->count == 5 && !strcmp(e->path, "/usr/bin/ui") &&
		!strcmp(buf, "0:-00@12 1:11@11 1:11@20 1:22@10 3:-00@21"),
		"/usr/bin/ui: 5 candidates grouped, by scope then hash"))
		diag("got \"%s\"", buf);
	e = lk(&pol->exec_exact, "/usr/bin/u");
	cands_str(pol, e, buf, sizeof(buf));
	if (!ok(e && e->line == 18 && !strcmp(buf, "2:11@18"),
		"/usr/bin/u (a prefix of /usr/bin/ui): its own candidate"))
		diag("got \"%s\"", buf);
	e = lk(&pol->exec_exact, "/usr/bin/tele");
	cands_str(pol, e, buf, sizeof(buf));
	ok(e && !strcmp(buf, "2:-00@13"), "/usr/bin/tele: one candidate, no hash");
	e = lk(&pol->exec_exact, "/usr/bin");
	cands_str(pol, e, buf, sizeof(buf));
	ok(e && e->line == 14 && !strcmp(buf, "0:-00@14"),
	   "/usr/bin is an exact path");
	e = lk(&pol->exec_prefix, "/usr/bin/");
	cands_str(pol, e, buf, sizeof(buf));
	ok(e && e->line == 15 && !strcmp(buf, "0:-00@15"),
	   "/usr/bin/ is a prefix (differs by the trailing /)");
	ok(!lk(&pol->exec_exact, "/usr/bin/") && !lk(&pol->exec_prefix, "/usr/bin"),
	   "/usr/bin/ is not in the exact table, /usr/bin not in the prefixes");
	e = lk(&pol->exec_prefix, "/opt/app/");
	cands_str(pol, e, buf, sizeof(buf));
	ok(e && !strcmp(buf, "3:-00@16"), "/opt/app/: the collector's entry prefix");
	e = lk(&pol->exec_prefix, "/");
	ok(e && e->len == 1 && e->count == 1 && pol->cands[e->first].line == 19,
	   "/ is a prefix entry");
	ok(lk(&pol->exec_prefix, "/opt/") && !lk(&pol->exec_prefix, "/opt") &&
	   !lk(&pol->exec_prefix, "/opt/app") && !lk(&pol->exec_prefix, "/op/") &&
	   !lk(&pol->exec_prefix, "/opt/ap/"),
	   "prefix lookups are exact: /opt/ yes; /opt, /opt/app, /op/, /opt/ap/ no");
	ok(!lk(&pol->exec_exact, "/usr/bin/uix") && !lk(&pol->exec_exact, "/usr/bin/ui/") &&
	   !lk(&pol->exec_exact, "/usr/bi") && !lk(&pol->exec_exact, "") &&
	   !lk(&pol->exec_exact, "/") && !lk(&pol->exec_exact, "/usr/bin/t") &&
	   !lk(&pol->exec_exact, "/usr/bin/tele\xff") &&
	   !lk(&pol->exec_exact, "/usr/bin/tel") && !lk(&pol->exec_exact, "/zzz") &&
	   !lk(&pol->exec_exact, "/\x01"),
	   "absent exact paths are not found (longer, shorter, with '/', empty, past the ends)");
	e = citadel_path_lookup(&pol->exec_exact, "/usr/bin/ui-not-terminated", 11);
	ok(e && e->len == 11 && e->count == 5,
	   "a lookup reads only len bytes of the path");
	e = citadel_path_lookup(&pol->exec_exact, "/usr/bin/ui\0", 12);
	ok(!e, "a path with a NUL at its end is not the path without it");

	ok(lk(&pol->libs_prefix, "/lib/") && lk(&pol->libs_prefix, "/lib/")->count == 2 &&
	   lk(&pol->libs_prefix, "/lib/")->line == 41 &&
	   lk(&pol->libs_prefix, "/usr/lib/") &&
	   lk(&pol->libs_exact, "/usr/lib/x86_64-linux-gnu/libc.so.6") &&
	   lk(&pol->libs_exact, "/usr/lib/x86_64-linux-gnu/libc.so")->count == 2,
	   "libs: prefixes and files found, duplicates counted");
	ok(!lk(&pol->libs_prefix, "/lib") && !lk(&pol->libs_exact, "/lib/") &&
	   !lk(&pol->libs_exact, "/usr/lib/x86_64-linux-gnu/libc.so.") &&
	   !lk(&pol->libs_exact, "/usr/lib/x86_64-linux-gnu/libc.so.6.1") &&
	   !lk(&pol->libs_prefix, "/usr/lib/x86_64-linux-gnu/") &&
	   !lk(&pol->exec_exact, "/usr/lib/x86_64-linux-gnu/libc.so"),
	   "libs: absent paths not found, and libs are not exec rules");
	citadel_policy_free(pol);

	/* An empty policy: empty path tables, lookups find nothing. */
	memset(&p, 0, sizeof(p));
	pol = parse_pol("a policy without paths", &p, 0);
	if (pol) {
		ok(!pol->exec_exact.n && !pol->exec_prefix.n && !pol->libs_exact.n &&
		   !pol->libs_prefix.n && !lk(&pol->exec_exact, "/") &&
		   !lk(&pol->exec_prefix, "/") && !lk(&pol->libs_exact, "/bin/sh"),
		   "without exec and libs sections the path tables are empty");
		citadel_policy_free(pol);
	}
}

/* Random paths over a tiny alphabet: many share prefixes. */
static void rnd_path(char *buf, u32 *len)
{
	static const char *const comp[] = { "a", "b", "ab", "a.", "ba", "aa", "..." };
	u32 n = 1 + (u32)(rnd() % 4), i, at = 0;

	for (i = 0; i < n; i++) {
		const char *c = comp[rnd() % ARRAY_SIZE(comp)];

		buf[at++] = '/';
		memcpy(buf + at, c, strlen(c));
		at += (u32)strlen(c);
	}
	if (rnd() % 3 == 0)
		buf[at++] = '/';
	buf[at] = '\0';
	*len = at;
}

static void test_path_random(unsigned int seed)
{
	enum { NP = 60 };
	char paths[NP][32], probe[40];
	u32 lens[NP], i, j, n = 5 + seed * 7 % (NP - 5), bad = 0, probes = 0;
	u16 scopes[NP];
	struct cw_policy p;
	struct citadel_policy *pol;
	const struct citadel_path_entry *e;

	rng_state = 0x51ed2701u * (seed + 3);
	pol3(&p);
	for (i = 0; i < n; i++) {
		rnd_path(paths[i], &lens[i]);
		scopes[i] = (u16)(rnd() % SC_N);
		cw_add_exec(&p, paths[i], scopes[i], NULL, i + 1);
		if (rnd() & 1)
			cw_add_lib(&p, paths[i], i + 1);
	}
	pol = parse_pol("random paths", &p, 0);
	if (!pol)
		return;
	/* Each path, its truncations and extensions, against brute force. */
	for (i = 0; i < n; i++) {
		for (j = 0; j <= lens[i] + 1; j++) {
			bool want = false, pre;
			const struct citadel_path_table *t;
			u32 k, len = j, cnt = 0;

			memcpy(probe, paths[i], lens[i]);
			if (j == lens[i] + 1) {
				probe[lens[i]] = lens[i] & 1 ? '/' : 'a';
				len = lens[i] + 1;
			}
			pre = len && probe[len - 1] == '/';
			t = pre ? &pol->exec_prefix : &pol->exec_exact;
			for (k = 0; k < n; k++)
				if (lens[k] == len && !memcmp(paths[k], probe, len)) {
					want = true;
					cnt++;
				}
			e = citadel_path_lookup(t, probe, len);
			probes++;
			if (!!e != want || (e && (e->len != len ||
						  memcmp(e->path, probe, len) ||
						  e->count != cnt)))
				bad++;
			/* Never in the other table. */
			t = pre ? &pol->exec_exact : &pol->exec_prefix;
			if (citadel_path_lookup(t, probe, len))
				bad++;
			/* The candidates are those of the rules of this path. */
			for (k = 0; e && k < e->count; k++) {
				const struct citadel_exec_cand *c = &pol->cands[e->first + k];

				if (c->line < 1 || c->line > n || lens[c->line - 1] != len ||
				    memcmp(paths[c->line - 1], probe, len) ||
				    scopes[c->line - 1] != c->scope)
					bad++;
			}
		}
	}
	if (!ok(!bad && table_sorted(&pol->exec_exact, false, pol, pol->rules_exec) &&
		table_sorted(&pol->exec_prefix, true, pol, pol->rules_exec) &&
		table_sorted(&pol->libs_exact, false, pol, 0) &&
		table_sorted(&pol->libs_prefix, true, pol, 0),
		"seed %u: %u random exec paths, %u lookups agree with brute force",
		seed, n, probes))
		diag("%u disagreements", bad);
	citadel_policy_free(pol);
}

/* The writer's own promises. */
static void test_writer(void)
{
	struct cw_policy p;
	u32 a, b2, c;

	memset(&p, 0, sizeof(p));
	a = cw_str(&p.str, "/usr/bin/ui");
	b2 = cw_str(&p.str, "ui");
	c = cw_str(&p.str, "/usr/bin/ui");
	ok(a == 0 && b2 == 9 && c == 0 && p.str.len == 12,
	   "writer strings: stored once, tails shared (%u %u %u, %u bytes)", a, b2,
	   c, p.str.len);
	cw_add_global(&p, 0);
	cw_add_scope(&p, "ui", 0, 0);
	ok(p.nscopes == 2 && p.scopes[0].id == 0 &&
	   le64toh(p.scopes[1].id) == cw_fnv64("ui", 2) &&
	   le32v(p.scopes[1].name_off) == 9 && p.str.len == 19,
	   "writer scopes: global id 0, services FNV-1a, names deduplicated");
	cw_policy_free(&p);
}

int main(void)
{
	unsigned int seed;

	test_valid();
	test_errors_api();
	test_header();
	test_sections();
	test_rules();
	test_match4();
	test_families();
	test_match6();
	test_match6_64();
	for (seed = 1; seed <= 24; seed++)
		test_random(seed);
	test_scaling();
	test_host_collisions();
	test_writer();
	test_strings();
	test_scope0();
	test_service_names();
	test_scope_limits();
	test_rule_scopes();
	test_path_checks();
	test_late_failures();
	test_protect();
	test_scope_lookup();
	test_services_policy();
	test_exec_tables();
	for (seed = 1; seed <= 12; seed++)
		test_path_random(seed);

	printf("1..%u\n", tap_n);
	if (tap_failed)
		diag("%u of %u tests failed", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}
