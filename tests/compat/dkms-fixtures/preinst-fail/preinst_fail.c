// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init preinst_fail_init(void)
{
	pr_info("preinst_fail loaded\n");
	return 0;
}

static void __exit preinst_fail_exit(void)
{
	pr_info("preinst_fail unloaded\n");
}

module_init(preinst_fail_init);
module_exit(preinst_fail_exit);
MODULE_DESCRIPTION("modkit DKMS test module preinst_fail");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
