// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Encoding a policy as a blob, every field little-endian as the ABI says. */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "blob_write.h"

_Static_assert(sizeof(struct cpol_header) == CPOL_HEADER_SIZE, "header size");
_Static_assert(sizeof(struct cpol_section) == CPOL_SECTION_SIZE, "section size");
_Static_assert(sizeof(struct cpol_net4) == CPOL_NET4_SIZE, "net4 size");
_Static_assert(sizeof(struct cpol_net6) == CPOL_NET6_SIZE, "net6 size");
_Static_assert(sizeof(struct cpol_scope) == CPOL_SCOPE_SIZE, "scope size");
_Static_assert(sizeof(struct cpol_exec) == CPOL_EXEC_SIZE, "exec size");
_Static_assert(sizeof(struct cpol_lib) == CPOL_LIB_SIZE, "lib size");
_Static_assert(sizeof(struct cpol_protect) == CPOL_PROTECT_SIZE,
	       "protect size");

#define NSECTIONS	9	/* CPOL_SEC_NET4 .. CPOL_SEC_PROTECT */

/* The distinct strings of a policy, sorted, with their offsets. */
struct str_ref {
	const char *s;
	uint32_t len;
	uint32_t off;
};

struct strpool {
	struct str_ref *v;
	size_t n;
	uint64_t size;		/* bytes, the NULs included */
};

static int ref_cmp(const void *pa, const void *pb)
{
	const struct str_ref *a = pa, *b = pb;

	return path_cmp(a->s, a->len, b->s, b->len);
}

static int strpool_build(const struct policy *pol, struct strpool *sp)
{
	size_t n = pol->nscopes + pol->exec.n + pol->libs.n + pol->protect.n;
	size_t i, k = 0;

	memset(sp, 0, sizeof(*sp));
	sp->v = calloc(n ? n : 1, sizeof(*sp->v));
	if (!sp->v)
		return -ENOMEM;
	for (i = 0; i < pol->nscopes; i++)
		sp->v[k++] = (struct str_ref){ pol->scopes[i].name,
					       pol->scopes[i].name_len, 0 };
	for (i = 0; i < pol->exec.n; i++)
		sp->v[k++] = (struct str_ref){ pol->exec.v[i].path,
					       pol->exec.v[i].len, 0 };
	for (i = 0; i < pol->libs.n; i++)
		sp->v[k++] = (struct str_ref){ pol->libs.v[i].path,
					       pol->libs.v[i].len, 0 };
	for (i = 0; i < pol->protect.n; i++)
		sp->v[k++] = (struct str_ref){ pol->protect.v[i].path,
					       pol->protect.v[i].len, 0 };
	qsort(sp->v, n, sizeof(*sp->v), ref_cmp);
	for (i = 0, k = 0; i < n; i++) {
		if (k && !ref_cmp(&sp->v[k - 1], &sp->v[i]))
			continue;
		sp->v[k] = sp->v[i];
		sp->v[k].off = (uint32_t)sp->size;
		sp->size += (uint64_t)sp->v[i].len + 1;
		k++;
	}
	sp->n = k;
	return 0;
}

/* Offset of a string that is in the pool. */
static uint32_t strpool_off(const struct strpool *sp, const char *s,
			    uint32_t len)
{
	struct str_ref key = { s, len, 0 };
	const struct str_ref *r = bsearch(&key, sp->v, sp->n, sizeof(*sp->v),
					  ref_cmp);

	return r ? r->off : 0;
}

uint64_t blob_strings_size(const struct policy *pol)
{
	struct strpool sp;
	uint64_t size;

	if (strpool_build(pol, &sp))
		return UINT64_MAX;
	size = sp.size;
	free(sp.v);
	return size;
}

static uint64_t align8(uint64_t v)
{
	return (v + CPOL_SECTION_ALIGN - 1) & ~(uint64_t)(CPOL_SECTION_ALIGN - 1);
}

/* Entry count and size of each section type (index type - 1). */
static void section_plan(const struct policy *pol, uint64_t strings,
			 uint64_t count[NSECTIONS], uint32_t esize[NSECTIONS])
{
	count[CPOL_SEC_NET4 - 1] = pol->net[NET_CONNECT4].n;
	esize[CPOL_SEC_NET4 - 1] = CPOL_NET4_SIZE;
	count[CPOL_SEC_NET6 - 1] = pol->net[NET_CONNECT6].n;
	esize[CPOL_SEC_NET6 - 1] = CPOL_NET6_SIZE;
	count[CPOL_SEC_STRINGS - 1] = strings;
	esize[CPOL_SEC_STRINGS - 1] = 1;
	count[CPOL_SEC_SCOPES - 1] = pol->nscopes;
	esize[CPOL_SEC_SCOPES - 1] = CPOL_SCOPE_SIZE;
	count[CPOL_SEC_EXEC - 1] = pol->exec.n;
	esize[CPOL_SEC_EXEC - 1] = CPOL_EXEC_SIZE;
	count[CPOL_SEC_LIBS - 1] = pol->libs.n;
	esize[CPOL_SEC_LIBS - 1] = CPOL_LIB_SIZE;
	count[CPOL_SEC_LISTEN4 - 1] = pol->net[NET_LISTEN4].n;
	esize[CPOL_SEC_LISTEN4 - 1] = CPOL_NET4_SIZE;
	count[CPOL_SEC_LISTEN6 - 1] = pol->net[NET_LISTEN6].n;
	esize[CPOL_SEC_LISTEN6 - 1] = CPOL_NET6_SIZE;
	count[CPOL_SEC_PROTECT - 1] = pol->protect.n;
	esize[CPOL_SEC_PROTECT - 1] = CPOL_PROTECT_SIZE;
}

static uint64_t plan_size(const uint64_t count[NSECTIONS],
			  const uint32_t esize[NSECTIONS], unsigned int *nsec)
{
	uint64_t size;
	unsigned int i, n = 0;

	for (i = 0; i < NSECTIONS; i++)
		n += count[i] > 0;
	size = CPOL_HEADER_SIZE + (uint64_t)n * CPOL_SECTION_SIZE;
	for (i = 0; i < NSECTIONS; i++)
		if (count[i])
			size = align8(size) + count[i] * esize[i];
	*nsec = n;
	return align8(size);
}

uint64_t blob_size(const struct policy *pol)
{
	uint64_t count[NSECTIONS], strings = blob_strings_size(pol);
	uint32_t esize[NSECTIONS];
	unsigned int nsec;

	if (strings == UINT64_MAX)
		return UINT64_MAX;
	section_plan(pol, strings, count, esize);
	return plan_size(count, esize, &nsec);
}

static void put_net(uint8_t *p, const struct net_rule *r, bool v4)
{
	if (v4) {
		struct cpol_net4 e;

		memset(&e, 0, sizeof(e));
		memcpy(e.addr, r->addr, sizeof(e.addr));
		e.prefix = r->prefix;
		e.proto = r->proto;
		e.scope = htole16(r->scope);
		e.port_lo = htole16(r->port_lo);
		e.port_hi = htole16(r->port_hi);
		e.line = htole32(r->loc.line);
		memcpy(p, &e, sizeof(e));
	} else {
		struct cpol_net6 e;

		memset(&e, 0, sizeof(e));
		memcpy(e.addr, r->addr, sizeof(e.addr));
		e.prefix = r->prefix;
		e.proto = r->proto;
		e.scope = htole16(r->scope);
		e.port_lo = htole16(r->port_lo);
		e.port_hi = htole16(r->port_hi);
		e.line = htole32(r->loc.line);
		memcpy(p, &e, sizeof(e));
	}
}

static void put_scope(uint8_t *p, const struct scope *s,
		      const struct strpool *sp)
{
	struct cpol_scope e;

	memset(&e, 0, sizeof(e));
	e.id = htole64(s->id);
	e.name_off = htole32(strpool_off(sp, s->name, s->name_len));
	e.name_len = htole32(s->name_len);
	e.flags = htole32(s->flags);
	e.families = htole64(s->families);
	memcpy(p, &e, sizeof(e));
}

static void put_exec(uint8_t *p, const struct exec_rule *r,
		     const struct strpool *sp)
{
	struct cpol_exec e;

	memset(&e, 0, sizeof(e));
	e.path_off = htole32(strpool_off(sp, r->path, r->len));
	e.path_len = htole32(r->len);
	e.scope = htole16(r->scope);
	e.has_hash = r->has_hash;
	e.line = htole32(r->loc.line);
	if (r->has_hash)
		memcpy(e.sha256, r->sha256, sizeof(e.sha256));
	memcpy(p, &e, sizeof(e));
}

static void put_lib(uint8_t *p, const struct lib_rule *r,
		    const struct strpool *sp)
{
	struct cpol_lib e;

	memset(&e, 0, sizeof(e));
	e.path_off = htole32(strpool_off(sp, r->path, r->len));
	e.path_len = htole32(r->len);
	e.line = htole32(r->loc.line);
	memcpy(p, &e, sizeof(e));
}

/* Writes the @i-th entry of section @type at @p. */
static void put_entry(uint8_t *p, const struct policy *pol,
		      const struct strpool *sp, uint32_t type, size_t i)
{
	switch (type) {
	case CPOL_SEC_NET4:
		put_net(p, &pol->net[NET_CONNECT4].v[i], true);
		break;
	case CPOL_SEC_NET6:
		put_net(p, &pol->net[NET_CONNECT6].v[i], false);
		break;
	case CPOL_SEC_SCOPES:
		put_scope(p, &pol->scopes[i], sp);
		break;
	case CPOL_SEC_EXEC:
		put_exec(p, &pol->exec.v[i], sp);
		break;
	case CPOL_SEC_LIBS:
		put_lib(p, &pol->libs.v[i], sp);
		break;
	case CPOL_SEC_LISTEN4:
		put_net(p, &pol->net[NET_LISTEN4].v[i], true);
		break;
	case CPOL_SEC_LISTEN6:
		put_net(p, &pol->net[NET_LISTEN6].v[i], false);
		break;
	case CPOL_SEC_PROTECT:
		/* The same layout as a library location. */
		put_lib(p, &pol->protect.v[i], sp);
		break;
	}
}

int blob_build(const struct policy *pol, uint8_t **out, size_t *len)
{
	uint64_t count[NSECTIONS], size, off;
	uint32_t esize[NSECTIONS];
	unsigned int nsec, s = 0, i;
	struct cpol_header h;
	struct strpool sp;
	uint8_t *blob;
	size_t k;

	*out = NULL;
	*len = 0;
	if (!pol->name[0] || !pol->nscopes)
		return -EINVAL;
	if (strpool_build(pol, &sp))
		return -ENOMEM;
	section_plan(pol, sp.size, count, esize);
	size = plan_size(count, esize, &nsec);
	for (i = 0; i < NSECTIONS; i++)
		if (count[i] > CPOL_MAX_RULES)
			goto too_big;
	if (pol->nscopes > CPOL_MAX_SCOPES || size > CPOL_MAX_BLOB)
		goto too_big;
	/* calloc: padding and reserved fields are zero. */
	blob = calloc(1, (size_t)size);
	if (!blob) {
		free(sp.v);
		return -ENOMEM;
	}

	memset(&h, 0, sizeof(h));
	h.magic = htole32(CPOL_MAGIC);
	h.abi_version = htole16(CPOL_ABI_VERSION);
	h.header_size = htole16(CPOL_HEADER_SIZE);
	h.total_size = htole32((uint32_t)size);
	h.flags = htole32(pol->flags);
	h.policy_version = htole64(pol->version);
	h.section_count = htole32(nsec);
	memcpy(h.name, pol->name, sizeof(h.name));
	h.name[CPOL_NAME_MAX - 1] = '\0';
	memcpy(blob, &h, sizeof(h));

	off = CPOL_HEADER_SIZE + (uint64_t)nsec * CPOL_SECTION_SIZE;
	for (i = 0; i < NSECTIONS; i++) {
		uint32_t type = i + 1;
		struct cpol_section sec;

		if (!count[i])
			continue;
		off = align8(off);
		sec.type = htole32(type);
		sec.offset = htole32((uint32_t)off);
		sec.size = htole32((uint32_t)(count[i] * esize[i]));
		sec.count = htole32((uint32_t)count[i]);
		memcpy(blob + CPOL_HEADER_SIZE + s++ * CPOL_SECTION_SIZE, &sec,
		       sizeof(sec));
		if (type == CPOL_SEC_STRINGS) {
			for (k = 0; k < sp.n; k++)
				memcpy(blob + off + sp.v[k].off, sp.v[k].s,
				       sp.v[k].len);
		} else {
			for (k = 0; k < count[i]; k++)
				put_entry(blob + off + k * esize[i], pol, &sp,
					  type, k);
		}
		off += count[i] * esize[i];
	}
	free(sp.v);
	*out = blob;
	*len = (size_t)size;
	return 0;
too_big:
	free(sp.v);
	return -E2BIG;
}
