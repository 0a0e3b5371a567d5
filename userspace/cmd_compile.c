// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * citadelctl check FILE...
 * citadelctl compile FILE -o OUT.cpol
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob_write.h"
#include "citadelctl.h"
#include "diag.h"
#include "fileio.h"
#include "json.h"
#include "policy_parse.h"
#include "sha256.h"

struct compile_result {
	unsigned int errors;
	unsigned int warnings;
};

/*
 * Reads and parses @path into @pol, printing diagnostics.
 * Return: 0 if the policy has no error, -1 otherwise.
 */
static int compile_file(const char *path, struct policy *pol,
			struct compile_result *res)
{
	const char *shown = strcmp(path, "-") ? path : "<stdin>";
	struct diag d;
	char *text;
	size_t len;
	int err;

	res->errors = 0;
	res->warnings = 0;
	err = read_file(path, POLICY_TEXT_MAX, &text, &len);
	diag_init(&d, shown, text, len);
	if (err == -EFBIG)
		diag_file(&d, DIAG_ERROR, "file too large: %zu bytes, at most %u",
			  len, POLICY_TEXT_MAX);
	else if (err)
		diag_file(&d, DIAG_ERROR, "cannot read: %s", strerror(-err));
	else if (policy_parse(&d, text, len, pol) == -ENOMEM)
		diag_file(&d, DIAG_ERROR, "out of memory");
	free(text);
	res->errors = d.errors;
	res->warnings = d.warnings;
	return d.errors ? -1 : 0;
}

/* Rule counts of a compiled policy, as JSON members. */
static void json_counts(struct json *j, const struct policy *pol)
{
	json_kv_uint(j, "services", pol->nscopes ? pol->nscopes - 1 : 0);
	json_kv_uint(j, "rules_exec", pol->exec.n);
	json_kv_uint(j, "rules_libs", pol->libs.n);
	json_kv_uint(j, "rules_listen4", pol->net[NET_LISTEN4].n);
	json_kv_uint(j, "rules_listen6", pol->net[NET_LISTEN6].n);
	json_kv_uint(j, "rules_net4", pol->net[NET_CONNECT4].n);
	json_kv_uint(j, "rules_net6", pol->net[NET_CONNECT6].n);
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTS, { 0 } };
	struct compile_result res;
	struct policy pol;
	struct json j;
	int opt, i, ret = EXIT_OK;

	optind = 0;
	while ((opt = getopt_long(argc, argv, COMMON_OPTS_SHORT, opts,
				  NULL)) != -1) {
		if (common_opt(opt))
			continue;
		usage_cmd("check", opt == 'h');
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind >= argc) {
		p_err("check needs at least one FILE");
		usage_cmd("check", false);
		return EXIT_USAGE;
	}
	if (json_output) {
		json_init(&j, stdout, pretty_output);
		json_begin_array(&j);
	}
	for (i = optind; i < argc; i++) {
		policy_init(&pol);
		if (compile_file(argv[i], &pol, &res))
			ret = EXIT_ERR;
		if (json_output) {
			json_begin_object(&j);
			json_kv_string(&j, "file", argv[i]);
			json_kv_bool(&j, "ok", !res.errors);
			json_kv_uint(&j, "errors", res.errors);
			json_kv_uint(&j, "warnings", res.warnings);
			if (!res.errors)
				json_counts(&j, &pol);
			json_end_object(&j);
		} else if (verbose && !res.errors) {
			printf("%s: ok\n", argv[i]);
		}
		policy_free(&pol);
	}
	if (json_output) {
		json_end_array(&j);
		json_finish(&j);
	}
	return ret;
}

int cmd_compile(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "output", required_argument, NULL, 'o' },
		{ 0 },
	};
	struct compile_result res;
	const char *out = NULL;
	char digest[SHA256_HEX_LEN];
	struct policy pol;
	uint8_t *blob = NULL;
	size_t len = 0;
	int opt, err, ret = EXIT_ERR;

	optind = 0;
	while ((opt = getopt_long(argc, argv, COMMON_OPTS_SHORT "o:", opts,
				  NULL)) != -1) {
		if (common_opt(opt))
			continue;
		if (opt == 'o') {
			out = optarg;
			continue;
		}
		usage_cmd("compile", opt == 'h');
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind != argc - 1 || !out) {
		p_err(optind >= argc ? "compile needs a FILE" :
		      optind < argc - 1 ? "compile takes one FILE" :
		      "compile needs -o OUT.cpol");
		usage_cmd("compile", false);
		return EXIT_USAGE;
	}
	policy_init(&pol);
	if (compile_file(argv[optind], &pol, &res))
		goto out;
	err = blob_build(&pol, &blob, &len);
	if (err) {
		/* The parser checks the limits, so only memory can fail here. */
		p_err("cannot encode the policy: %s", strerror(-err));
		goto out;
	}
	err = write_file_atomic(out, blob, len);
	if (err) {
		p_err("cannot write %s: %s", out, strerror(-err));
		goto out;
	}
	sha256_hex(blob, len, digest);
	if (json_output) {
		struct json j;

		json_init(&j, stdout, pretty_output);
		json_begin_object(&j);
		json_kv_string(&j, "output", out);
		json_kv_string(&j, "name", pol.name);
		json_kv_uint(&j, "version", pol.version);
		json_kv_uint(&j, "size", len);
		json_kv_string(&j, "digest", digest);
		json_counts(&j, &pol);
		json_kv_uint(&j, "warnings", res.warnings);
		json_end_object(&j);
		json_finish(&j);
	} else if (verbose) {
		printf("%s: policy %s version %llu, %zu services, %zu exec, %zu libs, %zu+%zu listen, %zu+%zu connect rules (IPv4+IPv6), %zu bytes, sha256 %s\n",
		       out, pol.name, (unsigned long long)pol.version,
		       pol.nscopes - 1, pol.exec.n, pol.libs.n,
		       pol.net[NET_LISTEN4].n, pol.net[NET_LISTEN6].n,
		       pol.net[NET_CONNECT4].n, pol.net[NET_CONNECT6].n, len,
		       digest);
	}
	ret = EXIT_OK;
out:
	free(blob);
	policy_free(&pol);
	return ret;
}
