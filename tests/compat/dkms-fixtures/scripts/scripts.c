// SPDX-License-Identifier: GPL-2.0
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init scripts_init(void)
{
	pr_info("scripts loaded\n");
	return 0;
}

static void __exit scripts_exit(void)
{
	pr_info("scripts unloaded\n");
}

module_init(scripts_init);
module_exit(scripts_exit);
MODULE_DESCRIPTION("modkit DKMS test module scripts");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
