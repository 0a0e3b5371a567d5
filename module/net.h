/* SPDX-License-Identifier: GPL-2.0-only */
/* Network decisions: connect, send, bind, listen, socket creation. */
#ifndef CITADEL_NET_H
#define CITADEL_NET_H

#include <linux/net.h>
#include <linux/socket.h>

/* Each decides for the calling task, under its service label. */
int citadel_net_connect(struct socket *sock, struct sockaddr *address,
			int addrlen);
int citadel_net_sendmsg(struct socket *sock, struct msghdr *msg);
int citadel_net_setsockopt(struct socket *sock, int level, int optname);
int citadel_net_sctp_bind_connect(int optname);
int citadel_net_bind(struct socket *sock, struct sockaddr *address,
		     int addrlen);
int citadel_net_listen(struct socket *sock);
int citadel_net_socket_create(int family, int type, int protocol, int kern);

#endif /* CITADEL_NET_H */
