# modkit and libkmod variants, first boot: the package replaces kmod and dkms through apt
# (Conflicts and Replaces), and in the libkmod variant libkmod2-modkit replaces libkmod2 as
# well, so no package of kmod's is left; the initramfs is rebuilt with modkit's tools by the
# package's trigger, and the next boot (stage "boot") starts from that initramfs.
if is_libkmod; then
  timed install-modkit apt-get install -y /payload/modkit.deb /payload/libkmod2-modkit.deb
else
  timed install-modkit apt-get install -y /payload/modkit.deb
fi
expect_eq "modkit installed" "install ok installed" "$(dpkg-query -W -f='${Status}' modkit 2>&1)"
for p in kmod dkms; do
  check "$p removed" test "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed"
done
lib=/usr/lib/x86_64-linux-gnu/libkmod.so.2
if is_libkmod; then
  expect_eq "libkmod2-modkit installed" "install ok installed" \
    "$(dpkg-query -W -f='${Status}' libkmod2-modkit 2>&1)"
  check "libkmod2 removed" test "$(dpkg-query -W -f='${Status}' libkmod2 2>/dev/null)" != "install ok installed"
  expect_eq "no package of kmod's installed" "" \
    "$(dpkg-query -W -f='${Package} ${Status}\n' kmod libkmod2 2>/dev/null | grep ' installed$')"
  expect_eq "$lib is libkmod2-modkit's" "libkmod2-modkit:amd64: $lib" "$(dpkg -S "$lib" 2>&1)"
  check "$lib is modkit's (LIBKMOD_33, no kmod 30 file left)" \
    sh -c "readelf -V $lib | grep -q LIBKMOD_33 && ! ls /usr/lib/x86_64-linux-gnu/libkmod.so.2.4.0"
  check "apt sees no broken dependency" apt-get check
  for b in /lib/systemd/systemd-udevd /lib/systemd/systemd-modules-load /usr/bin/lspci; do
    expect_eq "$b links $(readlink -f $lib)" "$(readlink -f $lib)" \
      "$(ldd "$b" | sed -n 's/.*libkmod.so.2 => \([^ ]*\).*/\1/p' | xargs -r readlink -f)"
  done
else
  check "libkmod2 stays (udev needs it)" dpkg-query -W libkmod2
fi
for t in /sbin/modprobe /sbin/depmod /sbin/insmod /sbin/rmmod /sbin/lsmod /sbin/modinfo /bin/kmod \
  /bin/lsmod; do
  expect_eq "$t is modkit" /usr/bin/modkit "$(readlink "$t")"
done
expect_eq "dkms is modkit" ../bin/modkit "$(readlink /usr/sbin/dkms)"
check "modinfo works" modinfo -F name loop
check "systemd-modules-load.service runs modkit" \
  sh -c 'systemctl cat systemd-modules-load.service | grep -q "^ExecStart=/usr/bin/modkit modules-load"'
initrd=/boot/initrd.img-$(uname -r)
lsinitramfs "$initrd" >"$OUT/own/initramfs.list"
check "the initramfs has modkit" grep -qx 'usr/bin/modkit' "$OUT/own/initramfs.list"
check "the initramfs has no kmod binary" sh -c '! lsinitramfs -l '"$initrd"' | grep -E "usr/bin/kmod$" | grep -q "^-"'
if is_libkmod; then
  # udev in the initramfs loads the root disk's drivers through this library.
  check "the initramfs's libkmod.so.2 is modkit's" initramfs_has_file "$initrd" "$(readlink -f $lib)"
fi
keep dpkg-l dpkg -l
cp /var/log/dpkg.log "$OUT/own/dpkg.log" 2>/dev/null
