// SPDX-License-Identifier: GPL-2.0-only
/*
 * Path tables: exec rules (who may run a path, and with which hash) and
 * library locations, each split into exact paths and directory prefixes
 * and sorted for binary search (see path_match.c).
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#else
#include "host_shim.h"
#endif
#include "policy_build.h"

struct path_rule {
	const char *path;
	u32 len;
	bool prefix;
	struct citadel_exec_cand cand;
};

static int path_rule_cmp(const void *a, const void *b)
{
	const struct path_rule *x = a, *y = b;
	int r;

	if (x->prefix != y->prefix)
		return x->prefix ? 1 : -1;
	r = citadel_path_cmp(x->path, x->len, y->path, y->len);
	if (r)
		return r;
	if (x->cand.scope != y->cand.scope)
		return x->cand.scope < y->cand.scope ? -1 : 1;
	if (x->cand.has_hash != y->cand.has_hash)
		return x->cand.has_hash < y->cand.has_hash ? -1 : 1;
	return memcmp(x->cand.sha256, y->cand.sha256, sizeof(x->cand.sha256));
}

/* Absolute and canonical: what d_path() can return for a file. */
static const char *path_defect(const char *p, u32 len)
{
	u32 i;

	if (!len || p[0] != '/')
		return "is not absolute";
	if (len > CPOL_PATH_MAX)
		return "is too long";
	for (i = 0; i < len; i++) {
		if (p[i] != '/')
			continue;
		if (i + 1 < len && p[i + 1] == '/')
			return "contains //";
		if (i + 1 < len && p[i + 1] == '.' &&
		    (i + 2 == len || p[i + 2] == '/'))
			return "contains a . component";
		if (i + 2 < len && p[i + 1] == '.' && p[i + 2] == '.' &&
		    (i + 3 == len || p[i + 3] == '/'))
			return "contains a .. component";
	}
	return NULL;
}

static int read_path(struct parse_ctx *c, const struct citadel_policy *pol,
		     const char *what, u32 i, u32 off, u32 len, u32 line,
		     struct path_rule *r)
{
	const char *defect;

	r->path = citadel_policy_string(pol, off, len);
	if (!r->path)
		return citadel_parse_fail(c, "%s rule %u (line %u): path is not a valid string reference",
					  what, i, line);
	defect = path_defect(r->path, len);
	if (defect)
		return citadel_parse_fail(c, "%s rule %u (line %u): path %s",
					  what, i, line, defect);
	r->len = len;
	r->prefix = r->path[len - 1] == '/';
	return 0;
}

static int read_exec_rule(struct parse_ctx *c, struct citadel_policy *pol,
			  const u8 *p, u32 i, struct path_rule *r)
{
	static const u8 zero[32];
	struct cpol_exec e;
	u32 line;
	int ret;

	memcpy(&e, p, sizeof(e));
	line = le32_to_cpu(e.line);
	ret = read_path(c, pol, "exec", i, le32_to_cpu(e.path_off),
			le32_to_cpu(e.path_len), line, r);
	if (ret)
		return ret;
	if (e.reserved || e.has_hash > 1)
		return citadel_parse_fail(c, "exec rule %u (line %u): reserved or flag field out of range",
					  i, line);
	if (le16_to_cpu(e.scope) >= pol->nscopes)
		return citadel_parse_fail(c, "exec rule %u (line %u): scope %u does not exist (%u scopes)",
					  i, line, le16_to_cpu(e.scope),
					  pol->nscopes);
	if (!e.has_hash && memcmp(e.sha256, zero, sizeof(zero)))
		return citadel_parse_fail(c, "exec rule %u (line %u): hash bytes without has_hash",
					  i, line);
	if (e.has_hash && r->prefix)
		return citadel_parse_fail(c, "exec rule %u (line %u): a directory prefix cannot carry a hash",
					  i, line);
	if (line > pol->max_line)
		pol->max_line = line;
	r->cand.scope = le16_to_cpu(e.scope);
	r->cand.has_hash = e.has_hash;
	r->cand.line = line;
	memcpy(r->cand.sha256, e.sha256, sizeof(r->cand.sha256));
	return 0;
}

static int read_lib_rule(struct parse_ctx *c, struct citadel_policy *pol,
			 const u8 *p, u32 i, struct path_rule *r)
{
	struct cpol_lib e;
	int ret;

	memcpy(&e, p, sizeof(e));
	ret = read_path(c, pol, "libs", i, le32_to_cpu(e.path_off),
			le32_to_cpu(e.path_len), le32_to_cpu(e.line), r);
	if (ret)
		return ret;
	if (e.reserved)
		return citadel_parse_fail(c, "libs rule %u (line %u): reserved field is not zero",
					  i, le32_to_cpu(e.line));
	if (le32_to_cpu(e.line) > pol->max_line)
		pol->max_line = le32_to_cpu(e.line);
	memset(&r->cand, 0, sizeof(r->cand));
	r->cand.line = le32_to_cpu(e.line);
	return 0;
}

/*
 * Groups sorted rules into the exact and prefix tables; with @cands,
 * every rule becomes a candidate of its path's entry.
 */
static int group(struct path_rule *r, u32 n, struct citadel_exec_cand *cands,
		 struct citadel_path_table *exact,
		 struct citadel_path_table *prefix, size_t *mem)
{
	struct citadel_path_table *t;
	u32 i;

	exact->e = kvcalloc(n, sizeof(*exact->e), GFP_KERNEL);
	prefix->e = kvcalloc(n, sizeof(*prefix->e), GFP_KERNEL);
	if (!exact->e || !prefix->e)
		return -ENOMEM;
	*mem += 2 * (size_t)n * sizeof(*exact->e);
	for (i = 0; i < n; i++) {
		struct citadel_path_entry *last;

		t = r[i].prefix ? prefix : exact;
		last = t->n ? &t->e[t->n - 1] : NULL;
		if (!last || citadel_path_cmp(last->path, last->len, r[i].path,
				      r[i].len)) {
			last = &t->e[t->n++];
			last->path = r[i].path;
			last->len = r[i].len;
			last->first = i;
			last->count = 0;
			last->line = r[i].cand.line;
		}
		if (cands)
			cands[i] = r[i].cand;
		last->count++;
	}
	return 0;
}

static int build_one(struct parse_ctx *c, struct citadel_policy *pol,
		     bool exec)
{
	u32 type = exec ? CPOL_SEC_EXEC : CPOL_SEC_LIBS;
	u32 esz = exec ? sizeof(struct cpol_exec) : sizeof(struct cpol_lib);
	struct path_rule *rules;
	const u8 *base;
	u32 n, i;
	int ret = 0;

	citadel_find_section(c, type, &base, &n);
	if (exec)
		pol->rules_exec = n;
	else
		pol->rules_libs = n;
	if (!n)
		return 0;
	rules = kvcalloc(n, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++)
		ret = exec ? read_exec_rule(c, pol, base + (size_t)i * esz, i,
					    &rules[i]) :
			     read_lib_rule(c, pol, base + (size_t)i * esz, i,
					   &rules[i]);
	if (!ret) {
		sort(rules, n, sizeof(*rules), path_rule_cmp, NULL);
		if (exec) {
			pol->cands = kvcalloc(n, sizeof(*pol->cands),
					      GFP_KERNEL);
			ret = pol->cands ? 0 : -ENOMEM;
			pol->mem_bytes += (size_t)n * sizeof(*pol->cands);
		}
	}
	if (!ret)
		ret = exec ? group(rules, n, pol->cands, &pol->exec_exact,
				   &pol->exec_prefix, &pol->mem_bytes) :
			     group(rules, n, NULL, &pol->libs_exact,
				   &pol->libs_prefix, &pol->mem_bytes);
	kvfree(rules);
	return ret;
}

/*
 * Protected paths: checked like library paths and kept in blob order;
 * they are resolved to inodes only when sealed (protect.c), so the
 * table here is just the list.
 */
static int build_protect(struct parse_ctx *c, struct citadel_policy *pol)
{
	struct citadel_path_table *t = &pol->protect;
	struct path_rule r;
	struct cpol_protect e;
	const u8 *base;
	u32 n, i, line;
	int ret;

	citadel_find_section(c, CPOL_SEC_PROTECT, &base, &n);
	pol->rules_protect = n;
	if (!n)
		return 0;
	if (n > CPOL_MAX_PROTECT)
		return citadel_parse_fail(c, "%u protect rules, at most %u allowed",
					  n, CPOL_MAX_PROTECT);
	t->e = kvcalloc(n, sizeof(*t->e), GFP_KERNEL);
	if (!t->e)
		return -ENOMEM;
	pol->mem_bytes += (size_t)n * sizeof(*t->e);
	for (i = 0; i < n; i++) {
		memcpy(&e, base + (size_t)i * sizeof(e), sizeof(e));
		line = le32_to_cpu(e.line);
		ret = read_path(c, pol, "protect", i, le32_to_cpu(e.path_off),
				le32_to_cpu(e.path_len), line, &r);
		if (ret)
			return ret;
		if (e.reserved)
			return citadel_parse_fail(c, "protect rule %u (line %u): reserved field is not zero",
						  i, line);
		if (line > pol->max_line)
			pol->max_line = line;
		t->e[t->n].path = r.path;
		t->e[t->n].len = r.len;
		t->e[t->n].line = line;
		t->n++;
	}
	return 0;
}

/**
 * citadel_build_paths() - validate exec, libs and protect rules, build
 * their tables
 * @c: the parse context
 * @pol: the policy being built; scopes and strings exist already
 *
 * Return: 0, -EINVAL with the reason in @c, or -ENOMEM.
 */
int citadel_build_paths(struct parse_ctx *c, struct citadel_policy *pol)
{
	int ret = build_one(c, pol, true);

	if (!ret)
		ret = build_one(c, pol, false);
	if (!ret)
		ret = build_protect(c, pol);
	if (ret == -ENOMEM)
		citadel_parse_fail(c, "out of memory building the path tables");
	return ret;
}

void citadel_free_paths(struct citadel_policy *pol)
{
	kvfree(pol->cands);
	kvfree(pol->exec_exact.e);
	kvfree(pol->exec_prefix.e);
	kvfree(pol->libs_exact.e);
	kvfree(pol->libs_prefix.e);
	kvfree(pol->protect.e);
}
