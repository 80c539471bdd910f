// A minimal module whose MODULE_VERSION is the DKMS package version (dkms-faults.sh).
#include <linux/init.h>
#include <linux/module.h>
MODULE_LICENSE("GPL");
MODULE_VERSION("@VERSION@");
static int __init hello_init(void) { return 0; }
static void __exit hello_exit(void) {}
module_init(hello_init);
module_exit(hello_exit);
