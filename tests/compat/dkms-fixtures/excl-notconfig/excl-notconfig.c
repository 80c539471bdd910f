// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init excl_notconfig_init(void)
{
	pr_info("excl-notconfig loaded\n");
	return 0;
}

static void __exit excl_notconfig_exit(void)
{
	pr_info("excl-notconfig unloaded\n");
}

module_init(excl_notconfig_init);
module_exit(excl_notconfig_exit);
MODULE_DESCRIPTION("modkit DKMS test module excl-notconfig");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
