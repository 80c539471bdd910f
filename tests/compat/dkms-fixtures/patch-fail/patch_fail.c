// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init patch_fail_init(void)
{
	pr_info("patch_fail loaded\n");
	return 0;
}

static void __exit patch_fail_exit(void)
{
	pr_info("patch_fail unloaded\n");
}

module_init(patch_fail_init);
module_exit(patch_fail_exit);
MODULE_DESCRIPTION("modkit DKMS test module patch_fail");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
