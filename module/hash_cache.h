/* SPDX-License-Identifier: GPL-2.0-only */
/* sha256 of executables, computed in the kernel and cached per inode. */
#ifndef CITADEL_HASH_CACHE_H
#define CITADEL_HASH_CACHE_H

#include <linux/fs.h>

/* Files larger than this are not hashed: a hash rule denies them. */
#define CITADEL_HASH_MAX_SIZE	(256ll << 20)

int citadel_file_sha256(struct file *file, u8 out[32]);
bool citadel_file_sha256_cached(struct file *file, u8 out[32]);
void citadel_hash_invalidate(struct inode *inode);
void citadel_hash_exit(void);

#endif /* CITADEL_HASH_CACHE_H */
