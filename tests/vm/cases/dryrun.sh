# Dry runs and queries on the running system: -n -v (skips what is loaded), -D (ignores what
# is loaded), -r -n -v, -R, -c, --show-modversions; nothing changes in the kernel.
# needs: vfat loop
FAT=$MODDIR/kernel/fs/fat
expect_run "-n -v with nothing loaded" 0 "insmod $FAT/fat.ko 
insmod $FAT/vfat.ko " "" modprobe -n -v vfat
not_loaded "a dry run loads nothing" vfat fat
modprobe fat
expect_run "-n -v skips a loaded dependency" 0 "insmod $FAT/vfat.ko " "" modprobe -n -v vfat
expect_run "-D lists loaded modules too" 0 "insmod $FAT/fat.ko 
insmod $FAT/vfat.ko " "" modprobe -D vfat
expect_run "--show-depends of an alias" 0 "insmod $FAT/fat.ko 
insmod $FAT/vfat.ko " "" modprobe --show-depends fs-vfat
expect_run "-D of a builtin module" 0 "builtin unix" "" modprobe -D unix
modprobe_d o.conf "options loop max_loop=2"
expect_run "-D shows options" 0 "insmod $MODDIR/kernel/drivers/block/loop.ko max_loop=2 max_part=1" "" \
  modprobe -D loop max_part=1
not_loaded "still nothing loaded but fat" vfat loop
modprobe vfat
expect_run "-r -n -v of a loaded module" 0 "rmmod vfat" "" modprobe -r -n -v vfat
loaded "a dry removal removes nothing" vfat fat
expect_run "-R of a symbol alias" 0 "fat" "" modprobe -R symbol:fat_attach
run modprobe -c
expect_match "-c has the config" '^options loop max_loop=2$' "$OUT"
expect_match "-c dumps the indexes" '^# End of configuration files. Dumping indexes now:$' "$OUT"
expect_match "-c includes modules.alias" '^alias fs_vfat vfat$' "$OUT"
run modprobe --show-modversions "$FAT/vfat.ko"
expect_match "--show-modversions lists module_layout" '^0x[0-9a-f]{8}	module_layout$' "$OUT"
