// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy blob validation and the build of the lookup tables.
 *
 * Everything in a blob comes from userspace: each field is checked before
 * it is used, the whole blob is checked before anything is built, and a
 * defect yields -EINVAL (or -E2BIG) with a message naming the offset and
 * the cause. This file is also compiled as userspace code for the unit
 * tests and the fuzz target, so it sticks to a small kernel API subset.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#else
#include <stdarg.h>
#include "host_shim.h"
#endif
#include "policy_build.h"

struct section_kind {
	const char *name;
	u32 entry_size;
};

static const struct section_kind section_kinds[] = {
	[CPOL_SEC_NET4] = { "net4", sizeof(struct cpol_net4) },
	[CPOL_SEC_NET6] = { "net6", sizeof(struct cpol_net6) },
	[CPOL_SEC_STRINGS] = { "strings", 1 },
	[CPOL_SEC_SCOPES] = { "scopes", sizeof(struct cpol_scope) },
	[CPOL_SEC_EXEC] = { "exec", sizeof(struct cpol_exec) },
	[CPOL_SEC_LIBS] = { "libs", sizeof(struct cpol_lib) },
	[CPOL_SEC_LISTEN4] = { "listen4", sizeof(struct cpol_net4) },
	[CPOL_SEC_LISTEN6] = { "listen6", sizeof(struct cpol_net6) },
	[CPOL_SEC_PROTECT] = { "protect", sizeof(struct cpol_protect) },
};


int citadel_parse_fail(struct parse_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int check_header(struct parse_ctx *c, struct cpol_header *h)
{
	size_t table_end;
	u32 i;

	if (c->len < sizeof(*h))
		return citadel_parse_fail(c, "blob too short: %zu bytes, the header alone needs %zu",
			    c->len, sizeof(*h));
	memcpy(h, c->blob, sizeof(*h));
	if (le32_to_cpu(h->magic) != CPOL_MAGIC)
		return citadel_parse_fail(c, "offset 0: bad magic 0x%08x (not a compiled citadel policy)",
			    le32_to_cpu(h->magic));
	if (le16_to_cpu(h->abi_version) != CPOL_ABI_VERSION)
		return citadel_parse_fail(c, "offset 4: policy ABI version %u, this module reads %u",
			    le16_to_cpu(h->abi_version), CPOL_ABI_VERSION);
	if (le16_to_cpu(h->header_size) != sizeof(*h))
		return citadel_parse_fail(c, "offset 6: header size %u, expected %zu",
			    le16_to_cpu(h->header_size), sizeof(*h));
	if (le32_to_cpu(h->total_size) != c->len)
		return citadel_parse_fail(c, "offset 8: total size %u but %zu bytes were written (truncated or padded blob)",
			    le32_to_cpu(h->total_size), c->len);
	if (le32_to_cpu(h->flags) & ~CPOL_F_ALL)
		return citadel_parse_fail(c, "offset 12: unknown flags 0x%x",
			    le32_to_cpu(h->flags) & ~CPOL_F_ALL);
	if (h->reserved)
		return citadel_parse_fail(c, "offset 28: reserved field is not zero");
	if (!h->name[0])
		return citadel_parse_fail(c, "offset 32: empty policy name");
	for (i = 0; i < CPOL_NAME_MAX && h->name[i]; i++) {
		char ch = h->name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		      ch == '.'))
			return citadel_parse_fail(c, "offset %u: invalid character in policy name",
				    32 + i);
	}
	if (i == CPOL_NAME_MAX)
		return citadel_parse_fail(c, "offset 32: policy name is not NUL-terminated");
	for (; i < CPOL_NAME_MAX; i++)
		if (h->name[i])
			return citadel_parse_fail(c, "offset %u: policy name padding is not zero",
				    32 + i);

	c->nsec = le32_to_cpu(h->section_count);
	if (c->nsec > CPOL_MAX_SECTIONS)
		return citadel_parse_fail(c, "offset 24: %u sections, at most %u allowed",
			    c->nsec, CPOL_MAX_SECTIONS);
	table_end = sizeof(*h) + (size_t)c->nsec * sizeof(struct cpol_section);
	if (table_end > c->len)
		return citadel_parse_fail(c, "offset 24: section table (%u entries) runs past the end of the blob",
			    c->nsec);
	memcpy(c->sec, c->blob + sizeof(*h),
	       c->nsec * sizeof(struct cpol_section));
	return 0;
}

static int check_sections(struct parse_ctx *c)
{
	size_t table_end = sizeof(struct cpol_header) +
			   (size_t)c->nsec * sizeof(struct cpol_section);
	u32 i, j;

	for (i = 0; i < c->nsec; i++) {
		const struct cpol_section *s = &c->sec[i];
		u32 type = le32_to_cpu(s->type);
		u32 off = le32_to_cpu(s->offset);
		u32 size = le32_to_cpu(s->size);
		u32 count = le32_to_cpu(s->count);
		size_t at = sizeof(struct cpol_header) + i * sizeof(*s);

		if (type >= ARRAY_SIZE(section_kinds) || !section_kinds[type].name)
			return citadel_parse_fail(c, "section %u (offset %zu): unknown type %u",
				    i, at, type);
		for (j = 0; j < i; j++)
			if (le32_to_cpu(c->sec[j].type) == type)
				return citadel_parse_fail(c, "section %u: %s section appears twice",
					    i, section_kinds[type].name);
		if (count > CPOL_MAX_RULES)
			return citadel_parse_fail(c, "section %u (%s): %u entries, at most %u allowed",
				    i, section_kinds[type].name, count,
				    CPOL_MAX_RULES);
		if ((u64)count * section_kinds[type].entry_size != size)
			return citadel_parse_fail(c, "section %u (%s): size %u does not match %u entries of %u bytes",
				    i, section_kinds[type].name, size, count,
				    section_kinds[type].entry_size);
		if (off % CPOL_SECTION_ALIGN)
			return citadel_parse_fail(c, "section %u (%s): offset %u is not %u-aligned",
				    i, section_kinds[type].name, off,
				    CPOL_SECTION_ALIGN);
		if (off < table_end)
			return citadel_parse_fail(c, "section %u (%s): offset %u overlaps the header or section table",
				    i, section_kinds[type].name, off);
		if ((u64)off + size > c->len)
			return citadel_parse_fail(c, "section %u (%s): %u bytes at offset %u run past the end of the blob (%zu bytes)",
				    i, section_kinds[type].name, size, off,
				    c->len);
	}
	for (i = 0; i < c->nsec; i++) {
		u64 a0 = le32_to_cpu(c->sec[i].offset);
		u64 a1 = a0 + le32_to_cpu(c->sec[i].size);

		for (j = i + 1; j < c->nsec; j++) {
			u64 b0 = le32_to_cpu(c->sec[j].offset);
			u64 b1 = b0 + le32_to_cpu(c->sec[j].size);

			if (a0 < b1 && b0 < a1)
				return citadel_parse_fail(c, "sections %u and %u overlap", i, j);
		}
	}
	return 0;
}

const struct cpol_section *citadel_find_section(struct parse_ctx *c, u32 type,
						const u8 **base, u32 *count)
{
	u32 i;

	for (i = 0; i < c->nsec; i++) {
		if (le32_to_cpu(c->sec[i].type) != type)
			continue;
		*base = c->blob + le32_to_cpu(c->sec[i].offset);
		*count = le32_to_cpu(c->sec[i].count);
		return &c->sec[i];
	}
	*base = NULL;
	*count = 0;
	return NULL;
}

const char *citadel_policy_string(const struct citadel_policy *pol, u32 off,
				  u32 len)
{
	if ((u64)off + len >= pol->strings_len || pol->strings[off + len] ||
	    memchr(pol->strings + off, '\0', len))
		return NULL;
	return pol->strings + off;
}

static int read_strings(struct parse_ctx *c, struct citadel_policy *pol)
{
	const u8 *base;
	u32 n;

	citadel_find_section(c, CPOL_SEC_STRINGS, &base, &n);
	if (!n)
		return 0;
	if (base[n - 1])
		return citadel_parse_fail(c, "strings section does not end with a NUL");
	pol->strings = kvzalloc(n, GFP_KERNEL);
	if (!pol->strings)
		return -ENOMEM;
	memcpy(pol->strings, base, n);
	pol->strings_len = n;
	pol->mem_bytes += n;
	return 0;
}

static bool valid_service_name(const char *s, u32 len)
{
	u32 i;

	if (!len || len > CPOL_SERVICE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		      ch == '.'))
			return false;
	}
	return true;
}

static u64 scope_id_of(const struct citadel_policy *pol, u32 i)
{
	return pol->scopes[pol->scope_order[i]].id;
}

/* Sorts the service indexes by id: insertion into a sorted array. */
static int order_scopes(struct parse_ctx *c, struct citadel_policy *pol)
{
	u32 i, j, n = pol->nscopes - 1;

	for (i = 0; i < n; i++) {
		u32 idx = i + 1;
		u64 id = pol->scopes[idx].id;

		for (j = i; j > 0 && scope_id_of(pol, j - 1) > id; j--)
			pol->scope_order[j] = pol->scope_order[j - 1];
		pol->scope_order[j] = idx;
		if (j > 0 && scope_id_of(pol, j - 1) == id)
			return citadel_parse_fail(c, "scopes %u and %u have the same id (duplicate service name)",
						  pol->scope_order[j - 1], idx);
	}
	return 0;
}

static int read_scopes(struct parse_ctx *c, struct citadel_policy *pol)
{
	static const char global[] = "global";
	const u8 *base;
	u32 n, i;

	citadel_find_section(c, CPOL_SEC_SCOPES, &base, &n);
	if (n > CPOL_MAX_SCOPES)
		return citadel_parse_fail(c, "%u scopes, at most %u allowed",
					  n, CPOL_MAX_SCOPES);
	pol->nscopes = n ? n : 1;
	pol->scopes = kvcalloc(pol->nscopes, sizeof(*pol->scopes), GFP_KERNEL);
	pol->scope_order = kvcalloc(pol->nscopes, sizeof(u32), GFP_KERNEL);
	if (!pol->scopes || !pol->scope_order)
		return -ENOMEM;
	pol->mem_bytes += (size_t)pol->nscopes *
			  (sizeof(*pol->scopes) + sizeof(u32));
	pol->net = pol->scopes[0].conn;
	pol->scopes[0].name = global;
	if (!n) {
		pol->scopes[0].families = CPOL_FAM_DEFAULT;
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct citadel_scope *s = &pol->scopes[i];
		u32 off, len;
		struct cpol_scope e;

		memcpy(&e, base + (size_t)i * sizeof(e), sizeof(e));
		off = le32_to_cpu(e.name_off);
		len = le32_to_cpu(e.name_len);
		s->id = le64_to_cpu(e.id);
		s->flags = le32_to_cpu(e.flags);
		s->families = le64_to_cpu(e.families);
		s->name = citadel_policy_string(pol, off, len);
		if (!s->name)
			return citadel_parse_fail(c, "scope %u: name is not a valid string reference",
						  i);
		if (e.reserved || (s->flags & ~CPOL_SCOPE_F_ALL))
			return citadel_parse_fail(c, "scope %u: unknown flags or reserved field set",
						  i);
		if (i == 0) {
			if (s->id || len != sizeof(global) - 1 ||
			    memcmp(s->name, global, len) ||
			    (s->flags & ~CPOL_SCOPE_F_NETCONF))
				return citadel_parse_fail(c, "scope 0 must be the global scope (id 0, name global, no flags but netconf)");
			continue;
		}
		if (!valid_service_name(s->name, len) ||
		    (len == sizeof(global) - 1 && !memcmp(s->name, global, len)))
			return citadel_parse_fail(c, "scope %u: invalid service name", i);
		if (s->id != citadel_fnv64(s->name, len) || !s->id)
			return citadel_parse_fail(c, "scope %u (%s): id does not match the name",
						  i, s->name);
	}
	return order_scopes(c, pol);
}

void citadel_policy_free(struct citadel_policy *pol)
{
	u32 s;
	int t;

	if (!pol)
		return;
	for (s = 0; pol->scopes && s < pol->nscopes; s++) {
		for (t = 0; t < CITADEL_NET_TABLES; t++) {
			kvfree(pol->scopes[s].conn[t].nodes);
			kvfree(pol->scopes[s].conn[t].ports);
			kvfree(pol->scopes[s].listen[t].nodes);
			kvfree(pol->scopes[s].listen[t].ports);
			kvfree(pol->scopes[s].conn[t].hosts);
			kvfree(pol->scopes[s].listen[t].hosts);
		}
	}
	citadel_free_paths(pol);
	kvfree(pol->scopes);
	kvfree(pol->scope_order);
	kvfree(pol->strings);
	kfree(pol);
}

/**
 * citadel_policy_parse() - validate a policy blob and build its tables
 * @blob: the blob as written by userspace
 * @len: its length in bytes
 * @out: receives the new policy on success
 * @err: receives a one-line reason on failure
 * @errlen: size of @err
 *
 * Return: 0 on success; -E2BIG if @len exceeds CPOL_MAX_BLOB; -EINVAL on
 * any defect of the blob; -ENOMEM.
 */
int citadel_policy_parse(const void *blob, size_t len,
			 struct citadel_policy **out, char *err, size_t errlen)
{
	struct parse_ctx c = { .blob = blob, .len = len, .err = err,
			       .errlen = errlen };
	struct citadel_policy *pol;
	struct cpol_header h;
	int ret;

	BUILD_BUG_ON(sizeof(struct cpol_header) != CPOL_HEADER_SIZE);
	BUILD_BUG_ON(sizeof(struct cpol_section) != CPOL_SECTION_SIZE);
	BUILD_BUG_ON(sizeof(struct cpol_net4) != CPOL_NET4_SIZE);
	BUILD_BUG_ON(sizeof(struct cpol_net6) != CPOL_NET6_SIZE);
	BUILD_BUG_ON(sizeof(struct cpol_scope) != CPOL_SCOPE_SIZE);
	BUILD_BUG_ON(sizeof(struct cpol_exec) != CPOL_EXEC_SIZE);
	BUILD_BUG_ON(sizeof(struct cpol_lib) != CPOL_LIB_SIZE);
	BUILD_BUG_ON(sizeof(struct cpol_protect) != CPOL_PROTECT_SIZE);

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (len > CPOL_MAX_BLOB) {
		citadel_parse_fail(&c, "blob of %zu bytes exceeds the %u byte limit",
				   len, CPOL_MAX_BLOB);
		return -E2BIG;
	}
	ret = check_header(&c, &h);
	if (!ret)
		ret = check_sections(&c);
	if (ret)
		return ret;

	pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	if (!pol)
		return -ENOMEM;
	memcpy(pol->name, h.name, sizeof(pol->name));
	pol->version = le64_to_cpu(h.policy_version);
	pol->flags = le32_to_cpu(h.flags);
	pol->mem_bytes = sizeof(*pol);
	ret = read_strings(&c, pol);
	if (!ret)
		ret = read_scopes(&c, pol);
	if (!ret)
		ret = citadel_build_net(&c, pol);
	if (!ret)
		ret = citadel_build_paths(&c, pol);
	if (ret == -ENOMEM)
		citadel_parse_fail(&c, "out of memory building the policy");
	if (ret) {
		citadel_policy_free(pol);
		return ret;
	}
	*out = pol;
	return 0;
}
