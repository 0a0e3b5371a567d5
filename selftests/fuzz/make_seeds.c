// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the seed corpus of the blob fuzzer (selftests/fuzz/corpus/):
 * small valid blobs and near-valid ones, each breaking one rule.
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
	b = cw_build("bad", 2, 7, s, 2);
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
	return 0;
}
