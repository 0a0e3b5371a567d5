/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kfuncs Citadel's BPF LSM programs call. Each returns CITADEL_ALLOW
 * or CITADEL_DENY; the program turns that into 0 or -EPERM itself, so
 * the verifier sees a constant return value.
 */
#ifndef CITADEL_KFUNCS_H
#define CITADEL_KFUNCS_H

#include <linux/net.h>
#include <linux/socket.h>

int bpf_citadel_socket_connect(struct socket *sock, struct sockaddr *address,
			       int addrlen);
int bpf_citadel_socket_sendmsg(struct socket *sock, struct msghdr *msg,
			       int size);

int citadel_kfuncs_register(void);

#endif /* CITADEL_KFUNCS_H */
