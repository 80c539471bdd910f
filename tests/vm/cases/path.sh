# modprobe with a module path (kmod 31+, which modkit follows): the file is loaded, its
# dependencies still come from the index. kmod 30 looks the path up as a name and fails.
# needs: vfat
V=$MODDIR/kernel/fs/fat/vfat.ko
nocompare on
if is_modkit; then
  expect_run "modprobe -v by absolute path: dependencies from modules.dep" 0 "insmod $MODDIR/kernel/fs/fat/fat.ko 
insmod $V " "" modprobe -v "$V"
  loaded "vfat and fat" vfat fat
  # Removal looks names up only (kmod 34 too): -r takes the module name.
  expect_run "modprobe -r vfat" 0 "" "" modprobe -r vfat
  not_loaded "removed" vfat fat
  expect_run "modprobe by ./relative path" 0 "" "" sh -c "cd $MODDIR/kernel/fs/fat && /sbin/modprobe ./vfat.ko"
  loaded "vfat and fat" vfat fat
else
  expect_run "kmod 30: a path is looked up as a name" 1 "" "modprobe: FATAL: Module $V not found in directory $MODDIR" modprobe "$V"
fi
nocompare off
