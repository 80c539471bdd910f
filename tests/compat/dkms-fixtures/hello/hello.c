// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init hello_init(void)
{
	pr_info("hello loaded\n");
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("hello unloaded\n");
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_DESCRIPTION("modkit DKMS test module hello");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
