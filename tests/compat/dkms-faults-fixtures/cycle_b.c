// The other half of the cycle (see cycle_a.c).
#include <linux/init.h>
#include <linux/module.h>
MODULE_LICENSE("GPL");
int cycle_a_value(void);
int cycle_b_value(void) { return 2; }
EXPORT_SYMBOL(cycle_b_value);
static int __init b_init(void) { return cycle_a_value() - 1; }
static void __exit b_exit(void) {}
module_init(b_init);
module_exit(b_exit);
