// SPDX-License-Identifier: GPL-2.0
// A dep_base-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init dep_base_init(void)
{
	pr_info("dep_base loaded\n");
	return 0;
}

static void __exit dep_base_exit(void)
{
	pr_info("dep_base unloaded\n");
}

module_init(dep_base_init);
module_exit(dep_base_exit);
MODULE_DESCRIPTION("modkit DKMS test module dep_base");
MODULE_LICENSE("GPL");
MODULE_VERSION("2.0");
