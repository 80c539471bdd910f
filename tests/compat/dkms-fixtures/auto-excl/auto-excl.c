// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init auto_excl_init(void)
{
	pr_info("auto-excl loaded\n");
	return 0;
}

static void __exit auto_excl_exit(void)
{
	pr_info("auto-excl unloaded\n");
}

module_init(auto_excl_init);
module_exit(auto_excl_exit);
MODULE_DESCRIPTION("modkit DKMS test module auto-excl");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
