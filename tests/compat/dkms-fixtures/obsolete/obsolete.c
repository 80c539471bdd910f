// SPDX-License-Identifier: GPL-2.0
// A obsolete-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init obsolete_init(void)
{
	pr_info("obsolete loaded\n");
	return 0;
}

static void __exit obsolete_exit(void)
{
	pr_info("obsolete unloaded\n");
}

module_init(obsolete_init);
module_exit(obsolete_exit);
MODULE_DESCRIPTION("modkit DKMS test module obsolete");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
