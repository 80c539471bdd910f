# Both variants: the boot itself (no failed unit, coldplug, modules-load.d, /etc/modules and
# modules_load=, options from modprobe.d and the command line, the blacklist, install commands),
# the initramfs and update-initramfs -u, then DKMS: apt install v4l2loopback-dkms and modprobe.
check "multi-user.target reached" systemctl is-active multi-user.target
systemctl --failed --plain --no-legend >"$OUT/cmp/failed-units"
expect_eq "no failed unit" "" "$(cat "$OUT/cmp/failed-units")"
lsmod | tail -n +2 | cut -d' ' -f1 | sort >"$OUT/cmp/lsmod"
lspci -k >"$OUT/cmp/lspci-k"
journalctl -b -o short-monotonic --no-pager >"$OUT/own/journal"
dmesg >"$OUT/own/dmesg"

if is_libkmod; then
  # Coldplug (lsmod above, compared with stock) was udev's work through modkit's library.
  lib=$(readlink -f /usr/lib/x86_64-linux-gnu/libkmod.so.2)
  check "systemd-udevd runs on modkit's libkmod.so.2" \
    grep -q " $lib\$" "/proc/$(pidof -s systemd-udevd)/maps"
  check "no package of kmod's installed" sh -c '! dpkg-query -W -f="\${Status}\n" kmod libkmod2 2>/dev/null | grep -q " installed$"'
fi

# What modules-load did (/payload/early.sh wrote the configuration before it ran).
journalctl -b -t systemd-modules-load -o cat --no-pager >"$OUT/cmp/modules-load.journal"
systemctl show -p Result -p ExecMainStatus systemd-modules-load.service >"$OUT/cmp/modules-load.status"
expect_eq "systemd-modules-load.service succeeded" "Result=success" "$(grep Result= "$OUT/cmp/modules-load.status")"
for m in loop dummy veth tun vfat snd_aloop; do check "$m loaded at boot" test -e "/sys/module/$m/initstate"; done
check "bonding blacklisted: not loaded" test ! -e /sys/module/bonding
check "bonding blacklisted: said so" grep -qx "Module 'bonding' is deny-listed" "$OUT/cmp/modules-load.journal"
check "modkit-no-such-module reported" grep -qx "Failed to find module 'modkit-no-such-module'" "$OUT/cmp/modules-load.journal"
expect_eq "options from modprobe.d" 4 "$(cut -d, -f1 /sys/module/snd_aloop/parameters/pcm_substreams)"
expect_eq "options from the kernel command line" 1 \
  "$(cut -d, -f1 /sys/module/snd_aloop/parameters/pcm_notify)"
expect_eq "options from the kernel command line (loop)" 7 "$(cat /sys/module/loop/parameters/max_part)"
check "dummy.numdummies=3 from the command line" test -e /sys/class/net/dummy2
expect_eq "install command ran" "modkit_testcmd ran" "$(cat /run/modkit-testcmd 2>&1)"
check "install command loading the module itself" test -e /run/modkit-veth-installed
{
  for p in loop/parameters/max_part snd_aloop/parameters/pcm_substreams \
    snd_aloop/parameters/pcm_notify; do echo "$p=$(cat /sys/module/$p)"; done
  ls /sys/class/net | grep dummy
  cat /run/modkit-testcmd
} >"$OUT/cmp/effects"

# The initramfs this system booted from, and a new one.
initrd=/boot/initrd.img-$(uname -r)
check "booted from the initramfs made inside the image" \
  test "$(sha256sum <"$initrd" | cut -d' ' -f1)" = "$(cat /payload/booted-initrd.sha256)"
timed update-initramfs update-initramfs -u
lsinitramfs "$initrd" >"$OUT/own/initramfs.list"
for m in virtio_blk ext4 jbd2 crc32c_generic; do
  check "initramfs: $m (root disk)" grep -qE "/$m\.ko$" "$OUT/own/initramfs.list"
done
if is_modkit; then
  check "initramfs: modkit" grep -qx usr/bin/modkit "$OUT/own/initramfs.list"
  check "initramfs: no kmod binary" sh -c '! lsinitramfs -l '"$initrd"' | grep -E "usr/bin/kmod$" | grep -q "^-"'
  is_libkmod && check "initramfs: modkit's libkmod.so.2" \
    initramfs_has_file "$initrd" "$(readlink -f /usr/lib/x86_64-linux-gnu/libkmod.so.2)"
else
  check "initramfs: kmod" grep -qx usr/bin/kmod "$OUT/own/initramfs.list"
fi

# DKMS from apt.
timed dkms-install apt-get install -y /payload/debs/v4l2loopback-dkms_*.deb
dkms_facts >"$OUT/cmp/dkms-after-install"
check "v4l2loopback installed for $(uname -r)" \
  test -e "/lib/modules/$(uname -r)/updates/dkms/v4l2loopback.ko"
record modprobe-v4l2loopback modprobe v4l2loopback
check "/dev/video0 created" test -c /dev/video0
check "DKMS tree, modules and indexes consistent" dkms_consistent
cp /var/log/dpkg.log "$OUT/own/dpkg.log" 2>/dev/null
