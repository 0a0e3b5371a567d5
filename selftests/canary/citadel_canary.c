// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module that does nothing: seal_test loads it before the seal (it
 * must load) and after (it must not).
 */
#include <linux/init.h>
#include <linux/module.h>

static int __init canary_init(void)
{
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);

MODULE_DESCRIPTION("Citadel selftest: a module for the seal to refuse");
MODULE_LICENSE("GPL");
