// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Reading a policy blob back, trusting nothing in it. */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "blob_read.h"
#include "blob_write.h"

#define HDR_OFF(field)	((unsigned int)offsetof(struct cpol_header, field))

struct reader {
	const uint8_t *blob;
	size_t len;
	struct blob_info *bi;
	int err;		/* -ENOMEM */
};

static __attribute__((format(printf, 3, 4))) void
issue(struct reader *r, bool error, const char *fmt, ...)
{
	struct blob_info *bi = r->bi;
	struct blob_issue *v;
	va_list ap;

	if (error)
		bi->errors++;
	v = realloc(bi->issues, (bi->nissues + 1) * sizeof(*v));
	if (!v) {
		r->err = -ENOMEM;
		return;
	}
	bi->issues = v;
	v += bi->nissues++;
	v->error = error;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
}

const char *section_name(uint32_t type)
{
	switch (type) {
	case CPOL_SEC_NET4:
		return "net4";
	case CPOL_SEC_NET6:
		return "net6";
	default:
		return NULL;
	}
}

static uint32_t entry_size(uint32_t type)
{
	return type == CPOL_SEC_NET4 ? CPOL_NET4_SIZE : CPOL_NET6_SIZE;
}

bool blob_looks_like_text(const uint8_t *data, size_t len)
{
	size_t i, n = len < 64 ? len : 64;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if ((data[i] < 0x20 && data[i] != '\n' && data[i] != '\t' &&
		     data[i] != '\r') || data[i] == 0x7f)
			return false;
	return true;
}

/* Returns false when nothing past the header can be trusted. */
static bool check_header(struct reader *r)
{
	struct blob_info *bi = r->bi;
	struct cpol_header h;
	size_t table_end;
	unsigned int i;

	if (r->len < sizeof(h)) {
		issue(r, true, "blob too short: %zu bytes, the header alone needs %u",
		      r->len, CPOL_HEADER_SIZE);
		return false;
	}
	memcpy(&h, r->blob, sizeof(h));
	if (le32toh(h.magic) != CPOL_MAGIC) {
		issue(r, true, "offset 0: bad magic 0x%08x (not a compiled citadel policy)",
		      le32toh(h.magic));
		return false;
	}
	bi->abi_version = le16toh(h.abi_version);
	if (bi->abi_version != CPOL_ABI_VERSION) {
		issue(r, true, "offset %u: policy ABI version %u; this citadelctl reads version %u",
		      HDR_OFF(abi_version), bi->abi_version, CPOL_ABI_VERSION);
		return false;
	}
	if (le16toh(h.header_size) != CPOL_HEADER_SIZE) {
		issue(r, true, "offset %u: header size %u, expected %u",
		      HDR_OFF(header_size), le16toh(h.header_size),
		      CPOL_HEADER_SIZE);
		return false;
	}
	bi->header_ok = true;
	bi->total_size = le32toh(h.total_size);
	bi->flags = le32toh(h.flags);
	bi->version = le64toh(h.policy_version);
	memcpy(bi->name, h.name, CPOL_NAME_MAX);
	bi->name[CPOL_NAME_MAX] = '\0';
	if (bi->total_size != r->len)
		issue(r, true, "offset %u: total size %u but the blob has %zu bytes (truncated or padded)",
		      HDR_OFF(total_size), bi->total_size, r->len);
	if (bi->flags & ~CPOL_F_ALL)
		issue(r, true, "offset %u: unknown flags 0x%x", HDR_OFF(flags),
		      bi->flags & ~CPOL_F_ALL);
	if (h.reserved)
		issue(r, true, "offset %u: reserved field is not zero",
		      HDR_OFF(reserved));
	if (!h.name[0])
		issue(r, true, "offset %u: empty policy name", HDR_OFF(name));
	for (i = 0; i < CPOL_NAME_MAX && h.name[i]; i++) {
		char c = h.name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.')) {
			issue(r, true, "offset %u: invalid character 0x%02x in policy name",
			      HDR_OFF(name) + i, (unsigned char)c);
			break;
		}
	}
	for (i = (unsigned int)strnlen(h.name, CPOL_NAME_MAX); i < CPOL_NAME_MAX; i++)
		if (h.name[i]) {
			issue(r, true, "offset %u: policy name padding is not zero",
			      HDR_OFF(name) + i);
			break;
		}
	if (strnlen(h.name, CPOL_NAME_MAX) == CPOL_NAME_MAX)
		issue(r, true, "offset %u: policy name is not NUL-terminated",
		      HDR_OFF(name));

	bi->nsec = le32toh(h.section_count);
	if (bi->nsec > CPOL_MAX_SECTIONS) {
		issue(r, true, "offset %u: %u sections, at most %u allowed",
		      HDR_OFF(section_count), bi->nsec, CPOL_MAX_SECTIONS);
		bi->nsec = 0;
		return false;
	}
	table_end = CPOL_HEADER_SIZE + (size_t)bi->nsec * CPOL_SECTION_SIZE;
	if (table_end > r->len) {
		issue(r, true, "offset %u: the section table (%u entries) runs past the end of the blob",
		      HDR_OFF(section_count), bi->nsec);
		bi->nsec = 0;
		return false;
	}
	for (i = 0; i < bi->nsec; i++) {
		struct cpol_section s;

		memcpy(&s, r->blob + CPOL_HEADER_SIZE + i * CPOL_SECTION_SIZE,
		       sizeof(s));
		bi->sec[i].type = le32toh(s.type);
		bi->sec[i].offset = le32toh(s.offset);
		bi->sec[i].size = le32toh(s.size);
		bi->sec[i].count = le32toh(s.count);
	}
	return true;
}

/* Checks section @i; false if its payload cannot be read. */
static bool check_section(struct reader *r, unsigned int i)
{
	const struct blob_section_info *s = &r->bi->sec[i];
	size_t at = CPOL_HEADER_SIZE + (size_t)i * CPOL_SECTION_SIZE;
	size_t table_end = CPOL_HEADER_SIZE +
			   (size_t)r->bi->nsec * CPOL_SECTION_SIZE;
	const char *name = section_name(s->type);
	unsigned int j;

	if (!name) {
		issue(r, true, "section %u (offset %zu): unknown type %u", i, at,
		      s->type);
		return false;
	}
	for (j = 0; j < i; j++) {
		if (r->bi->sec[j].type == s->type) {
			issue(r, true, "section %u (offset %zu): %s section appears twice",
			      i, at, name);
			return false;
		}
	}
	if (s->count > CPOL_MAX_RULES) {
		issue(r, true, "section %u (%s): %u entries, at most %u allowed",
		      i, name, s->count, CPOL_MAX_RULES);
		return false;
	}
	if ((uint64_t)s->count * entry_size(s->type) != s->size) {
		issue(r, true, "section %u (%s): size %u does not match %u entries of %u bytes",
		      i, name, s->size, s->count, entry_size(s->type));
		return false;
	}
	if (s->offset < table_end) {
		issue(r, true, "section %u (%s): offset %u overlaps the header or the section table",
		      i, name, s->offset);
		return false;
	}
	if ((uint64_t)s->offset + s->size > r->len) {
		issue(r, true, "section %u (%s): %u bytes at offset %u run past the end of the blob (%zu bytes)",
		      i, name, s->size, s->offset, r->len);
		return false;
	}
	/* Readable, but the module refuses it. */
	if (s->offset % CPOL_SECTION_ALIGN)
		issue(r, true, "section %u (%s): offset %u is not %u-aligned", i,
		      name, s->offset, CPOL_SECTION_ALIGN);
	return true;
}

static void check_overlaps(struct reader *r)
{
	const struct blob_info *bi = r->bi;
	unsigned int i, j;

	for (i = 0; i < bi->nsec; i++) {
		uint64_t a0 = bi->sec[i].offset, a1 = a0 + bi->sec[i].size;

		for (j = i + 1; j < bi->nsec; j++) {
			uint64_t b0 = bi->sec[j].offset;
			uint64_t b1 = b0 + bi->sec[j].size;

			if (a0 < b1 && b0 < a1)
				issue(r, true, "sections %u and %u overlap", i, j);
		}
	}
}

/* Decodes and checks one rule; false if it is invalid. */
static bool read_rule(struct reader *r, uint32_t type, const uint8_t *p,
		      uint32_t idx, size_t off, struct net_rule *out)
{
	const char *name = section_name(type);
	struct net_addr a;
	uint16_t scope;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	if (type == CPOL_SEC_NET4) {
		struct cpol_net4 e;

		memcpy(&e, p, sizeof(e));
		memcpy(out->addr, e.addr, sizeof(e.addr));
		out->prefix = e.prefix;
		out->proto = e.proto;
		scope = le16toh(e.scope);
		out->port_lo = le16toh(e.port_lo);
		out->port_hi = le16toh(e.port_hi);
		out->loc.line = le32toh(e.line);
		a.family = 4;
	} else {
		struct cpol_net6 e;

		memcpy(&e, p, sizeof(e));
		memcpy(out->addr, e.addr, sizeof(e.addr));
		out->prefix = e.prefix;
		out->proto = e.proto;
		scope = le16toh(e.scope);
		out->port_lo = le16toh(e.port_lo);
		out->port_hi = le16toh(e.port_hi);
		out->loc.line = le32toh(e.line);
		a.family = 6;
		if (e.reserved) {
			issue(r, true, "%s rule %u (offset %zu, line %u): reserved field is not zero",
			      name, idx, off, out->loc.line);
			return false;
		}
	}
	out->scope = scope;
	memcpy(a.addr, out->addr, sizeof(a.addr));
	a.prefix = out->prefix;
	if (out->prefix > addr_bits(&a)) {
		issue(r, true, "%s rule %u (offset %zu, line %u): prefix length %u exceeds %u",
		      name, idx, off, out->loc.line, out->prefix, addr_bits(&a));
		return false;
	}
	if (!addr_host_bits_clear(&a)) {
		issue(r, true, "%s rule %u (offset %zu, line %u): address has host bits set beyond /%u",
		      name, idx, off, out->loc.line, out->prefix);
		return false;
	}
	if (!proto_name(out->proto)) {
		issue(r, true, "%s rule %u (offset %zu, line %u): unknown protocol %u",
		      name, idx, off, out->loc.line, out->proto);
		return false;
	}
	if (scope != CPOL_SCOPE_GLOBAL) {
		issue(r, true, "%s rule %u (offset %zu, line %u): scope %u is not supported (only the global scope, 0)",
		      name, idx, off, out->loc.line, scope);
		return false;
	}
	if (out->port_lo > out->port_hi) {
		issue(r, true, "%s rule %u (offset %zu, line %u): port range %u-%u is reversed",
		      name, idx, off, out->loc.line, out->port_lo,
		      out->port_hi);
		return false;
	}
	return true;
}

static void read_section(struct reader *r, unsigned int i)
{
	const struct blob_section_info *s = &r->bi->sec[i];
	enum net_family fam = s->type == CPOL_SEC_NET4 ? NET_IPV4 : NET_IPV6;
	struct rule_list *l = &r->bi->rules.net[fam];
	uint32_t k, esz = entry_size(s->type);
	struct net_rule rule;
	int c;

	for (k = 0; k < s->count && !r->err; k++) {
		size_t off = s->offset + (size_t)k * esz;

		if (!read_rule(r, s->type, r->blob + off, k, off, &rule))
			continue;
		if (l->n) {
			c = net_rule_cmp_key(&l->v[l->n - 1], &rule);
			if (c > 0)
				issue(r, false, "%s rule %u (offset %zu, line %u) is out of order (not canonical)",
				      section_name(s->type), k, off,
				      rule.loc.line);
			else if (c == 0)
				issue(r, false, "%s rule %u (offset %zu, line %u) duplicates the rule before it (not canonical)",
				      section_name(s->type), k, off,
				      rule.loc.line);
		}
		if (policy_add_net(&r->bi->rules, fam, &rule))
			r->err = -ENOMEM;
	}
}

/* A valid blob that compile would not write byte for byte: say where. */
static void check_canonical(struct reader *r)
{
	struct blob_info *bi = r->bi;
	uint8_t *canon;
	size_t len, i;
	int ret;

	memcpy(bi->rules.name, bi->name, CPOL_NAME_MAX);
	bi->rules.version = bi->version;
	bi->rules.flags = bi->flags;
	ret = blob_build(&bi->rules, &canon, &len);
	if (ret == -ENOMEM) {
		r->err = ret;
		return;
	}
	if (ret)
		return;
	for (i = 0; i < len && i < r->len && canon[i] == r->blob[i]; i++)
		;
	if (i < len || len != r->len)
		issue(r, false, "offset %zu: the blob is valid but not in the canonical form citadelctl compile writes",
		      i);
	free(canon);
}

int blob_decode(const uint8_t *blob, size_t len, struct blob_info *bi)
{
	struct reader r = { .blob = blob, .len = len, .bi = bi };
	bool readable[CPOL_MAX_SECTIONS];
	unsigned int i;

	memset(bi, 0, sizeof(*bi));
	policy_init(&bi->rules);
	bi->size = len;
	sha256_hex(blob, len, bi->digest);
	if (!check_header(&r))
		return r.err;
	for (i = 0; i < bi->nsec; i++)
		readable[i] = check_section(&r, i);
	check_overlaps(&r);
	/* Rules in type order, as the dump prints them. */
	for (i = 0; i < bi->nsec; i++)
		if (readable[i] && bi->sec[i].type == CPOL_SEC_NET4)
			read_section(&r, i);
	for (i = 0; i < bi->nsec; i++)
		if (readable[i] && bi->sec[i].type == CPOL_SEC_NET6)
			read_section(&r, i);
	if (!bi->errors && !r.err)
		check_canonical(&r);
	return r.err;
}

void blob_info_free(struct blob_info *bi)
{
	policy_free(&bi->rules);
	free(bi->issues);
	bi->issues = NULL;
	bi->nissues = 0;
}
