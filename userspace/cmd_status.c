// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * citadelctl status
 *
 * ROOT/status is "key value" lines. The keys this version knows are shown
 * in a readable block and a counters table; keys it does not know (a newer
 * module) are passed through, in JSON too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "citadelctl.h"
#include "json.h"
#include "sysfs.h"

struct kv {
	const char *key;
	const char *value;	/* the rest of the line */
	bool used;		/* shown by the human format already */
};

struct status {
	struct kv *v;
	size_t n;
};

/* Keys whose values are text even when they look like numbers. */
static const char *const string_keys[] = { "state", "mode", "name", "digest" };

static const char *const outcomes[] = { "allowed", "denied", "audited" };

/* Splits @buf in place into key/value pairs; a repeated key keeps its first value. */
static int parse_status(char *buf, struct status *st)
{
	char *line = buf, *nl, *sp;
	size_t i;

	st->v = NULL;
	st->n = 0;
	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		struct kv *v;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!*line)
			continue;
		sp = strchr(line, ' ');
		if (sp)
			*sp++ = '\0';
		for (i = 0; i < st->n && strcmp(st->v[i].key, line); i++)
			;
		if (i < st->n)
			continue;
		v = realloc(st->v, (st->n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		st->v = v;
		st->v[st->n].key = line;
		st->v[st->n].value = sp ? sp : "";
		st->v[st->n].used = false;
		st->n++;
		if (!nl)
			break;
	}
	return 0;
}

static struct kv *find(struct status *st, const char *key)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->v[i].key, key))
			return &st->v[i];
	return NULL;
}

/* The value of @key, marked as shown; "?" when the module did not say. */
static const char *take(struct status *st, const char *key)
{
	struct kv *kv = find(st, key);

	if (!kv)
		return "?";
	kv->used = true;
	return kv->value;
}

static bool is_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static bool is_string_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(string_keys) / sizeof(string_keys[0]); i++)
		if (!strcmp(key, string_keys[i]))
			return true;
	return false;
}

static void print_json(struct status *st)
{
	struct json j;
	uint64_t v;
	size_t i;

	json_init(&j, stdout, pretty_output);
	json_begin_object(&j);
	for (i = 0; i < st->n; i++) {
		json_name(&j, st->v[i].key);
		if (!is_string_key(st->v[i].key) && is_u64(st->v[i].value, &v))
			json_uint(&j, v);
		else
			json_string(&j, st->v[i].value);
	}
	json_end_object(&j);
	json_finish(&j);
}

/* For "connect_denied" returns the outcome index and the op length. */
static int counter_outcome(const char *key, size_t *oplen)
{
	size_t len = strlen(key), i, ol;

	for (i = 0; i < 3; i++) {
		ol = strlen(outcomes[i]);
		if (len > ol + 1 && key[len - ol - 1] == '_' &&
		    !strcmp(key + len - ol, outcomes[i])) {
			*oplen = len - ol - 1;
			return (int)i;
		}
	}
	return -1;
}

static void print_counters(struct status *st)
{
	size_t i, k, oplen, kl;
	bool header = false;
	int oc;

	for (i = 0; i < st->n; i++) {
		const char *op = st->v[i].key;

		if (st->v[i].used || counter_outcome(op, &oplen) < 0)
			continue;
		if (!header) {
			printf("\n%-12s %12s %12s %12s\n", "operation", "allowed",
			       "denied", "audited");
			header = true;
		}
		printf("%-12.*s", (int)oplen, op);
		/* One row per operation: collect its three counters. */
		for (oc = 0; oc < 3; oc++) {
			const char *val = "-";

			for (k = i; k < st->n; k++) {
				kl = strlen(st->v[k].key);
				if (!st->v[k].used &&
				    kl == oplen + 1 + strlen(outcomes[oc]) &&
				    !strncmp(st->v[k].key, op, oplen) &&
				    st->v[k].key[oplen] == '_' &&
				    !strcmp(st->v[k].key + oplen + 1,
					    outcomes[oc])) {
					val = st->v[k].value;
					st->v[k].used = true;
					break;
				}
			}
			printf(" %12s", val);
		}
		printf("\n");
	}
}

/* The enrolled keys: count, then "fingerprint subject" lines. */
static void print_keys(const char *count)
{
	char *buf, *line, *save;
	size_t len;

	printf("%-10s %s enrolled\n", "keys:", count);
	if (citadel_read("keys", &buf, &len))
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("%-10s %s\n", "", line);
	free(buf);
}

static void print_human(struct status *st)
{
	const char *state = take(st, "state");
	bool loaded = !strcmp(state, "loaded");
	bool other = false;
	size_t i;

	if (loaded) {
		const char *mode = take(st, "mode");

		printf("%-10s loaded, %s%s\n", "state:", mode,
		       !strcmp(mode, "audit") ?
		       " (would-be denials are logged and allowed)" : "");
		printf("%-10s %s version %s\n", "policy:", take(st, "name"),
		       take(st, "version"));
		printf("%-10s %s\n", "digest:", take(st, "digest"));
		printf("%-10s %s%s\n", "signature:", take(st, "signature"),
		       !strcmp(take(st, "policy_requires_signature"), "yes") ?
		       " (this policy requires signed successors)" : "");
		printf("%-10s %s IPv4, %s IPv6\n", "rules:",
		       take(st, "rules_net4"), take(st, "rules_net6"));
	} else if (!strcmp(state, "none")) {
		printf("%-10s no policy loaded: nothing is restricted\n",
		       "state:");
	} else {
		printf("%-10s %s\n", "state:", state);
	}
	if (find(st, "sealed")) {
		bool sealed = !strcmp(take(st, "sealed"), "yes");

		if (sealed)
			printf("%-10s yes, until reboot: %s hooks held by the module, %s tamper attempts refused\n",
			       "sealed:", take(st, "sealed_links"),
			       take(st, "seal_refusals"));
		else
			printf("%-10s no\n", "sealed:");
		take(st, "sealed_links");
		take(st, "seal_refusals");
	}
	if (find(st, "keys"))
		print_keys(take(st, "keys"));
	if (find(st, "policy_loads") || find(st, "policy_rejects"))
		printf("%-10s %s accepted, %s rejected\n", "loads:",
		       take(st, "policy_loads"), take(st, "policy_rejects"));
	if (find(st, "abi"))
		printf("%-10s %s\n", "abi:", take(st, "abi"));
	print_counters(st);
	for (i = 0; i < st->n; i++) {
		if (st->v[i].used)
			continue;
		if (!other) {
			printf("\n");
			other = true;
		}
		printf("%-18s %s\n", st->v[i].key, st->v[i].value);
	}
}

/*
 * status --rules: how often the rules of each policy line allowed
 * something (the kernel's rule_hits file: "line count" lines).
 */
static int print_rule_hits(void)
{
	char *buf, *line, *save;
	struct json j;
	size_t len;
	int err = citadel_read("rule_hits", &buf, &len);

	if (err) {
		p_err("cannot read %s/rule_hits: %s", citadel_root(),
		      strerror(-err));
		return EXIT_ERR;
	}
	if (json_output) {
		json_init(&j, stdout, pretty_output);
		json_begin_array(&j);
	} else {
		printf("%-10s %12s\n", "rule line", "hits");
	}
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long l, n;

		if (sscanf(line, "%llu %llu", &l, &n) != 2)
			continue;
		if (json_output) {
			json_begin_object(&j);
			json_kv_uint(&j, "line", l);
			json_kv_uint(&j, "hits", n);
			json_end_object(&j);
		} else {
			printf("%-10llu %12llu\n", l, n);
		}
	}
	if (json_output) {
		json_end_array(&j);
		json_finish(&j);
	}
	free(buf);
	return EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "rules", no_argument, NULL, 'r' },
		{ 0 }
	};
	struct status st = { NULL, 0 };
	bool rules = false;
	size_t len;
	char *buf;
	int opt, err;

	optind = 0;
	while ((opt = getopt_long(argc, argv, COMMON_OPTS_SHORT "r", opts,
				  NULL)) != -1) {
		if (common_opt(opt))
			continue;
		if (opt == 'r') {
			rules = true;
			continue;
		}
		usage_cmd("status", opt == 'h');
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind != argc) {
		p_err("status takes no arguments");
		usage_cmd("status", false);
		return EXIT_USAGE;
	}
	if (citadel_require_root())
		return EXIT_ERR;
	if (rules)
		return print_rule_hits();
	err = citadel_read("status", &buf, &len);
	if (err) {
		p_err("cannot read %s/status: %s", citadel_root(),
		      strerror(-err));
		return EXIT_ERR;
	}
	if (strlen(buf) != len) {
		p_err("%s/status contains a NUL byte", citadel_root());
		free(buf);
		return EXIT_ERR;
	}
	err = parse_status(buf, &st);
	if (err) {
		p_err("%s", strerror(-err));
	} else if (json_output) {
		print_json(&st);
	} else {
		print_human(&st);
	}
	free(st.v);
	free(buf);
	return err ? EXIT_ERR : EXIT_OK;
}
