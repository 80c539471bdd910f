// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny out-of-tree module the VM tests build at test time against the running kernel's
 * headers: an int and a string parameter (visible in /sys/module/modkit_demo/parameters), an
 * exported function that modkit_user needs (a dependency depmod must find), a way to make
 * init fail with a chosen errno so the tools' error messages can be checked, and a way to hold
 * a reference on itself (refcnt 1, no holders) so only a forced removal takes it out.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static int count = 1;
module_param(count, int, 0644);
MODULE_PARM_DESC(count, "an integer, readable and writable in sysfs");

static char *greeting = "hello";
module_param(greeting, charp, 0444);
MODULE_PARM_DESC(greeting, "a string, read-only in sysfs");

static bool hold;
module_param(hold, bool, 0);
MODULE_PARM_DESC(hold, "if set, the module holds a reference on itself (rmmod -f removes it)");

static int fail_with;
module_param(fail_with, int, 0);
MODULE_PARM_DESC(fail_with, "if set, init fails with -fail_with (e.g. 19 for ENODEV)");

int modkit_demo_answer(void)
{
	return 41 + count;
}
EXPORT_SYMBOL_GPL(modkit_demo_answer);

static int __init modkit_demo_init(void)
{
	if (fail_with)
		return -fail_with;
	if (hold)
		__module_get(THIS_MODULE);
	pr_info("modkit_demo: loaded count=%d greeting=%s\n", count, greeting);
	return 0;
}

static void __exit modkit_demo_exit(void)
{
	pr_info("modkit_demo: unloaded\n");
}

module_init(modkit_demo_init);
module_exit(modkit_demo_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("modkit tests");
MODULE_DESCRIPTION("modkit VM test module with parameters and an exported symbol");
MODULE_ALIAS("modkit-demo-alias");
