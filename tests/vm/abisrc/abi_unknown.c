// SPDX-License-Identifier: GPL-2.0
/* Needs a symbol that neither the kernel nor any module exports: "Unknown symbol" (ENOENT). */
#include <linux/module.h>

extern int modkit_nobody_exports_this(void);
static void *volatile keep = (void *)modkit_nobody_exports_this;

static int __init abi_unknown_init(void)
{
	return keep ? 0 : -EINVAL;
}
module_init(abi_unknown_init);
MODULE_LICENSE("GPL");
