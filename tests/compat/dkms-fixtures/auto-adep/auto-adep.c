// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init auto_adep_init(void)
{
	pr_info("auto-adep loaded\n");
	return 0;
}

static void __exit auto_adep_exit(void)
{
	pr_info("auto-adep unloaded\n");
}

module_init(auto_adep_init);
module_exit(auto_adep_exit);
MODULE_DESCRIPTION("modkit DKMS test module auto-adep");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
