// SPDX-License-Identifier: GPL-2.0
#error "this module deliberately does not compile"
// A hello-world module for the DKMS differential tests.
#include <linux/init.h>
#include <linux/module.h>

static int __init makefail_init(void)
{
	pr_info("makefail loaded\n");
	return 0;
}

static void __exit makefail_exit(void)
{
	pr_info("makefail unloaded\n");
}

module_init(makefail_init);
module_exit(makefail_exit);
MODULE_DESCRIPTION("modkit DKMS test module makefail");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
