// SPDX-License-Identifier: GPL-2.0
// A bscripts-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init bscripts_init(void)
{
	pr_info("bscripts loaded\n");
	return 0;
}

static void __exit bscripts_exit(void)
{
	pr_info("bscripts unloaded\n");
}

module_init(bscripts_init);
module_exit(bscripts_exit);
MODULE_DESCRIPTION("modkit DKMS test module bscripts");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
