/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Just enough of the kernel API to build the policy parser and matchers
 * as userspace code for the host unit tests and the fuzz target. Never
 * included by the module itself.
 */
#ifndef CITADEL_HOST_SHIM_H
#define CITADEL_HOST_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define GFP_KERNEL 0
#define kvcalloc(n, size, gfp) calloc((n), (size))
#define kvzalloc(size, gfp) calloc(1, (size))
#define kzalloc(size, gfp) calloc(1, (size))
#define kvfree(p) free(p)
#define kfree(p) free(p)
#define le16_to_cpu(x) ((u16)(x))
#define le32_to_cpu(x) ((u32)(x))
#define le64_to_cpu(x) ((u64)(x))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
/* The kernel build checks the format strings. */
#define __printf(a, b)
#define unlikely(x) __builtin_expect(!!(x), 0)

static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *), void *swap)
{
	(void)swap;
	qsort(base, num, size, cmp);
}

#endif /* CITADEL_HOST_SHIM_H */
