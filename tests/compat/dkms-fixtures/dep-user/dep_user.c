// SPDX-License-Identifier: GPL-2.0
// A dep_user-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init dep_user_init(void)
{
	pr_info("dep_user loaded\n");
	return 0;
}

static void __exit dep_user_exit(void)
{
	pr_info("dep_user unloaded\n");
}

module_init(dep_user_init);
module_exit(dep_user_exit);
MODULE_DESCRIPTION("modkit DKMS test module dep_user");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
