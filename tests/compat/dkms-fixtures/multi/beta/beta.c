// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init beta_init(void)
{
	pr_info("beta loaded\n");
	return 0;
}

static void __exit beta_exit(void)
{
	pr_info("beta unloaded\n");
}

module_init(beta_init);
module_exit(beta_exit);
MODULE_DESCRIPTION("modkit DKMS test module beta");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
