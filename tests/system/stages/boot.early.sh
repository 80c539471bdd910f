# Early in the "boot" stage (before udev's coldplug and modules-load): the configuration the
# boot is tested with. It stays on the disk for the later boots.
mkdir -p /etc/modules-load.d /etc/modprobe.d
cat >/etc/modules-load.d/modkit-test.conf <<'END'
# modules this test system loads at boot
loop
; dummy is on the kernel command line too
dummy
   bonding
modkit-no-such-module
modkit_testcmd
fs-vfat
snd-aloop
END
cat >/etc/modules <<'END'
# /etc/modules: kernel modules to load at boot time.
tun
END
cat >/etc/modprobe.d/modkit-test.conf <<'END'
options snd-aloop pcm_substreams=4
blacklist bonding
install modkit_testcmd /bin/sh -c 'echo "$MODPROBE_MODULE ran" >/run/modkit-testcmd'
install veth /sbin/modprobe --ignore-install veth && touch /run/modkit-veth-installed
END
