#!/usr/bin/env bash
# The Debian packages (make deb) against a real Debian 12 root, at native speed (the booted
# system is tests/system's): packaging/build-deb.sh builds modkit and libkmod2-modkit, lintian
# without errors; apt installs both into a copy of a bookworm root with systemd, udev, pciutils
# and kmod; kmod and libkmod2 leave, no dependency is broken, kmod's paths are modkit's, and
# Debian's systemd-udevd, udevadm, systemd-modules-load and lspci start on modkit's
# libkmod.so.2 (they are linked with BIND_NOW: a missing symbol or version would stop them).
source "$(dirname "$0")/common.sh"

[ -e "$BUILD/libkmod.so.2" ] || skip "libkmod.so.2 not built"
for c in dpkg-deb mmdebstrap unshare; do command -v $c >/dev/null || skip "$c is needed"; done
bash "$ROOT/packaging/build-deb.sh" "$BUILD" "$WORK/deb" >"$WORK/debs" 2>"$WORK/deb.log" ||
  { cat "$WORK/deb.log"; echo "FAIL: packaging/build-deb.sh"; exit 1; }
grep -E ' (E|W): ' "$WORK/deb.log" | sed 's/^build-deb: lintian: /  lintian: /' | sort | uniq -c | sed 's/^ */  /' || true
DEB=$(grep '/modkit_[^/]*\.deb$' "$WORK/debs") LIBDEB=$(grep '/libkmod2-modkit_[^/]*\.deb$' "$WORK/debs")
note "ok: built $(basename "$DEB") and $(basename "$LIBDEB")$([ "${MODKIT_DEB_LINTIAN:-1}" = 0 ] || echo ', lintian without errors')"

BROOT=$(bash "$ROOT/scripts/fetch-suite-root.sh" bookworm systemd,udev,pciutils,kmod,initramfs-tools) ||
  { echo "FAIL: no bookworm root (scripts/fetch-suite-root.sh)"; exit 1; }
R=$WORK/root
cp -a "$BROOT" "$R"
cp "$DEB" "$R/tmp/modkit.deb"; cp "$LIBDEB" "$R/tmp/libkmod2-modkit.deb"
in_root() { # CMD... in the root, with /proc, /sys and /dev as the host's, in a private mount namespace
  unshare -m bash -c 'r=$0; mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" &&
    mount --rbind /dev "$r/dev" && exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"' "$R" "$@"
}
expect() { # LABEL WANT GOT
  if [ "$2" = "$3" ]; then note "ok: $1"
  else echo "FAIL: $1: want '$2', got '$3'"; FAILURES=$((FAILURES + 1)); fi
}
status() { in_root dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true; }

lib=/usr/lib/x86_64-linux-gnu/libkmod.so.2
old=$(in_root readlink -f $lib)
in_root apt-get install -y --no-install-recommends /tmp/modkit.deb /tmp/libkmod2-modkit.deb \
  >"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log"; echo "FAIL: apt-get install"; exit 1; }
for p in modkit libkmod2-modkit; do expect "$p installed" "install ok installed" "$(status $p)"; done
for p in kmod libkmod2; do expect "$p gone" "" "$(status $p | grep ' installed$' || true)"; done
expect "apt-get check" 0 "$(in_root apt-get check >/dev/null 2>&1; echo $?)"
expect "$lib is libkmod2-modkit's" "libkmod2-modkit:amd64: $lib" "$(in_root dpkg -S $lib 2>&1)"
expect "kmod 30's library file removed" "" "$(in_root ls "$old" 2>/dev/null || true)"
new=$(in_root readlink -f $lib)
expect "$lib is modkit's" "$(readlink -f "$BUILD/libkmod.so.2" | xargs basename)" "$(basename "$new")"
for t in /sbin/modprobe /sbin/depmod /sbin/insmod /sbin/rmmod /sbin/lsmod /sbin/modinfo /bin/kmod; do
  expect "$t is modkit" /usr/bin/modkit "$(in_root readlink $t)"
done
for b in /lib/systemd/systemd-udevd /bin/udevadm /lib/systemd/systemd-modules-load /usr/bin/lspci; do
  got=$(in_root ldd $b | sed -n 's/.*libkmod.so.2 => \([^ ]*\).*/\1/p')
  expect "$b links $new" "$new" "$([ -n "$got" ] && in_root readlink -f "$got")"
done
# They start: every symbol they bind (BIND_NOW) is there, in the version they were linked with.
expect "udevadm --version" "252" "$(in_root udevadm --version 2>&1)"
expect "systemd-udevd --version" "252" "$(in_root /lib/systemd/systemd-udevd --version 2>&1 | head -1 | cut -d. -f1)"
expect "systemd-modules-load --version" "systemd 252" \
  "$(in_root /lib/systemd/systemd-modules-load --version 2>&1 | head -1 | cut -d' ' -f1-2)"
expect "lspci --version" "lspci version 3.9.0" "$(in_root lspci --version 2>&1)"
# lspci -k: the host's PCI devices, their drivers looked up through the library.
expect "lspci -nk in the root runs" 0 "$(in_root lspci -nk >/dev/null 2>&1; echo $?)"
finish
