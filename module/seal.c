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
 *   - bpf() commands that reach Citadel's programs, links or maps, and
 *     new file descriptors for its programs and maps.
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
#include <linux/kernel_read_file.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/string.h>

#include "citadel_abi.h"
#include "citadel_task.h"
#include "events.h"
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
	"socket_connect", "socket_sendmsg", "socket_bind", "socket_listen",
	"socket_create", "bprm_creds_for_exec", "bprm_check_security",
	"bprm_committed_creds", "task_alloc", "mmap_file", "file_mprotect",
	"file_open", "path_truncate", "capable", "kernel_read_file",
	"kernel_load_data", "kernel_module_request", "bpf", "bpf_map",
	"bpf_prog", "ptrace_access_check", "ptrace_traceme",
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

static int refuse(enum citadel_op op, const char *what)
{
	char comm[TASK_COMM_LEN];

	atomic64_inc(&refusals);
	rcu_read_lock();
	citadel_event(op, CITADEL_EV_DENIED, citadel_active_policy(), NULL,
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
	return refuse(CITADEL_OP_MODULE,
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
	return refuse(id == READING_MODULE ? CITADEL_OP_MODULE :
		      CITADEL_OP_KEXEC, what);
}

int citadel_seal_kernel_load_data(int id)
{
	if (!citadel_sealed())
		return CITADEL_ALLOW;
	if (id == LOADING_MODULE)
		return refuse(CITADEL_OP_MODULE, "init_module");
	if (id == LOADING_KEXEC_IMAGE || id == LOADING_KEXEC_INITRAMFS)
		return refuse(CITADEL_OP_KEXEC, "kexec_load");
	return CITADEL_ALLOW;
}

int citadel_seal_module_request(const char *name, u32 len)
{
	char what[96];

	if (!citadel_sealed())
		return CITADEL_ALLOW;
	snprintf(what, sizeof(what), "request_module %.*s",
		 (int)strnlen(name, len), name);
	return refuse(CITADEL_OP_MODULE, what);
}

/* Whether descriptor @fd of the calling task is one of Citadel's. */
static bool fd_is_ours(u32 fd)
{
	struct file *f = fget(fd);
	bool ours;

	if (!f)
		return false;
	ours = is_ours(f->private_data);
	fput(f);
	return ours;
}

/*
 * The bpf() commands that take a program, link or map by descriptor and
 * change it or attach to it. Tracing links cannot be detached or updated
 * at all on these kernels; refusing those too is belt and braces, and
 * makes the attempt an event. New descriptors for Citadel's programs and
 * maps are refused in citadel_seal_bpf_prog() and citadel_seal_bpf_map().
 */
int citadel_seal_bpf(int cmd, const union bpf_attr *attr)
{
	static const char *const what[] = {
		[BPF_MAP_UPDATE_ELEM] = "BPF_MAP_UPDATE_ELEM",
		[BPF_MAP_DELETE_ELEM] = "BPF_MAP_DELETE_ELEM",
		[BPF_MAP_LOOKUP_AND_DELETE_ELEM] = "BPF_MAP_LOOKUP_AND_DELETE_ELEM",
		[BPF_MAP_FREEZE] = "BPF_MAP_FREEZE",
		[BPF_MAP_UPDATE_BATCH] = "BPF_MAP_UPDATE_BATCH",
		[BPF_MAP_DELETE_BATCH] = "BPF_MAP_DELETE_BATCH",
		[BPF_MAP_LOOKUP_AND_DELETE_BATCH] = "BPF_MAP_LOOKUP_AND_DELETE_BATCH",
		[BPF_LINK_UPDATE] = "BPF_LINK_UPDATE",
		[BPF_LINK_DETACH] = "BPF_LINK_DETACH",
		[BPF_PROG_LOAD] = "BPF_PROG_LOAD",
		[BPF_LINK_CREATE] = "BPF_LINK_CREATE",
		[BPF_PROG_ATTACH] = "BPF_PROG_ATTACH",
		[BPF_PROG_DETACH] = "BPF_PROG_DETACH",
		[BPF_PROG_BIND_MAP] = "BPF_PROG_BIND_MAP",
	};
	char buf[80];
	bool hit;

	if (!citadel_sealed() || !attr)
		return CITADEL_ALLOW;
	switch (cmd) {
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
	case BPF_MAP_FREEZE:
		hit = fd_is_ours(attr->map_fd);
		break;
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH:
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
		hit = fd_is_ours(attr->batch.map_fd);
		break;
	case BPF_LINK_UPDATE:
		hit = fd_is_ours(attr->link_update.link_fd);
		break;
	case BPF_LINK_DETACH:
		hit = fd_is_ours(attr->link_detach.link_fd);
		break;
	case BPF_PROG_LOAD:	/* an extension or tracer of our program */
		hit = attr->attach_prog_fd && fd_is_ours(attr->attach_prog_fd);
		break;
	case BPF_LINK_CREATE:
		hit = fd_is_ours(attr->link_create.prog_fd) ||
		      (attr->link_create.target_fd &&
		       fd_is_ours(attr->link_create.target_fd));
		break;
	case BPF_PROG_ATTACH:
	case BPF_PROG_DETACH:
		hit = attr->attach_bpf_fd && fd_is_ours(attr->attach_bpf_fd);
		break;
	case BPF_PROG_BIND_MAP:
		hit = fd_is_ours(attr->prog_bind_map.prog_fd) ||
		      fd_is_ours(attr->prog_bind_map.map_fd);
		break;
	default:
		return CITADEL_ALLOW;
	}
	if (!hit)
		return CITADEL_ALLOW;
	snprintf(buf, sizeof(buf), "bpf %s on a Citadel object", what[cmd]);
	return refuse(CITADEL_OP_BPF, buf);
}

/* A new descriptor for one of Citadel's maps or programs. */
static int new_fd(const void *obj, const char *kind, const char *name,
		  int len)
{
	char buf[80];

	if (!citadel_sealed() || !is_ours(obj))
		return CITADEL_ALLOW;
	snprintf(buf, sizeof(buf), "bpf new fd for Citadel %s %.*s", kind,
		 len, name);
	return refuse(CITADEL_OP_BPF, buf);
}

int citadel_seal_bpf_map(const struct bpf_map *map)
{
	return new_fd(map, "map", map->name, sizeof(map->name));
}

int citadel_seal_bpf_prog(const struct bpf_prog *prog)
{
	return new_fd(prog, "program", prog->aux->name,
		      sizeof(prog->aux->name));
}

static void add_object(const void *obj)
{
	if (!is_ours(obj))
		objects[nobjects++] = obj;
}

/* Checks one link and records it, its program and its maps. */
static int take_link(struct bpf_link *link, s32 fd, u32 *covered,
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
	if (idx < 0 || (*covered & BIT(idx))) {
		snprintf(err, errlen, "fd %d: hook %s is %s", fd, hook + 8,
			 idx < 0 ? "not one Citadel seals" : "given twice");
		return -EINVAL;
	}
	*covered |= BIT(idx);
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
	u32 covered = 0;
	unsigned int i;
	int ret = 0;

	BUILD_BUG_ON(ARRAY_SIZE(sealed_hooks) > CPOL_SEAL_MAX_LINKS);
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
		if (!(covered & BIT(i))) {
			snprintf(err, errlen, "no link for hook %s: restart Citadel with this version's citadelctl",
				 sealed_hooks[i]);
			ret = -EINVAL;
		}
	}
	if (!ret)
		ret = citadel_store_seal(err, errlen);
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
	pr_info("sealed until reboot: %u hooks held, module pinned, module loading, kexec and unsigned or older policies refused\n",
		nlinks);
out:
	mutex_unlock(&seal_lock);
	return ret;
}

void citadel_seal_show_status(struct seq_file *m)
{
	bool s = citadel_sealed();

	seq_printf(m, "sealed %s\nsealed_links %u\nseal_refusals %lld\n",
		   s ? "yes" : "no", s ? nlinks : 0,
		   (long long)atomic64_read(&refusals));
}
