// SPDX-License-Identifier: GPL-2.0-only
/*
 * Protected paths: once sealed, the files the next boot depends on (the
 * policy, the module, the boot script and its settings, the boot loader
 * configuration: the policy's protect rules) cannot be written,
 * truncated, renamed, removed, linked, chmod'ed or chown'ed, no new entry
 * appears inside a protected directory, and nothing is mounted over them
 * in the initial mount namespace.
 *
 * Identity, not names: at seal time and at each load while sealed the
 * rules are resolved from PID 1's root to inodes, remembered as (device,
 * inode number) in a small open-addressing hash, and a hook compares the
 * inode it is handed, and those of its parent directories, walking
 * d_parent. A chroot, a private mount namespace, a bind mount or a hard
 * link reaches the same inodes and is refused the same way.
 *   - Each directory on the way to a protected path is an "ancestor": it
 *     may not be renamed, removed or mounted over (that would move the
 *     protected path away), and a symlink on the way is protected itself.
 *   - A protected path that does not exist at resolution time is kept as
 *     (parent inode, name): creating it is refused.
 *   - The block devices holding protected files may not be opened for
 *     writing (the partition and its whole disk).
 * Files written before the seal (citadel-boot's last-good copy) are
 * covered from the seal on; while sealed only the module itself writes
 * in its state directory (persist.c).
 *
 * Hooks never sleep here: the set is read under RCU, a lookup probes at
 * most the longest sequence measured at build, and the walk up the
 * dentries is bounded by MAX_DEPTH (deeper: refused, fail closed) and
 * retried under rename_lock.
 */
#include "common.h"

#include <linux/blkdev.h>
#include <linux/fs_struct.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched/task.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/mount.h>

#include "citadel_abi.h"
#include "citadel_task.h"
#include "compat.h"
#include "persist.h"
#include "protect.h"
#include "seal.h"

#define KIND_FILE	BIT(0)	/* this inode */
#define KIND_DIR	BIT(1)	/* this directory and everything below it */
#define KIND_ANC	BIT(2)	/* on the way to one: no rename, rmdir, mount */

#define MAX_DEPTH	256	/* directories above a path that are looked at */
#define MAX_BDEVS	16
#define NO_RULE		0xffff

struct slot {
	unsigned long ino;
	dev_t dev;
	u16 rule;		/* the first rule that named it */
	u8 kind;		/* 0: empty slot */
};

struct absent {
	unsigned long ino;	/* of the parent directory */
	dev_t dev;
	u16 rule;
	u32 len;
	char *name;
};

struct citadel_protect_set {
	struct rcu_head rcu;
	u32 mask;		/* slots - 1 */
	u32 probes;		/* longest probe sequence of any entry */
	u32 nentries;
	struct slot *slots;
	u32 nabsent;
	struct absent *absent;
	u32 nbdevs;
	dev_t bdevs[MAX_BDEVS];
	u32 nrules;
	char **rules;		/* copies of the rule paths, for events */
};

static struct citadel_protect_set __rcu *active;
static DEFINE_MUTEX(publish_lock);

static u32 slot_hash(dev_t dev, unsigned long ino)
{
	u64 x = ((u64)ino * 0x9e3779b97f4a7c15ull) ^ dev;

	return (u32)((x * 0xff51afd7ed558ccdull) >> 32);
}

static u8 kind_of(const struct citadel_protect_set *s,
		  const struct inode *inode, u16 *rule)
{
	dev_t dev = inode->i_sb->s_dev;
	unsigned long ino = inode->i_ino;
	u32 h = slot_hash(dev, ino), i;

	for (i = 0; i <= s->probes; i++) {
		const struct slot *sl = &s->slots[(h + i) & s->mask];

		if (!sl->kind)
			return 0;
		if (sl->ino == ino && sl->dev == dev) {
			*rule = sl->rule;
			return sl->kind;
		}
	}
	return 0;
}

/*
 * Whether @d is protected: its own inode has one of the kinds in @self,
 * or a directory above it is a protected directory. Caller holds RCU.
 */
static bool covered_once(const struct citadel_protect_set *s,
			 struct dentry *d, u8 self, u16 *rule)
{
	struct inode *inode = d_inode_rcu(d);
	struct dentry *parent;
	unsigned int depth;

	if (inode && (kind_of(s, inode, rule) & self))
		return true;
	for (depth = 0; depth < MAX_DEPTH; depth++) {
		parent = READ_ONCE(d->d_parent);
		if (parent == d)
			return false;
		d = parent;
		inode = d_inode_rcu(d);
		if (inode && (kind_of(s, inode, rule) & KIND_DIR))
			return true;
	}
	*rule = NO_RULE;
	return true;
}

static bool covered(const struct citadel_protect_set *s, struct dentry *d,
		    u8 self, u16 *rule)
{
	unsigned int tries;
	unsigned int seq;
	bool hit;

	for (tries = 0; tries < 3; tries++) {
		seq = read_seqbegin(&rename_lock);
		hit = covered_once(s, d, self, rule);
		if (hit || !read_seqretry(&rename_lock, seq))
			return hit;
	}
	/* Renames kept racing the walk: refuse rather than guess. */
	*rule = NO_RULE;
	return true;
}

/* A new entry @d in directory @dir: inside a protected one, or a name kept. */
static bool new_entry(const struct citadel_protect_set *s, struct dentry *dir,
		      struct dentry *d, u16 *rule)
{
	struct inode *inode = d_inode_rcu(dir);
	u32 i;

	if (covered(s, dir, KIND_DIR, rule))
		return true;
	if (!inode)
		return false;
	for (i = 0; i < s->nabsent; i++) {
		const struct absent *a = &s->absent[i];

		if (a->ino == inode->i_ino && a->dev == inode->i_sb->s_dev &&
		    a->len == d->d_name.len &&
		    !memcmp(a->name, d->d_name.name, a->len)) {
			*rule = a->rule;
			return true;
		}
	}
	return false;
}

static int refuse(const struct citadel_protect_set *s, const char *op,
		  struct vfsmount *mnt, struct dentry *d, u16 rule)
{
	char buf[128], what[200];
	const char *p = ERR_PTR(-EINVAL);
	/* A name being created is not in the tree yet: its directory is. */
	bool fresh = d_is_negative(d) || d_unhashed(d);
	struct path where = { .mnt = mnt, .dentry = d };

	if (fresh)
		where.dentry = d->d_parent;
	if (mnt)
		p = d_path(&where, buf, sizeof(buf));
	if (IS_ERR(p)) {
		p = "...";
		fresh = true;
	}
	snprintf(what, sizeof(what), "%s %s%s%s (protect %s)", op, p,
		 fresh && strcmp(p, "/") ? "/" : "",
		 fresh ? (const char *)d->d_name.name : "",
		 rule < s->nrules ? s->rules[rule] : "depth or rename race");
	return citadel_seal_refuse(CITADEL_OP_PROTECT, what);
}

/*
 * The set the hooks use, or NULL when nothing is refused: not sealed, no
 * rules, or the module writing its own state. Caller holds RCU.
 */
static const struct citadel_protect_set *enforcing(void)
{
	if (!citadel_sealed() || citadel_persist_writing())
		return NULL;
	return rcu_dereference(active);
}

static bool bdev_protected(const struct citadel_protect_set *s, dev_t rdev)
{
	u32 i;

	for (i = 0; i < s->nbdevs; i++)
		if (s->bdevs[i] == rdev)
			return true;
	return false;
}

int citadel_protect_open(struct file *file)
{
	const struct citadel_protect_set *s;
	struct inode *inode = file_inode(file);
	int ret = CITADEL_ALLOW;
	u16 rule;

	/*
	 * O_TRUNC truncates even a read-only open, from 6.2 on through
	 * file_truncate rather than path_truncate: refused here, where the
	 * flag is still set on both.
	 */
	if (!(file->f_mode & FMODE_WRITE) && !(file->f_flags & O_TRUNC))
		return CITADEL_ALLOW;
	rcu_read_lock();
	s = enforcing();
	if (!s)
		goto out;
	if (S_ISBLK(inode->i_mode) && bdev_protected(s, inode->i_rdev))
		ret = refuse(s, "write block device", file->f_path.mnt,
			     file->f_path.dentry, NO_RULE);
	else if (covered(s, file->f_path.dentry, KIND_FILE | KIND_DIR, &rule))
		ret = refuse(s, file->f_mode & FMODE_WRITE ? "write" :
			     "truncate", file->f_path.mnt, file->f_path.dentry,
			     rule);
out:
	rcu_read_unlock();
	return ret;
}

/* Truncate, chmod, chown: the inode at @path. */
int citadel_protect_attr(const struct path *path, const char *op)
{
	const struct citadel_protect_set *s;
	int ret = CITADEL_ALLOW;
	u16 rule;

	rcu_read_lock();
	s = enforcing();
	if (s && covered(s, path->dentry, KIND_FILE | KIND_DIR, &rule))
		ret = refuse(s, op, path->mnt, path->dentry, rule);
	rcu_read_unlock();
	return ret;
}

/* Unlink, rmdir: @dentry goes away from @dir. */
int citadel_protect_remove(const struct path *dir, struct dentry *dentry,
			   const char *op)
{
	const struct citadel_protect_set *s;
	int ret = CITADEL_ALLOW;
	u16 rule;

	rcu_read_lock();
	s = enforcing();
	if (s && covered(s, dentry, KIND_FILE | KIND_DIR | KIND_ANC, &rule))
		ret = refuse(s, op, dir->mnt, dentry, rule);
	rcu_read_unlock();
	return ret;
}

/* Mkdir, mknod (and open with O_CREAT), symlink: @dentry is new in @dir. */
int citadel_protect_create(const struct path *dir, struct dentry *dentry,
			   const char *op)
{
	const struct citadel_protect_set *s;
	int ret = CITADEL_ALLOW;
	u16 rule;

	rcu_read_lock();
	s = enforcing();
	if (s && new_entry(s, dir->dentry, dentry, &rule))
		ret = refuse(s, op, dir->mnt, dentry, rule);
	rcu_read_unlock();
	return ret;
}

int citadel_protect_link(struct dentry *old_dentry, const struct path *dir,
			 struct dentry *dentry)
{
	const struct citadel_protect_set *s;
	int ret = CITADEL_ALLOW;
	u16 rule;

	rcu_read_lock();
	s = enforcing();
	if (!s)
		goto out;
	/* A second name would outlive a later change of the rules. */
	if (covered(s, old_dentry, KIND_FILE | KIND_DIR, &rule))
		ret = refuse(s, "link from", dir->mnt, old_dentry, rule);
	else if (new_entry(s, dir->dentry, dentry, &rule))
		ret = refuse(s, "link to", dir->mnt, dentry, rule);
out:
	rcu_read_unlock();
	return ret;
}

/*
 * Rename (and exchange): the source may not be protected or on the way
 * to something protected, the target name may not be new in a protected
 * directory, and a target that exists is replaced: it is checked as a
 * source (an exchange moves it too).
 */
int citadel_protect_rename(const struct path *old_dir,
			   struct dentry *old_dentry,
			   const struct path *new_dir,
			   struct dentry *new_dentry)
{
	const u8 moved = KIND_FILE | KIND_DIR | KIND_ANC;
	const struct citadel_protect_set *s;
	int ret = CITADEL_ALLOW;
	u16 rule;

	rcu_read_lock();
	s = enforcing();
	if (!s)
		goto out;
	if (covered(s, old_dentry, moved, &rule))
		ret = refuse(s, "rename from", old_dir->mnt, old_dentry, rule);
	else if (new_entry(s, new_dir->dentry, new_dentry, &rule))
		ret = refuse(s, "rename to", new_dir->mnt, new_dentry, rule);
	else if (d_really_is_positive(new_dentry) &&
		 covered(s, new_dentry, moved, &rule))
		ret = refuse(s, "rename over", new_dir->mnt, new_dentry, rule);
out:
	rcu_read_unlock();
	return ret;
}

/*
 * Whether the caller mounts in the initial mount namespace: PID 1's,
 * where the next boot's files are resolved and the module writes its
 * state. A task mounts only in its own namespace (check_mnt()).
 */
static bool in_init_mnt_ns(void)
{
	struct nsproxy *ns = current->nsproxy;

	return !ns || ns->mnt_ns == init_task.nsproxy->mnt_ns;
}

static int mount_on(const struct path *path, const char *op)
{
	const struct citadel_protect_set *s;
	int ret = CITADEL_ALLOW;
	u16 rule;

	/*
	 * A mount in another namespace hides nothing from PID 1 or from
	 * the next boot, and the files below stay protected by inode;
	 * systemd's sandboxing (ProtectSystem=, ReadOnlyPaths=, ...) bind
	 * mounts over /usr and /etc in every service's own namespace.
	 */
	if (!in_init_mnt_ns())
		return CITADEL_ALLOW;
	rcu_read_lock();
	s = enforcing();
	if (s && covered(s, path->dentry, KIND_FILE | KIND_DIR | KIND_ANC,
			 &rule))
		ret = refuse(s, op, path->mnt, path->dentry, rule);
	rcu_read_unlock();
	return ret;
}

/*
 * A new mount, a bind mount or a moved mount at @path hides what is
 * there; a remount or a propagation change does not.
 */
int citadel_protect_mount(const struct path *path, unsigned long flags)
{
	if (!(flags & (MS_BIND | MS_MOVE)) &&
	    (flags & (MS_REMOUNT | MS_SHARED | MS_PRIVATE | MS_SLAVE |
		      MS_UNBINDABLE)))
		return CITADEL_ALLOW;
	if ((flags & MS_REMOUNT) && (flags & MS_BIND))
		return CITADEL_ALLOW;
	return mount_on(path, "mount over");
}

int citadel_protect_move_mount(const struct path *to)
{
	return mount_on(to, "move_mount over");
}

/* Building a set: process context, may sleep. */

struct builder {
	struct path root;
	struct slot *v;
	u32 n, cap;
	struct absent *ab;
	u32 nab, capab;
	struct citadel_protect_set *s;
	char *buf;		/* PATH_MAX */
	char *err;
	size_t errlen;
};

static int grow(void **v, u32 *cap, u32 n, size_t size)
{
	u32 ncap = *cap ? *cap * 2 : 64;
	void *nv;

	if (n < *cap)
		return 0;
	nv = kvmalloc_array(ncap, size, GFP_KERNEL);
	if (!nv)
		return -ENOMEM;
	if (*v)
		memcpy(nv, *v, (size_t)n * size);
	kvfree(*v);
	*v = nv;
	*cap = ncap;
	return 0;
}

static int add(struct builder *b, struct inode *inode, u8 kind, u16 rule)
{
	if (!inode)
		return 0;
	if (grow((void **)&b->v, &b->cap, b->n, sizeof(*b->v)))
		return -ENOMEM;
	b->v[b->n++] = (struct slot){ .ino = inode->i_ino,
				      .dev = inode->i_sb->s_dev,
				      .rule = rule, .kind = kind };
	return 0;
}

static void add_bdev(struct builder *b, dev_t dev)
{
	struct citadel_protect_set *s = b->s;
	u32 i;

	if (!dev)
		return;
	for (i = 0; i < s->nbdevs; i++)
		if (s->bdevs[i] == dev)
			return;
	if (s->nbdevs == MAX_BDEVS) {
		pr_warn("protect: more than %d block devices hold protected paths; %u:%u stays writable\n",
			MAX_BDEVS, MAJOR(dev), MINOR(dev));
		return;
	}
	s->bdevs[s->nbdevs++] = dev;
}

/* The partition and the whole disk under a protected file. */
static void note_bdev(struct builder *b, struct super_block *sb)
{
	struct block_device *bdev = sb->s_bdev;

	if (!bdev)
		return;
	add_bdev(b, bdev->bd_dev);
	if (bdev->bd_disk)
		add_bdev(b, disk_devt(bdev->bd_disk));
}

/* Every directory from @p up to the root, across mounts: ancestors. */
static int add_ancestors(struct builder *b, const struct path *p, u16 rule)
{
	struct path cur = *p;
	unsigned int depth;
	int ret = 0;

	path_get(&cur);
	for (depth = 0; depth < MAX_DEPTH && !ret; depth++) {
		if (path_equal(&cur, &b->root))
			break;
		if (cur.dentry == cur.mnt->mnt_root) {
			if (!follow_up(&cur))
				break;
		} else {
			struct dentry *parent = dget_parent(cur.dentry);

			dput(cur.dentry);
			cur.dentry = parent;
		}
		ret = add(b, d_inode(cur.dentry), KIND_ANC, rule);
	}
	path_put(&cur);
	return ret;
}

static int lookup(struct builder *b, const char *name, unsigned int flags,
		  struct path *out)
{
	return vfs_path_lookup(b->root.dentry, b->root.mnt, name, flags, out);
}

/* b->buf[0..at) does not exist: keep (its parent, its name). */
static int note_absent(struct builder *b, u16 rule, u32 at)
{
	struct path parent;
	struct absent *a;
	u32 slash = at - 1;
	int ret;

	while (slash > 0 && b->buf[slash] != '/')
		slash--;
	b->buf[at] = '\0';
	if (slash == 0) {
		ret = lookup(b, "/", LOOKUP_FOLLOW, &parent);
	} else {
		b->buf[slash] = '\0';
		ret = lookup(b, b->buf, LOOKUP_FOLLOW, &parent);
		b->buf[slash] = '/';
	}
	if (ret)
		return ret == -ENOENT || ret == -ENOTDIR ? 0 : ret;
	ret = grow((void **)&b->ab, &b->capab, b->nab, sizeof(*b->ab));
	if (!ret) {
		a = &b->ab[b->nab];
		a->ino = d_inode(parent.dentry)->i_ino;
		a->dev = d_inode(parent.dentry)->i_sb->s_dev;
		a->rule = rule;
		a->len = at - slash - 1;
		a->name = kmemdup_nul(b->buf + slash + 1, a->len, GFP_KERNEL);
		if (a->name)
			b->nab++;
		else
			ret = -ENOMEM;
	}
	if (!ret)
		ret = add(b, d_inode(parent.dentry), KIND_ANC, rule);
	if (!ret)
		ret = add_ancestors(b, &parent, rule);
	path_put(&parent);
	return ret;
}

static int resolve(struct builder *b, u16 rule, const char *path, u32 len)
{
	bool dir = path[len - 1] == '/';
	u32 end = dir && len > 1 ? len - 1 : len, i;
	struct path p;
	struct inode *inode;
	int ret;

	memcpy(b->buf, path, end);
	b->buf[end] = '\0';
	/* Each prefix without following it: symlinks on the way are kept. */
	for (i = 1; i < end; i++) {
		if (b->buf[i] != '/')
			continue;
		b->buf[i] = '\0';
		ret = lookup(b, b->buf, 0, &p);
		b->buf[i] = '/';
		if (ret == -ENOENT || ret == -ENOTDIR) {
			ret = note_absent(b, rule, i);
			b->buf[i] = '/';
			return ret;
		}
		if (ret)
			goto fail;
		inode = d_inode(p.dentry);
		ret = add(b, inode, S_ISLNK(inode->i_mode) ? KIND_FILE :
			  KIND_ANC, rule);
		path_put(&p);
		if (ret)
			return ret;
	}
	ret = lookup(b, b->buf, 0, &p);
	if (ret == -ENOENT || ret == -ENOTDIR)
		return note_absent(b, rule, end);
	if (ret)
		goto fail;
	inode = d_inode(p.dentry);
	if (S_ISLNK(inode->i_mode)) {
		ret = add(b, inode, KIND_FILE, rule);
		path_put(&p);
		if (ret)
			return ret;
		ret = lookup(b, b->buf, LOOKUP_FOLLOW, &p);
		if (ret == -ENOENT || ret == -ENOTDIR) {
			pr_warn("protect %s: a symlink to nothing; the link is kept\n",
				path);
			return 0;
		}
		if (ret)
			goto fail;
		inode = d_inode(p.dentry);
	}
	/* A directory written without '/' is still kept whole: fail closed. */
	ret = add(b, inode, dir || S_ISDIR(inode->i_mode) ? KIND_DIR :
		  KIND_FILE, rule);
	if (!ret)
		ret = add_ancestors(b, &p, rule);
	note_bdev(b, p.mnt->mnt_sb);
	path_put(&p);
	return ret;
fail:
	snprintf(b->err, b->errlen, "protect %s: cannot look up %s (error %d)",
		 path, b->buf, ret);
	return ret;
}

/* Entries into the hash; the same inode twice merges its kinds. */
static int build_table(struct builder *b)
{
	struct citadel_protect_set *s = b->s;
	u32 size = 16, i, j;

	while (size < 2 * b->n)
		size *= 2;
	s->slots = kvcalloc(size, sizeof(*s->slots), GFP_KERNEL);
	if (!s->slots)
		return -ENOMEM;
	s->mask = size - 1;
	for (i = 0; i < b->n; i++) {
		const struct slot *e = &b->v[i];
		u32 h = slot_hash(e->dev, e->ino);

		for (j = 0; j <= s->mask; j++) {
			struct slot *sl = &s->slots[(h + j) & s->mask];

			if (!sl->kind) {
				*sl = *e;
				s->nentries++;
				break;
			}
			if (sl->ino == e->ino && sl->dev == e->dev) {
				sl->kind |= e->kind;
				break;
			}
		}
		if (j > s->probes)
			s->probes = j;
	}
	return 0;
}

void citadel_protect_free(struct citadel_protect_set *s)
{
	u32 i;

	if (!s)
		return;
	for (i = 0; i < s->nabsent; i++)
		kfree(s->absent[i].name);
	for (i = 0; s->rules && i < s->nrules; i++)
		kfree(s->rules[i]);
	kvfree(s->absent);
	kvfree(s->rules);
	kvfree(s->slots);
	kfree(s);
}

static void free_rcu(struct rcu_head *head)
{
	citadel_protect_free(container_of(head, struct citadel_protect_set,
					  rcu));
}

int citadel_init_root(struct path *root)
{
	struct task_struct *init;
	int ret = -ESRCH;

	rcu_read_lock();
	init = READ_ONCE(init_pid_ns.child_reaper);
	if (init)
		get_task_struct(init);
	rcu_read_unlock();
	if (!init)
		return ret;
	task_lock(init);
	if (init->fs) {
		get_fs_root(init->fs, root);
		ret = 0;
	}
	task_unlock(init);
	put_task_struct(init);
	return ret;
}

/**
 * citadel_protect_build() - resolve a policy's protect rules to inodes
 * @pol: the policy
 * @out: receives the set; CPOL_STATE_DIR is always in it
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * A path that does not exist is not an error (its name is kept); a path
 * that cannot be resolved for another reason (a loop, an I/O error) is.
 *
 * Return: 0, -ENOMEM, or the lookup's error.
 */
int citadel_protect_build(const struct citadel_policy *pol,
			  struct citadel_protect_set **out, char *err,
			  size_t errlen)
{
	/* The module's own state is kept whatever the policy says. */
	static const char state_dir[] = CPOL_STATE_DIR "/";
	struct builder b = { .err = err, .errlen = errlen };
	u32 i, n = pol->protect.n + 1;
	int ret;

	*out = NULL;
	ret = citadel_init_root(&b.root);
	if (ret) {
		snprintf(err, errlen, "protect: PID 1 has no root to resolve paths from");
		return ret;
	}
	b.s = kzalloc(sizeof(*b.s), GFP_KERNEL);
	b.buf = kmalloc(PATH_MAX, GFP_KERNEL);
	ret = b.s && b.buf ? 0 : -ENOMEM;
	if (!ret) {
		b.s->rules = kvcalloc(n, sizeof(*b.s->rules), GFP_KERNEL);
		ret = b.s->rules ? 0 : -ENOMEM;
	}
	for (i = 0; !ret && i < n; i++) {
		const char *path = i < n - 1 ? pol->protect.e[i].path :
				   state_dir;
		u32 len = i < n - 1 ? pol->protect.e[i].len :
			  sizeof(state_dir) - 1;

		b.s->rules[i] = kstrdup(path, GFP_KERNEL);
		if (!b.s->rules[i]) {
			ret = -ENOMEM;
			break;
		}
		b.s->nrules++;
		ret = resolve(&b, i, path, len);
	}
	if (!ret)
		ret = build_table(&b);
	if (!ret) {
		b.s->absent = b.ab;
		b.s->nabsent = b.nab;
		b.ab = NULL;
		b.nab = 0;
		*out = b.s;
		b.s = NULL;
	}
	if (ret == -ENOMEM)
		snprintf(err, errlen, "protect: out of memory resolving the protected paths");
	for (i = 0; i < b.nab; i++)
		kfree(b.ab[i].name);
	kvfree(b.ab);
	kvfree(b.v);
	kfree(b.buf);
	citadel_protect_free(b.s);
	path_put(&b.root);
	return ret;
}

void citadel_protect_publish(struct citadel_protect_set *set)
{
	struct citadel_protect_set *old;

	mutex_lock(&publish_lock);
	old = rcu_replace_pointer(active, set, lockdep_is_held(&publish_lock));
	mutex_unlock(&publish_lock);
	if (old)
		call_rcu(&old->rcu, free_rcu);
	if (set)
		pr_info("protect: %u rules, %u inodes, %u absent names, %u block devices kept from change\n",
			set->nrules, set->nentries, set->nabsent, set->nbdevs);
}

void citadel_protect_exit(void)
{
	citadel_protect_publish(NULL);
	rcu_barrier();
}

void citadel_protect_show_status(struct seq_file *m)
{
	const struct citadel_protect_set *s;

	rcu_read_lock();
	s = rcu_dereference(active);
	seq_printf(m, "protect_rules %u\nprotect_inodes %u\nprotect_absent %u\nprotect_bdevs %u\n",
		   s ? s->nrules : 0, s ? s->nentries : 0, s ? s->nabsent : 0,
		   s ? s->nbdevs : 0);
	rcu_read_unlock();
}
