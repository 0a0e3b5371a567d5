/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A compiled policy in memory, between the parser and the blob writer
 * (and between the blob reader and dump): the header fields, the scopes
 * (0 global, then the services in the order of the source) and one rule
 * list per blob section. Every rule carries the index of its scope.
 */
#ifndef CITADELCTL_POLICY_H
#define CITADELCTL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "citadel_abi.h"
#include "diag.h"

/* The network rule lists, in blob (type) order. */
enum net_list {
	NET_CONNECT4,	/* CPOL_SEC_NET4 */
	NET_CONNECT6,	/* CPOL_SEC_NET6 */
	NET_LISTEN4,	/* CPOL_SEC_LISTEN4 */
	NET_LISTEN6,	/* CPOL_SEC_LISTEN6 */
	NET_LISTS,
};

static inline bool net_list_v4(enum net_list l)
{
	return l == NET_CONNECT4 || l == NET_LISTEN4;
}

static inline bool net_list_listen(enum net_list l)
{
	return l == NET_LISTEN4 || l == NET_LISTEN6;
}

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

/* An exec rule: a global helper (scope 0) or an entry of a service. */
struct exec_rule {
	char *path;		/* malloc()ed, NUL-terminated */
	uint32_t len;		/* without the NUL */
	uint16_t scope;
	uint8_t has_hash;
	uint8_t sha256[32];	/* zero unless has_hash */
	struct src_loc loc;
};

struct exec_list {
	struct exec_rule *v;
	size_t n;
	size_t cap;
};

/* A library location: a directory prefix ending in '/' or a file. */
struct lib_rule {
	char *path;		/* malloc()ed, NUL-terminated */
	uint32_t len;
	struct src_loc loc;
};

struct lib_list {
	struct lib_rule *v;
	size_t n;
	size_t cap;
};

/* Scope 0 is "global"; scope i > 0 is the i-th service of the source. */
struct scope {
	char name[CPOL_SERVICE_NAME_MAX + 1];	/* NUL-terminated */
	uint32_t name_len;
	uint64_t id;		/* FNV-1a 64 of the name; 0 for global */
	uint32_t flags;		/* CPOL_SCOPE_F_* */
	uint64_t families;	/* CPOL_FAM_* bits; global includes the defaults */
	struct src_loc loc;	/* the service name in the source */
};

struct policy {
	char name[CPOL_NAME_MAX];	/* NUL-padded */
	uint64_t version;
	uint32_t flags;			/* CPOL_F_* */
	struct scope *scopes;		/* at least the global scope once built */
	size_t nscopes;
	size_t scopes_cap;
	struct exec_list exec;
	struct lib_list libs;
	struct lib_list protect;	/* kept from change once sealed */
	struct rule_list net[NET_LISTS];
};

/* A diagnostic found after the whole text was read (duplicates, conflicts). */
struct late_diag {
	enum diag_level level;
	struct src_loc loc;
	char *msg;		/* malloc()ed */
	size_t seq;		/* order found, to sort stably */
};

struct late_diag_list {
	struct late_diag *v;
	size_t n;
	size_t cap;
};

void policy_init(struct policy *pol);
void policy_free(struct policy *pol);

/*
 * Adds a scope named @name (@len bytes; "global" for the first) with its
 * id computed from the name. Return: its index, or -ENOMEM.
 */
int policy_add_scope(struct policy *pol, const char *name, size_t len,
		     uint64_t families, const struct src_loc *loc);

/* Each returns 0 or -ENOMEM; the path is copied. */
int policy_add_net(struct policy *pol, enum net_list l,
		   const struct net_rule *r);
int policy_add_exec(struct policy *pol, const char *path, size_t len,
		    uint16_t scope, const uint8_t *sha256,
		    const struct src_loc *loc);
int policy_add_lib(struct policy *pol, const char *path, size_t len,
		   const struct src_loc *loc);
int policy_add_protect(struct policy *pol, const char *path, size_t len,
		       const struct src_loc *loc);

/*
 * What every compiled policy protects once sealed (line 0 in the blob):
 * Citadel's own files, the boot configuration and the system it boots,
 * NULL-terminated. See docs/policy.md.
 */
extern const char *const protect_defaults[];
/* Adds protect_defaults with line 0. Return: 0 or -ENOMEM. */
int policy_add_protect_defaults(struct policy *pol);

/* FNV-1a 64 of @len bytes, as CPOL_FNV64_* define it: service ids. */
uint64_t fnv1a64(const char *s, size_t len);

/**
 * policy_normalize() - put the rules in canonical order
 * @pol: the policy
 * @out: receives the warnings about dropped duplicates and the errors
 *       about paths that are entries of two services, sorted by source
 *       position; free with late_diag_free()
 *
 * Sorts EXEC by (path, scope, has_hash, sha256), LIBS by path and each
 * network list by (scope, address, prefix, protocol, low port, high
 * port), and removes exact duplicates, keeping the one that appears
 * first in the source.
 *
 * Return: 0 or -ENOMEM.
 */
int policy_normalize(struct policy *pol, struct late_diag_list *out);
void late_diag_free(struct late_diag_list *l);

/* Sorting keys of two rules, the order of the blob (source position aside). */
int net_rule_cmp_key(const struct net_rule *a, const struct net_rule *b);
int exec_rule_cmp_key(const struct exec_rule *a, const struct exec_rule *b);
int lib_rule_cmp_key(const struct lib_rule *a, const struct lib_rule *b);
int path_cmp(const char *a, size_t alen, const char *b, size_t blen);

const char *proto_name(unsigned int proto);

/* Room for any rule: an exec rule with the longest path and a hash. */
#define RULE_STR_MAX	(CPOL_PATH_MAX + 160)

/*
 * The rule in policy syntax: "connect tcp 192.0.2.0/24 port 80-90",
 * "listen udp 68 on 0.0.0.0/0", "exec /bin/sh sha256:...", "libs /lib/".
 */
void net_rule_format(const struct net_rule *r, enum net_list l,
		     char out[RULE_STR_MAX]);
void exec_rule_format(const struct exec_rule *r, char out[RULE_STR_MAX]);
void lib_rule_format(const struct lib_rule *r, char out[RULE_STR_MAX]);
void protect_rule_format(const struct lib_rule *r, char out[RULE_STR_MAX]);

/* Lower-case hex of a sha256: 64 characters and a NUL. */
void hash_hex(const uint8_t sha256[32], char out[65]);

/* Socket families: language names and AF numbers (bit CPOL_FAM_RAW: raw). */
struct family_name {
	const char *name;
	unsigned int bit;
};

extern const struct family_name family_names[];
extern const size_t n_family_names;

/* The bit of a family name, or -1. */
int family_bit(const char *s, size_t len);
/* The name of a family bit, or NULL. */
const char *family_name(unsigned int bit);

/* Network configuration allowances ('netconf KIND'): CPOL_SCOPE_F_NETCONF_*. */
struct netconf_name {
	const char *name;
	uint32_t flag;
};

extern const struct netconf_name netconf_names[];
extern const size_t n_netconf_names;

/* Checks of a path against the ABI rules; NULL if fine, else the defect. */
const char *path_defect(const char *p, size_t len);

/* Service and policy names: [A-Za-z0-9_.-]. */
bool name_char_ok(char c);

#endif
