// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init excl_ok_init(void)
{
	pr_info("excl-ok loaded\n");
	return 0;
}

static void __exit excl_ok_exit(void)
{
	pr_info("excl-ok unloaded\n");
}

module_init(excl_ok_init);
module_exit(excl_ok_exit);
MODULE_DESCRIPTION("modkit DKMS test module excl-ok");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
