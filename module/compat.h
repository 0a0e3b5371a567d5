/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences between 6.1 and newer kernels, probed by the
 * presence of the newer macros rather than by version numbers.
 */
#ifndef CITADEL_COMPAT_H
#define CITADEL_COMPAT_H

#include <linux/btf.h>
#include <linux/btf_ids.h>

/* 6.8+ needs the kfunc flag on the set; 6.1 only knows plain set8. */
#ifdef BTF_KFUNCS_START
#define CITADEL_KFUNCS_START(name)	BTF_KFUNCS_START(name)
#define CITADEL_KFUNCS_END(name)	BTF_KFUNCS_END(name)
#else
#define CITADEL_KFUNCS_START(name)	BTF_SET8_START(name)
#define CITADEL_KFUNCS_END(name)	BTF_SET8_END(name)
#endif

/*
 * 6.2+ marks kfuncs so they are kept whole; on 6.1 a global function with
 * a prototype (kfuncs.h) that is never inlined is enough.
 */
#ifndef __bpf_kfunc
#define __bpf_kfunc noinline
#endif

/*
 * vfs_path_lookup() is exported on 6.1 but declared only in fs/internal.h
 * there; <linux/namei.h> declares it from 6.2 on, with this prototype.
 */
struct dentry;
struct path;
struct vfsmount;
int vfs_path_lookup(struct dentry *dentry, struct vfsmount *mnt,
		    const char *name, unsigned int flags, struct path *path);

#endif /* CITADEL_COMPAT_H */
