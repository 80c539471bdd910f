#!/bin/bash
# The payload's entry point, started by the image's agent after multi-user.target: runs this
# boot's stage script (stage.sh) with the helpers of common.sh, leaves its results in
# /payload/out, exports /boot for the host (the next boot's kernel and initramfs), and powers
# the machine off. Everything also goes to the serial console, which the host keeps.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
mkdir -p /payload/out/cmp /payload/out/own
. /payload/common.sh
echo "=== STAGE $(cat /payload/stage-name) start $(cut -d' ' -f1 /proc/uptime)"
rc=0
bash -c '. /payload/common.sh; . /payload/stage.sh' || rc=$?
echo "$rc" >/payload/out/rc
echo "=== STAGE $(cat /payload/stage-name) end rc=$rc $(cut -d' ' -f1 /proc/uptime)"
if [ ! -e /payload/no-export ]; then
  rm -rf /payload/boot
  mkdir -p /payload/boot
  cp -L /boot/vmlinuz-* /boot/initrd.img-* /payload/boot/ 2>/dev/null
fi
sync
umount /payload 2>/dev/null
systemctl --force poweroff
