// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event ring. Every denial and audit-mode would-denial is recorded
 * in a fixed ring of CITADEL_EVENTS slots: a hook only ever takes a
 * spinlock for a copy, never waits for a reader, and overwrites the
 * oldest event when the ring is full (counted as overwritten). Each
 * reader of /sys/kernel/security/citadel/events has its own position;
 * one that falls behind is told how many events it lost, in the stream.
 *
 * Lines are tab-separated, in this order (citadelctl events turns them
 * into JSON): seq, time (ns since the epoch), pid, uid, comm, exe,
 * service, operation, decision, object, rule, policy, version, digest.
 * Tabs, newlines and backslashes inside fields are escaped as \t \n \\.
 * A reader that lost events gets a line: seq, "lost", the count.
 */
#include "common.h"

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "events.h"

#define CITADEL_EVENTS	1024	/* a power of two */
#define EXE_LEN		128
#define OBJ_LEN		160

struct event {
	u64 seq;
	u64 time_ns;
	pid_t pid;
	uid_t uid;
	u8 op;
	u8 decision;
	char comm[TASK_COMM_LEN];
	char exe[EXE_LEN];
	char service[CPOL_SERVICE_NAME_MAX + 1];
	char object[OBJ_LEN];
	char policy[CPOL_NAME_MAX];
	u64 version;
	u8 digest[32];
};

static const char *const decision_names[] = {
	[CITADEL_EV_DENIED] = "denied",
	[CITADEL_EV_AUDITED] = "audited",
	[CITADEL_EV_ROLLBACK] = "rollback",
	[CITADEL_EV_SEALED] = "sealed",
};

static struct event *ring;
static u64 next_seq = 1;	/* seq of the next event; guarded by ring_lock */
static u64 overwritten;
static DEFINE_SPINLOCK(ring_lock);
static DECLARE_WAIT_QUEUE_HEAD(ring_wait);

/*
 * A counted reference to the current task's executable, or NULL. Done by
 * hand: get_mm_exe_file() is not exported. Files may be reused under RCU
 * (6.7+), so the pointer is checked again once the reference is held.
 */
static struct file *current_exe_file(void)
{
	struct mm_struct *mm = current->mm;
	struct file *exe;

	if (!mm)
		return NULL;
	rcu_read_lock();
	exe = rcu_dereference(mm->exe_file);
	if (exe && !atomic_long_inc_not_zero(&exe->f_count))
		exe = NULL;
	rcu_read_unlock();
	if (exe && rcu_access_pointer(mm->exe_file) != exe) {
		fput(exe);
		exe = NULL;
	}
	return exe;
}

/* The path of the current task's executable, or "-". */
static void current_exe(char *buf, size_t len)
{
	struct file *exe = current_exe_file();
	char *p;

	strscpy(buf, "-", len);
	if (!exe)
		return;
	p = d_path(&exe->f_path, buf, len);
	if (IS_ERR(p))
		strscpy(buf, "(path too long)", len);
	else
		memmove(buf, p, strlen(p) + 1);
	fput(exe);
}

void citadel_event(enum citadel_op op, enum citadel_decision decision,
		   const struct citadel_policy *pol,
		   const struct citadel_scope *svc, const char *object)
{
	struct event *e;
	unsigned long flags;
	char exe[EXE_LEN];

	if (!ring)
		return;
	current_exe(exe, sizeof(exe));
	spin_lock_irqsave(&ring_lock, flags);
	if (next_seq > CITADEL_EVENTS)
		overwritten++;
	e = &ring[next_seq & (CITADEL_EVENTS - 1)];
	e->seq = next_seq++;
	e->time_ns = ktime_get_real_ns();
	e->pid = task_tgid_nr(current);
	e->uid = from_kuid(&init_user_ns, current_uid());
	e->op = op;
	e->decision = decision;
	get_task_comm(e->comm, current);
	memcpy(e->exe, exe, sizeof(e->exe));
	strscpy(e->service, svc ? svc->name : "-", sizeof(e->service));
	strscpy(e->object, object, sizeof(e->object));
	if (pol) {
		memcpy(e->policy, pol->name, sizeof(e->policy));
		e->version = pol->version;
		memcpy(e->digest, pol->digest, sizeof(e->digest));
	} else {
		strscpy(e->policy, "-", sizeof(e->policy));
		e->version = 0;
		memset(e->digest, 0, sizeof(e->digest));
	}
	spin_unlock_irqrestore(&ring_lock, flags);
	wake_up_interruptible(&ring_wait);
}

/* Appends @s to @out with \t \n \\ escaped; returns the new length. */
static size_t put_field(char *out, size_t at, size_t cap, const char *s)
{
	for (; *s && at + 2 < cap; s++) {
		char c = *s;

		if (c == '\t' || c == '\n' || c == '\\') {
			out[at++] = '\\';
			c = c == '\t' ? 't' : c == '\n' ? 'n' : '\\';
		}
		out[at++] = c;
	}
	if (at < cap)
		out[at++] = '\t';
	return at;
}

static size_t format_event(const struct event *e, char *out, size_t cap)
{
	size_t at;

	at = scnprintf(out, cap, "%llu\t%llu\t%d\t%u\t", e->seq, e->time_ns,
		       e->pid, e->uid);
	at = put_field(out, at, cap, e->comm);
	at = put_field(out, at, cap, e->exe);
	at = put_field(out, at, cap, e->service);
	at = put_field(out, at, cap, citadel_op_name(e->op));
	at = put_field(out, at, cap, decision_names[e->decision]);
	at = put_field(out, at, cap, e->object);
	at = put_field(out, at, cap, "default");
	at = put_field(out, at, cap, e->policy);
	at += scnprintf(out + at, cap - at, "%llu\t%*phN\n", e->version, 32,
			e->digest);
	return at;
}

struct reader {
	u64 next;	/* seq of the next event this reader wants */
	char line[1024];
};

static int events_open(struct inode *inode, struct file *file)
{
	struct reader *r = kzalloc(sizeof(*r), GFP_KERNEL);
	unsigned long flags;

	if (!r)
		return -ENOMEM;
	spin_lock_irqsave(&ring_lock, flags);
	/* Start from the oldest event still in the ring. */
	r->next = next_seq > CITADEL_EVENTS ? next_seq - CITADEL_EVENTS : 1;
	spin_unlock_irqrestore(&ring_lock, flags);
	file->private_data = r;
	return 0;
}

static int events_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

/* Copies the next line for @r into r->line; returns its length or 0. */
static size_t next_line(struct reader *r)
{
	bool have_event = false;
	unsigned long flags;
	struct event e;
	u64 oldest;
	size_t n = 0;

	spin_lock_irqsave(&ring_lock, flags);
	oldest = next_seq > CITADEL_EVENTS ? next_seq - CITADEL_EVENTS : 1;
	if (r->next < oldest) {
		n = scnprintf(r->line, sizeof(r->line), "%llu\tlost\t%llu\n",
			      oldest, oldest - r->next);
		r->next = oldest;
	} else if (r->next < next_seq) {
		e = ring[r->next & (CITADEL_EVENTS - 1)];
		r->next++;
		have_event = true;
	}
	spin_unlock_irqrestore(&ring_lock, flags);
	if (have_event)
		n = format_event(&e, r->line, sizeof(r->line));
	return n;
}

static bool has_events(struct reader *r)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&ring_lock, flags);
	ret = r->next < next_seq;
	spin_unlock_irqrestore(&ring_lock, flags);
	return ret;
}

static ssize_t events_read(struct file *file, char __user *buf, size_t count,
			   loff_t *ppos)
{
	struct reader *r = file->private_data;
	size_t done = 0, n;
	int ret;

	while (!has_events(r)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(ring_wait, has_events(r));
		if (ret)
			return ret;
	}
	/* Whole lines only; a line that does not fit waits for a bigger read. */
	while (has_events(r)) {
		u64 keep = r->next;

		n = next_line(r);
		if (!n)
			break;
		if (n > count - done) {
			r->next = keep;
			if (!done)
				return -EINVAL;
			break;
		}
		if (copy_to_user(buf + done, r->line, n))
			return done ? done : -EFAULT;
		done += n;
	}
	return done;
}

static __poll_t events_poll(struct file *file, poll_table *wait)
{
	struct reader *r = file->private_data;

	poll_wait(file, &ring_wait, wait);
	return has_events(r) ? EPOLLIN | EPOLLRDNORM : 0;
}

const struct file_operations citadel_events_fops = {
	.open = events_open,
	.read = events_read,
	.poll = events_poll,
	.release = events_release,
	.llseek = noop_llseek,
};

void citadel_events_show_status(struct seq_file *m)
{
	unsigned long flags;
	u64 total, lost;

	spin_lock_irqsave(&ring_lock, flags);
	total = next_seq - 1;
	lost = overwritten;
	spin_unlock_irqrestore(&ring_lock, flags);
	seq_printf(m, "events_total %llu\nevents_overwritten %llu\nevents_ring %u\n",
		   total, lost, CITADEL_EVENTS);
}

int citadel_events_init(void)
{
	ring = vzalloc(array_size(CITADEL_EVENTS, sizeof(*ring)));
	return ring ? 0 : -ENOMEM;
}

void citadel_events_exit(void)
{
	vfree(ring);
	ring = NULL;
}
