// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init excl_arch_init(void)
{
	pr_info("excl-arch loaded\n");
	return 0;
}

static void __exit excl_arch_exit(void)
{
	pr_info("excl-arch unloaded\n");
}

module_init(excl_arch_init);
module_exit(excl_arch_exit);
MODULE_DESCRIPTION("modkit DKMS test module excl-arch");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
