// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Address parsing and printing for the policy compiler and dump. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				      0xff, 0xff };

static __attribute__((format(printf, 4, 5))) int
fail(struct addr_error *e, size_t off, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->off = (uint32_t)off;
	e->len = (uint32_t)(len ? len : 1);
	return -1;
}

unsigned int addr_bits(const struct net_addr *a)
{
	return a->family == 4 ? 32 : 128;
}

static void clear_host_bits(struct net_addr *a)
{
	unsigned int bits = addr_bits(a), i;

	for (i = a->prefix; i < bits; i++)
		a->addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

int addr_host_bits_clear(const struct net_addr *a)
{
	struct net_addr m = *a;

	clear_host_bits(&m);
	return !memcmp(m.addr, a->addr, sizeof(a->addr));
}

/*
 * Dotted quad, four decimal parts of 0..255. Leading zeros are refused:
 * inet_aton() and many tools read "010" as octal 8.
 */
static bool parse_v4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned int v = 0, digits = 0;

		if (part) {
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (digits && v == 0)
				return false;
			v = v * 10 + (unsigned int)(s[i] - '0');
			if (v > 255)
				return false;
			digits++;
			i++;
		}
		if (!digits)
			return false;
		out[part] = (uint8_t)v;
	}
	return i == len;
}

static bool has_leading_zero(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (s[i] == '0' && (i == 0 || s[i - 1] == '.') &&
		    s[i + 1] >= '0' && s[i + 1] <= '9')
			return true;
	return false;
}

static bool all_of(const char *s, size_t len, const char *set)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr(set, s[i]) || !s[i])
			return false;
	return true;
}

int addr_parse(const char *s, size_t len, struct net_addr *out,
	       struct addr_error *e)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned int bits, prefix = 0;
	size_t i, plen;

	memset(out, 0, sizeof(*out));
	if (!alen)
		return fail(e, 0, len, "missing address before the prefix length in '%.*s'",
			    (int)len, s);
	if (memchr(s, ':', alen)) {
		bool ok = alen < sizeof(buf) &&
			  all_of(s, alen, "0123456789abcdefABCDEF:.");

		if (ok) {
			memcpy(buf, s, alen);
			buf[alen] = '\0';
			ok = inet_pton(AF_INET6, buf, out->addr) == 1;
		}
		if (!ok)
			return fail(e, 0, alen, "invalid IPv6 address '%.*s'",
				    (int)alen, s);
		out->family = 6;
	} else if (all_of(s, alen, "0123456789.")) {
		if (!parse_v4(s, alen, out->addr))
			return fail(e, 0, alen, "invalid IPv4 address '%.*s'%s",
				    (int)alen, s,
				    has_leading_zero(s, alen) ?
				    ": leading zeros are ambiguous (octal to some tools)" :
				    "");
		out->family = 4;
	} else {
		return fail(e, 0, alen, "invalid address '%.*s': expected an IPv4 or IPv6 address or CIDR, or 'any' (host names are not resolved)",
			    (int)alen, s);
	}
	bits = addr_bits(out);
	prefix = bits;
	if (slash) {
		plen = len - alen - 1;
		if (!plen || plen > 3 || !all_of(slash + 1, plen, "0123456789"))
			return fail(e, alen, len - alen,
				    "invalid prefix length '%.*s': expected /0 to /%u",
				    (int)(len - alen), slash, bits);
		prefix = 0;
		for (i = 0; i < plen; i++)
			prefix = prefix * 10 + (unsigned int)(slash[1 + i] - '0');
		if (prefix > bits)
			return fail(e, alen, len - alen,
				    "prefix length /%u is out of range for IPv%u (0-%u)",
				    prefix, out->family, bits);
	}
	out->prefix = (uint8_t)prefix;
	if (out->family == 6 && !memcmp(out->addr, v4mapped, sizeof(v4mapped))) {
		if (prefix < 96)
			return fail(e, 0, len,
				    "IPv4-mapped prefix '%.*s' is shorter than /96: mapped addresses are matched as IPv4, so write the IPv4 rule instead",
				    (int)len, s);
		/* Matched as IPv4 by the kernel, so compiled as IPv4. */
		out->family = 4;
		out->prefix = (uint8_t)(prefix - 96);
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
	}
	if (!addr_host_bits_clear(out)) {
		struct net_addr fixed = *out;
		char hint[ADDR_STR_MAX];

		clear_host_bits(&fixed);
		addr_format(&fixed, hint);
		return fail(e, 0, len, "%.*s has host bits set; did you mean %s?",
			    (int)len, s, hint);
	}
	return 0;
}

/* RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups as "::". */
static void format_v6(const uint8_t a[16], char *out)
{
	int best = -1, best_len = 0, run = -1, run_len = 0, i;
	unsigned int g[8];
	char *p = out;

	for (i = 0; i < 8; i++) {
		g[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
		if (!g[i]) {
			if (run < 0) {
				run = i;
				run_len = 0;
			}
			run_len++;
			if (run_len > best_len) {
				best = run;
				best_len = run_len;
			}
		} else {
			run = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			*p++ = ':';
			i += best_len - 1;
			continue;
		}
		if (i && i != best + best_len)
			*p++ = ':';
		p += sprintf(p, "%x", g[i]);
	}
	*p = '\0';
}

void addr_format(const struct net_addr *a, char out[ADDR_STR_MAX])
{
	size_t n;

	if (a->family == 4)
		sprintf(out, "%u.%u.%u.%u", a->addr[0], a->addr[1], a->addr[2],
			a->addr[3]);
	else
		format_v6(a->addr, out);
	n = strlen(out);
	if (a->prefix != addr_bits(a))
		snprintf(out + n, ADDR_STR_MAX - n, "/%u", a->prefix);
}
