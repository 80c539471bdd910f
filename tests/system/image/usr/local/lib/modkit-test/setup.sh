#!/bin/sh
# Run once inside the new image (chroot) by scripts/system-image.sh: what a test machine needs
# beyond the packages. Kept small and stable: every change here builds a new image; what the
# tests do at boot lives on the payload disk instead (tests/system/lib/payload/).
set -eu
echo modkit-test >/etc/hostname
printf '127.0.0.1 localhost modkit-test\n' >/etc/hosts
printf 'LABEL=modkit-root / ext4 errors=remount-ro 0 1\n' >/etc/fstab
# A fixed machine id: no first-boot logic, the same journal directory on every boot.
echo 6d6f646b69745f73797374656d5f7430 >/etc/machine-id
passwd -d root >/dev/null
systemctl enable modkit-test-agent.service modkit-test-early.service
# The serial console belongs to the agent; no login prompt there.
systemctl mask serial-getty@ttyS0.service
# Timers that would start background work (apt, fstrim, e2scrub) in the middle of a test.
systemctl mask apt-daily.timer apt-daily-upgrade.timer fstrim.timer e2scrub_all.timer \
  e2scrub_reap.service
# The initramfs made here (in a chroot) has every driver; the ones made inside the VM have
# what this machine needs (a few seconds instead of many minutes under TCG), which is also
# what the tests check: the root disk's modules.
printf 'MODULES=dep\n' >/etc/initramfs-tools/conf.d/modkit-test.conf
