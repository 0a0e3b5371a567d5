/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kfuncs Citadel's BPF LSM programs call. The deciding ones return
 * CITADEL_ALLOW or CITADEL_DENY; the program turns that into 0 or -EPERM
 * itself, so the verifier sees a constant return value. @label is the
 * calling task's service label from BPF task storage (0: none).
 */
#ifndef CITADEL_KFUNCS_H
#define CITADEL_KFUNCS_H

#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/net.h>
#include <linux/socket.h>

#include "citadel_task.h"

struct bpf_map;
struct sk_buff;
struct sock;
struct bpf_prog;
union bpf_attr;

int bpf_citadel_socket_connect(struct socket *sock, struct sockaddr *address,
			       int addrlen);
int bpf_citadel_socket_sendmsg(struct socket *sock, struct msghdr *msg,
			       int size);
int bpf_citadel_socket_setsockopt(struct socket *sock, int level,
				  int optname);
int bpf_citadel_sctp_bind_connect(int optname);
int bpf_citadel_socket_bind(struct socket *sock, struct sockaddr *address,
			    int addrlen);
int bpf_citadel_socket_listen(struct socket *sock, int backlog);
int bpf_citadel_socket_create(int family, int type, int protocol, int kern);
int bpf_citadel_bprm_check(struct linux_binprm *bprm,
			   struct citadel_task_ctx *ctx);
int bpf_citadel_mmap_file(struct file *file, unsigned long prot);
int bpf_citadel_file_mprotect(struct vm_area_struct *vma, unsigned long prot);
int bpf_citadel_file_open(struct file *file);
int bpf_citadel_path_truncate(const struct path *path);

/* The seal's guards: they allow everything until citadelctl seal. */
int bpf_citadel_capable(int cap, unsigned int opts);
int bpf_citadel_kernel_read_file(struct file *file, int id);
int bpf_citadel_kernel_load_data(int id);
int bpf_citadel_kernel_module_request(const char *name, u32 name__sz);
int bpf_citadel_bpf(int cmd, union bpf_attr *attr);
int bpf_citadel_bpf_map(struct bpf_map *map);
int bpf_citadel_bpf_prog(struct bpf_prog *prog);
int bpf_citadel_locked_down(int what);
int bpf_citadel_netlink_send(struct sock *sk, struct sk_buff *skb);
int bpf_citadel_file_ioctl(struct file *file, unsigned int cmd);

/* Protected paths (protect.c): they allow everything until sealed. */
int bpf_citadel_path_unlink(const struct path *dir, struct dentry *dentry);
int bpf_citadel_path_rmdir(const struct path *dir, struct dentry *dentry);
int bpf_citadel_path_mkdir(const struct path *dir, struct dentry *dentry);
int bpf_citadel_path_mknod(const struct path *dir, struct dentry *dentry);
int bpf_citadel_path_symlink(const struct path *dir, struct dentry *dentry);
int bpf_citadel_path_link(struct dentry *old_dentry,
			  const struct path *new_dir,
			  struct dentry *new_dentry);
int bpf_citadel_path_rename(const struct path *old_dir,
			    struct dentry *old_dentry,
			    const struct path *new_dir,
			    struct dentry *new_dentry);
int bpf_citadel_path_chmod(const struct path *path);
int bpf_citadel_path_chown(const struct path *path);
int bpf_citadel_sb_mount(const struct path *path, unsigned long flags);
int bpf_citadel_move_mount(const struct path *from_path,
			   const struct path *to_path);

int citadel_kfuncs_register(void);

#endif /* CITADEL_KFUNCS_H */
