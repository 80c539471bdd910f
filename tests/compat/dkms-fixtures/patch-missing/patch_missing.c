// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init patch_missing_init(void)
{
	pr_info("patch_missing loaded\n");
	return 0;
}

static void __exit patch_missing_exit(void)
{
	pr_info("patch_missing unloaded\n");
}

module_init(patch_missing_init);
module_exit(patch_missing_exit);
MODULE_DESCRIPTION("modkit DKMS test module patch_missing");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
