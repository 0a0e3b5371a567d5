/* SPDX-License-Identifier: GPL-2.0-only */
/* Network configuration changes once sealed (see netconf.c). */
#ifndef CITADEL_NETCONF_H
#define CITADEL_NETCONF_H

struct file;
struct sk_buff;
struct sock;

/* Decisions: CITADEL_ALLOW or CITADEL_DENY. */
int citadel_netconf_netlink(struct sock *sk, struct sk_buff *skb);
int citadel_netconf_ioctl(struct file *file, unsigned int cmd);
int citadel_netconf_file_open(struct file *file);
int citadel_netconf_sockopt(const struct sock *sk, int level, int optname);

#endif /* CITADEL_NETCONF_H */
