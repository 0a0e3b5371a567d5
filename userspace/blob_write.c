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

/* Blob section of each rule list, in type order. */
static const uint32_t section_type[NET_FAMILIES] = {
	[NET_IPV4] = CPOL_SEC_NET4,
	[NET_IPV6] = CPOL_SEC_NET6,
};
static const uint32_t entry_size[NET_FAMILIES] = {
	[NET_IPV4] = CPOL_NET4_SIZE,
	[NET_IPV6] = CPOL_NET6_SIZE,
};

static uint64_t align8(uint64_t v)
{
	return (v + CPOL_SECTION_ALIGN - 1) & ~(uint64_t)(CPOL_SECTION_ALIGN - 1);
}

static unsigned int section_count(const struct policy *pol)
{
	unsigned int n = 0;
	int f;

	for (f = 0; f < NET_FAMILIES; f++)
		n += pol->net[f].n > 0;
	return n;
}

uint64_t blob_size(const struct policy *pol)
{
	uint64_t size = CPOL_HEADER_SIZE +
			(uint64_t)section_count(pol) * CPOL_SECTION_SIZE;
	int f;

	for (f = 0; f < NET_FAMILIES; f++)
		if (pol->net[f].n)
			size = align8(size) +
			       (uint64_t)pol->net[f].n * entry_size[f];
	return align8(size);
}

static void put_net4(uint8_t *p, const struct net_rule *r)
{
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
}

static void put_net6(uint8_t *p, const struct net_rule *r)
{
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

int blob_build(const struct policy *pol, uint8_t **out, size_t *len)
{
	uint64_t size = blob_size(pol), off;
	unsigned int nsec = section_count(pol), s = 0;
	struct cpol_header h;
	uint8_t *blob;
	size_t i;
	int f;

	*out = NULL;
	*len = 0;
	if (!pol->name[0])
		return -EINVAL;
	for (f = 0; f < NET_FAMILIES; f++)
		if (pol->net[f].n > CPOL_MAX_RULES)
			return -E2BIG;
	if (size > CPOL_MAX_BLOB)
		return -E2BIG;
	/* calloc: padding and reserved fields are zero. */
	blob = calloc(1, (size_t)size);
	if (!blob)
		return -ENOMEM;

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
	for (f = 0; f < NET_FAMILIES; f++) {
		const struct rule_list *l = &pol->net[f];
		struct cpol_section sec;

		if (!l->n)
			continue;
		off = align8(off);
		sec.type = htole32(section_type[f]);
		sec.offset = htole32((uint32_t)off);
		sec.size = htole32((uint32_t)(l->n * entry_size[f]));
		sec.count = htole32((uint32_t)l->n);
		memcpy(blob + CPOL_HEADER_SIZE + s++ * CPOL_SECTION_SIZE, &sec,
		       sizeof(sec));
		for (i = 0; i < l->n; i++) {
			uint8_t *p = blob + off + i * entry_size[f];

			if (f == NET_IPV4)
				put_net4(p, &l->v[i]);
			else
				put_net6(p, &l->v[i]);
		}
		off += (uint64_t)l->n * entry_size[f];
	}
	*out = blob;
	*len = (size_t)size;
	return 0;
}
