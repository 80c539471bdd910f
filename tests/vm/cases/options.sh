# Module options from modprobe.d (by name and by config alias) and from modprobe's command line
# reach the kernel: parameters in /sys/module/*/parameters, or their effect for dummy's mode-0
# numdummies.
# needs: loop dummy
# Note the trailing space after configured options: libkmod joins them with the (empty)
# command-line options by a space.
# kernels: bookworm trixie
modprobe_d opts.conf "options loop max_loop=4"
expect_run "-v shows the options from modprobe.d" 0 "insmod $MODDIR/kernel/drivers/block/loop$KO max_loop=4 " "" \
  modprobe -v loop
expect_param "loop.max_loop from modprobe.d" loop max_loop 4
modprobe -r loop

expect_run "command-line options come after the configured ones" 0 \
  "insmod $MODDIR/kernel/drivers/block/loop$KO max_loop=4 max_loop=6" "" modprobe -v loop max_loop=6
expect_param "the last max_loop wins" loop max_loop 6
modprobe -r loop

modprobe_d opts.conf "options loop max_loop=4" "options loop	max_part=1" "alias mydisk loop" "options mydisk max_loop=3"
expect_run "options of every matching line are joined, tabs become spaces; options of the alias used apply" 0 \
  "insmod $MODDIR/kernel/drivers/block/loop$KO max_loop=4 max_part=1 max_loop=3 " "" modprobe -v mydisk
expect_param "loop.max_loop through the alias" loop max_loop 3
expect_param "loop.max_part" loop max_part 1
modprobe -r loop

expect_run "MODPROBE_OPTIONS is read before the arguments" 0 \
  "insmod $MODDIR/kernel/drivers/block/loop$KO max_loop=4 max_part=1 " "" env MODPROBE_OPTIONS=-v /sbin/modprobe loop
modprobe -r loop
printf '%s\n' "options loop max_loop=2" >/tmp/only.conf
expect_run "-C FILE replaces the configuration directories" 0 \
  "insmod $MODDIR/kernel/drivers/block/loop$KO max_loop=2 " "" modprobe -v -C /tmp/only.conf loop
expect_param "loop.max_loop from -C" loop max_loop 2
modprobe -r loop

rm /etc/modprobe.d/opts.conf
modprobe_d dummy.conf "options dummy numdummies=3"
expect_rc "modprobe dummy" 0 modprobe dummy
expect_eq "numdummies=3 made dummy0..dummy2" "dummy0 dummy1 dummy2" "$(netdevs dummy)"
