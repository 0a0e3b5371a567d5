/* SPDX-License-Identifier: GPL-2.0-only */
/* Outbound network decisions for the connect and sendmsg hooks. */
#ifndef CITADEL_NET_H
#define CITADEL_NET_H

#include <linux/net.h>
#include <linux/socket.h>

int citadel_net_connect(struct socket *sock, struct sockaddr *address,
			int addrlen);
int citadel_net_sendmsg(struct socket *sock, struct msghdr *msg);

#endif /* CITADEL_NET_H */
