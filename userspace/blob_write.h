/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Emission of the canonical policy blob (module/citadel_abi.h): header,
 * section table, then one 8-aligned payload per non-empty section in
 * type order. STRINGS holds every path and scope name once, sorted by
 * bytes, each NUL-terminated. Same policy in, same bytes out.
 */
#ifndef CITADELCTL_BLOB_WRITE_H
#define CITADELCTL_BLOB_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* Size of the canonical blob of @pol (64-bit: it may exceed the limit). */
uint64_t blob_size(const struct policy *pol);

/* Size of its STRINGS section (UINT64_MAX if memory ran out). */
uint64_t blob_strings_size(const struct policy *pol);

/**
 * blob_build() - encode a normalised policy
 * @pol: the policy, after policy_normalize(), with at least the global scope
 * @out: receives a malloc()ed blob
 * @len: receives its size
 *
 * Return: 0; -E2BIG if a section or the blob is over the ABI limits;
 * -EINVAL if the policy has no name or no scope; -ENOMEM.
 */
int blob_build(const struct policy *pol, uint8_t **out, size_t *len);

#endif
