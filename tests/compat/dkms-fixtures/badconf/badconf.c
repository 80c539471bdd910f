// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init badconf_init(void)
{
	pr_info("badconf loaded\n");
	return 0;
}

static void __exit badconf_exit(void)
{
	pr_info("badconf unloaded\n");
}

module_init(badconf_init);
module_exit(badconf_exit);
MODULE_DESCRIPTION("modkit DKMS test module badconf");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
