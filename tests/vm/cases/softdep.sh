# Soft dependencies: "softdep X pre: A post: B" loads A, X, B in that order; their failures
# are ignored; modprobe -r X removes B, X, A. Also softdeps the modules declare themselves
# (libcrc32c: pre crc32c).
# needs: dummy loop nbd veth libcrc32c crc32c_intel
modprobe_d soft.conf "softdep dummy pre: loop post: nbd"
expect_run "-v shows pre, module, post" 0 \
  "insmod $MODDIR/kernel/drivers/block/loop.ko 
insmod $MODDIR/kernel/drivers/net/dummy.ko 
insmod $MODDIR/kernel/drivers/block/nbd.ko " "" modprobe -v dummy
loaded "all three loaded" loop dummy nbd
expect_order "in that order" loop dummy nbd
expect_run "modprobe -r -v removes post softdeps, the module, then pre softdeps" 0 \
  "rmmod nbd
rmmod dummy
rmmod loop" "" modprobe -r -v dummy
not_loaded "all three removed" loop dummy nbd

modprobe_d soft.conf "softdep veth pre: crc32c_intel nosuchmodule post: dummy"
expect_run "a failing or missing softdep is ignored" 0 "" "" modprobe veth
loaded "veth and its post softdep loaded" veth dummy
not_loaded "crc32c_intel failed (no SSE4.2 in the VM)" crc32c_intel
modprobe -r veth

modprobe_d soft.conf "softdep dummy pre: loop" "install dummy /bin/echo never runs"
expect_run "a module with softdeps ignores its install command" 0 "" "" modprobe dummy
loaded "dummy loaded with its softdep" loop dummy
modprobe -r dummy

rm /etc/modprobe.d/soft.conf
expect_run "softdep declared by the module itself (libcrc32c: pre crc32c)" 0 \
  "insmod $MODDIR/kernel/arch/x86/crypto/crc32c-intel.ko 
insmod $MODDIR/kernel/crypto/crc32c_generic.ko 
insmod $MODDIR/kernel/lib/libcrc32c.ko " "" modprobe -v libcrc32c
expect_order "crc32c_generic before libcrc32c" crc32c_generic libcrc32c
