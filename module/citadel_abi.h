/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Citadel policy blob ABI, shared by the module, citadelctl and the tests.
 *
 * A blob is one header, a table of sections, then the section payloads.
 * All integers are little-endian; addresses are in network byte order.
 * Every offset is from the start of the blob. The module validates all of
 * it before a policy takes effect (module/policy_parse.c).
 */
#ifndef CITADEL_ABI_H
#define CITADEL_ABI_H

#include <linux/types.h>

#define CPOL_MAGIC		0x4c4f5043u	/* "CPOL" as little-endian */
#define CPOL_ABI_VERSION	1
#define CPOL_NAME_MAX		64		/* including the NUL */
#define CPOL_MAX_BLOB		(16u << 20)	/* larger writes: E2BIG */
#define CPOL_MAX_SECTIONS	16
#define CPOL_MAX_RULES		(1u << 20)	/* per section */
#define CPOL_SECTION_ALIGN	8

/* Header flags. */
#define CPOL_F_AUDIT		(1u << 0)	/* log would-deny, allow */
#define CPOL_F_ALL		(CPOL_F_AUDIT)

struct cpol_header {
	__le32 magic;
	__le16 abi_version;
	__le16 header_size;	/* == sizeof(struct cpol_header) */
	__le32 total_size;	/* of the whole blob */
	__le32 flags;		/* CPOL_F_* */
	__le64 policy_version;
	__le32 section_count;	/* entries in the table after the header */
	__le32 reserved;	/* must be zero */
	char name[CPOL_NAME_MAX];	/* NUL-terminated, NUL-padded */
};

enum cpol_section_type {
	CPOL_SEC_NET4 = 1,	/* struct cpol_net4[] : outbound IPv4 rules */
	CPOL_SEC_NET6 = 2,	/* struct cpol_net6[] : outbound IPv6 rules */
};

struct cpol_section {
	__le32 type;		/* enum cpol_section_type, each at most once */
	__le32 offset;		/* CPOL_SECTION_ALIGN-aligned, past the table */
	__le32 size;		/* == count * entry size */
	__le32 count;
};

enum cpol_proto {
	CPOL_PROTO_TCP = 1,
	CPOL_PROTO_UDP = 2,
};

/* Scope 0 is the global scope; other values are reserved for services. */
#define CPOL_SCOPE_GLOBAL	0

struct cpol_net4 {
	__u8 addr[4];		/* network order; host bits must be zero */
	__u8 prefix;		/* 0..32 */
	__u8 proto;		/* enum cpol_proto */
	__le16 scope;
	__le16 port_lo;		/* inclusive, port_lo <= port_hi */
	__le16 port_hi;
	__le32 line;		/* source line, reported in events */
};

struct cpol_net6 {
	__u8 addr[16];		/* network order; host bits must be zero */
	__u8 prefix;		/* 0..128 */
	__u8 proto;
	__le16 scope;
	__le16 port_lo;
	__le16 port_hi;
	__le32 line;
	__le32 reserved;	/* must be zero */
};

#define CPOL_HEADER_SIZE	96
#define CPOL_SECTION_SIZE	16
#define CPOL_NET4_SIZE		16
#define CPOL_NET6_SIZE		32

/* Decisions returned by the kfuncs to the BPF programs. */
#define CITADEL_ALLOW		0
#define CITADEL_DENY		1

#endif /* CITADEL_ABI_H */
