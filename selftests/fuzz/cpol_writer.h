/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small, independent writer of policy blobs (module/citadel_abi.h) for
 * the host unit test (selftests/unit/test_module_parser.c), the fuzz
 * target and the fuzz seed generator. Build with -I module.
 *
 * Layout: header, section table, then each section's entries at the next
 * CPOL_SECTION_ALIGN-aligned offset, in the order given. total_size is
 * the end of the last section. Tests patch the result to make it invalid.
 */
#ifndef CITADEL_CPOL_WRITER_H
#define CITADEL_CPOL_WRITER_H

#include <arpa/inet.h>
#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "citadel_abi.h"

struct cw_section {
	uint32_t type;		/* CPOL_SEC_* (or anything, to test) */
	const void *data;	/* count entries of the type's size */
	uint32_t count;
};

struct cw_blob {
	uint8_t *p;
	size_t len;
};

/* Offsets of header fields and of section table entries. */
#define CW_OFF_MAGIC	offsetof(struct cpol_header, magic)
#define CW_OFF_ABI	offsetof(struct cpol_header, abi_version)
#define CW_OFF_HSIZE	offsetof(struct cpol_header, header_size)
#define CW_OFF_TOTAL	offsetof(struct cpol_header, total_size)
#define CW_OFF_FLAGS	offsetof(struct cpol_header, flags)
#define CW_OFF_VERSION	offsetof(struct cpol_header, policy_version)
#define CW_OFF_NSEC	offsetof(struct cpol_header, section_count)
#define CW_OFF_RESERVED	offsetof(struct cpol_header, reserved)
#define CW_OFF_NAME	offsetof(struct cpol_header, name)
#define CW_SEC(i)	(sizeof(struct cpol_header) + \
			 (size_t)(i) * sizeof(struct cpol_section))
#define CW_SEC_TYPE	offsetof(struct cpol_section, type)
#define CW_SEC_OFFSET	offsetof(struct cpol_section, offset)
#define CW_SEC_SIZE	offsetof(struct cpol_section, size)
#define CW_SEC_COUNT	offsetof(struct cpol_section, count)

static inline uint32_t cw_entry_size(uint32_t type)
{
	return type == CPOL_SEC_NET6 ? sizeof(struct cpol_net6) :
				       sizeof(struct cpol_net4);
}

static inline void cw_put16(struct cw_blob *b, size_t off, uint16_t v)
{
	v = htole16(v);
	memcpy(b->p + off, &v, sizeof(v));
}

static inline void cw_put32(struct cw_blob *b, size_t off, uint32_t v)
{
	v = htole32(v);
	memcpy(b->p + off, &v, sizeof(v));
}

static inline void cw_put64(struct cw_blob *b, size_t off, uint64_t v)
{
	v = htole64(v);
	memcpy(b->p + off, &v, sizeof(v));
}

static inline uint32_t cw_get32(const struct cw_blob *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b->p + off, sizeof(v));
	return le32toh(v);
}

/* Builds a blob; exits on allocation failure. Free b.p with free(). */
static inline struct cw_blob cw_build(const char *name, uint32_t flags,
				      uint64_t version,
				      const struct cw_section *s,
				      unsigned int nsec)
{
	size_t off = CW_SEC(nsec), secoff[32];
	struct cw_blob b;
	unsigned int i;

	if (nsec > 32) {
		fprintf(stderr, "cw_build: too many sections\n");
		exit(2);
	}
	for (i = 0; i < nsec; i++) {
		off = (off + CPOL_SECTION_ALIGN - 1) &
		      ~(size_t)(CPOL_SECTION_ALIGN - 1);
		secoff[i] = off;
		off += (size_t)s[i].count * cw_entry_size(s[i].type);
	}
	b.len = off;
	b.p = calloc(1, b.len);
	if (!b.p) {
		fprintf(stderr, "cw_build: out of memory\n");
		exit(2);
	}
	cw_put32(&b, CW_OFF_MAGIC, CPOL_MAGIC);
	cw_put16(&b, CW_OFF_ABI, CPOL_ABI_VERSION);
	cw_put16(&b, CW_OFF_HSIZE, sizeof(struct cpol_header));
	cw_put32(&b, CW_OFF_TOTAL, (uint32_t)b.len);
	cw_put32(&b, CW_OFF_FLAGS, flags);
	cw_put64(&b, CW_OFF_VERSION, version);
	cw_put32(&b, CW_OFF_NSEC, nsec);
	strncpy((char *)b.p + CW_OFF_NAME, name, CPOL_NAME_MAX);
	for (i = 0; i < nsec; i++) {
		uint32_t size = s[i].count * cw_entry_size(s[i].type);

		cw_put32(&b, CW_SEC(i) + CW_SEC_TYPE, s[i].type);
		cw_put32(&b, CW_SEC(i) + CW_SEC_OFFSET, (uint32_t)secoff[i]);
		cw_put32(&b, CW_SEC(i) + CW_SEC_SIZE, size);
		cw_put32(&b, CW_SEC(i) + CW_SEC_COUNT, s[i].count);
		if (size)
			memcpy(b.p + secoff[i], s[i].data, size);
	}
	return b;
}

/* An IPv4 rule; @addr in host order (0x0a000000 is 10.0.0.0). */
static inline struct cpol_net4 cw_net4(uint32_t addr, uint8_t prefix,
				       uint8_t proto, uint16_t port_lo,
				       uint16_t port_hi, uint32_t line)
{
	struct cpol_net4 e;

	memset(&e, 0, sizeof(e));
	addr = htonl(addr);
	memcpy(e.addr, &addr, sizeof(e.addr));
	e.prefix = prefix;
	e.proto = proto;
	e.scope = htole16(CPOL_SCOPE_GLOBAL);
	e.port_lo = htole16(port_lo);
	e.port_hi = htole16(port_hi);
	e.line = htole32(line);
	return e;
}

/* An IPv6 rule; the address is hi:lo as two host-order 64-bit halves. */
static inline struct cpol_net6 cw_net6(uint64_t hi, uint64_t lo,
				       uint8_t prefix, uint8_t proto,
				       uint16_t port_lo, uint16_t port_hi,
				       uint32_t line)
{
	struct cpol_net6 e;
	int i;

	memset(&e, 0, sizeof(e));
	for (i = 0; i < 8; i++) {
		e.addr[i] = (uint8_t)(hi >> (56 - 8 * i));
		e.addr[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
	e.prefix = prefix;
	e.proto = proto;
	e.scope = htole16(CPOL_SCOPE_GLOBAL);
	e.port_lo = htole16(port_lo);
	e.port_hi = htole16(port_hi);
	e.line = htole32(line);
	e.reserved = 0;
	return e;
}

#endif /* CITADEL_CPOL_WRITER_H */
