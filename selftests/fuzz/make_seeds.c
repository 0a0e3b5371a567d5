// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the seed corpus of the blob fuzzer (selftests/fuzz/corpus/):
 * small valid blobs and near-valid ones, each breaking one rule, for
 * every section (net, listen, strings, scopes, exec, libs).
 *
 *   cc -I module -o make_seeds selftests/fuzz/make_seeds.c
 *   ./make_seeds selftests/fuzz/corpus
 */
#include "cpol_writer.h"

#define TCP CPOL_PROTO_TCP
#define UDP CPOL_PROTO_UDP
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *dir;

static void save(const char *name, const struct cw_blob *b)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b->p, 1, b->len, f) != b->len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void save_free(const char *name, struct cw_blob b)
{
	save(name, &b);
	free(b.p);
}

static const struct cpol_net4 *v4_rules(size_t *n)
{
	static struct cpol_net4 r[8];

	r[0] = cw_net4(0x0a000000, 8, TCP, 80, 80, 1);		/* 10/8 */
	r[1] = cw_net4(0x0a010000, 16, TCP, 443, 443, 2);	/* 10.1/16 */
	r[2] = cw_net4(0x0a010200, 24, TCP, 22, 22, 3);		/* 10.1.2/24 */
	r[3] = cw_net4(0x0a010203, 32, UDP, 53, 53, 4);
	r[4] = cw_net4(0x00000000, 0, UDP, 123, 123, 5);	/* 0/0 */
	r[5] = cw_net4(0xc0a80000, 16, TCP, 1000, 2000, 6);
	r[6] = cw_net4(0xc0a80000, 16, TCP, 1500, 3000, 7);
	r[7] = cw_net4(0xffffffff, 32, TCP, 0, 65535, 8);
	*n = N(r);
	return r;
}

static const struct cpol_net6 *v6_rules(size_t *n)
{
	static struct cpol_net6 r[6];

	r[0] = cw_net6(0x20010db800000000ull, 0, 32, TCP, 443, 443, 11);
	r[1] = cw_net6(0x20010db800010002ull, 0, 64, TCP, 80, 90, 12);
	r[2] = cw_net6(0x20010db800010003ull, 1ull << 63, 65, UDP, 53, 53, 13);
	r[3] = cw_net6(0x20010db800000000ull, 1, 128, TCP, 22, 22, 14);
	r[4] = cw_net6(0, 0, 0, UDP, 0, 65535, 15);
	r[5] = cw_net6(0x20010db800010002ull, 0, 63, TCP, 85, 100, 16);
	*n = N(r);
	return r;
}

/* ------------------------------------------------ services and paths */

enum { UI = 1, TELE, COLL };

/*
 * A full policy: global plus 3 services, net and listen rules in several
 * scopes, exec rules (exact, prefix, with hashes, shared paths) and libs.
 */
static void services(struct cw_policy *p, int reorder)
{
	static const uint8_t h1[32] = { 0x11, 0x22, 0x33 };
	static const uint8_t h2[32] = { 0xfe, [31] = 0x01 };
	static const char *const names[2][3] = {
		{ "ui", "telemetry", "collector" },
		{ "collector", "ui", "telemetry" },
	};
	int i;

	memset(p, 0, sizeof(*p));
	cw_add_global(p, (1ull << 1) | (1ull << 2) | (1ull << 10));
	for (i = 0; i < 3; i++)
		cw_add_scope(p, names[reorder][i],
			     i == 0 ? CPOL_SCOPE_F_AUDIT : 0,
			     i == 2 ? 1ull << CPOL_FAM_RAW : 1ull << 2);
	cw_add_net4(p, cw_net4(0x0a000000, 8, TCP, 80, 80, 1), 0);
	cw_add_net4(p, cw_net4(0xc0000200, 24, TCP, 443, 443, 2), UI);
	cw_add_net4(p, cw_net4(0xc0000280, 25, TCP, 8443, 8443, 3), UI);
	cw_add_net4(p, cw_net4(0xc6336407, 32, UDP, 123, 123, 4), TELE);
	cw_add_net6(p, cw_net6(0x20010db800000000ull, 0, 32, UDP, 53, 53, 5), TELE);
	cw_add_net6(p, cw_net6(0x20010db800000000ull, 1, 128, TCP, 443, 443, 6), 0);
	cw_add_listen4(p, cw_net4(0, 0, TCP, 22, 22, 7), 0);
	cw_add_listen4(p, cw_net4(0x7f000001, 32, TCP, 8080, 8081, 8), UI);
	cw_add_listen4(p, cw_net4(0x7f000000, 8, TCP, 9000, 9000, 9), UI);
	cw_add_listen6(p, cw_net6(0, 0, 0, UDP, 514, 514, 10), COLL);
	cw_add_listen6(p, cw_net6(0xfe80000000000000ull, 0, 10, TCP, 6000, 6010, 11), COLL);
	cw_add_exec(p, "/usr/bin/ui", UI, h1, 20);
	cw_add_exec(p, "/usr/bin/ui", UI, h2, 21);
	cw_add_exec(p, "/usr/bin/ui", 0, NULL, 22);
	cw_add_exec(p, "/usr/bin/u", TELE, NULL, 23);
	cw_add_exec(p, "/usr/bin", 0, NULL, 24);
	cw_add_exec(p, "/usr/bin/", 0, NULL, 25);
	cw_add_exec(p, "/opt/collector/", COLL, NULL, 26);
	cw_add_exec(p, "/", 0, NULL, 27);
	cw_add_lib(p, "/lib/", 30);
	cw_add_lib(p, "/usr/lib/", 31);
	cw_add_lib(p, "/usr/lib/x86_64-linux-gnu/libc.so.6", 32);
	cw_add_lib(p, "/lib/", 33);
}

static void save_pol(const char *name, struct cw_policy *p, uint32_t flags)
{
	save_free(name, cw_policy_build(p, "services", flags, 10));
	cw_policy_free(p);
}

/* Valid seeds with the sections of services, exec and listening. */
static void service_seeds(void)
{
	struct cw_policy p;
	struct cw_section s[8];
	struct cw_blob b;
	char name[16];
	int i;

	services(&p, 0);
	save_pol("valid-services", &p, 0);
	services(&p, 1);
	save_pol("valid-services-reordered", &p, CPOL_F_AUDIT | CPOL_F_FILELESS);
	/* The same sections, in reverse order. */
	services(&p, 0);
	s[0] = (struct cw_section){ CPOL_SEC_LIBS, p.libs, p.nlibs };
	s[1] = (struct cw_section){ CPOL_SEC_EXEC, p.exec, p.nexec };
	s[2] = (struct cw_section){ CPOL_SEC_LISTEN6, p.listen6, p.nlisten6 };
	s[3] = (struct cw_section){ CPOL_SEC_LISTEN4, p.listen4, p.nlisten4 };
	s[4] = (struct cw_section){ CPOL_SEC_NET6, p.net6, p.nnet6 };
	s[5] = (struct cw_section){ CPOL_SEC_NET4, p.net4, p.nnet4 };
	s[6] = (struct cw_section){ CPOL_SEC_SCOPES, p.scopes, p.nscopes };
	s[7] = (struct cw_section){ CPOL_SEC_STRINGS, p.str.p, p.str.len };
	save_free("valid-services-sections-reversed",
		  cw_build("reversed", 0, 11, s, 8));
	cw_policy_free(&p);

	save_free("valid-fileless", cw_build("fileless", CPOL_F_FILELESS, 12,
					     NULL, 0));
	memset(&p, 0, sizeof(p));
	cw_add_global(&p, 0);
	save_pol("valid-global-scope-only", &p, 0);
	memset(&p, 0, sizeof(p));
	cw_add_exec(&p, "/usr/bin/a", 0, NULL, 1);
	cw_add_exec(&p, "/usr/bin/ab", 0, NULL, 2);
	cw_add_exec(&p, "/usr/bin/a/", 0, NULL, 3);
	cw_add_exec(&p, "/usr/bin/", 0, NULL, 4);
	cw_add_exec(&p, "/usr/bin", 0, NULL, 5);
	cw_add_exec(&p, "/usr/bin/a", 0, NULL, 6);
	cw_add_lib(&p, "/usr/bin/a", 7);
	save_pol("valid-exec-global", &p, CPOL_F_FILELESS);
	memset(&p, 0, sizeof(p));
	cw_add_listen4(&p, cw_net4(0x7f000000, 8, TCP, 1, 1024, 1), 0);
	cw_add_listen6(&p, cw_net6(0, 1, 128, UDP, 53, 53, 2), 0);
	save_pol("valid-listen-global", &p, 0);
	memset(&p, 0, sizeof(p));
	p.keep_empty_strings = 1;
	save_pol("valid-empty-strings", &p, 0);
	/* 60 services, each with a net rule and an exec entry. */
	memset(&p, 0, sizeof(p));
	cw_add_global(&p, 0);
	for (i = 1; i <= 60; i++) {
		snprintf(name, sizeof(name), "s%d", (i * 37) % 61);
		cw_add_scope(&p, name, 0, 0);
	}
	for (i = 1; i <= 60; i += 3) {
		char path[32];

		snprintf(path, sizeof(path), "/srv/s%d", i);
		cw_add_exec(&p, path, (uint16_t)i, NULL, (uint32_t)i);
		cw_add_net4(&p, cw_net4(0x0a000000u + (uint32_t)i * 256, 24,
					TCP, 80, 80, (uint32_t)i), (uint16_t)i);
	}
	b = cw_policy_build(&p, "many", 0, 13);
	if (b.len > 4096)
		fprintf(stderr, "warning: valid-many-services is %zu bytes\n", b.len);
	save_free("valid-many-services", b);
	cw_policy_free(&p);
}

/* Near-valid seeds: the services policy with one defect each. */
static void service_defects(void)
{
	struct cw_policy p;

#define DEFECT(name, stmt) do {		\
		services(&p, 0);		\
		stmt;				\
		save_pol(name, &p, 0);		\
	} while (0)
	DEFECT("bad-strings-unterminated", p.str.p[p.str.len - 1] = 'x');
	DEFECT("bad-name-ref-past-end",
	       p.scopes[TELE].name_off = htole32(p.str.len));
	DEFECT("bad-name-ref-unterminated", p.scopes[TELE].name_len = htole32(4));
	DEFECT("bad-name-ref-nul",
	       (p.scopes[UI].name_off = htole32(0), p.scopes[UI].name_len = htole32(9)));
	DEFECT("bad-scope0-id", p.scopes[0].id = htole64(1));
	DEFECT("bad-scope0-name", (p.scopes[0].name_off = p.scopes[UI].name_off,
				   p.scopes[0].name_len = p.scopes[UI].name_len));
	DEFECT("bad-scope0-flags", p.scopes[0].flags = htole32(CPOL_SCOPE_F_AUDIT));
	DEFECT("bad-service-empty-name", (p.scopes[TELE].name_off = htole32(6),
					  p.scopes[TELE].name_len = 0));
	DEFECT("bad-service-char", p.str.p[le32toh(p.scopes[TELE].name_off)] = '/');
	DEFECT("bad-service-global", cw_add_scope(&p, "global", 0, 0));
	DEFECT("bad-service-long",
	       cw_add_scope(&p, "a123456789b123456789c123456789d123456789e123456789f123456789xyzw", 0, 0));
	DEFECT("bad-service-id", p.scopes[COLL].id ^= htole64(1));
	DEFECT("bad-service-duplicate", cw_add_scope(&p, "telemetry", 0, 0));
	DEFECT("bad-scope-flags", p.scopes[UI].flags = htole32(2));
	DEFECT("bad-scope-reserved", p.scopes[UI].reserved = htole32(1));
	DEFECT("bad-net4-scope", p.net4[1].scope = htole16(4));
	DEFECT("bad-net6-scope", p.net6[0].scope = htole16(0xffff));
	DEFECT("bad-listen4-scope", p.listen4[2].scope = htole16(4));
	DEFECT("bad-listen6-scope", p.listen6[1].scope = htole16(4));
	DEFECT("bad-listen6-host-bits", p.listen6[1].addr[15] = 1);
	DEFECT("bad-exec-scope", p.exec[3].scope = htole16(4));
	DEFECT("bad-exec-relative", cw_add_exec(&p, "usr/bin/x", 0, NULL, 40));
	DEFECT("bad-exec-slashslash", cw_add_exec(&p, "/usr//bin", 0, NULL, 40));
	DEFECT("bad-exec-dot", cw_add_exec(&p, "/usr/./bin", 0, NULL, 40));
	DEFECT("bad-exec-dotdot", cw_add_exec(&p, "/usr/../bin", 0, NULL, 40));
	DEFECT("bad-exec-trailing-dot", cw_add_exec(&p, "/usr/.", 0, NULL, 40));
	DEFECT("bad-exec-trailing-dotdot", cw_add_exec(&p, "/usr/..", 0, NULL, 40));
	DEFECT("bad-exec-has-hash-2", p.exec[0].has_hash = 2);
	DEFECT("bad-exec-hash-bytes", p.exec[2].sha256[5] = 1);
	DEFECT("bad-exec-prefix-hash", (p.exec[6].has_hash = 1,
					p.exec[6].sha256[0] = 9));
	DEFECT("bad-exec-reserved", p.exec[1].reserved = 1);
	DEFECT("bad-exec-path-ref", p.exec[4].path_len = htole32(p.str.len));
	DEFECT("bad-libs-relative", cw_add_lib(&p, "lib/", 41));
	DEFECT("bad-libs-dotdot", cw_add_lib(&p, "/lib/../x", 41));
	DEFECT("bad-libs-reserved", p.libs[2].reserved = htole32(1));
#undef DEFECT
}

int main(int argc, char **argv)
{
	struct cw_section s[2];
	struct cpol_net4 r4[40];
	struct cpol_net6 e6;
	struct cw_blob b;
	size_t n4, n6, i;
	const struct cpol_net4 *v4 = v4_rules(&n4);
	const struct cpol_net6 *v6 = v6_rules(&n6);

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];

	/* Valid. */
	save_free("valid-empty", cw_build("empty", 0, 1, NULL, 0));
	s[0] = (struct cw_section){ CPOL_SEC_NET4, v4, (uint32_t)n4 };
	save_free("valid-net4", cw_build("net4", 0, 2, s, 1));
	s[0] = (struct cw_section){ CPOL_SEC_NET6, v6, (uint32_t)n6 };
	save_free("valid-net6", cw_build("net6", 0, 3, s, 1));
	s[0] = (struct cw_section){ CPOL_SEC_NET4, v4, (uint32_t)n4 };
	s[1] = (struct cw_section){ CPOL_SEC_NET6, v6, (uint32_t)n6 };
	save_free("valid-both-audit", cw_build("both.audit", CPOL_F_AUDIT,
					       0x0123456789abcdefull, s, 2));
	s[0] = (struct cw_section){ CPOL_SEC_NET6, v6, 2 };
	s[1] = (struct cw_section){ CPOL_SEC_NET4, v4, 3 };
	save_free("valid-net6-first", cw_build("net6-first", 0, 4, s, 2));
	s[0] = (struct cw_section){ CPOL_SEC_NET4, v4, 0 };
	s[1] = (struct cw_section){ CPOL_SEC_NET6, v6, 0 };
	save_free("valid-zero-count", cw_build("zero_count", 0, 5, s, 2));
	for (i = 0; i <= 32; i++)
		r4[i] = cw_net4(0x0a141e28 & (i ? ~0u << (32 - i) : 0), (uint8_t)i,
				i & 1 ? UDP : TCP, (uint16_t)(i * 10),
				(uint16_t)(i * 10 + 15), (uint32_t)i + 100);
	s[0] = (struct cw_section){ CPOL_SEC_NET4, r4, 33 };
	save_free("valid-net4-chain", cw_build("chain", 0, 6, s, 1));

	/* Near-valid: one defect each. */
	s[0] = (struct cw_section){ CPOL_SEC_NET4, v4, (uint32_t)n4 };
	s[1] = (struct cw_section){ CPOL_SEC_NET6, v6, (uint32_t)n6 };
	b = cw_build("bad", 0, 7, s, 2);
	{
		struct cw_blob m = { malloc(b.len + 8), b.len + 8 };

		memcpy(m.p, b.p, b.len);
		memset(m.p + b.len, 0, 8);
		save_free("bad-padded", m);
	}
	b.p[CW_OFF_NAME + 3] = '/';
	save("bad-name-char", &b);
	memset(b.p + CW_OFF_NAME, 'n', CPOL_NAME_MAX);
	save("bad-name-unterminated", &b);
	free(b.p);

	b = cw_build("bad", 0, 7, s, 2);
	cw_put32(&b, CW_SEC(1) + CW_SEC_TYPE, CPOL_SEC_NET4);
	save_free("bad-duplicate-section", b);
	b = cw_build("bad", 0, 7, s, 2);
	cw_put32(&b, CW_SEC(1) + CW_SEC_OFFSET,
		 cw_get32(&b, CW_SEC(0) + CW_SEC_OFFSET) + 16);
	save_free("bad-overlap", b);
	b = cw_build("bad", 0, 7, s, 2);
	cw_put32(&b, CW_SEC(0) + CW_SEC_OFFSET,
		 cw_get32(&b, CW_SEC(0) + CW_SEC_OFFSET) + 4);
	save_free("bad-unaligned", b);
	b = cw_build("bad", 8, 7, s, 2);
	save_free("bad-flags", b);

	memcpy(r4, v4, n4 * sizeof(*r4));
	r4[1] = cw_net4(0x0a010001, 16, TCP, 443, 443, 2);
	s[0] = (struct cw_section){ CPOL_SEC_NET4, r4, (uint32_t)n4 };
	save_free("bad-host-bits", cw_build("bad", 0, 8, s, 1));
	r4[1] = cw_net4(0x0a010000, 16, 6, 443, 443, 2);
	save_free("bad-proto", cw_build("bad", 0, 8, s, 1));
	r4[1] = cw_net4(0x0a010000, 16, TCP, 443, 442, 2);
	save_free("bad-reversed-ports", cw_build("bad", 0, 8, s, 1));
	r4[1] = cw_net4(0x0a010000, 16, TCP, 443, 443, 2);
	r4[1].scope = htole16(1);
	save_free("bad-scope", cw_build("bad", 0, 8, s, 1));

	e6 = cw_net6(0x20010db800000000ull, 0, 32, TCP, 443, 443, 11);
	e6.reserved = htole32(1);
	s[0] = (struct cw_section){ CPOL_SEC_NET6, &e6, 1 };
	save_free("bad-net6-reserved", cw_build("bad", 0, 9, s, 1));
	e6 = cw_net6(0x20010db800000001ull, 0, 32, TCP, 443, 443, 11);
	save_free("bad-net6-host-bits", cw_build("bad", 0, 9, s, 1));

	service_seeds();
	service_defects();
	return 0;
}
