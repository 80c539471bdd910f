// SPDX-License-Identifier: GPL-2.0
// A prebuild_fail-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init prebuild_fail_init(void)
{
	pr_info("prebuild_fail loaded\n");
	return 0;
}

static void __exit prebuild_fail_exit(void)
{
	pr_info("prebuild_fail unloaded\n");
}

module_init(prebuild_fail_init);
module_exit(prebuild_fail_exit);
MODULE_DESCRIPTION("modkit DKMS test module prebuild_fail");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
