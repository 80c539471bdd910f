// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init patched_init(void)
{
	pr_info("patched loaded\n");
	return 0;
}

static void __exit patched_exit(void)
{
	pr_info("patched unloaded\n");
}

module_init(patched_init);
module_exit(patched_exit);
MODULE_DESCRIPTION("modkit DKMS test module patched");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
