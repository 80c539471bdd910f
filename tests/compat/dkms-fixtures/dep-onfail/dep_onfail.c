// SPDX-License-Identifier: GPL-2.0
// A dep_onfail-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init dep_onfail_init(void)
{
	pr_info("dep_onfail loaded\n");
	return 0;
}

static void __exit dep_onfail_exit(void)
{
	pr_info("dep_onfail unloaded\n");
}

module_init(dep_onfail_init);
module_exit(dep_onfail_exit);
MODULE_DESCRIPTION("modkit DKMS test module dep_onfail");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
