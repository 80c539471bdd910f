# Compressed modules (.ko.xz, .ko.zst, .ko.gz): Debian 6.1 has no in-kernel decompression
# (no /sys/module/compression), so the tools decompress in userspace and call init_module.
# Debian's kmod 30 is built without zlib: the .gz part is checked with modkit only.
# needs-compressed: xz:isofs zst:brd gz:zram
expect_eq "no in-kernel decompression" absent "$([ -e /sys/module/compression ] && echo present || echo absent)"
expect_run "modprobe -v of an xz module (its dependency cdrom is plain)" 0 \
  "insmod $MODDIR/kernel/drivers/cdrom/cdrom.ko 
insmod $MODDIR/kernel/fs/isofs/isofs.ko.xz " "" modprobe -v isofs
loaded "isofs (xz) live" isofs cdrom
expect_run "modprobe -v of a zstd module" 0 "insmod $MODDIR/kernel/drivers/block/brd.ko.zst rd_nr=3" "" \
  modprobe -v brd rd_nr=3
loaded "brd (zstd) live" brd
expect_param "parameters of a zstd module" brd rd_nr 3
expect_run "modprobe -r -a of compressed modules" 0 "" "" modprobe -r -a isofs brd
not_loaded "removed" isofs cdrom brd
expect_run "insmod of a .ko.zst by path" 0 "" "" insmod "$MODDIR/kernel/drivers/block/brd.ko.zst" rd_nr=2
expect_param "insmod passed the options" brd rd_nr 2
rmmod brd
expect_run "insmod of a plain dependency" 0 "" "" insmod "$MODDIR/kernel/drivers/cdrom/cdrom.ko"
expect_run "insmod of a .ko.xz by path" 0 "" "" insmod "$MODDIR/kernel/fs/isofs/isofs.ko.xz"
loaded "isofs live" isofs
rmmod isofs cdrom

# A file's compression is found by its magic bytes, not its name.
cp "$MODDIR/kernel/drivers/block/brd.ko.zst" /tmp/brd-zstd.ko
expect_run "insmod of a zstd file named .ko" 0 "" "" insmod /tmp/brd-zstd.ko
loaded "brd live" brd
rmmod brd

nocompare on
if is_modkit; then
  expect_run "modprobe -v of a gzip module (and its plain dependency)" 0 \
    "insmod $MODDIR/kernel/mm/zsmalloc.ko 
insmod $MODDIR/kernel/drivers/block/zram/zram.ko.gz num_devices=2" "" modprobe -v zram num_devices=2
  loaded "zram (gzip) live" zram zsmalloc
  expect_eq "parameters of a gzip module (num_devices=2)" "zram0 zram1" "$(ls /sys/block | grep '^zram' | tr '\n' ' ' | sed 's/ $//')"
  expect_run "modprobe -r zram" 0 "" "" modprobe -r zram
  not_loaded "zram removed" zram zsmalloc
else
  note "kmod 30 (Debian, -ZLIB) cannot read .ko.gz: gzip part checked with modkit only"
fi
nocompare off
