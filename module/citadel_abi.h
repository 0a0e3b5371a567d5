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
#define CPOL_F_ALL		(CPOL_F_AUDIT | CPOL_F_FILELESS | \
				 CPOL_F_REQUIRE_SIGNED)

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
	CPOL_SEC_STRINGS = 3,	/* char[] : NUL-terminated strings, entry size 1 */
	CPOL_SEC_SCOPES = 4,	/* struct cpol_scope[] : 0 global, i > 0 services */
	CPOL_SEC_EXEC = 5,	/* struct cpol_exec[] : exec allowlist and entries */
	CPOL_SEC_LIBS = 6,	/* struct cpol_lib[] : where PROT_EXEC maps may come from */
	CPOL_SEC_LISTEN4 = 7,	/* struct cpol_net4[] : bind/listen, local IPv4 */
	CPOL_SEC_LISTEN6 = 8,	/* struct cpol_net6[] : bind/listen, local IPv6 */
	CPOL_SEC_PROTECT = 9,	/* struct cpol_protect[] : kept from change once sealed */
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

/*
 * Scope 0 is the global scope; scope i > 0 is entry i of the SCOPES
 * section (a service). Without a SCOPES section only scope 0 exists.
 */
#define CPOL_SCOPE_GLOBAL	0
#define CPOL_MAX_SCOPES		4096

/* Header flag: fileless exec (memfd, O_TMPFILE, deleted files) allowed. */
#define CPOL_F_FILELESS		(1u << 1)

/*
 * Scope flags. AUDIT is for services only; the NETCONF allowances (once
 * sealed, the scope may change this part of the network configuration:
 * module/netconf.c) are for the global scope too.
 */
#define CPOL_SCOPE_F_AUDIT	(1u << 0)	/* this service in audit mode */
#define CPOL_SCOPE_F_NETCONF_ROUTE	(1u << 1)	/* netconf route */
#define CPOL_SCOPE_F_NETCONF_XFRM	(1u << 2)	/* netconf xfrm */
#define CPOL_SCOPE_F_NETCONF_NETFILTER	(1u << 3)	/* netconf netfilter */
#define CPOL_SCOPE_F_NETCONF_GENERIC	(1u << 4)	/* netconf generic */
#define CPOL_SCOPE_F_NETCONF	(CPOL_SCOPE_F_NETCONF_ROUTE | \
				 CPOL_SCOPE_F_NETCONF_XFRM | \
				 CPOL_SCOPE_F_NETCONF_NETFILTER | \
				 CPOL_SCOPE_F_NETCONF_GENERIC)
#define CPOL_SCOPE_F_ALL	(CPOL_SCOPE_F_AUDIT | CPOL_SCOPE_F_NETCONF)

/*
 * Socket families a scope may create: bit n for address family n (AF_*),
 * plus CPOL_FAM_RAW for SOCK_RAW in AF_INET/AF_INET6. A task may use the
 * families of the global scope and of its service. Without a SCOPES
 * section the global scope has CPOL_FAM_DEFAULT.
 */
#define CPOL_FAM_RAW		63
#define CPOL_FAM_DEFAULT	((1ull << 1) | (1ull << 2) | (1ull << 10) | \
				 (1ull << 16))	/* unix inet inet6 netlink */

/* Longest path in an exec or libs rule, without the NUL. */
#define CPOL_PATH_MAX		4095
#define CPOL_SERVICE_NAME_MAX	63

struct cpol_scope {
	__le64 id;		/* FNV-1a 64 of the name; 0 for the global scope */
	__le32 name_off;	/* into STRINGS; "global" for scope 0 */
	__le32 name_len;
	__le32 flags;		/* CPOL_SCOPE_F_* */
	__le32 reserved;	/* must be zero */
	__le64 families;	/* bit set, see CPOL_FAM_* */
};

/*
 * An exec rule. Scope 0: a global helper (allowed, keeps the caller's
 * label). Scope i: an entry of service i (gives the label). A path ending
 * in '/' is a directory prefix (no hash allowed then). Paths are absolute
 * and canonical: no "//", "/./", "/../", no trailing "/." or "/..".
 */
struct cpol_exec {
	__le32 path_off;	/* into STRINGS */
	__le32 path_len;	/* 1..CPOL_PATH_MAX */
	__le16 scope;
	__u8 has_hash;		/* 0 or 1 */
	__u8 reserved;		/* must be zero */
	__le32 line;
	__u8 sha256[32];	/* all zero unless has_hash */
};

/* A library location: a directory prefix ending in '/' or a file. */
struct cpol_lib {
	__le32 path_off;
	__le32 path_len;
	__le32 line;
	__le32 reserved;	/* must be zero */
};

/* Service ids: FNV-1a 64 over the name's bytes. */
#define CPOL_FNV64_OFFSET	0xcbf29ce484222325ull
#define CPOL_FNV64_PRIME	0x100000001b3ull

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

/*
 * A trial load: this header then the blob, in one write() to the "trial"
 * file. The previous policy comes back after @seconds unless confirmed.
 */
#define CPOL_TRIAL_MAGIC	0x4c525443u	/* "CTRL" as little-endian */
#define CPOL_TRIAL_MAX_SECS	86400

struct cpol_trial {
	__le32 magic;
	__le32 seconds;		/* 1..CPOL_TRIAL_MAX_SECS */
};

/*
 * A signed policy: the blob, then a detached PKCS#7 signature (DER) over
 * exactly the blob's bytes, then this trailer, as the last 32 bytes
 * (the same idea as kernel module signatures). The kernel verifies the
 * signature against the certificates enrolled in its .citadel keyring.
 */
#define CPOL_SIG_MAGIC		"~Citadel policy signature~\n"	/* 27 + NUL */
#define CPOL_SIG_MAGIC_LEN	28
#define CPOL_SIG_MAX		(64u << 10)

struct cpol_sig_trailer {
	__le32 sig_len;		/* bytes of PKCS#7 before this trailer */
	char magic[CPOL_SIG_MAGIC_LEN];	/* CPOL_SIG_MAGIC, NUL-padded */
};

/*
 * The seal: this header then @nlinks link fds (in the writer's fd table),
 * in one write() to the "seal" file. One way until reboot.
 */
#define CPOL_SEAL_MAGIC		0x4c414553u	/* "SEAL" as little-endian */
#define CPOL_SEAL_MAX_LINKS	64

struct cpol_seal {
	__le32 magic;
	__le32 nlinks;		/* 1..CPOL_SEAL_MAX_LINKS; __le32 fds follow */
};

/* Header flag: once this policy is loaded, only signed policies load. */
#define CPOL_F_REQUIRE_SIGNED	(1u << 2)

/*
 * A path that, once sealed, nobody may change: a file, or a directory
 * prefix ending in '/' (the directory and everything below it). Paths
 * are absolute and canonical like exec paths; sorted by bytes, no
 * duplicates. The module resolves them from PID 1's root at seal time
 * and at each load while sealed, and decides on the inodes they name
 * (module/protect.c), never on a path string the caller controls.
 */
#define CPOL_MAX_PROTECT	1024

struct cpol_protect {
	__le32 path_off;	/* into STRINGS */
	__le32 path_len;	/* 1..CPOL_PATH_MAX */
	__le32 line;		/* 0: a default the compiler added */
	__le32 reserved;	/* must be zero */
};

/*
 * What a sealed module keeps on disk, in its own state directory (the
 * files are protected; only the module writes them, module/persist.c):
 * "floor" is one line "NAME VERSION\n", the newest policy in force while
 * sealed, below which citadel-boot loads nothing; "sealed" marks a
 * device that was ever sealed (its fallback is lockdown, not open);
 * "last-good.cpol" is the signed blob of the last load while sealed.
 */
#define CPOL_STATE_DIR		"/var/lib/citadel"
#define CPOL_FLOOR_FILE		"floor"
#define CPOL_SEALED_FILE	"sealed"
#define CPOL_LAST_GOOD_FILE	"last-good.cpol"

#define CPOL_HEADER_SIZE	96
#define CPOL_SECTION_SIZE	16
#define CPOL_NET4_SIZE		16
#define CPOL_NET6_SIZE		32
#define CPOL_SCOPE_SIZE		32
#define CPOL_EXEC_SIZE		48
#define CPOL_LIB_SIZE		16
#define CPOL_PROTECT_SIZE	16

#endif /* CITADEL_ABI_H */
