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
	const char *strings;	/* the STRINGS payload, once checked */
	uint32_t strings_len;
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

static const struct {
	const char *name;
	uint32_t entry_size;
} kinds[] = {
	[CPOL_SEC_NET4] = { "net4", CPOL_NET4_SIZE },
	[CPOL_SEC_NET6] = { "net6", CPOL_NET6_SIZE },
	[CPOL_SEC_STRINGS] = { "strings", 1 },
	[CPOL_SEC_SCOPES] = { "scopes", CPOL_SCOPE_SIZE },
	[CPOL_SEC_EXEC] = { "exec", CPOL_EXEC_SIZE },
	[CPOL_SEC_LIBS] = { "libs", CPOL_LIB_SIZE },
	[CPOL_SEC_LISTEN4] = { "listen4", CPOL_NET4_SIZE },
	[CPOL_SEC_LISTEN6] = { "listen6", CPOL_NET6_SIZE },
	[CPOL_SEC_PROTECT] = { "protect", CPOL_PROTECT_SIZE },
};

const char *section_name(uint32_t type)
{
	return type < sizeof(kinds) / sizeof(kinds[0]) ? kinds[type].name :
							 NULL;
}

uint32_t section_entry_size(uint32_t type)
{
	return section_name(type) ? kinds[type].entry_size : 0;
}

static uint32_t entry_size(uint32_t type)
{
	return section_entry_size(type);
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

int blob_sig_split(const uint8_t *data, size_t len, size_t *blob_len,
		   size_t *sig_len)
{
	struct cpol_sig_trailer t;
	uint32_t n;

	*blob_len = len;
	*sig_len = 0;
	if (len < sizeof(t))
		return 0;
	memcpy(&t, data + len - sizeof(t), sizeof(t));
	if (memcmp(t.magic, CPOL_SIG_MAGIC, sizeof(t.magic)))
		return 0;
	n = le32toh(t.sig_len);
	if (!n || n > CPOL_SIG_MAX || n > len - sizeof(t))
		return -EINVAL;
	*sig_len = n;
	*blob_len = len - sizeof(t) - n;
	return 1;
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

/* The payload of the first readable section of @type, or NULL. */
static const uint8_t *find(struct reader *r, const bool *readable,
			   uint32_t type, uint32_t *count, uint32_t *off)
{
	const struct blob_info *bi = r->bi;
	unsigned int i;

	for (i = 0; i < bi->nsec; i++) {
		if (bi->sec[i].type != type || !readable[i])
			continue;
		*count = bi->sec[i].count;
		*off = bi->sec[i].offset;
		return r->blob + bi->sec[i].offset;
	}
	*count = 0;
	*off = 0;
	return NULL;
}

/* The checked string at @off, @len bytes (a NUL after it), or NULL. */
static const char *string_at(struct reader *r, uint32_t off, uint32_t len)
{
	if (!r->strings || (uint64_t)off + len >= r->strings_len ||
	    r->strings[off + len] || memchr(r->strings + off, '\0', len))
		return NULL;
	return r->strings + off;
}

static void read_strings(struct reader *r, const bool *readable)
{
	uint32_t n, off;
	const uint8_t *base = find(r, readable, CPOL_SEC_STRINGS, &n, &off);

	if (!n)
		return;
	if (base[n - 1]) {
		issue(r, true, "strings section (offset %u): does not end with a NUL",
		      off);
		return;
	}
	r->strings = (const char *)base;
	r->strings_len = n;
}

static bool valid_service_name(const char *s, uint32_t len)
{
	uint32_t i;

	if (!len || len > CPOL_SERVICE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!name_char_ok(s[i]))
			return false;
	return !(len == 6 && !memcmp(s, "global", 6));
}

/* Warns about families that the language cannot write for this scope. */
static void check_families(struct reader *r, uint32_t i, const char *name,
			   uint64_t fam)
{
	unsigned int bit;

	for (bit = 0; bit < 64; bit++) {
		if ((fam >> bit) & 1 && !family_name(bit)) {
			issue(r, false, "scope %u (%s): socket family %u has no name in the policy language",
			      i, name, bit);
			break;
		}
	}
	if (!i && (fam & CPOL_FAM_DEFAULT) != CPOL_FAM_DEFAULT)
		issue(r, false, "scope 0 (global): the default socket families (unix inet inet6 netlink) are not all allowed; the policy language cannot express this");
	if (i && (fam & CPOL_FAM_DEFAULT))
		issue(r, false, "scope %u (%s): lists default socket families, which compile leaves to the global scope (not canonical)",
		      i, name);
}

static void read_scopes(struct reader *r, const bool *readable)
{
	struct policy *pol = &r->bi->rules;
	uint32_t n, off, i, k;
	const uint8_t *base = find(r, readable, CPOL_SEC_SCOPES, &n, &off);

	(void)base;	/* entries are read by offset, for the messages */

	if (!n) {
		/* Only the global scope, with the default families. */
		if (policy_add_scope(pol, "global", 6, CPOL_FAM_DEFAULT, NULL) < 0)
			r->err = -ENOMEM;
		return;
	}
	if (n > CPOL_MAX_SCOPES) {
		issue(r, true, "scopes section (offset %u): %u scopes, at most %u allowed",
		      off, n, CPOL_MAX_SCOPES);
		n = CPOL_MAX_SCOPES;
	}
	for (i = 0; i < n && !r->err; i++) {
		size_t at = off + (size_t)i * CPOL_SCOPE_SIZE;
		struct cpol_scope e;
		const char *name;
		uint32_t len, flags;
		uint64_t id;
		struct scope *s;
		int idx;

		memcpy(&e, r->blob + at, sizeof(e));
		len = le32toh(e.name_len);
		flags = le32toh(e.flags);
		id = le64toh(e.id);
		name = string_at(r, le32toh(e.name_off), len);
		if (!name) {
			issue(r, true, "scope %u (offset %zu): name is not a valid string reference",
			      i, at);
			name = "?";
			len = 1;
		} else if (e.reserved || (flags & ~CPOL_SCOPE_F_ALL)) {
			issue(r, true, "scope %u (offset %zu): unknown flags or reserved field set",
			      i, at);
		} else if (!i && (id || len != 6 || memcmp(name, "global", 6) ||
				  (flags & ~CPOL_SCOPE_F_NETCONF))) {
			issue(r, true, "scope 0 (offset %zu): must be the global scope (id 0, name global, no flags but netconf)",
			      at);
		} else if (i && !valid_service_name(name, len)) {
			issue(r, true, "scope %u (offset %zu): invalid service name", i,
			      at);
			if (len > CPOL_SERVICE_NAME_MAX)
				len = CPOL_SERVICE_NAME_MAX;
		} else if (i && (id != fnv1a64(name, len) || !id)) {
			issue(r, true, "scope %u (%.*s): id 0x%016llx does not match the name",
			      i, (int)len, name, (unsigned long long)id);
		}
		idx = policy_add_scope(pol, name, len, le64toh(e.families), NULL);
		if (idx < 0) {
			r->err = idx;
			return;
		}
		s = &pol->scopes[idx];
		s->id = id;
		s->flags = flags;
		s->loc.line = 0;
		check_families(r, i, s->name, s->families);
		for (k = 1; k < i; k++) {
			if (pol->scopes[k].id == id) {
				issue(r, true, "scopes %u and %u have the same id (duplicate service name)",
				      k, i);
				break;
			}
		}
	}
}

/* A path the policy language cannot write (spaces, '#', control bytes). */
static bool path_writable(const char *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] <= 0x20 || p[i] == 0x7f || p[i] == '#')
			return false;
	return true;
}

/* Reads and checks a path reference; NULL (after an issue) if bad. */
static const char *read_path(struct reader *r, const char *what, uint32_t i,
			     size_t at, uint32_t off, uint32_t len,
			     uint32_t line)
{
	const char *path = string_at(r, off, len), *defect;

	if (!path) {
		issue(r, true, "%s rule %u (offset %zu, line %u): path is not a valid string reference",
		      what, i, at, line);
		return NULL;
	}
	defect = path_defect(path, len);
	if (defect) {
		issue(r, true, "%s rule %u (offset %zu, line %u): path %s",
		      what, i, at, line, defect);
		return NULL;
	}
	if (!path_writable(path, len))
		issue(r, false, "%s rule %u (offset %zu, line %u): the path has a space, '#' or control byte, which the policy language cannot write",
		      what, i, at, line);
	return path;
}

static void read_exec(struct reader *r, const bool *readable)
{
	static const uint8_t zero[32];
	struct policy *pol = &r->bi->rules;
	uint32_t n, off, i;
	const uint8_t *base = find(r, readable, CPOL_SEC_EXEC, &n, &off);

	(void)base;	/* entries are read by offset, for the messages */

	for (i = 0; i < n && !r->err; i++) {
		size_t at = off + (size_t)i * CPOL_EXEC_SIZE;
		struct src_loc loc = { 0 };
		struct cpol_exec e;
		const char *path;
		uint32_t len;
		uint16_t scope;
		int c;

		memcpy(&e, r->blob + at, sizeof(e));
		loc.line = le32toh(e.line);
		len = le32toh(e.path_len);
		scope = le16toh(e.scope);
		path = read_path(r, "exec", i, at, le32toh(e.path_off), len,
				 loc.line);
		if (!path)
			continue;
		if (e.reserved || e.has_hash > 1) {
			issue(r, true, "exec rule %u (offset %zu, line %u): reserved or flag field out of range",
			      i, at, loc.line);
			continue;
		}
		if (scope >= pol->nscopes) {
			issue(r, true, "exec rule %u (offset %zu, line %u): scope %u does not exist (%zu scopes)",
			      i, at, loc.line, scope, pol->nscopes);
			continue;
		}
		if (!e.has_hash && memcmp(e.sha256, zero, sizeof(zero))) {
			issue(r, true, "exec rule %u (offset %zu, line %u): hash bytes without has_hash",
			      i, at, loc.line);
			continue;
		}
		if (e.has_hash && path[len - 1] == '/') {
			issue(r, true, "exec rule %u (offset %zu, line %u): a directory prefix cannot carry a hash",
			      i, at, loc.line);
			continue;
		}
		if (policy_add_exec(pol, path, len, scope,
				    e.has_hash ? e.sha256 : NULL, &loc)) {
			r->err = -ENOMEM;
			return;
		}
		if (pol->exec.n < 2)
			continue;
		c = exec_rule_cmp_key(&pol->exec.v[pol->exec.n - 2],
				      &pol->exec.v[pol->exec.n - 1]);
		if (c > 0)
			issue(r, false, "exec rule %u (offset %zu, line %u) is out of order (not canonical)",
			      i, at, loc.line);
		else if (c == 0)
			issue(r, false, "exec rule %u (offset %zu, line %u) duplicates the rule before it (not canonical)",
			      i, at, loc.line);
	}
}

static void read_libs(struct reader *r, const bool *readable)
{
	struct policy *pol = &r->bi->rules;
	uint32_t n, off, i;
	const uint8_t *base = find(r, readable, CPOL_SEC_LIBS, &n, &off);

	(void)base;	/* entries are read by offset, for the messages */
	for (i = 0; i < n && !r->err; i++) {
		size_t at = off + (size_t)i * CPOL_LIB_SIZE;
		struct src_loc loc = { 0 };
		struct cpol_lib e;
		const char *path;
		uint32_t len;
		int c;

		memcpy(&e, r->blob + at, sizeof(e));
		loc.line = le32toh(e.line);
		len = le32toh(e.path_len);
		path = read_path(r, "libs", i, at, le32toh(e.path_off), len,
				 loc.line);
		if (!path)
			continue;
		if (e.reserved) {
			issue(r, true, "libs rule %u (offset %zu, line %u): reserved field is not zero",
			      i, at, loc.line);
			continue;
		}
		if (policy_add_lib(pol, path, len, &loc)) {
			r->err = -ENOMEM;
			return;
		}
		if (pol->libs.n < 2)
			continue;
		c = lib_rule_cmp_key(&pol->libs.v[pol->libs.n - 2],
				     &pol->libs.v[pol->libs.n - 1]);
		if (c > 0)
			issue(r, false, "libs rule %u (offset %zu, line %u) is out of order (not canonical)",
			      i, at, loc.line);
		else if (c == 0)
			issue(r, false, "libs rule %u (offset %zu, line %u) duplicates the rule before it (not canonical)",
			      i, at, loc.line);
	}
}

/* As the module's build_protect(): at most CPOL_MAX_PROTECT, like libs. */
static void read_protect(struct reader *r, const bool *readable)
{
	struct policy *pol = &r->bi->rules;
	uint32_t n, off, i;
	const uint8_t *base = find(r, readable, CPOL_SEC_PROTECT, &n, &off);

	(void)base;	/* entries are read by offset, for the messages */
	if (n > CPOL_MAX_PROTECT) {
		issue(r, true, "%u protect rules, at most %u allowed", n,
		      CPOL_MAX_PROTECT);
		return;
	}
	for (i = 0; i < n && !r->err; i++) {
		size_t at = off + (size_t)i * CPOL_PROTECT_SIZE;
		struct src_loc loc = { 0 };
		struct cpol_protect e;
		const char *path;
		uint32_t len;
		int c;

		memcpy(&e, r->blob + at, sizeof(e));
		loc.line = le32toh(e.line);
		len = le32toh(e.path_len);
		path = read_path(r, "protect", i, at, le32toh(e.path_off), len,
				 loc.line);
		if (!path)
			continue;
		if (e.reserved) {
			issue(r, true, "protect rule %u (offset %zu, line %u): reserved field is not zero",
			      i, at, loc.line);
			continue;
		}
		if (policy_add_protect(pol, path, len, &loc)) {
			r->err = -ENOMEM;
			return;
		}
		if (pol->protect.n < 2)
			continue;
		c = lib_rule_cmp_key(&pol->protect.v[pol->protect.n - 2],
				     &pol->protect.v[pol->protect.n - 1]);
		if (c > 0)
			issue(r, false, "protect rule %u (offset %zu, line %u) is out of order (not canonical)",
			      i, at, loc.line);
		else if (c == 0)
			issue(r, false, "protect rule %u (offset %zu, line %u) duplicates the rule before it (not canonical)",
			      i, at, loc.line);
	}
}

/* Decodes and checks one network rule; false if it is invalid. */
static bool read_net_rule(struct reader *r, uint32_t type, const uint8_t *p,
			  uint32_t idx, size_t off, struct net_rule *out)
{
	bool v4 = type == CPOL_SEC_NET4 || type == CPOL_SEC_LISTEN4;
	const char *name = section_name(type);
	struct net_addr a;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	if (v4) {
		struct cpol_net4 e;

		memcpy(&e, p, sizeof(e));
		memcpy(out->addr, e.addr, sizeof(e.addr));
		out->prefix = e.prefix;
		out->proto = e.proto;
		out->scope = le16toh(e.scope);
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
		out->scope = le16toh(e.scope);
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
	if (out->scope >= r->bi->rules.nscopes) {
		issue(r, true, "%s rule %u (offset %zu, line %u): scope %u does not exist (%zu scopes)",
		      name, idx, off, out->loc.line, out->scope,
		      r->bi->rules.nscopes);
		return false;
	}
	if (out->port_lo > out->port_hi) {
		issue(r, true, "%s rule %u (offset %zu, line %u): port range %u-%u is reversed",
		      name, idx, off, out->loc.line, out->port_lo,
		      out->port_hi);
		return false;
	}
	if (!v4 && !memcmp(out->addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) &&
	    out->prefix >= 96)
		issue(r, false, "%s rule %u (offset %zu, line %u): an IPv4-mapped address in an IPv6 section never matches (compile writes it as IPv4)",
		      name, idx, off, out->loc.line);
	return true;
}

static void read_net(struct reader *r, const bool *readable, uint32_t type,
		     enum net_list l)
{
	struct rule_list *rl = &r->bi->rules.net[l];
	uint32_t n, off, k, esz = entry_size(type);
	const uint8_t *base = find(r, readable, type, &n, &off);
	struct net_rule rule;
	int c;

	(void)base;	/* entries are read by offset, for the messages */
	for (k = 0; k < n && !r->err; k++) {
		size_t at = off + (size_t)k * esz;

		if (!read_net_rule(r, type, r->blob + at, k, at, &rule))
			continue;
		if (rl->n) {
			c = net_rule_cmp_key(&rl->v[rl->n - 1], &rule);
			if (c > 0)
				issue(r, false, "%s rule %u (offset %zu, line %u) is out of order (not canonical)",
				      section_name(type), k, at,
				      rule.loc.line);
			else if (c == 0)
				issue(r, false, "%s rule %u (offset %zu, line %u) duplicates the rule before it (not canonical)",
				      section_name(type), k, at,
				      rule.loc.line);
		}
		if (policy_add_net(&r->bi->rules, l, &rule))
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
	memcpy(bi->rules.name, bi->name, CPOL_NAME_MAX);
	bi->rules.version = bi->version;
	bi->rules.flags = bi->flags;
	for (i = 0; i < bi->nsec; i++)
		readable[i] = check_section(&r, i);
	check_overlaps(&r);
	/* In the module's order: strings, scopes, then what refers to them. */
	read_strings(&r, readable);
	read_scopes(&r, readable);
	if (!r.err)
		read_net(&r, readable, CPOL_SEC_NET4, NET_CONNECT4);
	if (!r.err)
		read_net(&r, readable, CPOL_SEC_NET6, NET_CONNECT6);
	if (!r.err)
		read_net(&r, readable, CPOL_SEC_LISTEN4, NET_LISTEN4);
	if (!r.err)
		read_net(&r, readable, CPOL_SEC_LISTEN6, NET_LISTEN6);
	if (!r.err)
		read_exec(&r, readable);
	if (!r.err)
		read_libs(&r, readable);
	if (!r.err)
		read_protect(&r, readable);
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
