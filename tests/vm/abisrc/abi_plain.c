// SPDX-License-Identifier: GPL-2.0
/* Nothing wrong with it: an unsigned out-of-tree module loads and taints the kernel O and E. */
#include <linux/module.h>

static int __init abi_plain_init(void)
{
	return 0;
}
static void __exit abi_plain_exit(void)
{
}
module_init(abi_plain_init);
module_exit(abi_plain_exit);
MODULE_LICENSE("GPL");
