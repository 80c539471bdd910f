// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init auto_upper_init(void)
{
	pr_info("auto-upper loaded\n");
	return 0;
}

static void __exit auto_upper_exit(void)
{
	pr_info("auto-upper unloaded\n");
}

module_init(auto_upper_init);
module_exit(auto_upper_exit);
MODULE_DESCRIPTION("modkit DKMS test module auto-upper");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
