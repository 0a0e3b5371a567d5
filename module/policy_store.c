// SPDX-License-Identifier: GPL-2.0-only
/*
 * The active policy and its replacement. Writers serialise on a mutex,
 * build the new policy completely, publish it with one pointer swap and
 * free the old one after a grace period; readers (the hooks) only ever
 * see a complete policy or none.
 *
 * A trial load keeps the replaced policy and restores it from a delayed
 * work item unless the trial is confirmed in time: a push that cuts a
 * device off cannot strand it. While a trial is pending, other loads are
 * refused (-EBUSY) so that what gets confirmed or restored is never in
 * doubt; unload ends the trial.
 *
 * Once sealed (seal.c), only signed policies with a higher version and
 * without audit mode load, and unload is refused: one-way until reboot.
 */
#include "common.h"

#include <crypto/sha2.h>
#include <linux/mutex.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "counters.h"
#include "events.h"
#include "persist.h"
#include "policy_store.h"
#include "protect.h"
#include "seal.h"
#include "signature.h"

struct citadel_policy __rcu *citadel_policy_active;
static DEFINE_MUTEX(store_lock);

/* Guarded by store_lock. */
static char last_error[CITADEL_ERR_MAX];
static u64 policy_loads;
static u64 policy_rejects;
static u64 policy_rollbacks;
static bool trial_pending;
static struct citadel_policy *trial_prev;	/* may be NULL: no policy */
static unsigned long trial_deadline;		/* jiffies */
static bool store_sealed;
/* Sealed: the blob of the pending trial, kept on disk once confirmed. */
static void *trial_blob;
static size_t trial_blob_len;

static void trial_expire(struct work_struct *work);
static DECLARE_DELAYED_WORK(trial_work, trial_expire);

const struct citadel_policy *citadel_policy_get(void)
{
	struct citadel_policy *pol;

	rcu_read_lock();
	pol = rcu_dereference(citadel_policy_active);
	if (pol && !refcount_inc_not_zero(&pol->ref))
		pol = NULL;
	rcu_read_unlock();
	return pol;
}

static void policy_free(struct citadel_policy *pol)
{
	if (pol) {
		free_percpu(pol->hits);
		kvfree(pol->hits_shared);
	}
	citadel_policy_free(pol);
}

/* Counters for lines 0..max_line; without them hits go uncounted. */
static void alloc_hits(struct citadel_policy *pol)
{
	size_t n = (size_t)pol->max_line + 1;

	if (pol->max_line > CITADEL_MAX_HIT_LINES)
		return;
	if (n * sizeof(u64) <= PCPU_MIN_UNIT_SIZE)
		pol->hits = __alloc_percpu_gfp(n * sizeof(u64), sizeof(u64),
					       GFP_KERNEL | __GFP_NOWARN);
	else
		pol->hits_shared = kvcalloc(n, sizeof(atomic64_t),
					    GFP_KERNEL | __GFP_NOWARN);
	if (pol->hits || pol->hits_shared)
		pol->hit_lines = n;
}

void citadel_policy_put(const struct citadel_policy *pol)
{
	struct citadel_policy *p = (struct citadel_policy *)pol;

	if (p && refcount_dec_and_test(&p->ref))
		policy_free(p);
}

/*
 * Publishes @pol. When this returns, no hook still uses the old policy
 * under RCU; sleeping users holding a reference drop it when done.
 */
static struct citadel_policy *swap_locked(struct citadel_policy *pol)
{
	struct citadel_policy *old;

	old = rcu_replace_pointer(citadel_policy_active, pol,
				  lockdep_is_held(&store_lock));
	if (old)
		synchronize_rcu();
	return old;
}

static void replace_locked(struct citadel_policy *pol)
{
	citadel_policy_put(swap_locked(pol));
}

static void describe(char *buf, size_t len, const struct citadel_policy *pol)
{
	if (pol)
		snprintf(buf, len, "%s version %llu", pol->name, pol->version);
	else
		snprintf(buf, len, "no policy");
}

/*
 * While sealed, the protected paths follow the policy in force. On a
 * failure the set of the policy before stays: it still protects.
 */
static void protect_rebuild_locked(const struct citadel_policy *pol)
{
	struct citadel_protect_set *set;
	char err[CITADEL_ERR_MAX];

	if (citadel_protect_build(pol, &set, err, sizeof(err)))
		pr_warn("%s: the protected paths of the policy before stay\n",
			err);
	else
		citadel_protect_publish(set);
}

/* The trial was not confirmed in time: put the previous policy back. */
static void trial_expire(struct work_struct *work)
{
	char was[CPOL_NAME_MAX + 32], back[CPOL_NAME_MAX + 32];
	char obj[CPOL_NAME_MAX + 48];
	struct citadel_policy *cur;

	mutex_lock(&store_lock);
	if (!trial_pending) {
		mutex_unlock(&store_lock);
		return;
	}
	describe(back, sizeof(back), trial_prev);
	if (store_sealed && trial_prev)
		protect_rebuild_locked(trial_prev);
	cur = swap_locked(trial_prev);
	describe(was, sizeof(was), cur);
	snprintf(obj, sizeof(obj), "trial=%s", was);
	citadel_event(CITADEL_OP_POLICY, CITADEL_EV_ROLLBACK, trial_prev, NULL,
		      obj);
	citadel_policy_put(cur);
	trial_prev = NULL;
	trial_pending = false;
	kvfree(trial_blob);
	trial_blob = NULL;
	policy_rollbacks++;
	mutex_unlock(&store_lock);
	pr_warn("rollback: trial of policy %s was not confirmed in time; restored %s\n",
		was, back);
}

/* Ends a pending trial, keeping the trial policy. Holds store_lock. */
static void trial_end_locked(void)
{
	if (!trial_pending)
		return;
	cancel_delayed_work(&trial_work);
	citadel_policy_put(trial_prev);
	trial_prev = NULL;
	trial_pending = false;
	kvfree(trial_blob);
	trial_blob = NULL;
}

/**
 * citadel_store_confirm() - keep the policy of the pending trial
 *
 * Return: 0, -ENOENT when no trial is pending, or -EINTR.
 */
int citadel_store_confirm(void)
{
	if (mutex_lock_interruptible(&store_lock))
		return -EINTR;
	if (!trial_pending) {
		mutex_unlock(&store_lock);
		return -ENOENT;
	}
	if (trial_blob)
		citadel_persist_loaded(rcu_dereference_protected(citadel_policy_active,
								 lockdep_is_held(&store_lock)),
				       trial_blob, trial_blob_len);
	trial_end_locked();
	mutex_unlock(&store_lock);
	pr_info("trial confirmed: the new policy stays\n");
	return 0;
}

static bool any_audit(const struct citadel_policy *pol)
{
	u32 i;

	if (pol->flags & CPOL_F_AUDIT)
		return true;
	for (i = 0; i < pol->nscopes; i++)
		if (pol->scopes[i].flags & CPOL_SCOPE_F_AUDIT)
			return true;
	return false;
}

/* What a sealed store refuses in a new policy; 0 if it may load. */
static int sealed_refusal(const struct citadel_policy *pol,
			  const struct citadel_policy *cur, bool is_signed,
			  char *err, size_t errlen)
{
	if (!is_signed) {
		snprintf(err, errlen, "sealed: only policies signed by an enrolled key load, and this one is not signed");
		return -EKEYREJECTED;
	}
	/* A role change needs a reboot: the camera stays a camera. */
	if (cur && strcmp(pol->name, cur->name)) {
		snprintf(err, errlen, "sealed: policy %s is for another role than %s in force (a role change needs a reboot)",
			 pol->name, cur->name);
		return -EPERM;
	}
	if (cur && pol->version <= cur->version) {
		snprintf(err, errlen, "sealed: version %llu is not higher than version %llu in force (no rollback)",
			 pol->version, cur->version);
		return -EPERM;
	}
	if (any_audit(pol)) {
		snprintf(err, errlen, "sealed: this policy is in audit mode (%s), which would stop enforcement",
			 pol->flags & CPOL_F_AUDIT ? "the whole policy" : "a service");
		return -EPERM;
	}
	return 0;
}

/* Records a refusal: last_error, the counter, an event, the log. */
static void reject_locked(const struct citadel_policy *cur, const char *err)
{
	strscpy(last_error, err, sizeof(last_error));
	policy_rejects++;
	citadel_event(CITADEL_OP_POLICY, CITADEL_EV_DENIED, cur, NULL, err);
	pr_warn("policy rejected, previous policy stays in force: %s\n", err);
}

/**
 * citadel_store_load() - validate a blob and make it the active policy
 * @blob: the blob, in kernel memory
 * @len: its size
 * @trial_secs: 0, or a trial: restore the current policy after this many
 *	seconds unless citadel_store_confirm() is called first
 *
 * On any failure the active policy is left as it was and the reason is
 * kept for the last_error file.
 *
 * Return: 0, -EINVAL for a defective blob, -E2BIG for an oversized one,
 * -EBUSY while a trial is pending, -ENOMEM, -EINTR when interrupted
 * while waiting for another writer, a signature error (-EKEYREJECTED,
 * -ENOKEY, -EBADMSG), or -EPERM for what a seal forbids.
 */
int citadel_store_load(const void *blob, size_t len, unsigned int trial_secs)
{
	struct citadel_policy *pol = NULL, *cur;
	struct citadel_protect_set *set = NULL;
	char err[CITADEL_ERR_MAX] = "";
	size_t blob_len = len;
	bool is_signed = false;
	int ret = 0;

	if (blob)
		ret = citadel_signature_check(blob, len, &blob_len, &is_signed,
					      err, sizeof(err));
	if (!ret)
		ret = citadel_policy_parse(blob, blob_len, &pol, err,
					   sizeof(err));
	if (!ret) {
		pol->is_signed = is_signed;
		sha256(blob, blob_len, pol->digest);
		refcount_set(&pol->ref, 1);
		alloc_hits(pol);
	}

	if (mutex_lock_interruptible(&store_lock)) {
		citadel_policy_put(pol);
		return -EINTR;
	}
	cur = rcu_dereference_protected(citadel_policy_active,
					lockdep_is_held(&store_lock));
	if (!ret && !is_signed &&
	    (citadel_require_signature ||
	     (cur && (cur->flags & CPOL_F_REQUIRE_SIGNED)))) {
		ret = -EKEYREJECTED;
		snprintf(err, sizeof(err),
			 "a signature is required (%s) and this policy is not signed",
			 citadel_require_signature ?
			 "module parameter require_signature" :
			 "the policy in force says require signature");
		citadel_policy_put(pol);
	}
	if (!ret && store_sealed) {
		ret = sealed_refusal(pol, cur, is_signed, err, sizeof(err));
		if (ret)
			citadel_policy_put(pol);
	}
	/* Resolved before the swap: a sealed device is never unprotected. */
	if (!ret && store_sealed) {
		ret = citadel_protect_build(pol, &set, err, sizeof(err));
		if (ret)
			citadel_policy_put(pol);
	}
	if (!ret && trial_pending) {
		citadel_protect_free(set);
		ret = -EBUSY;
		snprintf(err, sizeof(err),
			 "a trial load is pending: confirm it or let it roll back before loading another policy");
		citadel_policy_put(pol);
	}
	if (ret) {
		if (!err[0])
			snprintf(err, sizeof(err), "error %d", ret);
		reject_locked(cur, err);
		mutex_unlock(&store_lock);
		return ret;
	}
	last_error[0] = '\0';
	policy_loads++;
	pr_info("policy %s version %llu loaded (%s, %u services, %u exec, %u connect, %u listen rules, digest %*phN)\n",
		pol->name, pol->version,
		pol->flags & CPOL_F_AUDIT ? "audit" : "enforce",
		pol->nscopes - 1, pol->rules_exec,
		pol->rules_net4 + pol->rules_net6,
		pol->rules_listen4 + pol->rules_listen6, 8, pol->digest);
	if (trial_secs) {
		trial_prev = swap_locked(pol);
		trial_pending = true;
		trial_deadline = jiffies + trial_secs * HZ;
		schedule_delayed_work(&trial_work, trial_secs * HZ);
		pr_info("trial: the previous policy comes back in %u s unless confirmed\n",
			trial_secs);
	} else {
		replace_locked(pol);
	}
	if (store_sealed) {
		citadel_protect_publish(set);
		/* A trial is kept on disk only once it is confirmed. */
		if (!trial_secs) {
			citadel_persist_loaded(pol, blob, len);
		} else {
			trial_blob = kvmalloc(len, GFP_KERNEL);
			if (trial_blob)
				memcpy(trial_blob, blob, len);
			else
				pr_warn("persist: out of memory: this trial will not be kept on disk when confirmed\n");
			trial_blob_len = len;
		}
	}
	mutex_unlock(&store_lock);
	return 0;
}

/**
 * citadel_store_unload() - drop the active policy; nothing is restricted
 *
 * Return: 0, -EPERM when sealed, or -EINTR.
 */
int citadel_store_unload(void)
{
	if (mutex_lock_interruptible(&store_lock))
		return -EINTR;
	if (store_sealed) {
		reject_locked(rcu_dereference_protected(citadel_policy_active,
							lockdep_is_held(&store_lock)),
			      "sealed: the policy cannot be unloaded until reboot");
		mutex_unlock(&store_lock);
		return -EPERM;
	}
	trial_end_locked();
	replace_locked(NULL);
	mutex_unlock(&store_lock);
	pr_info("policy unloaded\n");
	return 0;
}

/**
 * citadel_store_seal() - from now on, refuse what would weaken the policy
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Called by citadel_seal() once it holds the links; emits the seal event.
 *
 * Return: 0, -ENOENT without a policy, -EPERM for a policy in audit
 * mode, -EBUSY while a trial is pending.
 */
int citadel_store_seal(char *err, size_t errlen)
{
	const struct citadel_policy *cur;
	int ret = 0;

	mutex_lock(&store_lock);
	cur = rcu_dereference_protected(citadel_policy_active,
					lockdep_is_held(&store_lock));
	if (!cur) {
		snprintf(err, errlen, "no policy is loaded: load one before sealing");
		ret = -ENOENT;
	} else if (any_audit(cur)) {
		snprintf(err, errlen, "policy %s is in audit mode (%s): sealing would lock in a policy that denies nothing",
			 cur->name, cur->flags & CPOL_F_AUDIT ? "the whole policy" : "a service");
		ret = -EPERM;
	} else if (trial_pending) {
		snprintf(err, errlen, "a trial load is pending: confirm it before sealing");
		ret = -EBUSY;
	} else {
		struct citadel_protect_set *set;

		ret = citadel_protect_build(cur, &set, err, errlen);
		if (ret)
			goto out;
		citadel_protect_publish(set);
		store_sealed = true;
		citadel_event(CITADEL_OP_SEAL, CITADEL_EV_SEALED, cur, NULL,
			      "sealed until reboot");
	}
out:
	mutex_unlock(&store_lock);
	return ret;
}

void citadel_store_exit(void)
{
	cancel_delayed_work_sync(&trial_work);
	mutex_lock(&store_lock);
	trial_end_locked();
	replace_locked(NULL);
	mutex_unlock(&store_lock);
}

void citadel_store_show_policy(struct seq_file *m)
{
	const struct citadel_policy *pol;

	rcu_read_lock();
	pol = citadel_active_policy();
	if (pol)
		seq_printf(m, "name %s\nversion %llu\ndigest %*phN\n",
			   pol->name, pol->version, 32, pol->digest);
	else
		seq_puts(m, "none\n");
	rcu_read_unlock();
}

void citadel_store_show_status(struct seq_file *m)
{
	const struct citadel_policy *pol;

	seq_printf(m, "abi %u\n", CPOL_ABI_VERSION);
	rcu_read_lock();
	pol = citadel_active_policy();
	if (pol) {
		seq_puts(m, "state loaded\n");
		seq_printf(m, "mode %s\n",
			   pol->flags & CPOL_F_AUDIT ? "audit" : "enforce");
		seq_printf(m, "name %s\nversion %llu\ndigest %*phN\n",
			   pol->name, pol->version, 32, pol->digest);
		seq_printf(m, "rules_net4 %u\nrules_net6 %u\n",
			   pol->rules_net4, pol->rules_net6);
		seq_printf(m, "rules_listen4 %u\nrules_listen6 %u\n",
			   pol->rules_listen4, pol->rules_listen6);
		seq_printf(m, "rules_exec %u\nrules_libs %u\nservices %u\n",
			   pol->rules_exec, pol->rules_libs, pol->nscopes - 1);
		seq_printf(m, "fileless %s\n",
			   pol->flags & CPOL_F_FILELESS ? "allowed" : "denied");
		seq_printf(m, "signature %s\n",
			   pol->is_signed ? "signed" : "unsigned");
		seq_printf(m, "policy_requires_signature %s\n",
			   pol->flags & CPOL_F_REQUIRE_SIGNED ? "yes" : "no");
		seq_printf(m, "policy_memory %zu\n", pol->mem_bytes);
		seq_printf(m, "rules_protect %u\n", pol->rules_protect);
	} else {
		seq_puts(m, "state none\n");
	}
	rcu_read_unlock();

	mutex_lock(&store_lock);
	seq_printf(m, "policy_loads %llu\npolicy_rejects %llu\npolicy_rollbacks %llu\n",
		   policy_loads, policy_rejects, policy_rollbacks);
	if (trial_pending) {
		long left = (long)(trial_deadline - jiffies);
		char back[CPOL_NAME_MAX + 32];

		describe(back, sizeof(back), trial_prev);
		seq_printf(m, "trial pending\ntrial_remaining_ms %u\ntrial_restores %s\n",
			   left > 0 ? jiffies_to_msecs(left) : 0, back);
	} else {
		seq_puts(m, "trial none\n");
	}
	mutex_unlock(&store_lock);
	seq_printf(m, "require_signature %s\nkeys %u\n",
		   citadel_require_signature ? "yes" : "no",
		   citadel_keys_count());
	citadel_seal_show_status(m);
	citadel_protect_show_status(m);
	citadel_persist_show_status(m);
	citadel_counters_show(m);
	citadel_events_show_status(m);
}

void citadel_store_show_rule_hits(struct seq_file *m)
{
	const struct citadel_policy *pol;
	u32 line;
	int cpu;

	rcu_read_lock();
	pol = citadel_active_policy();
	for (line = 1; pol && (pol->hits || pol->hits_shared) &&
	     line <= pol->max_line; line++) {
		u64 sum = 0;

		if (pol->hits_shared)
			sum = atomic64_read(&pol->hits_shared[line]);
		else
			for_each_possible_cpu(cpu)
				sum += *per_cpu_ptr(&pol->hits[line], cpu);
		if (sum)
			seq_printf(m, "%u %llu\n", line, sum);
	}
	rcu_read_unlock();
}

/* Keeps @err for last_error: a refusal outside the policy write path. */
void citadel_store_note_error(const char *err)
{
	mutex_lock(&store_lock);
	strscpy(last_error, err, sizeof(last_error));
	mutex_unlock(&store_lock);
}

void citadel_store_show_last_error(struct seq_file *m)
{
	mutex_lock(&store_lock);
	if (last_error[0])
		seq_printf(m, "%s\n", last_error);
	mutex_unlock(&store_lock);
}
