# "blacklist" in modprobe.d: a blacklisted module is skipped when reached through an alias,
# still loads by its own name, and -b (--use-blacklist) skips it by name too. Dependencies are
# never filtered.
# needs: vfat dummy
# kernels: bookworm trixie
modprobe_d bl.conf "blacklist vfat" "blacklist fat" "alias mynet dummy" "blacklist dummy"
expect_run "alias of a blacklisted module: silent success" 0 "" "" modprobe fs-vfat
not_loaded "vfat not loaded" vfat fat
expect_run "-D through the alias prints nothing" 0 "" "" modprobe -D fs-vfat
expect_run "config alias of a blacklisted module" 0 "" "" modprobe mynet
not_loaded "dummy not loaded" dummy
expect_run "-b by name: skipped" 0 "" "" modprobe -b vfat
not_loaded "vfat not loaded with -b" vfat
expect_run "by name: loads, with its blacklisted dependency" 0 \
  "insmod $MODDIR/kernel/fs/fat/fat$KO 
insmod $MODDIR/kernel/fs/fat/vfat$KO " "" modprobe -v vfat
loaded "vfat and its blacklisted dependency fat loaded" vfat fat
expect_run "-r of a blacklisted module works" 0 "" "" modprobe -r vfat
not_loaded "vfat and fat removed" vfat fat
run modprobe -c
expect_match "modprobe -c lists the blacklist" '^blacklist vfat$' "$OUT"
