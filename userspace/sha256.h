/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SHA-256 (FIPS 180-4), for the digest citadelctl shows next to the one
 * the module reports. Own code rather than libcrypto: a static libcrypto
 * drags in dlopen() and its config loading for one hash.
 */
#ifndef CITADELCTL_SHA256_H
#define CITADELCTL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN	32
#define SHA256_HEX_LEN		(2 * SHA256_DIGEST_LEN + 1)

void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN]);
/* Lowercase hex of the digest, as the module prints it in status. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);

#endif
