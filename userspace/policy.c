// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The in-memory policy: scopes, rule lists, canonical order, duplicates. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

void policy_init(struct policy *pol)
{
	memset(pol, 0, sizeof(*pol));
}

void policy_free(struct policy *pol)
{
	size_t i;
	int l;

	for (l = 0; l < NET_LISTS; l++)
		free(pol->net[l].v);
	for (i = 0; i < pol->exec.n; i++)
		free(pol->exec.v[i].path);
	free(pol->exec.v);
	for (i = 0; i < pol->libs.n; i++)
		free(pol->libs.v[i].path);
	free(pol->libs.v);
	for (i = 0; i < pol->protect.n; i++)
		free(pol->protect.v[i].path);
	free(pol->protect.v);
	free(pol->scopes);
	memset(pol, 0, sizeof(*pol));
}

/* Makes room for one more element of @size bytes in *@v. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

uint64_t fnv1a64(const char *s, size_t len)
{
	uint64_t h = CPOL_FNV64_OFFSET;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= CPOL_FNV64_PRIME;
	}
	return h;
}

int policy_add_scope(struct policy *pol, const char *name, size_t len,
		     uint64_t families, const struct src_loc *loc)
{
	struct scope *s;

	if (len > CPOL_SERVICE_NAME_MAX)
		len = CPOL_SERVICE_NAME_MAX;
	if (grow((void **)&pol->scopes, &pol->scopes_cap, pol->nscopes,
		 sizeof(*pol->scopes)))
		return -ENOMEM;
	s = &pol->scopes[pol->nscopes];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, name, len);
	s->name_len = (uint32_t)len;
	s->id = pol->nscopes ? fnv1a64(name, len) : 0;
	s->families = families;
	if (loc)
		s->loc = *loc;
	return (int)pol->nscopes++;
}

int policy_add_net(struct policy *pol, enum net_list l,
		   const struct net_rule *r)
{
	struct rule_list *rl = &pol->net[l];

	if (grow((void **)&rl->v, &rl->cap, rl->n, sizeof(*rl->v)))
		return -ENOMEM;
	rl->v[rl->n++] = *r;
	return 0;
}

static char *dup_path(const char *path, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, path, len);
		p[len] = '\0';
	}
	return p;
}

int policy_add_exec(struct policy *pol, const char *path, size_t len,
		    uint16_t scope, const uint8_t *sha256,
		    const struct src_loc *loc)
{
	struct exec_list *el = &pol->exec;
	struct exec_rule *r;

	if (grow((void **)&el->v, &el->cap, el->n, sizeof(*el->v)))
		return -ENOMEM;
	r = &el->v[el->n];
	memset(r, 0, sizeof(*r));
	r->path = dup_path(path, len);
	if (!r->path)
		return -ENOMEM;
	r->len = (uint32_t)len;
	r->scope = scope;
	if (sha256) {
		r->has_hash = 1;
		memcpy(r->sha256, sha256, sizeof(r->sha256));
	}
	r->loc = *loc;
	el->n++;
	return 0;
}

static int add_path_rule(struct lib_list *ll, const char *path, size_t len,
			 const struct src_loc *loc)
{
	struct lib_rule *r;

	if (grow((void **)&ll->v, &ll->cap, ll->n, sizeof(*ll->v)))
		return -ENOMEM;
	r = &ll->v[ll->n];
	r->path = dup_path(path, len);
	if (!r->path)
		return -ENOMEM;
	r->len = (uint32_t)len;
	r->loc = *loc;
	ll->n++;
	return 0;
}

int policy_add_lib(struct policy *pol, const char *path, size_t len,
		   const struct src_loc *loc)
{
	return add_path_rule(&pol->libs, path, len, loc);
}

int policy_add_protect(struct policy *pol, const char *path, size_t len,
		       const struct src_loc *loc)
{
	return add_path_rule(&pol->protect, path, len, loc);
}

/*
 * Nothing on a running device writes here but package upgrades (which a
 * sealed device takes in a maintenance boot, README "Sealing a
 * device"), ops' own pushes, and Citadel's module itself (its state).
 */
const char *const protect_defaults[] = {
	/* Citadel: policy, keys, settings, state, units, scripts */
	"/etc/citadel/", "/etc/default/citadel", "/var/lib/citadel/",
	"/etc/init.d/citadel", "/etc/systemd/system/",
	"/etc/systemd/system-generators/",
	/* the system that boots: binaries, libraries, modules, DKMS trees */
	"/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/var/lib/dkms/",
	"/etc/modprobe.d/", "/etc/ld.so.preload", "/etc/ld.so.conf",
	"/etc/ld.so.conf.d/", "/etc/ld.so.cache", "/etc/fstab",
	"/etc/initramfs-tools/",
	/* the kernel, its command line and the boot loader */
	"/boot/", "/etc/default/grub", "/etc/default/grub.d/",
	"/etc/kernel/",
	/* the EFI system partition, its own filesystem (protect.c) */
	"/boot/efi/", "/efi/",
	NULL,
};

int policy_add_protect_defaults(struct policy *pol)
{
	struct src_loc none = { 0 };
	size_t i;

	for (i = 0; protect_defaults[i]; i++)
		if (policy_add_protect(pol, protect_defaults[i],
				       strlen(protect_defaults[i]), &none))
			return -ENOMEM;
	return 0;
}

const char *proto_name(unsigned int proto)
{
	switch (proto) {
	case CPOL_PROTO_TCP:
		return "tcp";
	case CPOL_PROTO_UDP:
		return "udp";
	default:
		return NULL;
	}
}

#define CMP(a, b) do { if ((a) != (b)) return (a) < (b) ? -1 : 1; } while (0)

int path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r < 0 ? -1 : 1;
	CMP(alen, blen);
	return 0;
}

int net_rule_cmp_key(const struct net_rule *a, const struct net_rule *b)
{
	int r;

	CMP(a->scope, b->scope);
	r = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (r)
		return r < 0 ? -1 : 1;
	CMP(a->prefix, b->prefix);
	CMP(a->proto, b->proto);
	CMP(a->port_lo, b->port_lo);
	CMP(a->port_hi, b->port_hi);
	return 0;
}

int exec_rule_cmp_key(const struct exec_rule *a, const struct exec_rule *b)
{
	int r = path_cmp(a->path, a->len, b->path, b->len);

	if (r)
		return r;
	CMP(a->scope, b->scope);
	CMP(a->has_hash, b->has_hash);
	r = memcmp(a->sha256, b->sha256, sizeof(a->sha256));
	return r < 0 ? -1 : r > 0;
}

int lib_rule_cmp_key(const struct lib_rule *a, const struct lib_rule *b)
{
	return path_cmp(a->path, a->len, b->path, b->len);
}

static int loc_cmp(const struct src_loc *a, const struct src_loc *b)
{
	CMP(a->line, b->line);
	CMP(a->col, b->col);
	return 0;
}

/* Total orders: equal keys fall back to source order, so qsort is deterministic. */
static int net_cmp(const void *pa, const void *pb)
{
	const struct net_rule *a = pa, *b = pb;
	int r = net_rule_cmp_key(a, b);

	return r ? r : loc_cmp(&a->loc, &b->loc);
}

static int exec_cmp(const void *pa, const void *pb)
{
	const struct exec_rule *a = pa, *b = pb;
	int r = exec_rule_cmp_key(a, b);

	return r ? r : loc_cmp(&a->loc, &b->loc);
}

static int lib_cmp(const void *pa, const void *pb)
{
	const struct lib_rule *a = pa, *b = pb;
	int r = lib_rule_cmp_key(a, b);

	return r ? r : loc_cmp(&a->loc, &b->loc);
}

static int late_cmp(const void *pa, const void *pb)
{
	const struct late_diag *a = pa, *b = pb;
	int r = loc_cmp(&a->loc, &b->loc);

	if (r)
		return r;
	/* Same token (one line, several rules): keep the order they were found in. */
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void late_diag_free(struct late_diag_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].msg);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static __attribute__((format(printf, 4, 5))) int
late(struct late_diag_list *l, enum diag_level level,
	const struct src_loc *loc, const char *fmt, ...)
{
	struct late_diag *d;
	va_list ap;
	int n;

	if (grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
		return -ENOMEM;
	d = &l->v[l->n];
	d->level = level;
	d->loc = *loc;
	d->seq = l->n;
	va_start(ap, fmt);
	n = vasprintf(&d->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	l->n++;
	return 0;
}

/* " in service 'NAME'" for a service, nothing for the global scope. */
static void scope_suffix(const struct policy *pol, uint16_t scope,
			 char out[CPOL_SERVICE_NAME_MAX + 20])
{
	out[0] = '\0';
	if (scope && scope < pol->nscopes)
		snprintf(out, CPOL_SERVICE_NAME_MAX + 20, " in service '%s'",
			 pol->scopes[scope].name);
}

static int dup_warning(struct late_diag_list *out, const struct policy *pol,
		       const char *rule, uint16_t scope,
		       const struct src_loc *loc, uint32_t kept_line)
{
	char in[CPOL_SERVICE_NAME_MAX + 20];

	scope_suffix(pol, scope, in);
	return late(out, DIAG_WARNING, loc,
		    "duplicate rule '%s'%s (already at line %u); ignored",
		    rule, in, kept_line);
}

static int normalize_net(struct policy *pol, struct late_diag_list *out)
{
	char rule[RULE_STR_MAX];
	size_t i, k;
	int l;

	for (l = 0; l < NET_LISTS; l++) {
		struct rule_list *rl = &pol->net[l];

		if (!rl->n)
			continue;
		qsort(rl->v, rl->n, sizeof(*rl->v), net_cmp);
		for (i = 1, k = 1; i < rl->n; i++) {
			if (net_rule_cmp_key(&rl->v[k - 1], &rl->v[i])) {
				rl->v[k++] = rl->v[i];
				continue;
			}
			net_rule_format(&rl->v[i], (enum net_list)l, rule);
			if (dup_warning(out, pol, rule, rl->v[i].scope,
					&rl->v[i].loc, rl->v[k - 1].loc.line))
				return -ENOMEM;
		}
		rl->n = k;
	}
	return 0;
}

/*
 * A path may be the entry of one service only: the label a program gets
 * must not depend on rule order. The service that names it first in the
 * source keeps it; every other service's rule for it is an error.
 */
static int entry_conflicts(struct policy *pol, struct late_diag_list *out)
{
	const struct exec_list *el = &pol->exec;
	size_t i, j, end, owner;

	for (i = 0; i < el->n; i = end) {
		for (end = i + 1; end < el->n &&
		     !path_cmp(el->v[i].path, el->v[i].len, el->v[end].path,
			       el->v[end].len); end++)
			;
		owner = el->n;
		for (j = i; j < end; j++)
			if (el->v[j].scope &&
			    (owner == el->n ||
			     loc_cmp(&el->v[j].loc, &el->v[owner].loc) < 0))
				owner = j;
		if (owner == el->n)
			continue;
		for (j = i; j < end; j++) {
			const struct exec_rule *r = &el->v[j];

			if (!r->scope || r->scope == el->v[owner].scope)
				continue;
			if (late(out, DIAG_ERROR, &r->loc,
				 "'%s' is already an entry of service '%s' (line %u): a program can start only one service",
				 r->path, pol->scopes[el->v[owner].scope].name,
				 el->v[owner].loc.line))
				return -ENOMEM;
		}
	}
	return 0;
}

static int normalize_exec(struct policy *pol, struct late_diag_list *out)
{
	struct exec_list *el = &pol->exec;
	char rule[RULE_STR_MAX];
	size_t i, k;

	if (!el->n)
		return 0;
	qsort(el->v, el->n, sizeof(*el->v), exec_cmp);
	for (i = 1, k = 1; i < el->n; i++) {
		if (exec_rule_cmp_key(&el->v[k - 1], &el->v[i])) {
			el->v[k++] = el->v[i];
			continue;
		}
		exec_rule_format(&el->v[i], rule);
		if (dup_warning(out, pol, rule, el->v[i].scope, &el->v[i].loc,
				el->v[k - 1].loc.line))
			return -ENOMEM;
		free(el->v[i].path);
	}
	el->n = k;
	return entry_conflicts(pol, out);
}

static int normalize_libs(struct policy *pol, struct late_diag_list *out)
{
	struct lib_list *ll = &pol->libs;
	char rule[RULE_STR_MAX];
	size_t i, k;

	if (!ll->n)
		return 0;
	qsort(ll->v, ll->n, sizeof(*ll->v), lib_cmp);
	for (i = 1, k = 1; i < ll->n; i++) {
		if (lib_rule_cmp_key(&ll->v[k - 1], &ll->v[i])) {
			ll->v[k++] = ll->v[i];
			continue;
		}
		lib_rule_format(&ll->v[i], rule);
		if (dup_warning(out, pol, rule, 0, &ll->v[i].loc,
				ll->v[k - 1].loc.line))
			return -ENOMEM;
		free(ll->v[i].path);
	}
	ll->n = k;
	return 0;
}

/*
 * Sorted by path, duplicates dropped; a rule that repeats a default
 * keeps its own line and is no mistake, so it is not warned about.
 */
static int normalize_protect(struct policy *pol, struct late_diag_list *out)
{
	struct lib_list *ll = &pol->protect;
	char rule[RULE_STR_MAX];
	size_t i, k;

	if (!ll->n)
		return 0;
	qsort(ll->v, ll->n, sizeof(*ll->v), lib_cmp);
	for (i = 1, k = 1; i < ll->n; i++) {
		if (lib_rule_cmp_key(&ll->v[k - 1], &ll->v[i])) {
			ll->v[k++] = ll->v[i];
			continue;
		}
		if (!ll->v[k - 1].loc.line) {
			free(ll->v[k - 1].path);
			ll->v[k - 1] = ll->v[i];
			continue;
		}
		protect_rule_format(&ll->v[i], rule);
		if (dup_warning(out, pol, rule, 0, &ll->v[i].loc,
				ll->v[k - 1].loc.line))
			return -ENOMEM;
		free(ll->v[i].path);
	}
	ll->n = k;
	return 0;
}

int policy_normalize(struct policy *pol, struct late_diag_list *out)
{
	memset(out, 0, sizeof(*out));
	if (normalize_exec(pol, out) || normalize_libs(pol, out) ||
	    normalize_protect(pol, out) ||
	    normalize_net(pol, out))
		return -ENOMEM;
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), late_cmp);
	return 0;
}

static void format_ports(char *out, size_t size, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		snprintf(out, size, "%u", lo);
	else
		snprintf(out, size, "%u-%u", lo, hi);
}

void net_rule_format(const struct net_rule *r, enum net_list l,
		     char out[RULE_STR_MAX])
{
	struct net_addr a = { .family = net_list_v4(l) ? 4 : 6,
			      .prefix = r->prefix };
	const char *proto = proto_name(r->proto);
	char addr[ADDR_STR_MAX], ports[16];

	memcpy(a.addr, r->addr, sizeof(a.addr));
	addr_format(&a, addr);
	format_ports(ports, sizeof(ports), r->port_lo, r->port_hi);
	if (net_list_listen(l))
		snprintf(out, RULE_STR_MAX, "listen %s %s on %s",
			 proto ? proto : "?", ports, addr);
	else if (r->port_lo == 0 && r->port_hi == 65535)
		snprintf(out, RULE_STR_MAX, "connect %s %s",
			 proto ? proto : "?", addr);
	else
		snprintf(out, RULE_STR_MAX, "connect %s %s port %s",
			 proto ? proto : "?", addr, ports);
}

void hash_hex(const uint8_t sha256[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[sha256[i] >> 4];
		out[2 * i + 1] = hex[sha256[i] & 15];
	}
	out[64] = '\0';
}

void exec_rule_format(const struct exec_rule *r, char out[RULE_STR_MAX])
{
	char hex[65];

	if (!r->has_hash) {
		snprintf(out, RULE_STR_MAX, "exec %s", r->path);
		return;
	}
	hash_hex(r->sha256, hex);
	snprintf(out, RULE_STR_MAX, "exec %s sha256:%s", r->path, hex);
}

void lib_rule_format(const struct lib_rule *r, char out[RULE_STR_MAX])
{
	snprintf(out, RULE_STR_MAX, "libs %s", r->path);
}

void protect_rule_format(const struct lib_rule *r, char out[RULE_STR_MAX])
{
	snprintf(out, RULE_STR_MAX, "protect %s", r->path);
}

/* The four default families first, then the others in AF order. */
const struct family_name family_names[] = {
	{ "unix", 1 }, { "inet", 2 }, { "inet6", 10 }, { "netlink", 16 },
	{ "packet", 17 }, { "raw", CPOL_FAM_RAW }, { "ax25", 3 },
	{ "appletalk", 5 }, { "x25", 9 }, { "key", 15 }, { "rds", 21 },
	{ "llc", 26 }, { "can", 29 }, { "tipc", 30 }, { "bluetooth", 31 },
	{ "rxrpc", 33 }, { "isdn", 34 }, { "phonet", 35 },
	{ "ieee802154", 36 }, { "caif", 37 }, { "alg", 38 }, { "nfc", 39 },
	{ "vsock", 40 }, { "kcm", 41 }, { "qipcrtr", 42 }, { "smc", 43 },
	{ "xdp", 44 }, { "mctp", 45 },
};
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
const size_t n_family_names = ARRAY_SIZE(family_names);

const struct netconf_name netconf_names[] = {
	{ "route", CPOL_SCOPE_F_NETCONF_ROUTE },
	{ "xfrm", CPOL_SCOPE_F_NETCONF_XFRM },
	{ "netfilter", CPOL_SCOPE_F_NETCONF_NETFILTER },
	{ "generic", CPOL_SCOPE_F_NETCONF_GENERIC },
};

const size_t n_netconf_names = ARRAY_SIZE(netconf_names);

int family_bit(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n_family_names; i++)
		if (strlen(family_names[i].name) == len &&
		    !memcmp(family_names[i].name, s, len))
			return (int)family_names[i].bit;
	return -1;
}

const char *family_name(unsigned int bit)
{
	size_t i;

	for (i = 0; i < n_family_names; i++)
		if (family_names[i].bit == bit)
			return family_names[i].name;
	return NULL;
}

const char *path_defect(const char *p, size_t len)
{
	size_t i;

	if (!len || p[0] != '/')
		return "is not absolute";
	if (len > CPOL_PATH_MAX)
		return "is too long";
	if (memchr(p, '\0', len))
		return "contains a NUL byte";
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

bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}
