// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init auto_off_init(void)
{
	pr_info("auto-off loaded\n");
	return 0;
}

static void __exit auto_off_exit(void)
{
	pr_info("auto-off unloaded\n");
}

module_init(auto_off_init);
module_exit(auto_off_exit);
MODULE_DESCRIPTION("modkit DKMS test module auto-off");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
