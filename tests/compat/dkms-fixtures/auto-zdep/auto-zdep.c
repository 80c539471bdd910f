// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init auto_zdep_init(void)
{
	pr_info("auto-zdep loaded\n");
	return 0;
}

static void __exit auto_zdep_exit(void)
{
	pr_info("auto-zdep unloaded\n");
}

module_init(auto_zdep_init);
module_exit(auto_zdep_exit);
MODULE_DESCRIPTION("modkit DKMS test module auto-zdep");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
