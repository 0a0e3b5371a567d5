// SPDX-License-Identifier: GPL-2.0-only
/*
 * Citadel: the policy engine behind Citadel's BPF LSM programs.
 *
 * This file only orders setup and teardown; each concern lives in its
 * own file (policy_*.c, net*.c, kfuncs.c, securityfs.c).
 */
#include "common.h"

#include <linux/module.h>

#include "boundary.h"
#include "events.h"
#include "exec.h"
#include "kfuncs.h"
#include "policy_store.h"
#include "protect.h"
#include "seal.h"
#include "securityfs.h"
#include "signature.h"
#include "task_label.h"

/*
 * Without module BTF the kfunc registration "succeeds" and every BPF
 * program load fails later and obscurely; refuse to load instead.
 */
static int check_btf(void)
{
#ifdef CONFIG_DEBUG_INFO_BTF_MODULES
	if (THIS_MODULE->btf_data_size)
		return 0;
	pr_err("this build of citadel.ko has no BTF, so its kfuncs cannot be used: rebuild it with the target kernel's BTF (/sys/kernel/btf/vmlinux) and resolve_btfids (see README, \"Module BTF\")\n");
#else
	pr_err("the kernel lacks CONFIG_DEBUG_INFO_BTF_MODULES: citadel cannot expose its kfuncs\n");
#endif
	return -ENOEXEC;
}

static int __init citadel_init(void)
{
	int ret;

	ret = check_btf();
	if (ret)
		return ret;
	ret = citadel_keys_init();
	if (ret)
		return ret;
	ret = citadel_events_init();
	if (ret) {
		citadel_keys_exit();
		return ret;
	}
	ret = citadel_exec_init();
	if (ret) {
		citadel_events_exit();
		citadel_keys_exit();
		return ret;
	}
	ret = citadel_securityfs_init();
	if (ret) {
		pr_err("cannot create /sys/kernel/security/citadel: %d\n", ret);
		citadel_exec_exit();
		citadel_events_exit();
		citadel_keys_exit();
		return ret;
	}
	ret = citadel_kfuncs_register();
	if (ret) {
		pr_err("cannot register kfuncs: %d\n", ret);
		citadel_securityfs_exit();
		citadel_exec_exit();
		citadel_events_exit();
		citadel_keys_exit();
		return ret;
	}
	pr_info("ready, no policy loaded\n");
	return 0;
}

static void __exit citadel_exit(void)
{
	/* No BPF program can be calling in: each one holds a module ref. */
	citadel_securityfs_exit();
	citadel_boundary_exit();
	citadel_task_map_exit();
	citadel_store_exit();
	citadel_protect_exit();
	citadel_exec_exit();
	citadel_events_exit();
	citadel_keys_exit();
	citadel_seal_exit();
	pr_info("unloaded\n");
}

module_init(citadel_init);
module_exit(citadel_exit);

MODULE_DESCRIPTION("Citadel: policy engine for BPF LSM device lockdown");
MODULE_AUTHOR("Citadel developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1.0");
