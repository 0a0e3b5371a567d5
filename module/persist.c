// SPDX-License-Identifier: GPL-2.0-only
/*
 * The state a sealed device keeps across reboots, written by the module
 * itself into CPOL_STATE_DIR (a protected directory: no process may
 * write there once sealed, protect.c):
 *   sealed          the device was sealed: citadel-boot falls back to
 *                   lockdown, never open;
 *   floor           "NAME VERSION", the newest policy in force while
 *                   sealed: citadel-boot loads no other role and no
 *                   lower version at the next boot;
 *   last-good.cpol  the signed blob of the last load while sealed, so a
 *                   push survives the reboot although the policy file
 *                   itself is protected.
 * The floor is one fixed-size record overwritten in place (never
 * truncated), so a crash leaves the old floor or the new one. The blob
 * is rewritten whole: a crash in the middle leaves a blob that does not
 * verify, and citadel-boot then refuses it (see README).
 *
 * Only the task doing the write is let through the protection, for the
 * length of the write (citadel_persist_writing()). A failure is a
 * warning and shows in status: the policy in force stays in force.
 */
#include "common.h"

#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "citadel_abi.h"
#include "persist.h"
#include "protect.h"

#define FLOOR_RECORD	128

static DEFINE_MUTEX(persist_lock);
static struct task_struct *writer;
static int last_error;		/* guarded by persist_lock */
static u64 writes;

bool citadel_persist_writing(void)
{
	return READ_ONCE(writer) == current;
}

/* @name relative to PID 1's root, e.g. "var/lib/citadel/floor". */
static int write_one(const struct path *root, const char *name,
		     const void *buf, size_t len, bool trunc)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_LARGEFILE;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;
	int ret;

	f = file_open_root(root, name, flags | (trunc ? O_TRUNC : 0), 0600);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, buf, len, &pos);
	ret = n < 0 ? (int)n : (size_t)n != len ? -EIO : vfs_fsync(f, 0);
	fput(f);
	return ret;
}

static void write_state(const char *file, const void *buf, size_t len,
			bool trunc)
{
	char name[64];
	struct path root;
	int ret;

	snprintf(name, sizeof(name), "%s/%s", CPOL_STATE_DIR + 1, file);
	ret = citadel_init_root(&root);
	if (!ret) {
		WRITE_ONCE(writer, current);
		ret = write_one(&root, name, buf, len, trunc);
		WRITE_ONCE(writer, NULL);
		path_put(&root);
	}
	if (ret) {
		last_error = ret;
		pr_warn("persist: cannot write /%s (error %d): the next boot may not know this state\n",
			name, ret);
	} else {
		writes++;
	}
}

static void write_floor(const struct citadel_policy *pol)
{
	char rec[FLOOR_RECORD];
	int n;

	memset(rec, '\n', sizeof(rec));
	n = snprintf(rec, sizeof(rec), "%s %llu\n", pol->name, pol->version);
	if (n > 0 && n < (int)sizeof(rec))
		rec[n] = '\n';
	write_state(CPOL_FLOOR_FILE, rec, sizeof(rec), false);
}

void citadel_persist_sealed(const struct citadel_policy *pol)
{
	static const char marker[] = "sealed\n";

	mutex_lock(&persist_lock);
	write_state(CPOL_SEALED_FILE, marker, sizeof(marker) - 1, true);
	if (pol)
		write_floor(pol);
	mutex_unlock(&persist_lock);
}

void citadel_persist_loaded(const struct citadel_policy *pol,
			    const void *blob, size_t len)
{
	mutex_lock(&persist_lock);
	/* The blob first: a floor never names a version not on disk. */
	write_state(CPOL_LAST_GOOD_FILE, blob, len, true);
	write_floor(pol);
	mutex_unlock(&persist_lock);
}

void citadel_persist_show_status(struct seq_file *m)
{
	mutex_lock(&persist_lock);
	seq_printf(m, "persist_writes %llu\npersist_error %d\n", writes,
		   last_error);
	mutex_unlock(&persist_lock);
}
