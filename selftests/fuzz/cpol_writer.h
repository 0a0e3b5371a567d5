/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small, independent writer of policy blobs (module/citadel_abi.h) for
 * the host unit test (selftests/unit/test_module_parser.c), the fuzz
 * target and the fuzz seed generator. Build with -I module.
 *
 * Layout: header, section table, then each section's entries at the next
 * CPOL_SECTION_ALIGN-aligned offset, in the order given. total_size is
 * the end of the last section. Tests patch the result to make it invalid.
 *
 * Two levels: cw_build() lays out any list of sections; struct cw_policy
 * collects a whole policy (strings with dedup, scopes with FNV-1a ids,
 * exec, libs, net and listen rules) and cw_policy_build() writes it. Its
 * arrays stay editable until the build, so a test can break one entry.
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

/* Entry size of a section type; 16 for unknown types. */
static inline uint32_t cw_entry_size(uint32_t type)
{
	switch (type) {
	case CPOL_SEC_NET6:
	case CPOL_SEC_LISTEN6:
		return sizeof(struct cpol_net6);
	case CPOL_SEC_STRINGS:
		return 1;
	case CPOL_SEC_SCOPES:
		return sizeof(struct cpol_scope);
	case CPOL_SEC_EXEC:
		return sizeof(struct cpol_exec);
	case CPOL_SEC_LIBS:
		return sizeof(struct cpol_lib);
	case CPOL_SEC_PROTECT:
		return sizeof(struct cpol_protect);
	default:
		return sizeof(struct cpol_net4);
	}
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

/* The same rules in scope @scope (a service, or 0 for global). */
static inline struct cpol_net4 cw_scoped4(struct cpol_net4 e, uint16_t scope)
{
	e.scope = htole16(scope);
	return e;
}

static inline struct cpol_net6 cw_scoped6(struct cpol_net6 e, uint16_t scope)
{
	e.scope = htole16(scope);
	return e;
}

/* ------------------------------------------------------------ policies */

static inline void *cw_grow(void *p, uint32_t n, size_t size)
{
	/* Room for entry n (0-based): capacity doubles at powers of 2. */
	if (n & (n - 1) && n > 8)
		return p;
	p = realloc(p, (n < 8 ? 8 : (size_t)n * 2) * size);
	if (!p) {
		fprintf(stderr, "cw: out of memory\n");
		exit(2);
	}
	return p;
}

#define CW_PUSH(arr, n, e) do {					\
		(arr) = cw_grow((arr), (n), sizeof(*(arr)));	\
		(arr)[(n)++] = (e);				\
	} while (0)

/* The STRINGS section: NUL-terminated strings, each stored once. */
struct cw_strings {
	char *p;
	uint32_t len;
	uint32_t cap;
};

/*
 * Offset of @len bytes of @s followed by a NUL in @t, adding them if
 * they are not there yet (a suffix of a stored string counts: the ABI
 * only asks for a NUL at off + len and none before).
 */
static inline uint32_t cw_str_n(struct cw_strings *t, const char *s,
				uint32_t len)
{
	uint32_t off;

	for (off = 0; off + len < t->len; off++)
		if (!t->p[off + len] && !memcmp(t->p + off, s, len) &&
		    !memchr(t->p + off, '\0', len))
			return off;
	if (t->len + len + 1 > t->cap) {
		t->cap = (t->len + len + 1) * 2 + 64;
		t->p = realloc(t->p, t->cap);
		if (!t->p) {
			fprintf(stderr, "cw: out of memory\n");
			exit(2);
		}
	}
	off = t->len;
	memcpy(t->p + off, s, len);
	t->p[off + len] = '\0';
	t->len += len + 1;
	return off;
}

static inline uint32_t cw_str(struct cw_strings *t, const char *s)
{
	return cw_str_n(t, s, (uint32_t)strlen(s));
}

/* FNV-1a 64 over @len bytes: the id of a service named so. */
static inline uint64_t cw_fnv64(const char *s, size_t len)
{
	uint64_t h = CPOL_FNV64_OFFSET;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= CPOL_FNV64_PRIME;
	}
	return h;
}

struct cw_policy {
	struct cw_strings str;
	struct cpol_scope *scopes;
	uint32_t nscopes;
	struct cpol_exec *exec;
	uint32_t nexec;
	struct cpol_lib *libs;
	uint32_t nlibs;
	struct cpol_protect *protect;
	uint32_t nprotect;
	struct cpol_net4 *net4, *listen4;
	uint32_t nnet4, nlisten4;
	struct cpol_net6 *net6, *listen6;
	uint32_t nnet6, nlisten6;
	/* cw_policy_build() writes an empty STRINGS section if set. */
	int keep_empty_strings;
};

/*
 * A scope: "global" (id 0) or a service (id = FNV-1a of the name).
 * Returns its index. The first scope added must be the global one.
 */
static inline uint16_t cw_add_scope(struct cw_policy *p, const char *name,
				    uint32_t flags, uint64_t families)
{
	struct cpol_scope e;
	uint32_t len = (uint32_t)strlen(name);

	memset(&e, 0, sizeof(e));
	e.id = htole64(p->nscopes ? cw_fnv64(name, len) : 0);
	e.name_off = htole32(cw_str_n(&p->str, name, len));
	e.name_len = htole32(len);
	e.flags = htole32(flags);
	e.families = htole64(families);
	CW_PUSH(p->scopes, p->nscopes, e);
	return (uint16_t)(p->nscopes - 1);
}

static inline uint16_t cw_add_global(struct cw_policy *p, uint64_t families)
{
	return cw_add_scope(p, "global", 0, families);
}

/* An exec rule; @sha256 NULL for none. Returns its index. */
static inline uint32_t cw_add_exec(struct cw_policy *p, const char *path,
				   uint16_t scope, const uint8_t *sha256,
				   uint32_t line)
{
	struct cpol_exec e;
	uint32_t len = (uint32_t)strlen(path);

	memset(&e, 0, sizeof(e));
	e.path_off = htole32(cw_str_n(&p->str, path, len));
	e.path_len = htole32(len);
	e.scope = htole16(scope);
	e.line = htole32(line);
	if (sha256) {
		e.has_hash = 1;
		memcpy(e.sha256, sha256, sizeof(e.sha256));
	}
	CW_PUSH(p->exec, p->nexec, e);
	return p->nexec - 1;
}

static inline uint32_t cw_add_lib(struct cw_policy *p, const char *path,
				  uint32_t line)
{
	struct cpol_lib e;
	uint32_t len = (uint32_t)strlen(path);

	memset(&e, 0, sizeof(e));
	e.path_off = htole32(cw_str_n(&p->str, path, len));
	e.path_len = htole32(len);
	e.line = htole32(line);
	CW_PUSH(p->libs, p->nlibs, e);
	return p->nlibs - 1;
}

static inline uint32_t cw_add_protect(struct cw_policy *p, const char *path,
				      uint32_t line)
{
	struct cpol_protect e;
	uint32_t len = (uint32_t)strlen(path);

	memset(&e, 0, sizeof(e));
	e.path_off = htole32(cw_str_n(&p->str, path, len));
	e.path_len = htole32(len);
	e.line = htole32(line);
	CW_PUSH(p->protect, p->nprotect, e);
	return p->nprotect - 1;
}

static inline void cw_add_net4(struct cw_policy *p, struct cpol_net4 e,
			       uint16_t scope)
{
	CW_PUSH(p->net4, p->nnet4, cw_scoped4(e, scope));
}

static inline void cw_add_net6(struct cw_policy *p, struct cpol_net6 e,
			       uint16_t scope)
{
	CW_PUSH(p->net6, p->nnet6, cw_scoped6(e, scope));
}

static inline void cw_add_listen4(struct cw_policy *p, struct cpol_net4 e,
				  uint16_t scope)
{
	CW_PUSH(p->listen4, p->nlisten4, cw_scoped4(e, scope));
}

static inline void cw_add_listen6(struct cw_policy *p, struct cpol_net6 e,
				  uint16_t scope)
{
	CW_PUSH(p->listen6, p->nlisten6, cw_scoped6(e, scope));
}

/*
 * Writes the policy: strings, scopes, net4, net6, listen4, listen6, exec,
 * libs, protect; empty ones are left out. Free the result's p with free().
 */
static inline struct cw_blob cw_policy_build(const struct cw_policy *p,
					     const char *name, uint32_t flags,
					     uint64_t version)
{
	struct cw_section s[9];
	unsigned int n = 0;

#define CW_SEC_ADD(t, d, c) do {					\
		if (c) {						\
			s[n].type = (t);				\
			s[n].data = (d);				\
			s[n++].count = (c);				\
		}							\
	} while (0)
	if (p->keep_empty_strings && !p->str.len) {
		s[n].type = CPOL_SEC_STRINGS;
		s[n].data = NULL;
		s[n++].count = 0;
	}
	CW_SEC_ADD(CPOL_SEC_STRINGS, p->str.p, p->str.len);
	CW_SEC_ADD(CPOL_SEC_SCOPES, p->scopes, p->nscopes);
	CW_SEC_ADD(CPOL_SEC_NET4, p->net4, p->nnet4);
	CW_SEC_ADD(CPOL_SEC_NET6, p->net6, p->nnet6);
	CW_SEC_ADD(CPOL_SEC_LISTEN4, p->listen4, p->nlisten4);
	CW_SEC_ADD(CPOL_SEC_LISTEN6, p->listen6, p->nlisten6);
	CW_SEC_ADD(CPOL_SEC_EXEC, p->exec, p->nexec);
	CW_SEC_ADD(CPOL_SEC_LIBS, p->libs, p->nlibs);
	CW_SEC_ADD(CPOL_SEC_PROTECT, p->protect, p->nprotect);
#undef CW_SEC_ADD
	return cw_build(name, flags, version, s, n);
}

static inline void cw_policy_free(struct cw_policy *p)
{
	free(p->str.p);
	free(p->scopes);
	free(p->exec);
	free(p->libs);
	free(p->protect);
	free(p->net4);
	free(p->net6);
	free(p->listen4);
	free(p->listen6);
	memset(p, 0, sizeof(*p));
}

#endif /* CITADEL_CPOL_WRITER_H */
