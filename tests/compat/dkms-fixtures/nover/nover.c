// SPDX-License-Identifier: GPL-2.0
// A nover-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init nover_init(void)
{
	pr_info("nover loaded\n");
	return 0;
}

static void __exit nover_exit(void)
{
	pr_info("nover unloaded\n");
}

module_init(nover_init);
module_exit(nover_exit);
MODULE_DESCRIPTION("modkit DKMS test module nover");
MODULE_LICENSE("GPL");
