// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/security/citadel/: the interface to citadelctl.
 *
 *   policy      write: a whole blob in one write() at offset 0
 *               read: "name N / version V / digest D" or "none"
 *   status      "key value" lines (README documents the keys)
 *   last_error  why the last policy write was rejected
 *   unload      write anything: drop the policy
 *   trial       write: struct cpol_trial then a blob, in one write()
 *   confirm     write anything: keep the policy of the pending trial
 *   events      read: the event stream (see events.c), poll()able
 *   rule_hits   "line count" for each policy line whose rules allowed
 *   keys        write: an X.509 certificate (DER) to enrol; read: the keys
 *   seal        write: struct cpol_seal and the link fds; one way
 *
 * A refused policy, unload or seal leaves its reason in last_error.
 */
#include "common.h"

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "events.h"
#include "policy_store.h"
#include "seal.h"
#include "securityfs.h"
#include "signature.h"

static struct dentry *dir;
static struct dentry *files[10];

/* One write carries the whole blob: no partial or appended writes. */
static ssize_t load_from_user(const char __user *buf, size_t count,
			      loff_t *ppos, unsigned int trial_secs)
{
	void *blob;
	int ret;

	if (!capable(CAP_MAC_ADMIN))
		return -EPERM;
	if (*ppos != 0)
		return -EINVAL;
	if (count > CPOL_MAX_BLOB + CPOL_SIG_MAX +
		    sizeof(struct cpol_sig_trailer)) {
		/* Let the store record why, without copying the excess. */
		return citadel_store_load(NULL, count, 0);
	}
	blob = vmemdup_user(buf, count);
	if (IS_ERR(blob))
		return PTR_ERR(blob);
	ret = citadel_store_load(blob, count, trial_secs);
	kvfree(blob);
	return ret;
}

static ssize_t policy_write(struct file *file, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	ssize_t ret = load_from_user(buf, count, ppos, 0);

	return ret ? ret : count;
}

static ssize_t trial_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct cpol_trial t;
	u32 secs;
	ssize_t ret;

	if (!capable(CAP_MAC_ADMIN))
		return -EPERM;
	if (count < sizeof(t) || copy_from_user(&t, buf, sizeof(t)))
		return -EINVAL;
	secs = le32_to_cpu(t.seconds);
	if (le32_to_cpu(t.magic) != CPOL_TRIAL_MAGIC || !secs ||
	    secs > CPOL_TRIAL_MAX_SECS)
		return -EINVAL;
	ret = load_from_user(buf + sizeof(t), count - sizeof(t), ppos, secs);
	return ret ? ret : count;
}

static ssize_t confirm_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	int ret;

	if (!capable(CAP_MAC_ADMIN))
		return -EPERM;
	ret = citadel_store_confirm();
	return ret ? ret : count;
}

static ssize_t unload_write(struct file *file, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	int ret;

	if (!capable(CAP_MAC_ADMIN))
		return -EPERM;
	ret = citadel_store_unload();
	return ret ? ret : count;
}

static int policy_show(struct seq_file *m, void *v)
{
	citadel_store_show_policy(m);
	return 0;
}

static int status_show(struct seq_file *m, void *v)
{
	citadel_store_show_status(m);
	return 0;
}

static int last_error_show(struct seq_file *m, void *v)
{
	citadel_store_show_last_error(m);
	return 0;
}

static ssize_t keys_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	char err[CITADEL_ERR_MAX] = "";
	void *der;
	int ret;

	if (!capable(CAP_MAC_ADMIN))
		return -EPERM;
	if (*ppos != 0 || !count || count > CPOL_SIG_MAX)
		return -EINVAL;
	der = vmemdup_user(buf, count);
	if (IS_ERR(der))
		return PTR_ERR(der);
	ret = citadel_keys_enroll(der, count, err, sizeof(err));
	kvfree(der);
	if (ret) {
		citadel_store_note_error(err);
		pr_warn("key not enrolled: %s\n", err);
	}
	return ret ? ret : count;
}

static ssize_t seal_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	__le32 raw[CPOL_SEAL_MAX_LINKS];
	s32 fds[CPOL_SEAL_MAX_LINKS];
	char err[CITADEL_ERR_MAX] = "";
	struct cpol_seal h;
	u32 n, i;
	int ret;

	if (!capable(CAP_MAC_ADMIN))
		return -EPERM;
	if (*ppos != 0 || count < sizeof(h) || count > sizeof(h) + sizeof(raw))
		return -EINVAL;
	if (copy_from_user(&h, buf, sizeof(h)))
		return -EFAULT;
	n = le32_to_cpu(h.nlinks);
	if (le32_to_cpu(h.magic) != CPOL_SEAL_MAGIC || !n ||
	    n > CPOL_SEAL_MAX_LINKS || count != sizeof(h) + n * sizeof(raw[0]))
		return -EINVAL;
	if (copy_from_user(raw, buf + sizeof(h), n * sizeof(raw[0])))
		return -EFAULT;
	for (i = 0; i < n; i++)
		fds[i] = (s32)le32_to_cpu(raw[i]);
	ret = citadel_seal(fds, n, err, sizeof(err));
	if (ret) {
		citadel_store_note_error(err);
		pr_warn("not sealed: %s\n", err);
	}
	return ret ? ret : count;
}

static const struct file_operations seal_fops = {
	.write = seal_write,
	.llseek = noop_llseek,
};

static int keys_show(struct seq_file *m, void *v)
{
	citadel_keys_show(m);
	return 0;
}

static int keys_open(struct inode *inode, struct file *file)
{
	if (file->f_mode & FMODE_WRITE)
		return 0;
	return single_open(file, keys_show, NULL);
}

static int keys_release(struct inode *inode, struct file *file)
{
	if (file->f_mode & FMODE_WRITE)
		return 0;
	return single_release(inode, file);
}

static const struct file_operations keys_fops = {
	.open = keys_open,
	.read = seq_read,
	.write = keys_write,
	.llseek = seq_lseek,
	.release = keys_release,
};

static int rule_hits_show(struct seq_file *m, void *v)
{
	citadel_store_show_rule_hits(m);
	return 0;
}

static int rule_hits_open(struct inode *inode, struct file *file)
{
	return single_open(file, rule_hits_show, NULL);
}

static const struct file_operations rule_hits_fops = {
	.open = rule_hits_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static int policy_open(struct inode *inode, struct file *file)
{
	/* Writers get the write path only; readers get the summary. */
	if (file->f_mode & FMODE_WRITE)
		return 0;
	return single_open(file, policy_show, NULL);
}

static int policy_release(struct inode *inode, struct file *file)
{
	if (file->f_mode & FMODE_WRITE)
		return 0;
	return single_release(inode, file);
}

static const struct file_operations policy_fops = {
	.open = policy_open,
	.read = seq_read,
	.write = policy_write,
	.llseek = seq_lseek,
	.release = policy_release,
};

static int status_open(struct inode *inode, struct file *file)
{
	return single_open(file, status_show, NULL);
}

static const struct file_operations status_fops = {
	.open = status_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static int last_error_open(struct inode *inode, struct file *file)
{
	return single_open(file, last_error_show, NULL);
}

static const struct file_operations last_error_fops = {
	.open = last_error_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct file_operations unload_fops = {
	.write = unload_write,
	.llseek = noop_llseek,
};

static const struct file_operations trial_fops = {
	.write = trial_write,
	.llseek = noop_llseek,
};

static const struct file_operations confirm_fops = {
	.write = confirm_write,
	.llseek = noop_llseek,
};

int citadel_securityfs_init(void)
{
	static const struct {
		const char *name;
		umode_t mode;
		const struct file_operations *fops;
	} defs[] = {
		{ "policy", 0600, &policy_fops },
		{ "status", 0444, &status_fops },
		{ "last_error", 0444, &last_error_fops },
		{ "unload", 0200, &unload_fops },
		{ "trial", 0200, &trial_fops },
		{ "confirm", 0200, &confirm_fops },
		{ "events", 0400, &citadel_events_fops },
		{ "rule_hits", 0444, &rule_hits_fops },
		{ "keys", 0600, &keys_fops },
		{ "seal", 0200, &seal_fops },
	};
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(defs) != ARRAY_SIZE(files));
	dir = securityfs_create_dir("citadel", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	for (i = 0; i < ARRAY_SIZE(defs); i++) {
		files[i] = securityfs_create_file(defs[i].name, defs[i].mode,
						  dir, NULL, defs[i].fops);
		if (IS_ERR(files[i])) {
			int ret = PTR_ERR(files[i]);

			files[i] = NULL;
			citadel_securityfs_exit();
			return ret;
		}
	}
	return 0;
}

void citadel_securityfs_exit(void)
{
	int i;

	for (i = ARRAY_SIZE(files) - 1; i >= 0; i--) {
		securityfs_remove(files[i]);
		files[i] = NULL;
	}
	securityfs_remove(dir);
	dir = NULL;
}
