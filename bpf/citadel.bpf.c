// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Citadel's BPF LSM programs. Each one is thin: it hands the hook's
 * arguments to the module's kfunc and returns its decision. The policy,
 * the matching, the counters and the logging all live in citadel.ko.
 * The one piece of state kept here is the per-task service label, in
 * task storage: set when an exec commits, copied to children at fork.
 * The module reads it there itself (module/task_label.h), learning the
 * map from the storage the exec program hands it.
 *
 * The programs from lsm/capable on guard the seal (module/seal.c,
 * seal_bpf.c, netconf.c) and, with file_open and path_truncate, keep the
 * protected paths from change (module/protect.c): until `citadelctl seal`
 * their kfuncs allow everything. The two ptrace programs keep labels
 * apart (module/boundary.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "citadel_task.h"

#define EPERM 1
#define AF_INET 2
#define AF_INET6 10
#define SOL_IP 0
#define SOL_IPV6 41
#define CAP_SYS_MODULE 16
#define MODULE_NAME_LEN 56	/* (64 - sizeof(unsigned long)) */

/* The module finds the task's service label itself (task_label.h). */
extern int bpf_citadel_socket_connect(struct socket *sock,
				      struct sockaddr *address,
				      int addrlen) __ksym;
extern int bpf_citadel_socket_sendmsg(struct socket *sock,
				      struct msghdr *msg, int size) __ksym;
extern int bpf_citadel_socket_setsockopt(struct socket *sock, int level,
					 int optname) __ksym;
extern int bpf_citadel_sctp_bind_connect(int optname) __ksym;
extern int bpf_citadel_socket_bind(struct socket *sock,
				   struct sockaddr *address,
				   int addrlen) __ksym;
extern int bpf_citadel_socket_listen(struct socket *sock,
				     int backlog) __ksym;
extern int bpf_citadel_socket_create(int family, int type, int protocol,
				     int kern) __ksym;
extern int bpf_citadel_bprm_check(struct linux_binprm *bprm,
				  struct citadel_task_ctx *ctx) __ksym;
extern int bpf_citadel_mmap_file(struct file *file,
				 unsigned long prot) __ksym;
extern int bpf_citadel_file_mprotect(struct vm_area_struct *vma,
				     unsigned long prot) __ksym;
extern int bpf_citadel_file_open(struct file *file) __ksym;
extern int bpf_citadel_path_truncate(const struct path *path) __ksym;
extern int bpf_citadel_capable(int cap, unsigned int opts) __ksym;
extern int bpf_citadel_kernel_read_file(struct file *file, int id) __ksym;
extern int bpf_citadel_kernel_load_data(int id) __ksym;
extern int bpf_citadel_kernel_module_request(const char *name,
					     __u32 name__sz) __ksym;
extern int bpf_citadel_bpf(int cmd, union bpf_attr *attr) __ksym;
extern int bpf_citadel_bpf_map(struct bpf_map *map) __ksym;
extern int bpf_citadel_bpf_prog(struct bpf_prog *prog) __ksym;
extern int bpf_citadel_locked_down(int what) __ksym;
extern int bpf_citadel_netlink_send(struct sock *sk,
				    struct sk_buff *skb) __ksym;
extern int bpf_citadel_file_ioctl(struct file *file, unsigned int cmd) __ksym;
extern int bpf_citadel_ptrace_access_check(struct task_struct *child,
					   unsigned int mode) __ksym;
extern int bpf_citadel_ptrace_traceme(struct task_struct *parent) __ksym;
extern int bpf_citadel_path_unlink(const struct path *dir,
				   struct dentry *dentry) __ksym;
extern int bpf_citadel_path_rmdir(const struct path *dir,
				  struct dentry *dentry) __ksym;
extern int bpf_citadel_path_mkdir(const struct path *dir,
				  struct dentry *dentry) __ksym;
extern int bpf_citadel_path_mknod(const struct path *dir,
				  struct dentry *dentry) __ksym;
extern int bpf_citadel_path_symlink(const struct path *dir,
				    struct dentry *dentry) __ksym;
extern int bpf_citadel_path_link(struct dentry *old_dentry,
				 const struct path *new_dir,
				 struct dentry *new_dentry) __ksym;
extern int bpf_citadel_path_rename(const struct path *old_dir,
				   struct dentry *old_dentry,
				   const struct path *new_dir,
				   struct dentry *new_dentry) __ksym;
extern int bpf_citadel_path_chmod(const struct path *path) __ksym;
extern int bpf_citadel_path_chown(const struct path *path) __ksym;
extern int bpf_citadel_sb_mount(const struct path *path,
				unsigned long flags) __ksym;
extern int bpf_citadel_move_mount(const struct path *from_path,
				  const struct path *to_path) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct citadel_task_ctx);
} citadel_tasks SEC(".maps");

/*
 * The verifier of newer kernels wants an LSM program's return value to
 * be a provable errno, so programs return constants only. An earlier
 * BPF LSM program on the same hook that denied keeps the denial.
 */
static __always_inline int verdict(int ret, int decision)
{
	if (ret)
		return -EPERM;
	if (decision == CITADEL_ALLOW)
		return 0;
	return -EPERM;
}

/*
 * A kernel type a program only passes on by pointer reaches the object's
 * BTF as a bare forward declaration, which libbpf will not match against
 * the kfunc's prototype in the module; a CO-RE existence check emits the
 * type in full (and is always true).
 */
#define FULL_BTF(type) bpf_core_type_exists(type)

static __always_inline struct citadel_task_ctx *task_ctx(struct task_struct *t,
							 bool create)
{
	return bpf_task_storage_get(&citadel_tasks, t, 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/*
 * No filtering here: every read of the socket costs a guarded load (7
 * instructions each on 6.1), more than the module spends on refusing to
 * look at a unix or netlink socket.
 */
SEC("lsm/socket_connect")
int BPF_PROG(citadel_socket_connect, struct socket *sock,
	     struct sockaddr *address, int addrlen, int ret)
{
	return verdict(ret, bpf_citadel_socket_connect(sock, address,
						       addrlen));
}

/*
 * Every send goes to the module, which returns at once for the many
 * without a destination (module/net.c): reading msg here would cost two
 * guarded loads on 6.1 on every one of them.
 */
SEC("lsm/socket_sendmsg")
int BPF_PROG(citadel_socket_sendmsg, struct socket *sock, struct msghdr *msg,
	     int size, int ret)
{
	return verdict(ret, bpf_citadel_socket_sendmsg(sock, msg, size));
}

/*
 * Only the IP and IPv6 levels hold source routes (module/net.c): the
 * socket, TCP and UDP options that make up nearly every call stay here.
 */
SEC("lsm/socket_setsockopt")
int BPF_PROG(citadel_socket_setsockopt, struct socket *sock, int level,
	     int optname, int ret)
{
	if (ret)
		return -EPERM;
	if (level != SOL_IP && level != SOL_IPV6)
		return 0;
	return verdict(ret, bpf_citadel_socket_setsockopt(sock, level,
							  optname));
}

SEC("lsm/sctp_bind_connect")
int BPF_PROG(citadel_sctp_bind_connect, struct sock *sk, int optname,
	     struct sockaddr *address, int addrlen, int ret)
{
	return verdict(ret, bpf_citadel_sctp_bind_connect(optname));
}

SEC("lsm/socket_bind")
int BPF_PROG(citadel_socket_bind, struct socket *sock,
	     struct sockaddr *address, int addrlen, int ret)
{
	return verdict(ret, bpf_citadel_socket_bind(sock, address, addrlen));
}

SEC("lsm/socket_listen")
int BPF_PROG(citadel_socket_listen, struct socket *sock, int backlog, int ret)
{
	return verdict(ret, bpf_citadel_socket_listen(sock, backlog));
}

SEC("lsm/socket_create")
int BPF_PROG(citadel_socket_create, int family, int type, int protocol,
	     int kern, int ret)
{
	return verdict(ret, bpf_citadel_socket_create(family, type, protocol,
						      kern));
}

/* Once per execve(): the exec starts with the caller's label. */
SEC("lsm/bprm_creds_for_exec")
int BPF_PROG(citadel_bprm_creds_for_exec, struct linux_binprm *bprm, int ret)
{
	struct citadel_task_ctx *c = task_ctx(bpf_get_current_task_btf(), true);

	if (ret || !c)
		return -EPERM;
	c->pending = c->label;
	c->pending_set = 0;
	return 0;
}

/* Once per binary of the exec chain (script, then interpreter). */
SEC("lsm.s/bprm_check_security")
int BPF_PROG(citadel_bprm_check_security, struct linux_binprm *bprm, int ret)
{
	struct citadel_task_ctx *c = task_ctx(bpf_get_current_task_btf(), true);

	if (!c)
		return -EPERM;
	return verdict(ret, bpf_citadel_bprm_check(bprm, c));
}

/* Past the point of no return: the new image carries the label. */
SEC("lsm/bprm_committed_creds")
int BPF_PROG(citadel_bprm_committed_creds, struct linux_binprm *bprm)
{
	struct citadel_task_ctx *c = task_ctx(bpf_get_current_task_btf(), false);

	if (c)
		c->label = c->pending;
	return 0;
}

/* Children (processes and threads) inherit the label. */
SEC("lsm/task_alloc")
int BPF_PROG(citadel_task_alloc, struct task_struct *task,
	     unsigned long clone_flags, int ret)
{
	struct citadel_task_ctx *parent, *child;

	if (ret)
		return -EPERM;
	parent = task_ctx(bpf_get_current_task_btf(), false);
	if (!parent || !parent->label)
		return 0;
	child = task_ctx(task, true);
	if (!child)
		return -EPERM;	/* fail closed: no unlabelled escape */
	child->label = parent->label;
	return 0;
}

SEC("lsm/mmap_file")
int BPF_PROG(citadel_mmap_file, struct file *file, unsigned long reqprot,
	     unsigned long prot, unsigned long flags, int ret)
{
	if (!FULL_BTF(struct file))
		return -EPERM;
	return verdict(ret, bpf_citadel_mmap_file(file, prot));
}

SEC("lsm/file_mprotect")
int BPF_PROG(citadel_file_mprotect, struct vm_area_struct *vma,
	     unsigned long reqprot, unsigned long prot, int ret)
{
	if (!FULL_BTF(struct vm_area_struct))
		return -EPERM;
	return verdict(ret, bpf_citadel_file_mprotect(vma, prot));
}

SEC("lsm/file_open")
int BPF_PROG(citadel_file_open, struct file *file, int ret)
{
	if (!FULL_BTF(struct file))
		return -EPERM;
	return verdict(ret, bpf_citadel_file_open(file));
}

SEC("lsm/path_truncate")
int BPF_PROG(citadel_path_truncate, const struct path *path, int ret)
{
	if (!FULL_BTF(struct path))
		return -EPERM;
	return verdict(ret, bpf_citadel_path_truncate(path));
}

/* Runs for every capability check: only CAP_SYS_MODULE reaches the module. */
SEC("lsm/capable")
int BPF_PROG(citadel_capable, const struct cred *cred,
	     struct user_namespace *ns, int cap, unsigned int opts, int ret)
{
	if (ret)
		return -EPERM;
	if (cap != CAP_SYS_MODULE)
		return 0;
	return verdict(ret, bpf_citadel_capable(cap, opts));
}

SEC("lsm/kernel_read_file")
int BPF_PROG(citadel_kernel_read_file, struct file *file, int id,
	     bool contents, int ret)
{
	if (!FULL_BTF(struct file))
		return -EPERM;
	return verdict(ret, bpf_citadel_kernel_read_file(file, id));
}

SEC("lsm/kernel_load_data")
int BPF_PROG(citadel_kernel_load_data, int id, bool contents, int ret)
{
	return verdict(ret, bpf_citadel_kernel_load_data(id));
}

SEC("lsm/kernel_module_request")
int BPF_PROG(citadel_kernel_module_request, char *kmod_name, int ret)
{
	char name[MODULE_NAME_LEN];

	if (bpf_probe_read_kernel_str(name, sizeof(name), kmod_name) < 0)
		name[0] = '\0';
	return verdict(ret, bpf_citadel_kernel_module_request(name,
							      sizeof(name)));
}

SEC("lsm/bpf")
int BPF_PROG(citadel_bpf, int cmd, union bpf_attr *attr, unsigned int size,
	     int ret)
{
	if (!FULL_BTF(union bpf_attr))
		return -EPERM;
	return verdict(ret, bpf_citadel_bpf(cmd, attr));
}

SEC("lsm/bpf_map")
int BPF_PROG(citadel_bpf_map, struct bpf_map *map, unsigned int fmode,
	     int ret)
{
	if (!FULL_BTF(struct bpf_map))
		return -EPERM;
	return verdict(ret, bpf_citadel_bpf_map(map));
}

SEC("lsm/bpf_prog")
int BPF_PROG(citadel_bpf_prog, struct bpf_prog *prog, int ret)
{
	if (!FULL_BTF(struct bpf_prog))
		return -EPERM;
	return verdict(ret, bpf_citadel_bpf_prog(prog));
}

SEC("lsm/locked_down")
int BPF_PROG(citadel_locked_down, enum lockdown_reason what, int ret)
{
	return verdict(ret, bpf_citadel_locked_down(what));
}

SEC("lsm/netlink_send")
int BPF_PROG(citadel_netlink_send, struct sock *sk, struct sk_buff *skb,
	     int ret)
{
	if (!FULL_BTF(struct sock) || !FULL_BTF(struct sk_buff))
		return -EPERM;
	return verdict(ret, bpf_citadel_netlink_send(sk, skb));
}

/*
 * Every ioctl() passes here: only the socket (SIOC*, 0x89xx) and
 * wireless (SIOC*IW*, 0x8bxx) commands, plain numbers without size bits,
 * go on (SIOCGSTAMP_NEW, say, has size bits and stays here).
 */
static __always_inline bool netconf_ioctl(unsigned int cmd)
{
	return (cmd & ~0xffu) == 0x8900 || (cmd & ~0xffu) == 0x8b00;
}

SEC("lsm/file_ioctl")
int BPF_PROG(citadel_file_ioctl, struct file *file, unsigned int cmd,
	     unsigned long arg, int ret)
{
	if (ret)
		return -EPERM;
	if (!netconf_ioctl(cmd))
		return 0;
	if (!FULL_BTF(struct file))
		return -EPERM;
	return verdict(ret, bpf_citadel_file_ioctl(file, cmd));
}

SEC("lsm/file_ioctl_compat")
int BPF_PROG(citadel_file_ioctl_compat, struct file *file, unsigned int cmd,
	     unsigned long arg, int ret)
{
	if (ret)
		return -EPERM;
	if (!netconf_ioctl(cmd))
		return 0;
	if (!FULL_BTF(struct file))
		return -EPERM;
	return verdict(ret, bpf_citadel_file_ioctl(file, cmd));
}

/*
 * No borrowing across labels (module/boundary.c): the module reads both
 * tasks' labels itself, so no program can hand it a label to trust.
 */
SEC("lsm/ptrace_access_check")
int BPF_PROG(citadel_ptrace_access_check, struct task_struct *child,
	     unsigned int mode, int ret)
{
	if (!FULL_BTF(struct task_struct))
		return -EPERM;
	return verdict(ret, bpf_citadel_ptrace_access_check(child, mode));
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(citadel_ptrace_traceme, struct task_struct *parent, int ret)
{
	if (!FULL_BTF(struct task_struct))
		return -EPERM;
	return verdict(ret, bpf_citadel_ptrace_traceme(parent));
}

/* Protected paths (module/protect.c): nothing is refused until sealed. */
SEC("lsm/path_unlink")
int BPF_PROG(citadel_path_unlink, const struct path *dir,
	     struct dentry *dentry, int ret)
{
	if (!FULL_BTF(struct path) || !FULL_BTF(struct dentry))
		return -EPERM;
	return verdict(ret, bpf_citadel_path_unlink(dir, dentry));
}

SEC("lsm/path_rmdir")
int BPF_PROG(citadel_path_rmdir, const struct path *dir,
	     struct dentry *dentry, int ret)
{
	if (!FULL_BTF(struct path) || !FULL_BTF(struct dentry))
		return -EPERM;
	return verdict(ret, bpf_citadel_path_rmdir(dir, dentry));
}

SEC("lsm/path_mkdir")
int BPF_PROG(citadel_path_mkdir, const struct path *dir,
	     struct dentry *dentry, umode_t mode, int ret)
{
	if (!FULL_BTF(struct path) || !FULL_BTF(struct dentry))
		return -EPERM;
	return verdict(ret, bpf_citadel_path_mkdir(dir, dentry));
}

/* Also reached by open(O_CREAT) of a new file. */
SEC("lsm/path_mknod")
int BPF_PROG(citadel_path_mknod, const struct path *dir,
	     struct dentry *dentry, umode_t mode, unsigned int dev, int ret)
{
	if (!FULL_BTF(struct path) || !FULL_BTF(struct dentry))
		return -EPERM;
	return verdict(ret, bpf_citadel_path_mknod(dir, dentry));
}

SEC("lsm/path_symlink")
int BPF_PROG(citadel_path_symlink, const struct path *dir,
	     struct dentry *dentry, const char *old_name, int ret)
{
	if (!FULL_BTF(struct path) || !FULL_BTF(struct dentry))
		return -EPERM;
	return verdict(ret, bpf_citadel_path_symlink(dir, dentry));
}

SEC("lsm/path_link")
int BPF_PROG(citadel_path_link, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, int ret)
{
	if (!FULL_BTF(struct path) || !FULL_BTF(struct dentry))
		return -EPERM;
	return verdict(ret, bpf_citadel_path_link(old_dentry, new_dir,
						  new_dentry));
}

SEC("lsm/path_rename")
int BPF_PROG(citadel_path_rename, const struct path *old_dir,
	     struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, unsigned int flags, int ret)
{
	if (!FULL_BTF(struct path) || !FULL_BTF(struct dentry))
		return -EPERM;
	return verdict(ret, bpf_citadel_path_rename(old_dir, old_dentry,
						    new_dir, new_dentry));
}

SEC("lsm/path_chmod")
int BPF_PROG(citadel_path_chmod, const struct path *path, umode_t mode,
	     int ret)
{
	if (!FULL_BTF(struct path))
		return -EPERM;
	return verdict(ret, bpf_citadel_path_chmod(path));
}

SEC("lsm/path_chown")
int BPF_PROG(citadel_path_chown, const struct path *path, unsigned int uid,
	     unsigned int gid, int ret)
{
	if (!FULL_BTF(struct path))
		return -EPERM;
	return verdict(ret, bpf_citadel_path_chown(path));
}

SEC("lsm/sb_mount")
int BPF_PROG(citadel_sb_mount, const char *dev_name, const struct path *path,
	     const char *type, unsigned long flags, void *data, int ret)
{
	if (!FULL_BTF(struct path))
		return -EPERM;
	return verdict(ret, bpf_citadel_sb_mount(path, flags));
}

SEC("lsm/move_mount")
int BPF_PROG(citadel_move_mount, const struct path *from_path,
	     const struct path *to_path, int ret)
{
	if (!FULL_BTF(struct path))
		return -EPERM;
	return verdict(ret, bpf_citadel_move_mount(from_path, to_path));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
