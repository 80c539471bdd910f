# modkit variant, first boot: the package replaces kmod and dkms through apt (Conflicts and
# Replaces), the initramfs is rebuilt with modkit's tools by the package's trigger, and the
# next boot (stage "boot") starts from that initramfs.
timed install-modkit apt-get install -y /payload/modkit.deb
expect_eq "modkit installed" "install ok installed" "$(dpkg-query -W -f='${Status}' modkit 2>&1)"
for p in kmod dkms; do
  check "$p removed" test "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed"
done
check "libkmod2 stays (udev needs it)" dpkg-query -W libkmod2
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
keep dpkg-l dpkg -l
cp /var/log/dpkg.log "$OUT/own/dpkg.log" 2>/dev/null
