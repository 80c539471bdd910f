// A trivial module for the wrong-kernel test: it loads only on the kernel it was built for.
#include <linux/module.h>

static int __init wrongk_init(void) { return 0; }
static void __exit wrongk_exit(void) {}
module_init(wrongk_init);
module_exit(wrongk_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
