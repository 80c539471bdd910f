# depmod inside the VM: with no arguments it indexes /lib/modules/$(uname -r) and gives the
# same files as the host did; a module moved to updates/ is found there after depmod.
# needs: vfat
cp "$MODDIR/modules.dep" /tmp/dep.host
cp "$MODDIR/modules.alias.bin" /tmp/alias.bin.host
expect_run "depmod" 0 "" "" depmod
expect_eq "modules.dep as on the host" "$(cat /tmp/dep.host)" "$(cat "$MODDIR/modules.dep")"
# kmod 30 writes the post-order .bin layout, modkit kmod 34's pre-order one.
if [ "$(cat /vm/indexer)" = "$TOOLS" ]; then
  expect_rc "modules.alias.bin as on the host" 0 cmp /tmp/alias.bin.host "$MODDIR/modules.alias.bin"
fi
expect_run "depmod -A (nothing newer)" 0 "" "" depmod -A
mkdir -p "$MODDIR/updates"
mv "$MODDIR/kernel/fs/fat/vfat.ko" "$MODDIR/updates/vfat.ko"
trap '[ -e "$MODDIR/updates/vfat.ko" ] && mv "$MODDIR/updates/vfat.ko" "$MODDIR/kernel/fs/fat/vfat.ko" && /sbin/depmod' EXIT
expect_run "depmod -a after moving vfat to updates/" 0 "" "" depmod -a
expect_match "modules.dep lists updates/vfat.ko" '^updates/vfat.ko: kernel/fs/fat/fat.ko$' "$(cat "$MODDIR/modules.dep")"
expect_run "modprobe finds it there" 0 "insmod $MODDIR/kernel/fs/fat/fat.ko 
insmod $MODDIR/updates/vfat.ko " "" modprobe -v vfat
modprobe -r vfat
mv "$MODDIR/updates/vfat.ko" "$MODDIR/kernel/fs/fat/vfat.ko"
rmdir "$MODDIR/updates"
expect_run "depmod again" 0 "" "" depmod
expect_eq "back to the host's modules.dep" "$(cat /tmp/dep.host)" "$(cat "$MODDIR/modules.dep")"
