// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init makematch_init(void)
{
	pr_info("makematch loaded\n");
	return 0;
}

static void __exit makematch_exit(void)
{
	pr_info("makematch unloaded\n");
}

module_init(makematch_init);
module_exit(makematch_exit);
MODULE_DESCRIPTION("modkit DKMS test module makematch");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
