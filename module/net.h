/* SPDX-License-Identifier: GPL-2.0-only */
/* Network decisions: connect, send, bind, listen, socket creation. */
#ifndef CITADEL_NET_H
#define CITADEL_NET_H

#include <linux/net.h>
#include <linux/socket.h>

int citadel_net_connect(struct socket *sock, struct sockaddr *address,
			int addrlen, u64 label);
int citadel_net_sendmsg(struct socket *sock, struct msghdr *msg, u64 label);
int citadel_net_bind(struct socket *sock, struct sockaddr *address,
		     int addrlen, u64 label);
int citadel_net_listen(struct socket *sock, u64 label);
int citadel_net_socket_create(int family, int type, int protocol, int kern,
			      u64 label);

#endif /* CITADEL_NET_H */
