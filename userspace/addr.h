/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* IPv4/IPv6 addresses and CIDR prefixes: parsing with precise errors, printing. */
#ifndef CITADELCTL_ADDR_H
#define CITADELCTL_ADDR_H

#include <stddef.h>
#include <stdint.h>

struct net_addr {
	uint8_t family;		/* 4 or 6 */
	uint8_t prefix;		/* 0..32 or 0..128 */
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
};

struct addr_error {
	char msg[256];
	uint32_t off;		/* the part of the text the error is about */
	uint32_t len;
};

/* "2001:db8::/32" plus room: the longest text addr_format() writes. */
#define ADDR_STR_MAX	64

/**
 * addr_parse() - parse "ADDR" or "ADDR/PREFIX"
 * @s: the text, not NUL-terminated
 * @len: its length
 * @out: the parsed address; host bits are zero on success
 * @e: on failure, the message and the span of @s it is about
 *
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, prefix >= 96) come back
 * as IPv4 with the prefix reduced by 96, because the kernel matches
 * mapped destinations as IPv4. Prefixes without a "/" are full length.
 *
 * Return: 0 or -1.
 */
int addr_parse(const char *s, size_t len, struct net_addr *out,
	       struct addr_error *e);

/* "a.b.c.d[/n]" or RFC 5952 IPv6 "[/n]"; the prefix only when not full. */
void addr_format(const struct net_addr *a, char out[ADDR_STR_MAX]);

/* Number of address bits of the family: 32 or 128. */
unsigned int addr_bits(const struct net_addr *a);

/* Whether bits past the prefix are zero. */
int addr_host_bits_clear(const struct net_addr *a);

#endif
