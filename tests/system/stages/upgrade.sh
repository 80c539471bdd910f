# Both variants, booted from the initramfs update-initramfs made in the previous boot: the
# kernel upgrade through apt (6.1.0-47 image and headers): DKMS builds v4l2loopback for it
# from the kernel hooks, depmod and initramfs-tools run; dkms status tells the truth.
initrd=/boot/initrd.img-$(uname -r)
check "booted from the initramfs update-initramfs -u made" \
  test "$(sha256sum <"$initrd" | cut -d' ' -f1)" = "$(cat /payload/booted-initrd.sha256)"
check "no failed unit" test -z "$(systemctl --failed --plain --no-legend)"
lsmod | tail -n +2 | cut -d' ' -f1 | sort >"$OUT/cmp/lsmod"
# dpkg's per-file fsync makes unpacking the 4000 modules take minutes under TCG; this boot is
# not about power loss (powerloss-*.sh is, and unpacks safely), so it is skipped here.
timed kernel-upgrade apt-get install -y -o Dpkg::Options::=--force-unsafe-io \
  /payload/debs/linux-image-6.1.0-47-amd64_*.deb \
  /payload/debs/linux-headers-6.1.0-47-*.deb
dkms_facts >"$OUT/cmp/dkms-after-upgrade"
check "v4l2loopback built and installed for 6.1.0-47-amd64" \
  test -e /lib/modules/6.1.0-47-amd64/updates/dkms/v4l2loopback.ko
check "initramfs for 6.1.0-47-amd64" test -s /boot/initrd.img-6.1.0-47-amd64
lsinitramfs /boot/initrd.img-6.1.0-47-amd64 >"$OUT/own/initramfs-47.list"
check "its initramfs has the root disk's modules" grep -qE '/virtio_blk\.ko$' "$OUT/own/initramfs-47.list"
if is_modkit; then
  check "its initramfs has modkit" grep -qx usr/bin/modkit "$OUT/own/initramfs-47.list"
  is_libkmod && check "its initramfs has modkit's libkmod.so.2" initramfs_has_file \
    /boot/initrd.img-6.1.0-47-amd64 "$(readlink -f /usr/lib/x86_64-linux-gnu/libkmod.so.2)"
fi
check "DKMS tree, modules and indexes consistent" dkms_consistent
cp /var/log/dpkg.log "$OUT/own/dpkg.log" 2>/dev/null
