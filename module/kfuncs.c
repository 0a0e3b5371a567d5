// SPDX-License-Identifier: GPL-2.0-only
/*
 * kfuncs for BPF LSM programs: thin entries into the policy engine,
 * registered for BPF_PROG_TYPE_LSM only.
 */
#include "common.h"

#include <linux/bpf.h>

#include "compat.h"
#include "kfuncs.h"
#include "net.h"

/**
 * bpf_citadel_socket_connect() - decide lsm/socket_connect
 * @sock: the hook's socket
 * @address: the hook's destination address
 * @addrlen: the hook's address length
 *
 * For BPF LSM programs on socket_connect.
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
 * For BPF LSM programs on socket_sendmsg.
 *
 * Return: CITADEL_ALLOW or CITADEL_DENY.
 */
__bpf_kfunc int bpf_citadel_socket_sendmsg(struct socket *sock,
					   struct msghdr *msg, int size)
{
	return citadel_net_sendmsg(sock, msg);
}

CITADEL_KFUNCS_START(citadel_kfunc_ids)
BTF_ID_FLAGS(func, bpf_citadel_socket_connect)
BTF_ID_FLAGS(func, bpf_citadel_socket_sendmsg)
CITADEL_KFUNCS_END(citadel_kfunc_ids)

static const struct btf_kfunc_id_set citadel_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &citadel_kfunc_ids,
};

int citadel_kfuncs_register(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_LSM, &citadel_kfunc_set);
}
