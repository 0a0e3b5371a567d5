// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lookups by path and by service label in a built policy. Called from
 * LSM hooks: no allocation, no sleeping, binary searches only.
 */
#ifdef __KERNEL__
#include <linux/string.h>
#include <linux/types.h>
#else
#include "host_shim.h"
#endif
#include "policy.h"

u64 citadel_fnv64(const char *s, u32 len)
{
	u64 h = CPOL_FNV64_OFFSET;
	u32 i;

	for (i = 0; i < len; i++) {
		h ^= (u8)s[i];
		h *= CPOL_FNV64_PRIME;
	}
	return h;
}

/**
 * citadel_path_lookup() - the entry for exactly @path in @t
 * @t: an exec or libs table
 * @path: the path, not necessarily NUL-terminated
 * @len: its length
 *
 * Return: the entry, or NULL.
 */
const struct citadel_path_entry *
citadel_path_lookup(const struct citadel_path_table *t, const char *path,
		    u32 len)
{
	u32 lo = 0, hi = t->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int r = citadel_path_cmp(t->e[mid].path, t->e[mid].len, path, len);

		if (!r)
			return &t->e[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

