// SPDX-License-Identifier: GPL-2.0-only
/*
 * kfuncs for BPF LSM programs: thin entries into the policy engine,
 * registered for BPF_PROG_TYPE_LSM only. Each is for the BPF LSM program
 * on the hook of the same name and takes that hook's arguments. The
 * decisions for a task's service find its label themselves (task_label.h).
 */
#include "common.h"

#include <linux/bpf.h>

#include "boundary.h"
#include "compat.h"
#include "exec.h"
#include "kfuncs.h"
#include "net.h"
#include "netconf.h"
#include "protect.h"
#include "seal.h"
#include "task_label.h"

/**
 * bpf_citadel_socket_connect() - decide lsm/socket_connect
 * @sock: the hook's socket
 * @address: the hook's destination address
 * @addrlen: the hook's address length
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_socket_connect(struct socket *sock,
					   struct sockaddr *address,
					   int addrlen)
{
	return citadel_net_connect(sock, address, addrlen);
}

/**
 * bpf_citadel_socket_sendmsg() - decide lsm/socket_sendmsg
 * @sock: the hook's socket
 * @msg: the hook's message
 * @size: the hook's payload size (unused)
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_socket_sendmsg(struct socket *sock,
					   struct msghdr *msg, int size)
{
	return citadel_net_sendmsg(sock, msg);
}

/**
 * bpf_citadel_socket_setsockopt() - decide lsm/socket_setsockopt
 * @sock: the hook's socket
 * @level: the option's level
 * @optname: the option
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_socket_setsockopt(struct socket *sock, int level,
					      int optname)
{
	return citadel_net_setsockopt(sock, level, optname);
}

/**
 * bpf_citadel_sctp_bind_connect() - decide lsm/sctp_bind_connect
 * @optname: which SCTP call
 *
 * Return: CITADEL_ALLOW without a policy, else CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_sctp_bind_connect(int optname)
{
	return citadel_net_sctp_bind_connect(optname);
}

/**
 * bpf_citadel_socket_bind() - decide lsm/socket_bind
 * @sock: the hook's socket
 * @address: the hook's local address
 * @addrlen: the hook's address length
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_socket_bind(struct socket *sock,
					struct sockaddr *address, int addrlen)
{
	return citadel_net_bind(sock, address, addrlen);
}

/**
 * bpf_citadel_socket_listen() - decide lsm/socket_listen
 * @sock: the hook's socket
 * @backlog: the hook's backlog (unused)
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_socket_listen(struct socket *sock, int backlog)
{
	return citadel_net_listen(sock);
}

/**
 * bpf_citadel_socket_create() - decide lsm/socket_create
 * @family: the hook's address family
 * @type: the hook's socket type
 * @protocol: the hook's protocol
 * @kern: the hook's kernel-socket flag
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_socket_create(int family, int type, int protocol,
					  int kern)
{
	return citadel_net_socket_create(family, type, protocol, kern);
}

/**
 * bpf_citadel_bprm_check() - decide lsm.s/bprm_check_security
 * @bprm: the hook's exec
 * @ctx: the task's storage; the label the exec will give is set in it.
 *	It also shows the module which map holds the labels (task_label.c).
 *
 * Sleeps (hashing): for sleepable programs only.
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_bprm_check(struct linux_binprm *bprm,
				       struct citadel_task_ctx *ctx)
{
	if (ctx)
		citadel_task_map_note(ctx);
	return citadel_exec_check(bprm, ctx);
}

/**
 * bpf_citadel_mmap_file() - decide lsm/mmap_file
 * @file: the hook's file (NULL: anonymous)
 * @prot: the hook's prot
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_mmap_file(struct file *file, unsigned long prot)
{
	return citadel_mmap_check(file, prot);
}

/**
 * bpf_citadel_file_mprotect() - decide lsm/file_mprotect
 * @vma: the hook's mapping
 * @prot: the hook's new prot
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_file_mprotect(struct vm_area_struct *vma,
					  unsigned long prot)
{
	return citadel_mprotect_check(vma, prot);
}

/**
 * bpf_citadel_file_open() - decide lsm/file_open
 * @file: the hook's file
 *
 * Keeps the hash cache true (a writer drops the file's entry) and, once
 * sealed, refuses to open a protected file or block device for writing
 * (protect.c), or the network's configuration files without 'netconf
 * route' (netconf.c).
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_file_open(struct file *file)
{
	int ret = citadel_netconf_file_open(file);

	if (ret != CITADEL_ALLOW)
		return ret;
	citadel_file_opened(file);
	return citadel_protect_open(file);
}

/**
 * bpf_citadel_path_truncate() - decide lsm/path_truncate
 * @path: the hook's path
 *
 * Keeps the hash cache true and, once sealed, refuses to truncate a
 * protected file.
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_path_truncate(const struct path *path)
{
	citadel_path_truncated(path);
	return citadel_protect_attr(path, "truncate");
}

/**
 * bpf_citadel_path_unlink() - decide lsm/path_unlink
 * @dir: the hook's parent directory
 * @dentry: the hook's entry being removed
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a protected path once sealed.
 */
__bpf_kfunc int bpf_citadel_path_unlink(const struct path *dir,
					struct dentry *dentry)
{
	return citadel_protect_remove(dir, dentry, "unlink");
}

/**
 * bpf_citadel_path_rmdir() - decide lsm/path_rmdir
 * @dir: the hook's parent directory
 * @dentry: the hook's directory being removed
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a protected directory or
 * one on the way to a protected path once sealed.
 */
__bpf_kfunc int bpf_citadel_path_rmdir(const struct path *dir,
				       struct dentry *dentry)
{
	return citadel_protect_remove(dir, dentry, "rmdir");
}

/**
 * bpf_citadel_path_mkdir() - decide lsm/path_mkdir
 * @dir: the hook's parent directory
 * @dentry: the hook's new entry
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a new entry in a protected
 * directory or at a protected name once sealed.
 */
__bpf_kfunc int bpf_citadel_path_mkdir(const struct path *dir,
				       struct dentry *dentry)
{
	return citadel_protect_create(dir, dentry, "mkdir");
}

/**
 * bpf_citadel_path_mknod() - decide lsm/path_mknod (also open(O_CREAT))
 * @dir: the hook's parent directory
 * @dentry: the hook's new entry
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a new entry in a protected
 * directory or at a protected name once sealed.
 */
__bpf_kfunc int bpf_citadel_path_mknod(const struct path *dir,
				       struct dentry *dentry)
{
	return citadel_protect_create(dir, dentry, "create");
}

/**
 * bpf_citadel_path_symlink() - decide lsm/path_symlink
 * @dir: the hook's parent directory
 * @dentry: the hook's new entry
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a new entry in a protected
 * directory or at a protected name once sealed.
 */
__bpf_kfunc int bpf_citadel_path_symlink(const struct path *dir,
					 struct dentry *dentry)
{
	return citadel_protect_create(dir, dentry, "symlink");
}

/**
 * bpf_citadel_path_link() - decide lsm/path_link
 * @old_dentry: the hook's existing file
 * @new_dir: the hook's directory of the new name
 * @new_dentry: the hook's new name
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a link of a protected file
 * or a new name in a protected directory once sealed.
 */
__bpf_kfunc int bpf_citadel_path_link(struct dentry *old_dentry,
				      const struct path *new_dir,
				      struct dentry *new_dentry)
{
	return citadel_protect_link(old_dentry, new_dir, new_dentry);
}

/**
 * bpf_citadel_path_rename() - decide lsm/path_rename
 * @old_dir: the hook's source directory
 * @old_dentry: the hook's source entry
 * @new_dir: the hook's target directory
 * @new_dentry: the hook's target entry (may exist: it is replaced)
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY when either side is protected
 * once sealed.
 */
__bpf_kfunc int bpf_citadel_path_rename(const struct path *old_dir,
					struct dentry *old_dentry,
					const struct path *new_dir,
					struct dentry *new_dentry)
{
	return citadel_protect_rename(old_dir, old_dentry, new_dir,
				      new_dentry);
}

/**
 * bpf_citadel_path_chmod() - decide lsm/path_chmod
 * @path: the hook's path
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a protected path once sealed.
 */
__bpf_kfunc int bpf_citadel_path_chmod(const struct path *path)
{
	return citadel_protect_attr(path, "chmod");
}

/**
 * bpf_citadel_path_chown() - decide lsm/path_chown
 * @path: the hook's path
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a protected path once sealed.
 */
__bpf_kfunc int bpf_citadel_path_chown(const struct path *path)
{
	return citadel_protect_attr(path, "chown");
}

/**
 * bpf_citadel_sb_mount() - decide lsm/sb_mount
 * @path: the hook's mount point
 * @flags: the hook's MS_* flags
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a mount over a protected
 * path, or a directory on the way to one, once sealed.
 */
__bpf_kfunc int bpf_citadel_sb_mount(const struct path *path,
				     unsigned long flags)
{
	return citadel_protect_mount(path, flags);
}

/**
 * bpf_citadel_move_mount() - decide lsm/move_mount
 * @from_path: the hook's mount being moved (unused)
 * @to_path: the hook's new mount point
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a mount over a protected
 * path, or a directory on the way to one, once sealed.
 */
__bpf_kfunc int bpf_citadel_move_mount(const struct path *from_path,
				       const struct path *to_path)
{
	return citadel_protect_move_mount(to_path);
}

/**
 * bpf_citadel_capable() - decide lsm/capable for CAP_SYS_MODULE
 * @cap: the capability asked for
 * @opts: the hook's CAP_OPT_* flags
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for CAP_SYS_MODULE once sealed.
 */
__bpf_kfunc int bpf_citadel_capable(int cap, unsigned int opts)
{
	return citadel_seal_capable(cap, opts);
}

/**
 * bpf_citadel_kernel_read_file() - decide lsm/kernel_read_file
 * @file: the file the kernel reads
 * @id: what for (enum kernel_read_file_id)
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a module or kexec image
 * once sealed.
 */
__bpf_kfunc int bpf_citadel_kernel_read_file(struct file *file, int id)
{
	return citadel_seal_kernel_read_file(file, id);
}

/**
 * bpf_citadel_kernel_load_data() - decide lsm/kernel_load_data
 * @id: what for (enum kernel_load_data_id)
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a module or kexec image
 * once sealed.
 */
__bpf_kfunc int bpf_citadel_kernel_load_data(int id)
{
	return citadel_seal_kernel_load_data(id);
}

/**
 * bpf_citadel_kernel_module_request() - decide lsm/kernel_module_request
 * @name: the module name, copied by the program
 * @name__sz: size of @name
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY once sealed.
 */
__bpf_kfunc int bpf_citadel_kernel_module_request(const char *name,
						  u32 name__sz)
{
	return citadel_seal_module_request(name, name__sz);
}

/**
 * bpf_citadel_bpf() - decide lsm/bpf
 * @cmd: the bpf() command
 * @attr: its attributes, in kernel memory
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for a command on one of
 * Citadel's programs, links or maps once sealed.
 */
__bpf_kfunc int bpf_citadel_bpf(int cmd, union bpf_attr *attr)
{
	return citadel_seal_bpf(cmd, attr);
}

/**
 * bpf_citadel_bpf_map() - decide lsm/bpf_map (a new map descriptor)
 * @map: the map
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for Citadel's maps once sealed.
 */
__bpf_kfunc int bpf_citadel_bpf_map(struct bpf_map *map)
{
	return citadel_seal_bpf_map(map);
}

/**
 * bpf_citadel_bpf_prog() - decide lsm/bpf_prog (a new program descriptor)
 * @prog: the program
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY for Citadel's programs once sealed.
 */
__bpf_kfunc int bpf_citadel_bpf_prog(struct bpf_prog *prog)
{
	return citadel_seal_bpf_prog(prog);
}

/**
 * bpf_citadel_locked_down() - decide lsm/locked_down
 * @what: the lockdown reason (enum lockdown_reason)
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY once sealed for the reasons
 * of integrity, kprobes and tracefs.
 */
__bpf_kfunc int bpf_citadel_locked_down(int what)
{
	return citadel_seal_locked_down(what);
}

/**
 * bpf_citadel_netlink_send() - decide lsm/netlink_send
 * @sk: the sending netlink socket
 * @skb: the messages, in kernel memory
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY once sealed for a network
 * configuration change the task's scope has no netconf allowance for.
 */
__bpf_kfunc int bpf_citadel_netlink_send(struct sock *sk, struct sk_buff *skb)
{
	return citadel_netconf_netlink(sk, skb);
}

/**
 * bpf_citadel_file_ioctl() - decide lsm/file_ioctl for socket ioctls
 * @file: the hook's file
 * @cmd: the ioctl command (the program passes only 0x89xx and 0x8bxx)
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY once sealed for a SIOC* that
 * changes interfaces, routes or ARP entries without 'netconf route'.
 */
__bpf_kfunc int bpf_citadel_file_ioctl(struct file *file, unsigned int cmd)
{
	return citadel_netconf_ioctl(file, cmd);
}

/**
 * bpf_citadel_ptrace_access_check() - decide lsm/ptrace_access_check
 * @child: the task to be traced or inspected
 * @mode: the hook's PTRACE_MODE_* flags
 *
 * Reads both tasks' labels itself (task_label.h).
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY across labels while a policy
 * is loaded.
 */
__bpf_kfunc int bpf_citadel_ptrace_access_check(struct task_struct *child,
						unsigned int mode)
{
	return citadel_boundary_access(child, mode);
}

/**
 * bpf_citadel_ptrace_traceme() - decide lsm/ptrace_traceme
 * @parent: the hook's parent task, the tracer to be
 *
 * Return: CITADEL_ALLOW, or CITADEL_DENY across labels while a policy
 * is loaded.
 */
__bpf_kfunc int bpf_citadel_ptrace_traceme(struct task_struct *parent)
{
	return citadel_boundary_traceme(parent);
}

CITADEL_KFUNCS_START(citadel_kfunc_ids)
BTF_ID_FLAGS(func, bpf_citadel_socket_connect)
BTF_ID_FLAGS(func, bpf_citadel_socket_sendmsg)
BTF_ID_FLAGS(func, bpf_citadel_socket_setsockopt)
BTF_ID_FLAGS(func, bpf_citadel_sctp_bind_connect)
BTF_ID_FLAGS(func, bpf_citadel_socket_bind)
BTF_ID_FLAGS(func, bpf_citadel_socket_listen)
BTF_ID_FLAGS(func, bpf_citadel_socket_create)
BTF_ID_FLAGS(func, bpf_citadel_bprm_check, KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_citadel_mmap_file)
BTF_ID_FLAGS(func, bpf_citadel_file_mprotect)
BTF_ID_FLAGS(func, bpf_citadel_file_open)
BTF_ID_FLAGS(func, bpf_citadel_path_truncate)
BTF_ID_FLAGS(func, bpf_citadel_capable)
BTF_ID_FLAGS(func, bpf_citadel_kernel_read_file)
BTF_ID_FLAGS(func, bpf_citadel_kernel_load_data)
BTF_ID_FLAGS(func, bpf_citadel_kernel_module_request)
BTF_ID_FLAGS(func, bpf_citadel_bpf)
BTF_ID_FLAGS(func, bpf_citadel_bpf_map)
BTF_ID_FLAGS(func, bpf_citadel_bpf_prog)
BTF_ID_FLAGS(func, bpf_citadel_locked_down)
BTF_ID_FLAGS(func, bpf_citadel_netlink_send)
BTF_ID_FLAGS(func, bpf_citadel_file_ioctl)
BTF_ID_FLAGS(func, bpf_citadel_ptrace_access_check)
BTF_ID_FLAGS(func, bpf_citadel_ptrace_traceme)
BTF_ID_FLAGS(func, bpf_citadel_path_unlink)
BTF_ID_FLAGS(func, bpf_citadel_path_rmdir)
BTF_ID_FLAGS(func, bpf_citadel_path_mkdir)
BTF_ID_FLAGS(func, bpf_citadel_path_mknod)
BTF_ID_FLAGS(func, bpf_citadel_path_symlink)
BTF_ID_FLAGS(func, bpf_citadel_path_link)
BTF_ID_FLAGS(func, bpf_citadel_path_rename)
BTF_ID_FLAGS(func, bpf_citadel_path_chmod)
BTF_ID_FLAGS(func, bpf_citadel_path_chown)
BTF_ID_FLAGS(func, bpf_citadel_sb_mount)
BTF_ID_FLAGS(func, bpf_citadel_move_mount)
CITADEL_KFUNCS_END(citadel_kfunc_ids)

static const struct btf_kfunc_id_set citadel_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &citadel_kfunc_ids,
};

int citadel_kfuncs_register(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_LSM, &citadel_kfunc_set);
}
