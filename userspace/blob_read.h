/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Decoding and defensive validation of a policy blob, for `citadelctl
 * dump`. It checks what the module checks (module/policy_parse.c,
 * policy_build_net.c, policy_build_path.c), each
 * defect named with its offset, decodes whatever is still readable, and
 * warns when a valid blob is not in the canonical form that `compile`
 * writes.
 */
#ifndef CITADELCTL_BLOB_READ_H
#define CITADELCTL_BLOB_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "citadel_abi.h"
#include "policy.h"
#include "sha256.h"

struct blob_issue {
	bool error;		/* else a warning: valid but not canonical */
	char msg[240];
};

struct blob_section_info {
	uint32_t type;
	uint32_t offset;
	uint32_t size;
	uint32_t count;
};

struct blob_info {
	size_t size;			/* bytes read */
	char digest[SHA256_HEX_LEN];	/* sha256 of all of them */
	bool header_ok;			/* the fields below were read */
	uint16_t abi_version;
	uint32_t total_size;
	uint32_t flags;
	uint64_t version;
	char name[CPOL_NAME_MAX + 1];	/* NUL-terminated even if the blob's is not */
	unsigned int nsec;
	struct blob_section_info sec[CPOL_MAX_SECTIONS];
	struct policy rules;		/* the scopes and rules that passed the checks */
	struct blob_issue *issues;
	size_t nissues;
	unsigned int errors;
};

/**
 * blob_decode() - validate and decode a blob
 * @blob: the bytes
 * @len: their number
 * @bi: receives what could be decoded and every issue found; free it
 *      with blob_info_free() in every case
 *
 * Return: 0 (look at @bi->errors), or -ENOMEM.
 */
int blob_decode(const uint8_t *blob, size_t len, struct blob_info *bi);
void blob_info_free(struct blob_info *bi);

const char *section_name(uint32_t type);

/* Entry size of a section type; 0 for an unknown type. */
uint32_t section_entry_size(uint32_t type);

/**
 * blob_sig_split() - find the signature trailer of a signed blob
 * @data: a blob, or a blob + PKCS#7 signature + struct cpol_sig_trailer
 * @len: its size
 * @blob_len: receives the size of the blob itself (@len if unsigned)
 * @sig_len: receives the size of the signature (0 if unsigned)
 *
 * Trusts nothing: the trailer must end @data and its length must leave
 * room for it, as the module checks (module/signature.c).
 *
 * Return: 1 signed, 0 unsigned (no trailer magic), -EINVAL for a trailer
 * whose length is 0, over CPOL_SIG_MAX or longer than what precedes it.
 */
int blob_sig_split(const uint8_t *data, size_t len, size_t *blob_len,
		   size_t *sig_len);

/* Whether the bytes look like policy text rather than a blob. */
bool blob_looks_like_text(const uint8_t *data, size_t len);

#endif
