# modprobe loads a module after its whole dependency chain and the soft dependencies the
# modules declare (jbd2 and ext4: "softdep pre: crypto-crc32c"), modprobe -r removes the chain.
# needs: ext4
C=$MODDIR/kernel
expect_run "modprobe -v ext4: modules.dep line reversed, softdeps before their module" 0 \
  "insmod $C/arch/x86/crypto/crc32c-intel.ko 
insmod $C/crypto/crc32c_generic.ko 
insmod $C/fs/jbd2/jbd2.ko 
insmod $C/fs/mbcache.ko 
insmod $C/lib/crc16.ko 
insmod $C/fs/ext4/ext4.ko " "" modprobe -v ext4
loaded "ext4 and its dependencies are live" ext4 jbd2 mbcache crc16 crc32c_generic
# crc32c-intel needs SSE4.2, which QEMU's qemu64 CPU lacks: its init fails with ENODEV and, as a
# soft dependency, that error is ignored.
not_loaded "crc32c_intel failed to initialise (no SSE4.2) without failing the load" crc32c_intel
expect_order "load order in the kernel" crc32c_generic jbd2 mbcache crc16 ext4
expect_eq "ext4 is held by nothing" 0 "$(refcnt ext4)"
expect_eq "jbd2 is held by ext4" ext4 "$(holders jbd2)"
expect_eq "mbcache is held by ext4" ext4 "$(holders mbcache)"

expect_run "modprobe ext4 again: already loaded, silent" 0 "" "" modprobe ext4
expect_run "modprobe -r -v ext4: the module, its unused dependencies (load order), its pre softdeps" 0 \
  "rmmod ext4
rmmod jbd2
rmmod mbcache
rmmod crc16
rmmod crc32c_generic" "" modprobe -r -v ext4
not_loaded "ext4, its dependencies and softdeps are gone" ext4 jbd2 mbcache crc16 crc32c_generic

modprobe jbd2
expect_run "modprobe -r ext4 with a dependency loaded on its own: nothing to do" 0 "" "" modprobe -r ext4
loaded "jbd2 stays" jbd2
