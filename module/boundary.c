// SPDX-License-Identifier: GPL-2.0-only
/*
 * No borrowing across labels. While a policy is loaded, a task may not
 * reach into a task of another label (label 0, the unconfined, is one;
 * root is no exception): no ptrace attach or seize, no PTRACE_TRACEME to
 * a parent of another label, none of the accesses the kernel checks with
 * __ptrace_may_access() (/proc/PID/mem, environ, maps, fd, cwd, root, exe
 * and ns, process_vm_readv/writev, pidfd_getfd, kcmp, process_madvise,
 * perf_event_open without CAP_PERFMON, get_robust_list, setns on a
 * pidfd, ...). Same-label access is left to the kernel's own rules.
 *
 * PTRACE_MODE_READ is refused as well as PTRACE_MODE_ATTACH: the hook is
 * told only the mode, and environ, fd and map_files are read-mode. What
 * ps, top and systemd read of other processes (stat, status, cmdline,
 * comm, cgroup) is not checked by the kernel at all, so it stays
 * readable; only the fields of /proc/PID/stat the kernel hides from an
 * unprivileged reader (PTRACE_MODE_NOAUDIT: code and stack addresses,
 * wchan) read as 0 across labels, without an event.
 *
 * An exec that would change the task's label is refused while the task
 * is traced or shares its fs_struct with another process (the tracer or
 * sharer would own a task of the new label), and is otherwise a secure
 * exec (AT_SECURE: the dynamic loader ignores LD_PRELOAD and friends).
 * no_new_privs does not prevent entering a service: systemd sets it on
 * services it starts, and it gives the caller nothing of the service.
 *
 * The access hooks run under task_lock() of the other task, or under the
 * tasklist lock with interrupts off (traceme): the event, which takes
 * the comm and the exe of the acting task, is written when the task
 * returns to user space (task_work), before it sees the error. Repeats
 * are counted, not reported again (see repeated()).
 */
#include "common.h"

#include <linux/compat.h>
#include <linux/jiffies.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/unistd.h>
#include <linux/wait_bit.h>
#include <asm/syscall.h>

#include "boundary.h"
#include "policy_store.h"
#include "task_label.h"
#include "verdict.h"

/* Bounded like an event's object. */
#define OBJECT_LEN	160

struct report {
	struct callback_head work;
	u64 label;		/* of the acting task, for its service */
	char object[OBJECT_LEN];
};

/* Reports queued and not yet written: module exit waits for them. */
static atomic_t reports_queued = ATOMIC_INIT(0);

/*
 * journald, for one, reads /proc/PID/exe of every service that logs, and
 * again whenever it refreshes what it knows of the process: a refusal
 * that the same process repeats on the same target, the same way, within
 * REPEAT_SECS is counted but not reported again.
 */
#define RECENT_SLOTS	16
#define REPEAT_SECS	60

struct recent {
	pid_t from, to;
	const char *what;	/* one of the constant texts below */
	unsigned long at;	/* jiffies; 0: a free slot */
};

static struct recent recent[RECENT_SLOTS];
static unsigned int recent_next;
static DEFINE_SPINLOCK(recent_lock);

static bool repeated(pid_t from, pid_t to, const char *what)
{
	unsigned long flags, now = jiffies;
	bool seen = false;
	unsigned int i;

	spin_lock_irqsave(&recent_lock, flags);
	for (i = 0; i < RECENT_SLOTS && !seen; i++)
		seen = recent[i].at && recent[i].from == from &&
		       recent[i].to == to && recent[i].what == what &&
		       time_before(now, recent[i].at + REPEAT_SECS * HZ);
	if (!seen) {
		recent[recent_next].from = from;
		recent[recent_next].to = to;
		recent[recent_next].what = what;
		recent[recent_next].at = now ?: 1;
		recent_next = (recent_next + 1) % RECENT_SLOTS;
	}
	spin_unlock_irqrestore(&recent_lock, flags);
	return seen;
}

static const char *label_name(const struct citadel_policy *pol, u64 label)
{
	const struct citadel_scope *svc = citadel_scope_of(pol, label);

	if (svc)
		return svc->name;
	return label ? "?" : "-";
}

static bool in_audit(const struct citadel_policy *pol,
		     const struct citadel_scope *svc)
{
	return (pol->flags & CPOL_F_AUDIT) ||
	       (svc && (svc->flags & CPOL_SCOPE_F_AUDIT));
}

/* In the acting task, on its way back to user space. */
static void report_now(struct callback_head *work)
{
	struct report *r = container_of(work, struct report, work);
	const struct citadel_policy *pol;

	rcu_read_lock();
	pol = citadel_active_policy();
	if (pol)
		citadel_refuse(CITADEL_OP_BOUNDARY, pol,
			       citadel_scope_of(pol, r->label), r->object);
	rcu_read_unlock();
	kfree(r);
	if (atomic_dec_and_test(&reports_queued))
		wake_up_var(&reports_queued);
}

/*
 * A refusal of an access hook: decided now, reported (counted, logged,
 * an event) on the way back to user space. Atomic context.
 */
static int refuse_later(const struct citadel_policy *pol, u64 from,
			pid_t target, const char *what, const char *fmt, ...)
{
	const struct citadel_scope *svc = citadel_scope_of(pol, from);
	bool audit = in_audit(pol, svc);
	struct report *r;
	va_list ap;

	/* Kernel threads other than io_uring's never run task work. */
	if ((current->flags & (PF_KTHREAD | PF_IO_WORKER)) == PF_KTHREAD)
		goto unreported;
	if (repeated(task_tgid_nr(current), target, what))
		goto unreported;
	r = kmalloc(sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);
	if (!r)
		goto unreported;
	r->label = from;
	va_start(ap, fmt);
	vsnprintf(r->object, sizeof(r->object), fmt, ap);
	va_end(ap);
	init_task_work(&r->work, report_now);
	atomic_inc(&reports_queued);
	if (task_work_add(current, &r->work, TWA_RESUME)) {
		/* The task is exiting: nobody to report to. */
		kfree(r);
		atomic_dec(&reports_queued);
		goto unreported;
	}
	return audit ? CITADEL_ALLOW : CITADEL_DENY;
unreported:
	citadel_count(CITADEL_OP_BOUNDARY,
		      audit ? CITADEL_AUDITED : CITADEL_DENIED);
	return audit ? CITADEL_ALLOW : CITADEL_DENY;
}

/*
 * What the caller is doing, from its system call: the hook only says
 * read or attach mode.
 */
static const char *access_name(unsigned int mode)
{
	long nr = -1;

	if (!(current->flags & PF_KTHREAD) && !in_compat_syscall())
		nr = syscall_get_nr(current, task_pt_regs(current));
	switch (nr) {
	case __NR_ptrace:
		return "ptrace attach";
	case __NR_process_vm_readv:
		return "process_vm_readv";
	case __NR_process_vm_writev:
		return "process_vm_writev";
	case __NR_pidfd_getfd:
		return "pidfd_getfd";
	case __NR_kcmp:
		return "kcmp";
	case __NR_perf_event_open:
		return "perf_event_open";
	case __NR_process_madvise:
		return "process_madvise";
	case __NR_setns:
		return "setns";
	case __NR_get_robust_list:
		return "get_robust_list";
#ifdef __NR_open
	case __NR_open:
#endif
#ifdef __NR_readlink
	case __NR_readlink:
#endif
	case __NR_openat:
	case __NR_openat2:
	case __NR_readlinkat:
		return mode & PTRACE_MODE_ATTACH ? "/proc access (attach mode) to" :
						   "/proc access (read mode) to";
	}
	return mode & PTRACE_MODE_ATTACH ? "attach-mode access to" :
					   "read-mode access to";
}

/**
 * citadel_boundary_access() - decide a ptrace access check
 * @child: the task to be traced or inspected (never of the caller's
 *	thread group: the kernel allows that before asking)
 * @mode: PTRACE_MODE_* flags of the check
 *
 * Atomic context (task_lock() of @child is held).
 *
 * Return: CITADEL_ALLOW when no policy is loaded or both tasks have the
 * same label, CITADEL_DENY otherwise (CITADEL_ALLOW in audit mode).
 */
int citadel_boundary_access(struct task_struct *child, unsigned int mode)
{
	const struct citadel_policy *pol;
	int ret = CITADEL_ALLOW;
	const char *what;
	u64 from, to;

	if (!child)
		return CITADEL_DENY;
	rcu_read_lock();
	pol = citadel_active_policy();
	if (!pol)
		goto out;
	from = citadel_current_label();
	to = citadel_task_label(child);
	if (from == to) {
		ret = citadel_allow(CITADEL_OP_BOUNDARY);
		goto out;
	}
	/* A probe the kernel would not audit is not an attempt: no event. */
	if (mode & PTRACE_MODE_NOAUDIT) {
		ret = in_audit(pol, citadel_scope_of(pol, from)) ?
		      CITADEL_ALLOW : CITADEL_DENY;
		goto out;
	}
	what = access_name(mode);
	ret = refuse_later(pol, from, task_tgid_nr(child), what,
			   "%s pid %d (service %s) from service %s", what,
			   task_tgid_nr(child), label_name(pol, to),
			   label_name(pol, from));
out:
	rcu_read_unlock();
	return ret;
}

/**
 * citadel_boundary_traceme() - decide PTRACE_TRACEME
 * @parent: the caller's parent, the tracer to be
 *
 * Atomic context (the tasklist lock is held, interrupts are off).
 *
 * Return: CITADEL_ALLOW when no policy is loaded or both tasks have the
 * same label, CITADEL_DENY otherwise (CITADEL_ALLOW in audit mode).
 */
int citadel_boundary_traceme(struct task_struct *parent)
{
	const struct citadel_policy *pol;
	int ret = CITADEL_ALLOW;
	u64 from, to;

	if (!parent)
		return CITADEL_DENY;
	rcu_read_lock();
	pol = citadel_active_policy();
	if (!pol)
		goto out;
	from = citadel_current_label();
	to = citadel_task_label(parent);
	if (from == to) {
		ret = citadel_allow(CITADEL_OP_BOUNDARY);
		goto out;
	}
	ret = refuse_later(pol, from, task_tgid_nr(parent), "ptrace traceme",
			   "ptrace traceme to parent pid %d (service %s) from service %s",
			   task_tgid_nr(parent), label_name(pol, to),
			   label_name(pol, from));
out:
	rcu_read_unlock();
	return ret;
}

/* The tracer's pid and label, under RCU. */
static pid_t tracer_of_current(u64 *label)
{
	struct task_struct *tracer = ptrace_parent(current);

	if (!tracer)
		return 0;
	*label = citadel_task_label(tracer);
	return task_tgid_nr(tracer);
}

/**
 * citadel_boundary_exec() - may this exec move the task to another label
 * @bprm: the exec
 * @pol: the policy in force (a reference is held)
 * @svc: the caller's service, NULL for none
 * @from: the caller's label
 * @to: the label the exec would give
 * @path: the binary's path, for the event
 *
 * Called once per exec, by the binary of the chain that chooses the
 * label. May sleep. When the label changes and the exec is allowed, it
 * becomes a secure exec.
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY (with an event) for a traced or
 * fs-sharing exec that would change the label.
 */
int citadel_boundary_exec(struct linux_binprm *bprm,
			  const struct citadel_policy *pol,
			  const struct citadel_scope *svc, u64 from, u64 to,
			  const char *path)
{
	char *obj = NULL;
	u64 tracer_label = 0;
	pid_t tracer;
	int ret;

	if (from == to)
		return CITADEL_ALLOW;
	if (bprm->unsafe & LSM_UNSAFE_PTRACE) {
		rcu_read_lock();
		tracer = tracer_of_current(&tracer_label);
		rcu_read_unlock();
		obj = kasprintf(GFP_KERNEL,
				"exec into service %s while traced by pid %d (service %s): %s",
				label_name(pol, to), tracer,
				label_name(pol, tracer_label), path);
	} else if (bprm->unsafe & LSM_UNSAFE_SHARE) {
		obj = kasprintf(GFP_KERNEL,
				"exec into service %s with its fs shared with another process: %s",
				label_name(pol, to), path);
	} else {
		/* ld.so of the new label must not take the caller's LD_*. */
		bprm->secureexec = 1;
		return CITADEL_ALLOW;
	}
	ret = citadel_refuse(CITADEL_OP_BOUNDARY, pol, svc,
			     obj ? obj : "exec into a service while traced or sharing its fs");
	kfree(obj);
	if (ret == CITADEL_ALLOW)
		bprm->secureexec = 1;
	return ret;
}

/* Module exit: the reports still queued run module code. */
void citadel_boundary_exit(void)
{
	wait_var_event(&reports_queued, !atomic_read(&reports_queued));
}
