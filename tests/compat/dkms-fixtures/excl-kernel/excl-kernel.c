// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init excl_kernel_init(void)
{
	pr_info("excl-kernel loaded\n");
	return 0;
}

static void __exit excl_kernel_exit(void)
{
	pr_info("excl-kernel unloaded\n");
}

module_init(excl_kernel_init);
module_exit(excl_kernel_exit);
MODULE_DESCRIPTION("modkit DKMS test module excl-kernel");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
