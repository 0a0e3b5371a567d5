// SPDX-License-Identifier: GPL-2.0-only
/*
 * The destination lookup of net_lookup.h as a function, for the host
 * tests and fuzzers of the policy builder. The module inlines the lookup
 * into its hooks (net.c) and does not build this file.
 */
#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "host_shim.h"
#endif
#include "net_lookup.h"

/* The lookup out of line, for the policy builder's tests. */
bool citadel_net_match(const struct citadel_net_table *t,
		       const struct citadel_addr *addr, u16 port, u32 *line)
{
	return citadel_net_lookup(t, addr, port, line);
}
