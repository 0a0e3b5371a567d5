// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exec allowlist and service labels, and where executable file mappings
 * may come from.
 *
 * A file may be executed when an exec rule matches its path (as the
 * kernel resolved it) and, if the rule carries a hash, its content. A
 * rule of a service makes the file an entry of that service: the exec
 * gives the task that label (the first entry of an exec chain wins, so a
 * script entry keeps its label through its interpreter). Global rules
 * allow without changing the label. Fileless files (memfd, O_TMPFILE,
 * deleted) are refused unless the policy allows them.
 *
 * The path is the one the file has in the initial mount namespace: a
 * chroot or a mount namespace (which an unprivileged user can make in a
 * user namespace) cannot give a file another file's path, nor its label
 * (path_is_identity()).
 */
#include "common.h"

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/sched/task.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "boundary.h"
#include "exec.h"
#include "hash_cache.h"
#include "policy_store.h"
#include "task_label.h"
#include "verdict.h"

/* d_path() buffers for hooks that cannot allocate. */
static char __percpu *path_bufs;

/* At most this many directory prefixes of one path are considered. */
#define MAX_PREFIX_MATCHES	32

struct exec_match {
	bool allowed;
	u32 line;		/* of the first rule that allowed */
	u16 entry_scope;	/* 0: no service entry matched */
	bool hash_failed;	/* a hash rule matched the path, not the file */
};

static bool is_fileless(const struct file *file)
{
	const struct dentry *dentry = file->f_path.dentry;

	return d_unlinked(dentry) || !d_inode(dentry)->i_nlink ||
	       (file->f_path.mnt->mnt_flags & MNT_INTERNAL);
}

/*
 * Candidates of one path entry. @digest is computed on first need when
 * @file is given (may sleep); without @file only cached digests count.
 */
static void try_entry(const struct citadel_policy *pol,
		      const struct citadel_path_entry *pe, struct file *file,
		      struct file *cached_only, u8 *digest, int *digest_state,
		      struct exec_match *m)
{
	u32 i;

	for (i = 0; pe && i < pe->count; i++) {
		const struct citadel_exec_cand *c = &pol->cands[pe->first + i];

		if (c->has_hash) {
			if (*digest_state == 0) {
				if (file)
					*digest_state = citadel_file_sha256(file, digest) ? -1 : 1;
				else
					*digest_state = citadel_file_sha256_cached(cached_only, digest) ? 1 : -1;
			}
			if (*digest_state < 0 ||
			    memcmp(digest, c->sha256, sizeof(c->sha256))) {
				m->hash_failed = true;
				continue;
			}
		}
		if (!m->allowed)
			m->line = c->line;
		m->allowed = true;
		if (c->scope && !m->entry_scope)
			m->entry_scope = c->scope;
	}
}

/* Exact path first, then its directory prefixes, longest first. */
static void match_exec(const struct citadel_policy *pol, const char *path,
		       u32 len, struct file *file, struct file *cached_only,
		       struct exec_match *m)
{
	int digest_state = 0, seen = 0;
	u8 digest[32];
	u32 i;

	try_entry(pol, citadel_path_lookup(&pol->exec_exact, path, len), file,
		  cached_only, digest, &digest_state, m);
	for (i = len; i-- > 0 && seen < MAX_PREFIX_MATCHES;) {
		const struct citadel_path_entry *pe;

		if (path[i] != '/')
			continue;
		pe = citadel_path_lookup(&pol->exec_prefix, path, i + 1);
		if (pe) {
			seen++;
			try_entry(pol, pe, file, cached_only, digest,
				  &digest_state, m);
		}
	}
}

/* The line of the libs rule that covers @path, or 0. */
static u32 match_libs(const struct citadel_policy *pol, const char *path,
		      u32 len)
{
	const struct citadel_path_entry *e;
	u32 i;

	e = citadel_path_lookup(&pol->libs_exact, path, len);
	if (e)
		return e->line;
	for (i = len; i-- > 0;) {
		if (path[i] != '/')
			continue;
		e = citadel_path_lookup(&pol->libs_prefix, path, i + 1);
		if (e)
			return e->line;
	}
	return 0;
}

/*
 * d_path() is relative to the caller's root and mount namespace, which
 * the caller arranges: in a chroot, or with a bind mount in a mount
 * namespace of its own, any file can show any path. The path is the
 * file's only if that path, resolved from the root of the initial mount
 * namespace (init's), leads to this very inode. Files on mounts that are
 * not in the initial namespace at that path (detached trees, private
 * mounts) fail this and are refused. May sleep (path lookup).
 */
static bool path_is_identity(const char *path, const struct file *file)
{
	struct path root, found;
	bool same;

	task_lock(&init_task);
	get_fs_root(init_task.fs, &root);
	task_unlock(&init_task);
	if (vfs_path_lookup(root.dentry, root.mnt, path, 0, &found)) {
		path_put(&root);
		return false;
	}
	same = d_backing_inode(found.dentry) == file_inode(file);
	path_put(&found);
	path_put(&root);
	return same;
}

/**
 * citadel_exec_check() - decide one binary of an exec chain
 * @bprm: the exec; bprm->file is the binary or interpreter being checked
 * @ctx: the task's Citadel state; its pending label may be set
 *
 * May sleep (hashing). Called from a sleepable BPF LSM program.
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
int citadel_exec_check(struct linux_binprm *bprm, struct citadel_task_ctx *ctx)
{
	const struct citadel_policy *pol;
	const struct citadel_scope *svc;
	struct exec_match m = { };
	bool not_identity = false;
	char *buf, *path, *obj;
	int ret;

	if (!bprm || !bprm->file || !ctx)
		return CITADEL_DENY;
	pol = citadel_policy_get();
	if (!pol)
		return CITADEL_ALLOW;
	svc = citadel_scope_of(pol, ctx->label);
	buf = __getname();
	if (!buf) {
		citadel_policy_put(pol);
		return CITADEL_DENY;
	}
	path = d_path(&bprm->file->f_path, buf, PATH_MAX);
	if (IS_ERR(path)) {
		ret = citadel_refuse(CITADEL_OP_EXEC, pol, svc,
				     "path=unreadable");
		goto out;
	}
	if (is_fileless(bprm->file)) {
		m.allowed = pol->flags & CPOL_F_FILELESS;
	} else {
		match_exec(pol, path, strlen(path), bprm->file, NULL, &m);
		/* Only what a rule allows needs proving: one lookup. */
		if (m.allowed && !path_is_identity(path, bprm->file)) {
			m.allowed = false;
			not_identity = true;
		}
	}
	if (m.allowed) {
		if (m.entry_scope && !ctx->pending_set) {
			u64 to = pol->scopes[m.entry_scope].id;

			/* Traced or fs-sharing execs do not cross labels. */
			ret = citadel_boundary_exec(bprm, pol, svc, ctx->label,
						    to, path);
			if (ret != CITADEL_ALLOW)
				goto out;
			ctx->pending = to;
			ctx->pending_set = 1;
		}
		citadel_rule_hit(pol, m.line);
		ret = citadel_allow(CITADEL_OP_EXEC);
		goto out;
	}
	/* The log line is bounded; the path goes last in it. */
	obj = kasprintf(GFP_KERNEL, "path=%s%s%s",
			is_fileless(bprm->file) ? "fileless:" : "",
			path, not_identity ?
			" (not the file at this path in the initial mount namespace)" : "");
	ret = citadel_refuse(CITADEL_OP_EXEC, pol, svc,
			     obj ? obj : "path=?");
	if (m.hash_failed)
		pr_info_ratelimited("exec of %s refused: sha256 does not match the rule\n",
				    path);
	kfree(obj);
out:
	__putname(buf);
	citadel_policy_put(pol);
	return ret;
}

/* Executable mapping of @file: from a libs location or an exec rule. */
static int check_exec_mapping(struct file *file)
{
	const struct citadel_policy *pol;
	const struct citadel_scope *svc;
	struct exec_match m = { };
	char obj[96];
	char *path;
	int ret;

	rcu_read_lock();
	pol = citadel_active_policy();
	if (!pol) {
		rcu_read_unlock();
		return CITADEL_ALLOW;
	}
	svc = citadel_scope_of(pol, citadel_current_label());
	preempt_disable();
	path = d_path(&file->f_path, this_cpu_ptr(path_bufs), PATH_MAX);
	if (is_fileless(file)) {
		/* The image of an allowed fileless exec must map too. */
		m.allowed = pol->flags & CPOL_F_FILELESS;
	} else if (!IS_ERR(path)) {
		u32 len = strlen(path);

		m.line = match_libs(pol, path, len);
		m.allowed = m.line != 0;
		if (!m.allowed)
			match_exec(pol, path, len, NULL, file, &m);
	}
	if (!m.allowed)
		snprintf(obj, sizeof(obj), "path=%s",
			 IS_ERR(path) ? "unreadable" : path);
	preempt_enable();
	if (m.allowed)
		citadel_rule_hit(pol, m.line);
	ret = m.allowed ? citadel_allow(CITADEL_OP_MMAP) :
			  citadel_refuse(CITADEL_OP_MMAP, pol, svc, obj);
	rcu_read_unlock();
	return ret;
}

/**
 * citadel_mmap_check() - decide mmap() of a file
 * @file: the file, NULL for anonymous memory (not restricted)
 * @prot: the protection the mapping will get
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
int citadel_mmap_check(struct file *file, unsigned long prot)
{
	if (!file || !(prot & PROT_EXEC))
		return CITADEL_ALLOW;
	return check_exec_mapping(file);
}

/**
 * citadel_mprotect_check() - decide mprotect() adding PROT_EXEC
 * @vma: the mapping
 * @prot: the new protection
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
int citadel_mprotect_check(struct vm_area_struct *vma, unsigned long prot)
{
	if (!vma || !vma->vm_file || !(prot & PROT_EXEC) ||
	    (vma->vm_flags & VM_EXEC))
		return CITADEL_ALLOW;
	/*
	 * Shared anonymous memory is backed by a kernel-private shmem file:
	 * it is anonymous memory, not a file anyone could have written.
	 */
	if (IS_PRIVATE(file_inode(vma->vm_file)))
		return CITADEL_ALLOW;
	return check_exec_mapping(vma->vm_file);
}

/* A file opened for writing may change: forget its hash. */
void citadel_file_opened(struct file *file)
{
	if (file && (file->f_mode & FMODE_WRITE))
		citadel_hash_invalidate(file_inode(file));
}

void citadel_path_truncated(const struct path *path)
{
	if (path && path->dentry && d_inode(path->dentry))
		citadel_hash_invalidate(d_inode(path->dentry));
}

int citadel_exec_init(void)
{
	path_bufs = __alloc_percpu(PATH_MAX, 1);
	return path_bufs ? 0 : -ENOMEM;
}

void citadel_exec_exit(void)
{
	free_percpu(path_bufs);
	citadel_hash_exit();
}
