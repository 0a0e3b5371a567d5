/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the blob parser (policy_parse.c) and the table builders
 * (policy_build_net.c, policy_build_path.c). Not used outside parsing.
 */
#ifndef CITADEL_POLICY_BUILD_H
#define CITADEL_POLICY_BUILD_H

#include "policy.h"

struct parse_ctx {
	const u8 *blob;
	size_t len;
	char *err;
	size_t errlen;
	struct cpol_section sec[CPOL_MAX_SECTIONS];
	u32 nsec;
};

__printf(2, 3) int citadel_parse_fail(struct parse_ctx *c, const char *fmt,
				      ...);

/* The section of @type, or NULL; entries start at *base. */
const struct cpol_section *citadel_find_section(struct parse_ctx *c, u32 type,
						const u8 **base, u32 *count);

/* A checked reference into the policy's strings, or NULL. */
const char *citadel_policy_string(const struct citadel_policy *pol, u32 off,
				  u32 len);

int citadel_build_net(struct parse_ctx *c, struct citadel_policy *pol);
int citadel_build_paths(struct parse_ctx *c, struct citadel_policy *pol);
void citadel_free_paths(struct citadel_policy *pol);

#endif /* CITADEL_POLICY_BUILD_H */
