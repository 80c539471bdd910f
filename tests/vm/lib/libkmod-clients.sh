#!/usr/bin/env bash
# Puts libkmod's real clients into a VM initramfs stage: Debian 12's udevadm (also run as
# systemd-udevd) with the udev rule that loads drivers, systemd-modules-load and lspci, all
# unchanged Debian binaries, with every library they need from this host (Debian 12's
# libkmod.so.2 among them, in its usual place), and modkit's libkmod.so.2 beside it in
# /opt/modkit-lib, so a case picks the library with LD_LIBRARY_PATH.
# usage: libkmod-clients.sh STAGE BUILD_DIR
set -euo pipefail
s=$1 build=$2
cache=${MODKIT_CACHE:-/var/cache/modkit}/debs/udev-bookworm
if [ ! -f "$cache/.complete" ]; then
  mkdir -p "$(dirname "$cache")"
  exec 9>"$cache.lock"; flock 9
  if [ ! -f "$cache/.complete" ]; then
    rm -rf "$cache.tmp"; mkdir -p "$cache.tmp"
    (cd "$cache.tmp" && apt-get download -q udev >&2 && dpkg -x udev_*.deb root)
    rm -rf "$cache"; mv "$cache.tmp" "$cache"; touch "$cache/.complete"
  fi
  exec 9>&-
fi

bin=$s/opt/clients/bin
mkdir -p "$bin" "$s/lib/udev/rules.d" "$s/etc/modules-load.d" "$s/opt/modkit-lib"
cp "$cache/root/bin/udevadm" "$bin/udevadm"
ln -sf udevadm "$bin/systemd-udevd"
cp /lib/systemd/systemd-modules-load "$bin/"
cp /usr/bin/lspci "$bin/"
cp "$cache/root/lib/udev/rules.d/80-drivers.rules" "$s/lib/udev/rules.d/"
# Every library the clients need, where ld.so looks for it (and their RUNPATH points).
for exe in "$cache/root/bin/udevadm" /lib/systemd/systemd-modules-load /usr/bin/lspci; do
  for lib in $(ldd "$exe" | grep -oE '/[^ ]+'); do
    mkdir -p "$s$(dirname "$lib")"
    cp -L "$lib" "$s$lib"
  done
done
cp -L "$build/libkmod.so.2" "$s/opt/modkit-lib/libkmod.so.2"
for lib in $(ldd "$build/libkmod.so.2" | grep -oE '/[^ ]+'); do
  mkdir -p "$s$(dirname "$lib")"
  [ -e "$s$lib" ] || cp -L "$lib" "$s$lib"
done
