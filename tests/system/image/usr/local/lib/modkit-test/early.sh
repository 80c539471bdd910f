#!/bin/sh
# Runs early in every boot of the test image (modkit-test-early.service), before udev's
# coldplug and systemd-modules-load: mounts the payload disk (the second virtio disk, /dev/vdb)
# at /payload and runs its early.sh, which puts the boot's configuration in place
# (modules-load.d, modprobe.d, /etc/modules). Without a payload it does nothing.
[ -b /dev/vdb ] || exit 0
mkdir -p /payload
mountpoint -q /payload || mount -o nodev,nosuid /dev/vdb /payload || exit 0
[ -f /payload/early.sh ] || exit 0
exec /bin/sh /payload/early.sh
