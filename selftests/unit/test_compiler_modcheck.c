// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Runs blobs that citadelctl compiled through the module's own blob
 * parser and matcher (module/policy_parse.c and module/net_match.c, built
 * as userspace code), so the compiler tests check what the kernel would
 * accept and decide, not only what citadelctl thinks it wrote.
 *
 *   test_compiler_modcheck FILE.cpol [tcp|udp ADDRESS PORT]...
 *
 * Prints "accepted N M" (IPv4 and IPv6 rule counts) or "rejected: why",
 * then "allow LINE" or "deny" per query. IPv4-mapped IPv6 destinations
 * are looked up as IPv4, as the BPF programs do. Exit status 0 if the
 * blob was accepted.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_shim.h"
#include "policy.h"

static int query(const struct citadel_policy *pol, const char *proto,
		 const char *text, const char *port)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct citadel_addr a = { 0, 0 };
	uint8_t b[16];
	int tcp = !strcmp(proto, "tcp"), t, i;
	u32 line = 0;

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
	if (citadel_net_match(&pol->net[t], &a, (u16)atoi(port), &line))
		printf("allow %u\n", line);
	else
		printf("deny\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct citadel_policy *pol;
	char err[CITADEL_ERR_MAX];
	static unsigned char buf[CPOL_MAX_BLOB + 1];
	size_t len;
	FILE *f;
	int i, ret;

	if (argc < 2 || (argc - 2) % 3) {
		fprintf(stderr, "usage: %s FILE.cpol [tcp|udp ADDRESS PORT]...\n",
			argv[0]);
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
	printf("accepted %u %u\n", pol->rules_net4, pol->rules_net6);
	for (i = 2; i + 2 < argc; i += 3)
		if (query(pol, argv[i], argv[i + 1], argv[i + 2]))
			ret = 2;
	citadel_policy_free(pol);
	return ret;
}
