// SPDX-License-Identifier: GPL-2.0
/*
 * Uses modkit_demo's exported symbol, so depmod must list modkit_demo as its dependency and
 * modprobe must load modkit_demo first (and refuse to remove it while this one is loaded).
 */
#include <linux/init.h>
#include <linux/module.h>

int modkit_demo_answer(void);

static int __init modkit_user_init(void)
{
	pr_info("modkit_user: answer=%d\n", modkit_demo_answer());
	return 0;
}

static void __exit modkit_user_exit(void)
{
}

module_init(modkit_user_init);
module_exit(modkit_user_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modkit VM test module that depends on modkit_demo");
