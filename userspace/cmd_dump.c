// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * citadelctl dump FILE.cpol
 *
 * Prints a blob as policy text that compiles back to the same rules
 * (the digest, section table and source lines as comments), or as JSON.
 * Every defect of the blob is reported with its offset. A signed blob's
 * signature is described (size, signer), never verified: see 'verify'.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "blob_read.h"
#include "citadelctl.h"
#include "fileio.h"
#include "json.h"

/* What a signed blob carries after the policy; sig_len 0 if unsigned. */
struct sig_info {
	size_t sig_len;
	bool parsed;		/* signer is the signer, else why not */
	char signer[400];
};

static const char *mode_name(uint32_t flags)
{
	return flags & CPOL_F_AUDIT ? "audit" : "enforce";
}

/*
 * The rules of each scope, in blob order: the lists are sorted by scope
 * (network) or by path (exec), so each scope gets an index array.
 */
struct by_scope {
	size_t *idx;		/* rule indexes, grouped by scope */
	size_t *start;		/* nscopes + 1 bounds into idx */
};

/*
 * Groups @n rules of @size bytes at @base by the u16 scope at @scope_off
 * in each, keeping their order within a scope (a counting sort).
 */
static int group_by_scope(const struct policy *pol, const void *base,
			  size_t n, size_t size, size_t scope_off,
			  struct by_scope *g)
{
	const uint8_t *p = base;
	size_t s, i, *fill;
	uint16_t sc;

	g->idx = calloc(n ? n : 1, sizeof(*g->idx));
	g->start = calloc(pol->nscopes + 1, sizeof(*g->start));
	fill = calloc(pol->nscopes + 1, sizeof(*fill));
	if (!g->idx || !g->start || !fill) {
		free(fill);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		memcpy(&sc, p + i * size + scope_off, sizeof(sc));
		g->start[sc + 1]++;
	}
	for (s = 0; s < pol->nscopes; s++)
		g->start[s + 1] += g->start[s];
	for (i = 0; i < n; i++) {
		memcpy(&sc, p + i * size + scope_off, sizeof(sc));
		g->idx[g->start[sc] + fill[sc]++] = i;
	}
	free(fill);
	return 0;
}

static void by_scope_free(struct by_scope *g)
{
	free(g->idx);
	free(g->start);
}

struct grouped {
	struct by_scope exec;
	struct by_scope net[NET_LISTS];
};

/* Every rule's scope is below pol->nscopes: blob_decode() dropped the others. */
static int group_all(const struct policy *pol, struct grouped *g)
{
	int l, ret;

	memset(g, 0, sizeof(*g));
	ret = group_by_scope(pol, pol->exec.v, pol->exec.n,
			     sizeof(*pol->exec.v),
			     offsetof(struct exec_rule, scope), &g->exec);
	for (l = 0; l < NET_LISTS && !ret; l++)
		ret = group_by_scope(pol, pol->net[l].v, pol->net[l].n,
				     sizeof(*pol->net[l].v),
				     offsetof(struct net_rule, scope),
				     &g->net[l]);
	return ret;
}

static void grouped_free(struct grouped *g)
{
	int l;

	by_scope_free(&g->exec);
	for (l = 0; l < NET_LISTS; l++)
		by_scope_free(&g->net[l]);
}

/* The families a scope lists in the language (global: beyond the defaults). */
static uint64_t own_families(const struct policy *pol, size_t s)
{
	uint64_t fam = pol->scopes[s].families;

	return s ? fam : fam & ~CPOL_FAM_DEFAULT;
}

static void print_rule(const char *rule, uint32_t line)
{
	printf("    %-44s # line %u\n", rule, line);
}

/* Whether every default of the compiler is among the protect rules. */
static bool has_protect_defaults(const struct policy *pol)
{
	size_t i, k;

	for (i = 0; protect_defaults[i]; i++) {
		for (k = 0; k < pol->protect.n; k++)
			if (!strcmp(pol->protect.v[k].path, protect_defaults[i]))
				break;
		if (k == pol->protect.n)
			return false;
	}
	return true;
}

/*
 * The policy's own protect rules: the defaults (line 0) are implied, as
 * in the source, unless some are missing ('protect no-defaults').
 */
static void dump_protect(const struct policy *pol, char *rule)
{
	bool defaults = has_protect_defaults(pol);
	size_t k;

	if (!defaults)
		printf("    protect no-defaults\n");
	for (k = 0; k < pol->protect.n; k++) {
		const struct lib_rule *r = &pol->protect.v[k];

		if (defaults && !r->loc.line)
			continue;
		protect_rule_format(r, rule);
		print_rule(rule, r->loc.line);
	}
}

static void dump_scope(const struct policy *pol, const struct grouped *g,
		       size_t s)
{
	static char rule[RULE_STR_MAX];
	uint64_t fam = own_families(pol, s);
	unsigned int bit;
	size_t k;
	int l;

	if (s)
		printf("service %s {\n", pol->scopes[s].name);
	else
		printf("global {\n");
	if (pol->scopes[s].flags & CPOL_SCOPE_F_AUDIT)
		printf("    audit\n");
	for (k = 0; k < n_netconf_names; k++)
		if (pol->scopes[s].flags & netconf_names[k].flag)
			printf("    netconf %s\n", netconf_names[k].name);
	if (!s && (pol->flags & CPOL_F_FILELESS))
		printf("    exec fileless\n");
	for (k = g->exec.start[s]; k < g->exec.start[s + 1]; k++) {
		const struct exec_rule *r = &pol->exec.v[g->exec.idx[k]];

		exec_rule_format(r, rule);
		print_rule(rule, r->loc.line);
	}
	for (k = 0; !s && k < pol->libs.n; k++) {
		lib_rule_format(&pol->libs.v[k], rule);
		print_rule(rule, pol->libs.v[k].loc.line);
	}
	if (!s)
		dump_protect(pol, rule);
	/* Listen rules first, then connect rules; IPv4 before IPv6. */
	for (l = NET_LISTEN4; ; l = l == NET_LISTEN6 ? NET_CONNECT4 : l + 1) {
		const struct by_scope *b = &g->net[l];

		for (k = b->start[s]; k < b->start[s + 1]; k++) {
			const struct net_rule *r = &pol->net[l].v[b->idx[k]];

			net_rule_format(r, (enum net_list)l, rule);
			print_rule(rule, r->loc.line);
		}
		if (l == NET_CONNECT6)
			break;
	}
	if (fam) {
		printf("    socket");
		for (bit = 0; bit < 64; bit++)
			if ((fam >> bit) & 1 && family_name(bit))
				printf(" %s", family_name(bit));
		printf("\n");
		for (bit = 0; bit < 64; bit++)
			if ((fam >> bit) & 1 && !family_name(bit))
				printf("    # socket family %u has no name\n", bit);
	}
	printf("}\n");
}

static int dump_text(const struct blob_info *bi, const struct sig_info *si)
{
	const struct policy *pol = &bi->rules;
	struct grouped g;
	unsigned int i;
	size_t s;

	printf("policy %s version %llu\n", bi->name,
	       (unsigned long long)bi->version);
	printf("mode %s\n", mode_name(bi->flags));
	if (bi->flags & CPOL_F_REQUIRE_SIGNED)
		printf("require signature\n");
	printf("# sha256 %s\n", bi->digest);
	if (si->sig_len)
		printf("# signed: %zu bytes of PKCS#7, %s%s (not verified)\n",
		       si->sig_len, si->parsed ? "" : "unreadable: ",
		       si->signer);
	if (verbose) {
		printf("# %zu bytes, policy ABI %u, flags 0x%x\n", bi->size,
		       bi->abi_version, bi->flags);
		for (i = 0; i < bi->nsec; i++) {
			const char *name = section_name(bi->sec[i].type);

			printf("# section %u: %s (type %u) offset %u size %u count %u\n",
			       i, name ? name : "unknown", bi->sec[i].type,
			       bi->sec[i].offset, bi->sec[i].size,
			       bi->sec[i].count);
		}
	}
	if (!pol->nscopes) {
		printf("global {\n}\n");
		return 0;
	}
	if (group_all(pol, &g)) {
		grouped_free(&g);
		return -ENOMEM;
	}
	for (s = 0; s < pol->nscopes; s++)
		dump_scope(pol, &g, s);
	grouped_free(&g);
	return 0;
}

static void json_netconf(struct json *j, uint32_t flags)
{
	size_t k;

	json_name(j, "netconf");
	json_begin_array(j);
	for (k = 0; k < n_netconf_names; k++)
		if (flags & netconf_names[k].flag)
			json_string(j, netconf_names[k].name);
	json_end_array(j);
}

static void json_families(struct json *j, uint64_t fam)
{
	unsigned int bit;

	json_name(j, "families");
	json_begin_array(j);
	for (bit = 0; bit < 64; bit++) {
		if (!((fam >> bit) & 1))
			continue;
		if (family_name(bit))
			json_string(j, family_name(bit));
		else
			json_uint(j, bit);
	}
	json_end_array(j);
	json_kv_uint(j, "families_mask", fam);
}

static const char *scope_name(const struct policy *pol, uint16_t s)
{
	return s < pol->nscopes ? pol->scopes[s].name : "?";
}

static void json_net(struct json *j, const struct policy *pol,
		     enum net_list l)
{
	size_t k;

	for (k = 0; k < pol->net[l].n; k++) {
		const struct net_rule *r = &pol->net[l].v[k];
		struct net_addr a = { .family = net_list_v4(l) ? 4 : 6 };
		char addr[ADDR_STR_MAX];

		memcpy(a.addr, r->addr, sizeof(a.addr));
		a.prefix = (uint8_t)addr_bits(&a);
		addr_format(&a, addr);
		json_begin_object(j);
		json_kv_string(j, "scope", scope_name(pol, r->scope));
		json_kv_uint(j, "scope_index", r->scope);
		json_kv_string(j, "family", net_list_v4(l) ? "ipv4" : "ipv6");
		json_kv_string(j, "proto", proto_name(r->proto));
		json_kv_string(j, "addr", addr);
		json_kv_uint(j, "prefix", r->prefix);
		json_kv_uint(j, "port_lo", r->port_lo);
		json_kv_uint(j, "port_hi", r->port_hi);
		json_kv_uint(j, "line", r->loc.line);
		json_end_object(j);
	}
}

static void dump_json(const struct blob_info *bi, const struct sig_info *si)
{
	const struct policy *pol = &bi->rules;
	struct json j;
	unsigned int i;
	size_t k;

	json_init(&j, stdout, pretty_output);
	json_begin_object(&j);
	json_kv_bool(&j, "valid", !bi->errors);
	if (bi->header_ok) {
		json_kv_string(&j, "name", bi->name);
		json_kv_uint(&j, "version", bi->version);
		json_kv_string(&j, "mode", mode_name(bi->flags));
		json_kv_bool(&j, "fileless", bi->flags & CPOL_F_FILELESS);
		json_kv_bool(&j, "require_signature",
			     bi->flags & CPOL_F_REQUIRE_SIGNED);
		json_kv_uint(&j, "flags", bi->flags);
		json_kv_uint(&j, "abi", bi->abi_version);
	}
	json_kv_string(&j, "digest", bi->digest);
	json_kv_uint(&j, "size", bi->size);
	json_name(&j, "signature");
	if (si->sig_len) {
		json_begin_object(&j);
		json_kv_uint(&j, "size", si->sig_len);
		json_kv_bool(&j, "parsed", si->parsed);
		json_kv_string(&j, si->parsed ? "signer" : "problem",
			       si->signer);
		json_kv_bool(&j, "verified", false);
		json_end_object(&j);
	} else {
		json_null(&j);
	}
	json_name(&j, "sections");
	json_begin_array(&j);
	for (i = 0; i < bi->nsec; i++) {
		const char *name = section_name(bi->sec[i].type);

		json_begin_object(&j);
		json_kv_uint(&j, "type", bi->sec[i].type);
		if (name)
			json_kv_string(&j, "name", name);
		json_kv_uint(&j, "offset", bi->sec[i].offset);
		json_kv_uint(&j, "size", bi->sec[i].size);
		json_kv_uint(&j, "count", bi->sec[i].count);
		json_end_object(&j);
	}
	json_end_array(&j);

	json_name(&j, "scopes");
	json_begin_array(&j);
	for (k = 0; k < pol->nscopes; k++) {
		const struct scope *s = &pol->scopes[k];

		json_begin_object(&j);
		json_kv_uint(&j, "index", k);
		json_kv_string(&j, "name", s->name);
		json_kv_uint(&j, "id", s->id);
		json_kv_bool(&j, "audit", s->flags & CPOL_SCOPE_F_AUDIT);
		json_netconf(&j, s->flags);
		json_kv_uint(&j, "flags", s->flags);
		json_families(&j, s->families);
		json_end_object(&j);
	}
	json_end_array(&j);

	json_name(&j, "exec");
	json_begin_array(&j);
	for (k = 0; k < pol->exec.n; k++) {
		const struct exec_rule *r = &pol->exec.v[k];
		char hex[65];

		json_begin_object(&j);
		json_kv_string(&j, "scope", scope_name(pol, r->scope));
		json_kv_uint(&j, "scope_index", r->scope);
		json_kv_string(&j, "path", r->path);
		json_kv_bool(&j, "prefix", r->path[r->len - 1] == '/');
		json_name(&j, "sha256");
		if (r->has_hash) {
			hash_hex(r->sha256, hex);
			json_string(&j, hex);
		} else {
			json_null(&j);
		}
		json_kv_uint(&j, "line", r->loc.line);
		json_end_object(&j);
	}
	json_end_array(&j);

	json_name(&j, "libs");
	json_begin_array(&j);
	for (k = 0; k < pol->libs.n; k++) {
		const struct lib_rule *r = &pol->libs.v[k];

		json_begin_object(&j);
		json_kv_string(&j, "path", r->path);
		json_kv_bool(&j, "prefix", r->path[r->len - 1] == '/');
		json_kv_uint(&j, "line", r->loc.line);
		json_end_object(&j);
	}
	json_end_array(&j);

	json_name(&j, "protect");
	json_begin_array(&j);
	for (k = 0; k < pol->protect.n; k++) {
		const struct lib_rule *r = &pol->protect.v[k];

		json_begin_object(&j);
		json_kv_string(&j, "path", r->path);
		json_kv_bool(&j, "prefix", r->path[r->len - 1] == '/');
		json_kv_uint(&j, "line", r->loc.line);
		json_kv_bool(&j, "default", !r->loc.line);
		json_end_object(&j);
	}
	json_end_array(&j);

	json_name(&j, "listen");
	json_begin_array(&j);
	json_net(&j, pol, NET_LISTEN4);
	json_net(&j, pol, NET_LISTEN6);
	json_end_array(&j);

	json_name(&j, "connect");
	json_begin_array(&j);
	json_net(&j, pol, NET_CONNECT4);
	json_net(&j, pol, NET_CONNECT6);
	json_end_array(&j);

	json_name(&j, "errors");
	json_begin_array(&j);
	for (k = 0; k < bi->nissues; k++)
		if (bi->issues[k].error)
			json_string(&j, bi->issues[k].msg);
	json_end_array(&j);
	json_name(&j, "warnings");
	json_begin_array(&j);
	for (k = 0; k < bi->nissues; k++)
		if (!bi->issues[k].error)
			json_string(&j, bi->issues[k].msg);
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTS, { 0 } };
	struct sig_info si = { 0 };
	struct blob_info bi;
	const char *path;
	char *data;
	size_t len, blen, k;
	int opt, err, ret;

	optind = 0;
	while ((opt = getopt_long(argc, argv, COMMON_OPTS_SHORT, opts,
				  NULL)) != -1) {
		if (common_opt(opt))
			continue;
		usage_cmd("dump", opt == 'h');
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind != argc - 1) {
		p_err("dump takes one FILE.cpol");
		usage_cmd("dump", false);
		return EXIT_USAGE;
	}
	path = argv[optind];
	err = read_file(path, CPOL_MAX_BLOB + CPOL_SIG_MAX +
			sizeof(struct cpol_sig_trailer), &data, &len);
	if (err == -EFBIG) {
		p_err("%s: %zu bytes; a policy blob is at most %u (and a signature %u more)",
		      path, len, CPOL_MAX_BLOB, CPOL_SIG_MAX);
		return EXIT_ERR;
	}
	if (err) {
		p_err("cannot read %s: %s", path, strerror(-err));
		return EXIT_ERR;
	}
	err = blob_sig_split((const uint8_t *)data, len, &blen, &si.sig_len);
	if (err < 0) {
		p_err("%s: offset %zu: signature trailer with a length out of range (0, over %u, or longer than what precedes it)",
		      path, len - sizeof(struct cpol_sig_trailer), CPOL_SIG_MAX);
		free(data);
		return EXIT_ERR;
	}
	if (si.sig_len)
		si.parsed = !sig_describe((const uint8_t *)data + blen,
					  si.sig_len, si.signer,
					  sizeof(si.signer));
	err = blob_decode((const uint8_t *)data, blen, &bi);
	if (err) {
		p_err("%s: %s", path, strerror(-err));
		ret = EXIT_ERR;
		goto out;
	}
	if (!bi.header_ok && blob_looks_like_text((uint8_t *)data, len)) {
		p_err("%s is policy text, not a compiled policy: compile it first with 'citadelctl compile %s -o OUT.cpol'",
		      path, path);
		ret = EXIT_ERR;
		goto out;
	}
	if (json_output) {
		dump_json(&bi, &si);
	} else {
		if (bi.header_ok && dump_text(&bi, &si)) {
			p_err("%s: %s", path, strerror(ENOMEM));
			ret = EXIT_ERR;
			goto out;
		}
		for (k = 0; k < bi.nissues; k++)
			fprintf(stderr, "%s: %s: %s\n",
				bi.issues[k].error ? "Error" : "Warning", path,
				bi.issues[k].msg);
	}
	ret = bi.errors ? EXIT_ERR : EXIT_OK;
out:
	blob_info_free(&bi);
	free(data);
	return ret;
}
