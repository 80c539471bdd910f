// Two modules that use each other's symbols: depmod refuses the dependency cycle.
#include <linux/init.h>
#include <linux/module.h>
MODULE_LICENSE("GPL");
int cycle_b_value(void);
int cycle_a_value(void) { return 1; }
EXPORT_SYMBOL(cycle_a_value);
static int __init a_init(void) { return cycle_b_value() - 2; }
static void __exit a_exit(void) {}
module_init(a_init);
module_exit(a_exit);
