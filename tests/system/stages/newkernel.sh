# Both variants, booted into 6.1.0-47 with the initramfs its package made: v4l2loopback loads
# there; removing the old kernel's package removes DKMS's modules for it.
expect_eq "running 6.1.0-47-amd64" 6.1.0-47-amd64 "$(uname -r)"
initrd=/boot/initrd.img-$(uname -r)
check "booted from the new kernel's initramfs" \
  test "$(sha256sum <"$initrd" | cut -d' ' -f1)" = "$(cat /payload/booted-initrd.sha256)"
check "no failed unit" test -z "$(systemctl --failed --plain --no-legend)"
lsmod | tail -n +2 | cut -d' ' -f1 | sort >"$OUT/cmp/lsmod"
record modprobe-v4l2loopback modprobe v4l2loopback
check "/dev/video0 created" test -c /dev/video0
expect_eq "v4l2loopback from DKMS" "/lib/modules/6.1.0-47-amd64/updates/dkms/v4l2loopback.ko" \
  "$(modinfo -n v4l2loopback)"
dkms_facts >"$OUT/cmp/dkms-on-new-kernel"
timed remove-old-kernel apt-get remove -y linux-image-6.1.0-50-amd64
dkms_facts >"$OUT/cmp/dkms-after-removal"
check "DKMS's modules for 6.1.0-50 removed" test ! -e /lib/modules/6.1.0-50-amd64/updates/dkms/v4l2loopback.ko
check "DKMS tree, modules and indexes consistent" dkms_consistent
cp /var/log/dpkg.log "$OUT/own/dpkg.log" 2>/dev/null
