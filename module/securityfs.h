/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef CITADEL_SECURITYFS_H
#define CITADEL_SECURITYFS_H

int citadel_securityfs_init(void);
void citadel_securityfs_exit(void);

#endif /* CITADEL_SECURITYFS_H */
