/* SPDX-License-Identifier: GPL-2.0-only */
/* Included first by every module source file. */
#ifndef CITADEL_COMMON_H
#define CITADEL_COMMON_H

#define pr_fmt(fmt) "citadel: " fmt

#include <linux/kernel.h>
#include <linux/printk.h>

#endif /* CITADEL_COMMON_H */
