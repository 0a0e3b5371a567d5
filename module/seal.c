// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seal: one way until reboot. citadelctl hands over the links of
 * every Citadel BPF program; the module takes its own reference on each,
 * so removing the pins, unmounting bpffs or killing the loader changes
 * nothing, and it pins itself. From then on the hooks below refuse what
 * would undo enforcement:
 *   - CAP_SYS_MODULE (init_module, finit_module, delete_module), module
 *     images read or handed to the kernel, and request_module() autoload;
 *   - kexec, which would boot a kernel without Citadel;
 *   - the kernel's own lockdown points of integrity (/dev/mem, hibernation,
 *     debugfs writes, bpf_probe_write_user(), ...) and tracefs and
 *     kprobes, through which root reaches kernel code and data;
 *   - bpf() commands that reach Citadel's programs or go around them
 *     (seal_bpf.c).
 * Citadel's programs are BPF trampolines reached through ftrace, and
 * kernel.ftrace_enabled=0 would turn them all off: the seal registers a
 * permanent ftrace_ops, which makes the kernel refuse that sysctl (EBUSY).
 * The policy store and the keyring refuse their own weakening operations
 * (store_sealed in policy_store.c, citadel_keys_close()).
 *
 * The state is written once under seal_lock before `sealed` is published
 * with release semantics, and never changes again: hooks read it without
 * locks. A denial is an event and a rate-limited kernel log line.
 */
#include "common.h"

#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/kernel_read_file.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/string.h>

#include "citadel_abi.h"
#include "citadel_task.h"
#include "events.h"
#include "persist.h"
#include "policy_store.h"
#include "seal.h"
#include "signature.h"
#include "task_label.h"

/*
 * bpf_link_get_from_fd() is in this namespace on 6.12; 6.1 ignores the
 * import. (6.13 and later spell it MODULE_IMPORT_NS("BPF_INTERNAL").)
 */
MODULE_IMPORT_NS(BPF_INTERNAL);

/* Every hook citadel.bpf.c attaches to: a seal must hold all of them. */
static const char *const sealed_hooks[] = {
	"socket_connect", "socket_sendmsg", "socket_setsockopt",
	"sctp_bind_connect", "socket_bind", "socket_listen",
	"socket_create", "bprm_creds_for_exec", "bprm_check_security",
	"bprm_committed_creds", "task_alloc", "mmap_file", "file_mprotect",
	"file_open", "path_truncate", "capable", "kernel_read_file",
	"kernel_load_data", "kernel_module_request", "bpf", "bpf_map",
	"bpf_prog", "locked_down", "netlink_send", "file_ioctl",
	"file_ioctl_compat", "ptrace_access_check", "ptrace_traceme",
	/* protect.c */
	"path_unlink", "path_rmdir", "path_mkdir", "path_mknod",
	"path_symlink", "path_link", "path_rename", "path_chmod",
	"path_chown", "sb_mount", "move_mount",
};

#define MAX_MAPS	16
#define MAX_OBJECTS	(2 * CPOL_SEAL_MAX_LINKS + MAX_MAPS)

static DEFINE_MUTEX(seal_lock);
static bool sealed;
static struct bpf_link *links[CPOL_SEAL_MAX_LINKS];
static unsigned int nlinks;
/* Links, programs and maps: what a bpf file's private_data points to. */
static const void *objects[MAX_OBJECTS];
static unsigned int nobjects;
/* The BTF ids (in vmlinux) of the bpf_lsm_*() hooks the seal holds. */
static u32 hook_btf_ids[CPOL_SEAL_MAX_LINKS];
static atomic64_t refusals = ATOMIC64_INIT(0);

bool citadel_sealed(void)
{
	/* Pairs with the release in citadel_seal(): the state is complete. */
	return smp_load_acquire(&sealed);
}

static bool is_ours(const void *obj)
{
	unsigned int i;

	for (i = 0; i < nobjects; i++)
		if (objects[i] == obj)
			return true;
	return false;
}

bool citadel_seal_holds(const void *obj)
{
	return citadel_sealed() && is_ours(obj);
}

bool citadel_seal_holds_hook(u32 btf_id)
{
	unsigned int i;

	if (!citadel_sealed())
		return false;
	for (i = 0; i < ARRAY_SIZE(sealed_hooks); i++)
		if (hook_btf_ids[i] == btf_id)
			return true;
	return false;
}

int citadel_seal_refuse(enum citadel_op op, const char *what)
{
	return citadel_seal_refuse_in(op, NULL, what);
}

int citadel_seal_refuse_in(enum citadel_op op,
			   const struct citadel_scope *svc, const char *what)
{
	char comm[TASK_COMM_LEN];

	atomic64_inc(&refusals);
	rcu_read_lock();
	citadel_event(op, CITADEL_EV_DENIED, citadel_active_policy(), svc,
		      what);
	rcu_read_unlock();
	get_task_comm(comm, current);
	pr_warn_ratelimited("sealed: denied %s (pid %d comm %s)\n", what,
			    task_tgid_nr(current), comm);
	return CITADEL_DENY;
}

int citadel_seal_capable(int cap, unsigned int opts)
{
	if (cap != CAP_SYS_MODULE || !citadel_sealed())
		return CITADEL_ALLOW;
	/* A probe that would not be audited is not an attempt: no event. */
	if (opts & CAP_OPT_NOAUDIT)
		return CITADEL_DENY;
	return citadel_seal_refuse(CITADEL_OP_MODULE,
		      "CAP_SYS_MODULE (load or unload a kernel module)");
}

int citadel_seal_kernel_read_file(struct file *file, int id)
{
	char buf[128], what[160];
	char *path;

	if (!citadel_sealed())
		return CITADEL_ALLOW;
	if (id != READING_MODULE && id != READING_KEXEC_IMAGE &&
	    id != READING_KEXEC_INITRAMFS)
		return CITADEL_ALLOW;
	path = file ? file_path(file, buf, sizeof(buf)) : ERR_PTR(-EINVAL);
	snprintf(what, sizeof(what), "%s file=%s",
		 id == READING_MODULE ? "finit_module" : "kexec_file_load",
		 IS_ERR(path) ? "?" : path);
	return citadel_seal_refuse(id == READING_MODULE ? CITADEL_OP_MODULE :
		      CITADEL_OP_KEXEC, what);
}

int citadel_seal_kernel_load_data(int id)
{
	if (!citadel_sealed())
		return CITADEL_ALLOW;
	if (id == LOADING_MODULE)
		return citadel_seal_refuse(CITADEL_OP_MODULE, "init_module");
	if (id == LOADING_KEXEC_IMAGE || id == LOADING_KEXEC_INITRAMFS)
		return citadel_seal_refuse(CITADEL_OP_KEXEC, "kexec_load");
	return CITADEL_ALLOW;
}

int citadel_seal_module_request(const char *name, u32 len)
{
	char what[96];

	if (!citadel_sealed())
		return CITADEL_ALLOW;
	snprintf(what, sizeof(what), "request_module %.*s",
		 (int)strnlen(name, len), name);
	return citadel_seal_refuse(CITADEL_OP_MODULE, what);
}

/*
 * Lockdown reasons a sealed device refuses: every one of integrity (what
 * lockdown=integrity refuses) and, of confidentiality, the two that let
 * root change what the kernel runs (kprobes and tracefs, which drives
 * ftrace). The rest of confidentiality stays a choice for the boot line.
 */
static bool lockdown_refused(int what)
{
	return (what > LOCKDOWN_NONE && what <= LOCKDOWN_INTEGRITY_MAX) ||
	       what == LOCKDOWN_KPROBES || what == LOCKDOWN_TRACEFS;
}

/* Names of the reasons seen in practice; the rest get their number. */
static const char *lockdown_name(int what)
{
	switch (what) {
	case LOCKDOWN_DEV_MEM:
		return "/dev/mem,kmem,port";
	case LOCKDOWN_KEXEC:
		return "kexec";
	case LOCKDOWN_HIBERNATION:
		return "hibernation";
	case LOCKDOWN_IOPORT:
		return "raw io port access";
	case LOCKDOWN_MSR:
		return "raw MSR access";
	case LOCKDOWN_MODULE_PARAMETERS:
		return "unsafe module parameters";
	case LOCKDOWN_DEBUGFS:
		return "debugfs access";
	case LOCKDOWN_BPF_WRITE_USER:
		return "bpf_probe_write_user";
	case LOCKDOWN_KPROBES:
		return "kprobes";
	case LOCKDOWN_TRACEFS:
		return "tracefs";
	default:
		return NULL;
	}
}

int citadel_seal_locked_down(int what)
{
	const char *name;
	char buf[64];

	if (!citadel_sealed() || !lockdown_refused(what))
		return CITADEL_ALLOW;
	name = lockdown_name(what);
	if (name)
		snprintf(buf, sizeof(buf), "lockdown %s", name);
	else
		snprintf(buf, sizeof(buf), "lockdown reason %d", what);
	return citadel_seal_refuse(CITADEL_OP_LOCKDOWN, buf);
}

/*
 * Never called: the permanent ftrace_ops needs a function to trace, and
 * one nobody calls costs nothing. Its only effect is the flag.
 */
static noinline void citadel_ftrace_anchor(void)
{
	barrier();
}

static void citadel_ftrace_nop(unsigned long ip, unsigned long parent_ip,
			       struct ftrace_ops *op, struct ftrace_regs *fregs)
{
}

static struct ftrace_ops permanent_ops = {
	.func = citadel_ftrace_nop,
	.flags = FTRACE_OPS_FL_PERMANENT,
};

/* Makes the kernel refuse kernel.ftrace_enabled=0 while registered. */
static int pin_ftrace(char *err, size_t errlen)
{
	int ret;

	ret = ftrace_set_filter_ip(&permanent_ops,
				   (unsigned long)citadel_ftrace_anchor, 0, 1);
	if (!ret)
		ret = register_ftrace_function(&permanent_ops);
	if (ret == -EBUSY)
		snprintf(err, errlen, "kernel.ftrace_enabled is 0, so Citadel's hooks are not running: set it to 1, then seal");
	else if (ret)
		snprintf(err, errlen, "cannot register the permanent ftrace_ops that keeps kernel.ftrace_enabled on (error %d)",
			 ret);
	return ret;
}

static void add_object(const void *obj)
{
	if (!is_ours(obj))
		objects[nobjects++] = obj;
}

/* Checks one link and records it, its program and its maps. */
static int take_link(struct bpf_link *link, s32 fd, u64 *covered,
		     char *err, size_t errlen)
{
	struct bpf_prog *prog = link->prog;
	const char *hook = prog ? prog->aux->attach_func_name : NULL;
	unsigned int i;
	int idx = -1;

	if (!prog || prog->type != BPF_PROG_TYPE_LSM || !hook ||
	    strncmp(hook, "bpf_lsm_", 8) ||
	    strncmp(prog->aux->name, "citadel_", 8)) {
		snprintf(err, errlen, "fd %d is not a link of a Citadel BPF LSM program",
			 fd);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(sealed_hooks); i++)
		if (!strcmp(hook + 8, sealed_hooks[i]))
			idx = i;
	if (idx < 0 || (*covered & BIT_ULL(idx))) {
		snprintf(err, errlen, "fd %d: hook %s is %s", fd, hook + 8,
			 idx < 0 ? "not one Citadel seals" : "given twice");
		return -EINVAL;
	}
	*covered |= BIT_ULL(idx);
	hook_btf_ids[idx] = prog->aux->attach_btf_id;
	add_object(link);
	add_object(prog);
	mutex_lock(&prog->aux->used_maps_mutex);
	for (i = 0; i < prog->aux->used_map_cnt; i++) {
		if (nobjects == MAX_OBJECTS) {
			mutex_unlock(&prog->aux->used_maps_mutex);
			snprintf(err, errlen, "Citadel's programs use more than %d maps",
				 MAX_MAPS);
			return -E2BIG;
		}
		add_object(prog->aux->used_maps[i]);
	}
	mutex_unlock(&prog->aux->used_maps_mutex);
	return 0;
}

/**
 * citadel_seal() - seal Citadel until reboot
 * @link_fds: descriptors, in the caller's table, of the links of every
 *	Citadel BPF program (one per hook in sealed_hooks)
 * @n: how many
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Nothing changes on failure.
 *
 * Return: 0, -EALREADY when sealed, -EBADF for a descriptor that is not
 * a BPF link, -EINVAL for a link that is not Citadel's or a hook left
 * out, or the policy store's refusal (no policy, audit mode, a trial).
 */
int citadel_seal(const s32 *link_fds, unsigned int n, char *err,
		 size_t errlen)
{
	const struct citadel_policy *pol;
	u64 covered = 0;
	unsigned int i;
	int ret = 0;

	BUILD_BUG_ON(ARRAY_SIZE(sealed_hooks) > CPOL_SEAL_MAX_LINKS);
	BUILD_BUG_ON(ARRAY_SIZE(sealed_hooks) > 64);
	if (!n || n > CPOL_SEAL_MAX_LINKS) {
		snprintf(err, errlen, "%u links given, 1 to %u expected", n,
			 CPOL_SEAL_MAX_LINKS);
		return -EINVAL;
	}
	mutex_lock(&seal_lock);
	if (sealed) {
		snprintf(err, errlen, "already sealed");
		ret = -EALREADY;
		goto out;
	}
	for (i = 0; i < n && !ret; i++) {
		struct bpf_link *link = bpf_link_get_from_fd(link_fds[i]);

		if (IS_ERR(link)) {
			snprintf(err, errlen, "fd %d is not a BPF link",
				 link_fds[i]);
			ret = -EBADF;
			break;
		}
		links[nlinks++] = link;
		ret = take_link(link, link_fds[i], &covered, err, errlen);
	}
	for (i = 0; !ret && i < ARRAY_SIZE(sealed_hooks); i++) {
		if (!(covered & BIT_ULL(i))) {
			snprintf(err, errlen, "no link for hook %s: restart Citadel with this version's citadelctl",
				 sealed_hooks[i]);
			ret = -EINVAL;
		}
	}
	if (!ret)
		ret = pin_ftrace(err, errlen);
	if (!ret) {
		ret = citadel_store_seal(err, errlen);
		if (ret)
			unregister_ftrace_function(&permanent_ops);
	}
	if (ret) {
		while (nlinks)
			bpf_link_put(links[--nlinks]);
		nobjects = 0;
		goto out;
	}
	citadel_keys_close();
	__module_get(THIS_MODULE);
	/* Publish after links, objects and nlinks are final. */
	smp_store_release(&sealed, true);
	citadel_task_map_seal();
	pol = citadel_policy_get();
	citadel_persist_sealed(pol);
	citadel_policy_put(pol);
	pr_info("sealed until reboot: %u hooks held, module pinned, module loading, kexec, ftrace off, lockdown points, redirecting BPF programs and unsigned, older or other roles' policies refused\n",
		nlinks);
out:
	mutex_unlock(&seal_lock);
	return ret;
}

/*
 * Module exit, which only an unsealed module reaches: the filter of a
 * failed seal attempt goes (the ops is not registered then). A later
 * ftrace_set_filter_ip() with reset replaces the hash itself, so the
 * filter is freed only here, once.
 */
void citadel_seal_exit(void)
{
	ftrace_free_filter(&permanent_ops);
}

void citadel_seal_show_status(struct seq_file *m)
{
	bool s = citadel_sealed();

	seq_printf(m, "sealed %s\nsealed_links %u\nseal_refusals %lld\n",
		   s ? "yes" : "no", s ? nlinks : 0,
		   (long long)atomic64_read(&refusals));
}
