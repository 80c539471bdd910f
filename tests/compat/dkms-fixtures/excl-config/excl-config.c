// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init excl_config_init(void)
{
	pr_info("excl-config loaded\n");
	return 0;
}

static void __exit excl_config_exit(void)
{
	pr_info("excl-config unloaded\n");
}

module_init(excl_config_init);
module_exit(excl_config_exit);
MODULE_DESCRIPTION("modkit DKMS test module excl-config");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
