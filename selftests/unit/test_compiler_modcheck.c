// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Runs blobs that citadelctl compiled through the module's own blob
 * parser and matchers (the module sources listed in
 * module/host_sources.txt, built as userspace code), so the compiler
 * tests check what the kernel would accept and decide, not only what
 * citadelctl thinks it wrote.
 *
 *   test_compiler_modcheck FILE.cpol [QUERY]...
 *
 * Prints "accepted net4 N net6 N listen4 N listen6 N exec N libs N
 * scopes N" or "rejected: why", then one line per query:
 *
 *   connect SCOPE tcp|udp ADDRESS PORT   "allow LINE" or "deny"
 *   listen SCOPE tcp|udp ADDRESS PORT    "allow LINE" or "deny"
 *   exec PATH                            "exec SCOPE:LINE[:sha256]..." or "exec none"
 *   libs PATH                            "libs yes" or "libs no"
 *   scope NAME                           "scope INDEX flags F families 0xMASK"
 *                                        or "scope none"
 *
 * SCOPE is "global" or a service name; connect and listen look at that
 * scope's own tables only. IPv4-mapped IPv6 addresses are looked up as
 * IPv4, as the module does. exec lists the candidates of the exact path,
 * then of its directory prefixes, longest first (module/exec.c), without
 * checking hashes. Exit status 0 if the blob was accepted.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_shim.h"
#include "policy.h"

static const struct citadel_scope *find_scope(const struct citadel_policy *pol,
					      const char *name)
{
	if (!strcmp(name, "global"))
		return &pol->scopes[0];
	return citadel_scope_of(pol, citadel_fnv64(name, (u32)strlen(name)));
}

static int net_query(const struct citadel_policy *pol, bool listen,
		     const char *scope, const char *proto, const char *text,
		     const char *port)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct citadel_scope *s = find_scope(pol, scope);
	struct citadel_addr a = { 0, 0 };
	int tcp = !strcmp(proto, "tcp"), t, i;
	uint8_t b[16];
	u32 line = 0;

	if (!s) {
		printf("no scope %s\n", scope);
		return -1;
	}
	if (inet_pton(AF_INET, text, b) == 1) {
		a.lo = (u64)b[0] << 24 | (u64)b[1] << 16 | (u64)b[2] << 8 | b[3];
		t = tcp ? CITADEL_NET4_TCP : CITADEL_NET4_UDP;
	} else if (inet_pton(AF_INET6, text, b) == 1) {
		if (!memcmp(b, mapped, sizeof(mapped))) {
			a.lo = (u64)b[12] << 24 | (u64)b[13] << 16 |
			       (u64)b[14] << 8 | b[15];
			t = tcp ? CITADEL_NET4_TCP : CITADEL_NET4_UDP;
		} else {
			for (i = 0; i < 8; i++) {
				a.hi = a.hi << 8 | b[i];
				a.lo = a.lo << 8 | b[8 + i];
			}
			t = tcp ? CITADEL_NET6_TCP : CITADEL_NET6_UDP;
		}
	} else {
		fprintf(stderr, "bad address %s\n", text);
		return -1;
	}
	if (citadel_net_match(listen ? &s->listen[t] : &s->conn[t], &a,
			      (u16)atoi(port), &line))
		printf("allow %u\n", line);
	else
		printf("deny\n");
	return 0;
}

static void print_cands(const struct citadel_policy *pol,
			const struct citadel_path_entry *pe, int *n)
{
	u32 i;

	for (i = 0; pe && i < pe->count; i++) {
		const struct citadel_exec_cand *c = &pol->cands[pe->first + i];

		printf(" %s:%u%s", pol->scopes[c->scope].name, c->line,
		       c->has_hash ? ":sha256" : "");
		(*n)++;
	}
}

static void exec_query(const struct citadel_policy *pol, const char *path)
{
	u32 len = (u32)strlen(path), i;
	int n = 0;

	printf("exec");
	print_cands(pol, citadel_path_lookup(&pol->exec_exact, path, len), &n);
	for (i = len; i-- > 0;)
		if (path[i] == '/')
			print_cands(pol, citadel_path_lookup(&pol->exec_prefix,
							     path, i + 1), &n);
	printf("%s\n", n ? "" : " none");
}

static void libs_query(const struct citadel_policy *pol, const char *path)
{
	u32 len = (u32)strlen(path), i;
	bool yes = citadel_path_lookup(&pol->libs_exact, path, len);

	for (i = len; !yes && i-- > 0;)
		yes = path[i] == '/' &&
		      citadel_path_lookup(&pol->libs_prefix, path, i + 1);
	printf("libs %s\n", yes ? "yes" : "no");
}

static void scope_query(const struct citadel_policy *pol, const char *name)
{
	const struct citadel_scope *s = find_scope(pol, name);

	if (!s) {
		printf("scope none\n");
		return;
	}
	printf("scope %u flags %u families 0x%llx\n",
	       (unsigned int)(s - pol->scopes), s->flags,
	       (unsigned long long)s->families);
}

int main(int argc, char **argv)
{
	struct citadel_policy *pol;
	char err[CITADEL_ERR_MAX];
	static unsigned char buf[CPOL_MAX_BLOB + 1];
	size_t len;
	FILE *f;
	int i, ret;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE.cpol [QUERY]...\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ret = citadel_policy_parse(buf, len, &pol, err, sizeof(err));
	if (ret) {
		printf("rejected: %s\n", err);
		return 1;
	}
	printf("accepted net4 %u net6 %u listen4 %u listen6 %u exec %u libs %u scopes %u\n",
	       pol->rules_net4, pol->rules_net6, pol->rules_listen4,
	       pol->rules_listen6, pol->rules_exec, pol->rules_libs,
	       pol->nscopes);
	for (i = 2; i < argc && !ret;) {
		const char *q = argv[i];
		bool listen = !strcmp(q, "listen");

		if ((listen || !strcmp(q, "connect")) && i + 4 < argc) {
			if (net_query(pol, listen, argv[i + 1], argv[i + 2],
				      argv[i + 3], argv[i + 4]))
				ret = 2;
			i += 5;
		} else if (!strcmp(q, "exec") && i + 1 < argc) {
			exec_query(pol, argv[i + 1]);
			i += 2;
		} else if (!strcmp(q, "libs") && i + 1 < argc) {
			libs_query(pol, argv[i + 1]);
			i += 2;
		} else if (!strcmp(q, "scope") && i + 1 < argc) {
			scope_query(pol, argv[i + 1]);
			i += 2;
		} else {
			fprintf(stderr, "bad query at '%s'\n", q);
			ret = 2;
		}
	}
	citadel_policy_free(pol);
	return ret;
}
