/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A compiled policy in memory, between the parser and the blob writer:
 * the header fields and one rule list per blob section.
 */
#ifndef CITADELCTL_POLICY_H
#define CITADELCTL_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "citadel_abi.h"
#include "diag.h"

/* The blob sections that hold network rules, in blob (type) order. */
enum net_family {
	NET_IPV4,	/* CPOL_SEC_NET4 */
	NET_IPV6,	/* CPOL_SEC_NET6 */
	NET_FAMILIES,
};

struct net_rule {
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
	uint8_t prefix;
	uint8_t proto;		/* enum cpol_proto */
	uint16_t scope;		/* CPOL_SCOPE_GLOBAL or a service */
	uint16_t port_lo;
	uint16_t port_hi;
	struct src_loc loc;	/* the token the rule came from */
};

struct rule_list {
	struct net_rule *v;
	size_t n;
	size_t cap;
};

struct policy {
	char name[CPOL_NAME_MAX];	/* NUL-padded */
	uint64_t version;
	uint32_t flags;			/* CPOL_F_* */
	struct rule_list net[NET_FAMILIES];
};

/* A rule dropped as an exact duplicate of an earlier one. */
struct dup_rule {
	struct net_rule dropped;
	enum net_family fam;
	uint32_t kept_line;
};

struct dup_list {
	struct dup_rule *v;
	size_t n;
};

void policy_init(struct policy *pol);
void policy_free(struct policy *pol);

/* Return: 0 or -ENOMEM. */
int policy_add_net(struct policy *pol, enum net_family fam,
		   const struct net_rule *r);

/**
 * policy_normalize() - put the rules in canonical order
 * @pol: the policy
 * @dups: receives the dropped duplicates, sorted by source position
 *
 * Sorts each section by (address bytes, prefix, protocol, low port,
 * high port, scope) and removes exact duplicates, keeping the one that
 * appears first in the source.
 *
 * Return: 0 or -ENOMEM.
 */
int policy_normalize(struct policy *pol, struct dup_list *dups);

/* Sorting key of two rules, the order of the blob (source position aside). */
int net_rule_cmp_key(const struct net_rule *a, const struct net_rule *b);

const char *proto_name(unsigned int proto);

/* Room for "connect udp <longest IPv6>/128 port 65535-65535". */
#define RULE_STR_MAX	128

/* The rule in policy syntax, e.g. "connect tcp 192.0.2.0/24 port 80-90". */
void net_rule_format(const struct net_rule *r, enum net_family fam,
		     char out[RULE_STR_MAX]);

#endif
