/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What the BPF programs share with the module: the decision values.
 * Kept separate from module/citadel_abi.h, which vmlinux.h would clash
 * with.
 */
#ifndef CITADEL_BPF_H
#define CITADEL_BPF_H

#define CITADEL_ALLOW	0
#define CITADEL_DENY	1

#endif /* CITADEL_BPF_H */
