# Parameters the kernel rejects or ignores: an unknown parameter is ignored with a kernel
# warning (the load succeeds); a bad value fails with EINVAL. Missing symbols fail with
# ENOENT. Exact messages of modprobe and insmod.
# needs: loop vfat
# kernels: bookworm trixie
LOOP=$MODDIR/kernel/drivers/block/loop$KO
dmesg_clear
expect_run "modprobe with an unknown parameter succeeds" 0 "" "" modprobe loop no_such_param=1
expect_dmesg "the kernel ignored it" "loop: unknown parameter 'no_such_param' ignored"
modprobe -r loop
expect_run "modprobe with a bad value" 1 "" "modprobe: ERROR: could not insert 'loop': Invalid argument" \
  modprobe loop max_loop=notanumber
not_loaded "not loaded" loop
expect_run "insmod with a bad value" 1 "" "insmod: ERROR: could not insert module $LOOP: Invalid parameters" \
  insmod "$LOOP" max_loop=notanumber
expect_run "insmod with options" 0 "" "" insmod "$LOOP" max_loop=2 max_part=1
expect_param "max_loop" loop max_loop 2
expect_param "max_part" loop max_part 1
rmmod loop
dmesg_clear
expect_run "insmod of a module whose dependency is missing" 1 "" \
  "insmod: ERROR: could not insert module $MODDIR/kernel/fs/fat/vfat$KO: Unknown symbol in module" \
  insmod "$MODDIR/kernel/fs/fat/vfat$KO"
expect_dmesg "the kernel names the symbol" "vfat: Unknown symbol fat_"
# A .ko missing from disk while the index still lists it: modprobe maps ENOENT to its
# "Unknown symbol" message.
mv "$MODDIR/kernel/fs/fat/vfat$KO" /tmp/vfat.ko
trap 'mv /tmp/vfat.ko "$MODDIR/kernel/fs/fat/vfat$KO"' EXIT
expect_run "modprobe of an indexed module whose file is missing" 1 "" \
  "modprobe: ERROR: could not insert 'vfat': Unknown symbol in module, or unknown parameter (see dmesg)" modprobe vfat
