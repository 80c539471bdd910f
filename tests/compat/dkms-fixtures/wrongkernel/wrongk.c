// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init wrongk_init(void)
{
	pr_info("wrongk loaded\n");
	return 0;
}

static void __exit wrongk_exit(void)
{
	pr_info("wrongk unloaded\n");
}

module_init(wrongk_init);
module_exit(wrongk_exit);
MODULE_DESCRIPTION("modkit DKMS test module wrongk");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
