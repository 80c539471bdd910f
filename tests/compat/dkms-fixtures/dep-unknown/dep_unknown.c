// SPDX-License-Identifier: GPL-2.0
// A dep_unknown-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init dep_unknown_init(void)
{
	pr_info("dep_unknown loaded\n");
	return 0;
}

static void __exit dep_unknown_exit(void)
{
	pr_info("dep_unknown unloaded\n");
}

module_init(dep_unknown_init);
module_exit(dep_unknown_exit);
MODULE_DESCRIPTION("modkit DKMS test module dep_unknown");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
