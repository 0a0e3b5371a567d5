// SPDX-License-Identifier: GPL-2.0-only
/*
 * sha256 of executables, computed in the kernel and cached per inode so
 * that only the first exec of a file pays for reading it.
 *
 * Why a cached hash stays true: exec holds deny_write_access() on the
 * file while it is hashed, so no writer exists then; any later writer
 * must open the file for writing or truncate it by path, and both hooks
 * drop the entry (citadel_hash_invalidate()). Renaming another file over
 * the path gives a new inode, hence a new key. As a second line, the
 * size and, where the filesystem keeps one, the i_version must not have
 * changed.
 */
#include "common.h"

#include <crypto/sha2.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/iversion.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "hash_cache.h"

#define CACHE_BITS	8
#define CACHE_MAX	4096
#define READ_CHUNK	(64 * 1024)

struct hash_entry {
	struct hlist_node node;
	struct list_head lru;
	dev_t dev;
	unsigned long ino;
	u32 gen;
	loff_t size;
	u64 iversion;		/* 0 when the filesystem keeps none */
	u8 digest[SHA256_DIGEST_SIZE];
};

static DEFINE_SPINLOCK(cache_lock);
static DEFINE_HASHTABLE(cache, CACHE_BITS);
static LIST_HEAD(cache_lru);
static unsigned int cache_count;

static u32 key_of(const struct inode *inode)
{
	return hash_long(inode->i_ino ^ inode->i_sb->s_dev, CACHE_BITS);
}

static u64 iversion_of(struct inode *inode)
{
	return IS_I_VERSION(inode) ? inode_query_iversion(inode) : 0;
}

/* Caller holds cache_lock. */
static struct hash_entry *find(const struct inode *inode)
{
	struct hash_entry *e;

	hash_for_each_possible(cache, e, node, key_of(inode))
		if (e->ino == inode->i_ino && e->dev == inode->i_sb->s_dev &&
		    e->gen == inode->i_generation)
			return e;
	return NULL;
}

static void drop(struct hash_entry *e)
{
	hash_del(&e->node);
	list_del(&e->lru);
	cache_count--;
	kfree(e);
}

bool citadel_file_sha256_cached(struct file *file, u8 out[32])
{
	struct inode *inode = file_inode(file);
	struct hash_entry *e;
	bool hit = false;

	spin_lock(&cache_lock);
	e = find(inode);
	if (e && e->size == i_size_read(inode) &&
	    e->iversion == iversion_of(inode)) {
		memcpy(out, e->digest, SHA256_DIGEST_SIZE);
		list_move(&e->lru, &cache_lru);
		hit = true;
	}
	spin_unlock(&cache_lock);
	return hit;
}

static int hash_file(struct file *file, u8 out[32])
{
	struct sha256_state st;
	loff_t pos = 0;
	ssize_t n;
	u8 *buf;

	buf = kmalloc(READ_CHUNK, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	sha256_init(&st);
	while ((n = kernel_read(file, buf, READ_CHUNK, &pos)) > 0) {
		sha256_update(&st, buf, n);
		cond_resched();
	}
	kfree(buf);
	if (n < 0)
		return n;
	sha256_final(&st, out);
	return 0;
}

/**
 * citadel_file_sha256() - the sha256 of a file being executed
 * @file: the file; may sleep
 * @out: receives the digest
 *
 * Return: 0, -EFBIG over CITADEL_HASH_MAX_SIZE, or a read error.
 */
int citadel_file_sha256(struct file *file, u8 out[32])
{
	struct inode *inode = file_inode(file);
	struct hash_entry *e, *old;
	int ret;

	if (citadel_file_sha256_cached(file, out))
		return 0;
	if (i_size_read(inode) > CITADEL_HASH_MAX_SIZE)
		return -EFBIG;
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->dev = inode->i_sb->s_dev;
	e->ino = inode->i_ino;
	e->gen = inode->i_generation;
	e->size = i_size_read(inode);
	e->iversion = iversion_of(inode);
	ret = hash_file(file, e->digest);
	if (ret) {
		kfree(e);
		return ret;
	}
	memcpy(out, e->digest, SHA256_DIGEST_SIZE);

	spin_lock(&cache_lock);
	old = find(inode);
	if (old)
		drop(old);
	hash_add(cache, &e->node, key_of(inode));
	list_add(&e->lru, &cache_lru);
	if (++cache_count > CACHE_MAX)
		drop(list_last_entry(&cache_lru, struct hash_entry, lru));
	spin_unlock(&cache_lock);
	return 0;
}

void citadel_hash_invalidate(struct inode *inode)
{
	struct hash_entry *e;

	spin_lock(&cache_lock);
	e = find(inode);
	if (e)
		drop(e);
	spin_unlock(&cache_lock);
}

void citadel_hash_exit(void)
{
	struct hash_entry *e, *tmp;

	spin_lock(&cache_lock);
	list_for_each_entry_safe(e, tmp, &cache_lru, lru)
		drop(e);
	spin_unlock(&cache_lock);
}
