// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init noko_init(void)
{
	pr_info("noko loaded\n");
	return 0;
}

static void __exit noko_exit(void)
{
	pr_info("noko unloaded\n");
}

module_init(noko_init);
module_exit(noko_exit);
MODULE_DESCRIPTION("modkit DKMS test module noko");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
