/* SPDX-License-Identifier: GPL-2.0-only */
/* Protected paths: what the next boot depends on, kept once sealed. */
#ifndef CITADEL_PROTECT_H
#define CITADEL_PROTECT_H

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/path.h>
#include <linux/seq_file.h>

#include "policy.h"

struct citadel_protect_set;

/* The root of PID 1 (the initial mount namespace's view): a reference. */
int citadel_init_root(struct path *root);

/*
 * Resolves @pol's protect rules, and CPOL_STATE_DIR, to inodes; may
 * sleep. Return: 0 with a set in *@out, or an error with the reason in
 * @err.
 */
int citadel_protect_build(const struct citadel_policy *pol,
			  struct citadel_protect_set **out, char *err,
			  size_t errlen);
/* Makes @set the one the hooks use (NULL: none); frees the old one. */
void citadel_protect_publish(struct citadel_protect_set *set);
void citadel_protect_free(struct citadel_protect_set *set);
void citadel_protect_exit(void);
void citadel_protect_show_status(struct seq_file *m);

/* Decisions for the hooks: CITADEL_ALLOW, or CITADEL_DENY once sealed. */
int citadel_protect_open(struct file *file);
int citadel_protect_attr(const struct path *path, const char *op);
int citadel_protect_remove(const struct path *dir, struct dentry *dentry,
			   const char *op);
int citadel_protect_create(const struct path *dir, struct dentry *dentry,
			   const char *op);
int citadel_protect_link(struct dentry *old_dentry, const struct path *dir,
			 struct dentry *dentry);
int citadel_protect_rename(const struct path *old_dir,
			   struct dentry *old_dentry,
			   const struct path *new_dir,
			   struct dentry *new_dentry);
int citadel_protect_mount(const struct path *path, unsigned long flags);
int citadel_protect_move_mount(const struct path *to);

#endif /* CITADEL_PROTECT_H */
