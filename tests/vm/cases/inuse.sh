# Removing a module in use is refused ("is in use"), by holders (another module) or by a
# reference count (a mounted filesystem); --remove-holders removes the holders first; rmmod -f
# forces past the tool's checks but the kernel still refuses a module other modules use (a
# module held only by a reference count is forced out: see built.sh).
# needs: vfat loop nls_cp437 nls_ascii nls_utf8
# kernels: bookworm trixie
modprobe vfat
expect_run "modprobe -r of a module another one uses" 1 "" "modprobe: FATAL: Module fat is in use." modprobe -r fat
expect_run "rmmod names the holders" 1 "" "rmmod: ERROR: Module fat is in use by: vfat" rmmod fat
loaded "both still loaded" vfat fat
expect_run "rmmod -f skips rmmod's checks; the kernel refuses (EWOULDBLOCK)" 1 "" \
  "rmmod: ERROR: could not remove 'fat': Resource temporarily unavailable
rmmod: ERROR: could not remove module fat: Resource temporarily unavailable" rmmod -f fat
# kmod 30 to 34 remove fat twice here (vfat's removal takes its unused dependency fat, then
# fat's own removal fails with ENOENT, exit 1); kmod after 34.2 (327c587) skips a module that
# is already gone. Either is accepted; the outcome must be the same.
nocompare on
run modprobe -v -r --remove-holders fat
if [ "$RC" = 1 ]; then
  expect_eq "--remove-holders (kmod 30..34: fat removed twice)" "rmmod vfat
rmmod fat
rmmod fat
modprobe: ERROR: could not remove 'fat': No such file or directory" "$OUT
$ERR"
else
  expect_eq "--remove-holders (post kmod 34.2)" "0 rmmod vfat
rmmod fat" "$RC $OUT$ERR"
fi
nocompare off
not_loaded "--remove-holders removed vfat and fat" vfat fat

# A reference count without holders: a vfat filesystem mounted from a loop device.
dd if=/dev/zero of=/tmp/fat.img bs=1k count=2048 2>/dev/null
mkdosfs /tmp/fat.img >/dev/null
modprobe loop
mkdir -p /mnt/fat
expect_rc "mount a vfat image (the kernel autoloads fs-vfat through /sbin/modprobe)" 0 \
  mount -t vfat -o loop /tmp/fat.img /mnt/fat
loaded "vfat autoloaded by mount" vfat
expect_eq "vfat's refcnt is 1" 1 "$(refcnt vfat)"
expect_run "modprobe -r of a mounted filesystem's module" 1 "" "modprobe: FATAL: Module vfat is in use." modprobe -r vfat
expect_run "rmmod of a mounted filesystem's module" 1 "" "rmmod: ERROR: Module vfat is in use" rmmod vfat
expect_run "rmmod of the loop driver behind the mount" 1 "" "rmmod: ERROR: Module loop is in use" rmmod loop
umount /mnt/fat
expect_run "after umount: modprobe -r vfat" 0 "" "" modprobe -r vfat
not_loaded "vfat and fat removed" vfat fat

# rmmod -f on a module nobody uses is a normal removal (a forced one is in built.sh).
expect_run "rmmod -f of an unused module" 0 "" "" rmmod -f loop
not_loaded "loop removed" loop
