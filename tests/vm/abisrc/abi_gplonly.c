// SPDX-License-Identifier: GPL-2.0
/* Not GPL-licensed (see the license below), yet uses a GPL-only export of vmlinux: the kernel does not offer it to such
 * a module ("Unknown symbol", ENOENT), after tainting the kernel P for the license. */
#include <linux/module.h>
#include <linux/timekeeping.h>

static void *volatile keep = (void *)ktime_get_mono_fast_ns;

static int __init abi_gplonly_init(void)
{
	return keep ? 0 : -EINVAL;
}
module_init(abi_gplonly_init);
/* Built as "Dual MIT/GPL" (modpost refuses the real thing); tests/vm/lib/abi-construct.py
 * rewrites the string to "Proprietary" in the built module. */
MODULE_LICENSE("Dual MIT/GPL");
