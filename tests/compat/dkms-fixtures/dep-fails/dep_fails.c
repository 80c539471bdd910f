// SPDX-License-Identifier: GPL-2.0
// A dep_fails-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init dep_fails_init(void)
{
	pr_info("dep_fails loaded\n");
	return 0;
}

static void __exit dep_fails_exit(void)
{
	pr_info("dep_fails unloaded\n");
}

#error does not compile
module_init(dep_fails_init);
module_exit(dep_fails_exit);
MODULE_DESCRIPTION("modkit DKMS test module dep_fails");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
