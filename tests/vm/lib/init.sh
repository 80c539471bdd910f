#!/bin/sh
# /init of the test initramfs (busybox ash, PID 1). Mounts the pseudo filesystems, runs every
# scenario listed in /vm/cases.list in its own shell after /vm/prelude.sh, cleans up between
# them, reports over the serial console between "=== " markers and powers the VM off.
export PATH=/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /run /mnt /dev/pts /dev/shm
# What udev would add: kmod static-nodes writes to the path /dev/stdout.
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
exec </dev/console >/dev/console 2>&1
# Kernel messages go to dmesg, which is printed after each case ("dmesg| "), not interleaved.
echo 1 >/proc/sys/kernel/printk
ip link set lo up 2>/dev/null
hostname modkit-vm

TOOLS=$(cat /vm/tools)
echo "=== VM READY tools=$TOOLS kernel=$(uname -r) modprobe_path=$(cat /proc/sys/kernel/modprobe)"
# Modules the kernel loaded by itself before the first case (through /sbin/modprobe) stay.
baseline=" $(cut -d' ' -f1 /proc/modules | tr '\n' ' ') "
[ "$baseline" = "  " ] || echo "=== BASELINE modules:$baseline"

cleanup() {
  cd /
  awk '$2 ~ /^\/mnt\// {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
  for d in /sys/block/loop*; do
    [ -e "$d/loop/backing_file" ] && losetup -d "/dev/${d##*/}" 2>/dev/null
  done
  rm -rf /etc/modprobe.d /run/modprobe.d /lib/modprobe.d /usr/local/lib/modprobe.d /tmp/*
  mkdir -p /etc/modprobe.d
  unset MODPROBE_OPTIONS
  # Remove every module the case (or the kernel on its behalf) loaded, holders first; busybox's
  # own rmmod does it, so cleanup does not depend on the tools under test.
  left=
  for pass in 1 2 3 4 5 6 7 8 9 10; do
    left=
    for m in $(cut -d' ' -f1 /proc/modules); do
      case "$baseline" in *" $m "*) continue ;; esac
      busybox rmmod "$m" 2>/dev/null || left="$left $m"
    done
    [ -z "$left" ] && break
  done
  [ -z "$left" ] || echo "cleanup: could not remove:$left"
}

dmesg -c >/dev/null
while read -r name timeout; do
  [ -n "$name" ] || continue
  echo "=== CASE $name"
  start=$(cut -d' ' -f1 /proc/uptime)
  timeout -s KILL "${timeout:-60}" sh -c ". /vm/prelude.sh; . /vm/cases/$name.sh; finish"
  rc=$?
  end=$(cut -d' ' -f1 /proc/uptime)
  dmesg -c | sed 's/^/dmesg| /'
  cleanup
  echo "=== END $name rc=$rc time=$(awk "BEGIN{print $end - $start}")"
done </vm/cases.list
echo "=== ALL DONE"
sync
poweroff -f
