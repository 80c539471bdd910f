// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init alpha_init(void)
{
	pr_info("alpha loaded\n");
	return 0;
}

static void __exit alpha_exit(void)
{
	pr_info("alpha unloaded\n");
}

module_init(alpha_init);
module_exit(alpha_exit);
MODULE_DESCRIPTION("modkit DKMS test module alpha");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
