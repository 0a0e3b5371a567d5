// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * citadelctl dump FILE.cpol
 *
 * Prints a blob as policy text that compiles back to the same rules
 * (the digest, section table and source lines as comments), or as JSON.
 * Every defect of the blob is reported with its offset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "blob_read.h"
#include "citadelctl.h"
#include "fileio.h"
#include "json.h"

static const char *mode_name(uint32_t flags)
{
	return flags & CPOL_F_AUDIT ? "audit" : "enforce";
}

static void dump_text(const struct blob_info *bi)
{
	char rule[RULE_STR_MAX];
	unsigned int i;
	size_t k;
	int f;

	printf("policy %s version %llu\n", bi->name,
	       (unsigned long long)bi->version);
	printf("mode %s\n", mode_name(bi->flags));
	printf("# sha256 %s\n", bi->digest);
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
	printf("global {\n");
	for (f = 0; f < NET_FAMILIES; f++) {
		for (k = 0; k < bi->rules.net[f].n; k++) {
			const struct net_rule *r = &bi->rules.net[f].v[k];

			net_rule_format(r, (enum net_family)f, rule);
			printf("    %-44s # line %u\n", rule, r->loc.line);
		}
	}
	printf("}\n");
}

static void dump_json(const struct blob_info *bi)
{
	struct json j;
	unsigned int i;
	size_t k;
	int f;

	json_init(&j, stdout, pretty_output);
	json_begin_object(&j);
	json_kv_bool(&j, "valid", !bi->errors);
	if (bi->header_ok) {
		json_kv_string(&j, "name", bi->name);
		json_kv_uint(&j, "version", bi->version);
		json_kv_string(&j, "mode", mode_name(bi->flags));
		json_kv_uint(&j, "flags", bi->flags);
		json_kv_uint(&j, "abi", bi->abi_version);
	}
	json_kv_string(&j, "digest", bi->digest);
	json_kv_uint(&j, "size", bi->size);
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
	json_name(&j, "rules");
	json_begin_array(&j);
	for (f = 0; f < NET_FAMILIES; f++) {
		for (k = 0; k < bi->rules.net[f].n; k++) {
			const struct net_rule *r = &bi->rules.net[f].v[k];
			struct net_addr a = { .family = f == NET_IPV4 ? 4 : 6,
					      .prefix = r->prefix };
			char addr[ADDR_STR_MAX];

			memcpy(a.addr, r->addr, sizeof(a.addr));
			a.prefix = (uint8_t)addr_bits(&a);
			addr_format(&a, addr);
			json_begin_object(&j);
			json_kv_string(&j, "rule", "connect");
			json_kv_string(&j, "scope", "global");
			json_kv_string(&j, "family", f == NET_IPV4 ? "ipv4" : "ipv6");
			json_kv_string(&j, "proto", proto_name(r->proto));
			json_kv_string(&j, "addr", addr);
			json_kv_uint(&j, "prefix", r->prefix);
			json_kv_uint(&j, "port_lo", r->port_lo);
			json_kv_uint(&j, "port_hi", r->port_hi);
			json_kv_uint(&j, "line", r->loc.line);
			json_end_object(&j);
		}
	}
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
	struct blob_info bi;
	const char *path;
	char *data;
	size_t len, k;
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
	err = read_file(path, CPOL_MAX_BLOB, &data, &len);
	if (err == -EFBIG) {
		p_err("%s: %zu bytes; a policy blob is at most %u", path, len,
		      CPOL_MAX_BLOB);
		return EXIT_ERR;
	}
	if (err) {
		p_err("cannot read %s: %s", path, strerror(-err));
		return EXIT_ERR;
	}
	err = blob_decode((const uint8_t *)data, len, &bi);
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
		dump_json(&bi);
	} else {
		if (bi.header_ok)
			dump_text(&bi);
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
