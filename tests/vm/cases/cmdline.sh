# The kernel command line: modprobe applies "mod.param=value" tokens (after modprobe.d) and
# "modprobe.blacklist="; insmod does not read it. The kernel itself ignores these tokens for
# modules that are not built in.
# needs: loop dummy vfat
# cmdline: loop.max_loop=5 dummy.numdummies=2 modprobe.blacklist=vfat,nbd
expect_match "the options are on /proc/cmdline" 'loop\.max_loop=5' "$(cat /proc/cmdline)"
expect_run "modprobe -v loop: options from the command line" 0 \
  "insmod $MODDIR/kernel/drivers/block/loop.ko max_loop=5 " "" modprobe -v loop
expect_param "loop.max_loop from the kernel command line" loop max_loop 5
modprobe -r loop

modprobe_d loop.conf "options loop max_loop=4"
expect_run "the command line comes after modprobe.d" 0 \
  "insmod $MODDIR/kernel/drivers/block/loop.ko max_loop=4 max_loop=5 " "" modprobe -v loop
expect_param "so the command line wins" loop max_loop 5
run modprobe -c
expect_match "modprobe -c shows the command-line options" '^options loop max_loop=5$' "$OUT"
expect_match "modprobe -c shows the command-line blacklist" '^blacklist vfat$' "$OUT"
modprobe -r loop

expect_rc "insmod ignores the kernel command line" 0 insmod "$MODDIR/kernel/drivers/block/loop.ko"
expect_param "loop.max_loop default (CONFIG_BLK_DEV_LOOP_MIN_COUNT) after insmod" loop max_loop 8
rmmod loop

expect_rc "ip link add type dummy makes the kernel run modprobe" 0 ip link add d9 type dummy
loaded "dummy autoloaded" dummy
expect_eq "autoloaded with numdummies=2" "d9 dummy0 dummy1" "$(netdevs d)"

expect_run "modprobe.blacklist: an alias of vfat is skipped" 0 "" "" modprobe fs-vfat
not_loaded "vfat not loaded through its alias" vfat
expect_run "modprobe.blacklist: the name itself still loads" 0 "" "" modprobe vfat
loaded "vfat loaded by name" vfat
