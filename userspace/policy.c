// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The in-memory policy: rule lists, canonical order, duplicates. */
#include <errno.h>
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
	int f;

	for (f = 0; f < NET_FAMILIES; f++)
		free(pol->net[f].v);
	memset(pol, 0, sizeof(*pol));
}

int policy_add_net(struct policy *pol, enum net_family fam,
		   const struct net_rule *r)
{
	struct rule_list *l = &pol->net[fam];

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct net_rule *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *r;
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

int net_rule_cmp_key(const struct net_rule *a, const struct net_rule *b)
{
	int r = memcmp(a->addr, b->addr, sizeof(a->addr));

	if (r)
		return r < 0 ? -1 : 1;
	CMP(a->prefix, b->prefix);
	CMP(a->proto, b->proto);
	CMP(a->port_lo, b->port_lo);
	CMP(a->port_hi, b->port_hi);
	CMP(a->scope, b->scope);
	return 0;
}

static int loc_cmp(const struct src_loc *a, const struct src_loc *b)
{
	CMP(a->line, b->line);
	CMP(a->col, b->col);
	return 0;
}

/* Total order: equal keys fall back to source order, so qsort is deterministic. */
static int rule_cmp(const void *pa, const void *pb)
{
	const struct net_rule *a = pa, *b = pb;
	int r = net_rule_cmp_key(a, b);

	return r ? r : loc_cmp(&a->loc, &b->loc);
}

static int dup_cmp(const void *pa, const void *pb)
{
	const struct dup_rule *a = pa, *b = pb;

	int r = loc_cmp(&a->dropped.loc, &b->dropped.loc);

	return r ? r : (int)a->fam - (int)b->fam;
}

int policy_normalize(struct policy *pol, struct dup_list *dups)
{
	size_t i, out, cap = 0;
	struct dup_rule *d;
	int f;

	dups->v = NULL;
	dups->n = 0;
	for (f = 0; f < NET_FAMILIES; f++) {
		struct rule_list *l = &pol->net[f];

		if (!l->n)
			continue;
		qsort(l->v, l->n, sizeof(*l->v), rule_cmp);
		for (i = 1, out = 1; i < l->n; i++) {
			if (net_rule_cmp_key(&l->v[out - 1], &l->v[i])) {
				l->v[out++] = l->v[i];
				continue;
			}
			if (dups->n == cap) {
				cap = cap ? cap * 2 : 16;
				d = realloc(dups->v, cap * sizeof(*d));
				if (!d)
					return -ENOMEM;
				dups->v = d;
			}
			dups->v[dups->n].dropped = l->v[i];
			dups->v[dups->n].fam = (enum net_family)f;
			dups->v[dups->n].kept_line = l->v[out - 1].loc.line;
			dups->n++;
		}
		l->n = out;
	}
	if (dups->n)
		qsort(dups->v, dups->n, sizeof(*dups->v), dup_cmp);
	return 0;
}

void net_rule_format(const struct net_rule *r, enum net_family fam,
		     char out[RULE_STR_MAX])
{
	struct net_addr a = { .family = fam == NET_IPV4 ? 4 : 6,
			      .prefix = r->prefix };
	const char *proto = proto_name(r->proto);
	char addr[ADDR_STR_MAX];
	int n;

	memcpy(a.addr, r->addr, sizeof(a.addr));
	addr_format(&a, addr);
	n = snprintf(out, RULE_STR_MAX, "connect %s %s",
		     proto ? proto : "?", addr);
	if (r->port_lo == 0 && r->port_hi == 65535)
		return;
	if (r->port_lo == r->port_hi)
		snprintf(out + n, RULE_STR_MAX - (size_t)n, " port %u",
			 r->port_lo);
	else
		snprintf(out + n, RULE_STR_MAX - (size_t)n, " port %u-%u",
			 r->port_lo, r->port_hi);
}
