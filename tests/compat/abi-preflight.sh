#!/usr/bin/env bash
# `modkit preflight` on constructed roots (-b): a system running 6.1.0-47 with 6.1.0-50
# installed, built from the real Debian trees, a /sys and /proc snapshot of a virtio disk with
# an ext4 root, an initramfs (an uncompressed early archive + a zstd one, as initramfs-tools
# writes them), a DKMS tree and configuration. Each thing that would be lost is planted once and
# must be reported; the clean system reports nothing and exits 0. The same checks on the Debian
# image of the system work (tests/system/) are left to that suite (see the report).
source "$(dirname "$0")/common.sh"

RUN=6.1.0-47-amd64 NEXT=$KVER
C_RUN=$(bash "$ROOT/scripts/fetch-kernel.sh" "$RUN" 2>/dev/null) || skip "cannot fetch $RUN"
C_NEXT=$(readlink -f "$CACHE")
[ -d "/usr/src/linux-headers-$NEXT" ] && [ -d "/usr/src/linux-headers-$RUN" ] ||
  skip "linux-headers-$NEXT and -$RUN are needed to build the out-of-tree modules"
M=$MODKIT
check() { # LABEL WANT_RC PATTERN...: runs preflight on $R, expects rc and each pattern
  local label=$1 want=$2 rc=0
  shift 2
  "$M" preflight -b "$R" "$NEXT" >"$WORK/out" 2>&1 || rc=$?
  local bad=
  [ "$rc" = "$want" ] || bad+=" rc=$rc (want $want)"
  for p in "$@"; do grep -qE -- "$p" "$WORK/out" || bad+=" missing /$p/"; done
  if [ -n "$bad" ]; then
    echo "FAIL: $label:$bad"
    sed 's/^/    | /' "$WORK/out" | head -30
    FAILURES=$((FAILURES + 1))
  else
    note "ok: $label"
  fi
}

# Out-of-tree modules: tests/vm/abisrc's abi_plain built for both kernels.
build() { # KVER DEST
  local d=$WORK/build-$1
  mkdir -p "$d"
  cp "$ROOT/tests/vm/abisrc/abi_plain.c" "$d/"
  echo 'obj-m := abi_plain.o' >"$d/Kbuild"
  make -s -C "/usr/src/linux-headers-$1" M="$d" modules >"$d/log" 2>&1 || { tail "$d/log"; skip "cannot build against $1"; }
  cp "$d/abi_plain.ko" "$2"
}
build "$RUN" "$WORK/plain-run.ko"
build "$NEXT" "$WORK/plain-next.ko"

R=$WORK/root
T=$WORK/template
# The system is built once; each scenario gets a hard-linked copy (files it changes are
# replaced, never written in place, so the template stays as it is).
make_root() {
  rm -rf "$R"
  cp -al "$T" "$R"
}
make_template() {
  local R=$T
  mkdir -p "$R/lib/modules" "$R/boot" "$R/etc/modprobe.d" "$R/etc/modules-load.d" \
    "$R/proc/sys/kernel" "$R/proc/self" "$R/usr/src/linux-headers-$NEXT"
  for k in "$RUN:$C_RUN" "$NEXT:$C_NEXT"; do
    cp -al "${k#*:}/plain/lib/modules/${k%%:*}" "$R/lib/modules/"
  done
  mkdir -p "$R/lib/modules/$RUN/updates/dkms" "$R/lib/modules/$NEXT/updates/dkms"
  cp "$WORK/plain-run.ko" "$R/lib/modules/$RUN/updates/dkms/foo.ko"
  cp "$WORK/plain-next.ko" "$R/lib/modules/$NEXT/updates/dkms/foo.ko"
  "$M" depmod -b "$R" "$RUN" && "$M" depmod -b "$R" "$NEXT"
  cp "$C_NEXT/boot/config-$NEXT" "$R/boot/"
  ln -s "$C_NEXT/boot/vmlinuz-$NEXT" "$R/boot/vmlinuz-$NEXT"
  ln -s "$C_NEXT/headers/usr/src/linux-headers-$NEXT/Module.symvers" "$R/usr/src/linux-headers-$NEXT/"
  echo "$RUN" >"$R/proc/sys/kernel/osrelease"
  printf '%s 16384 0 - Live 0x0000000000000000\n' dummy loop virtio_blk virtio_pci ext4 foo \
    >"$R/proc/modules"
  echo "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw" >"$R/proc/self/mountinfo"
  # /sys: PCI virtio device -> virtio1 -> block/vda -> vda1, as the kernel lays it out.
  local pci=$R/sys/devices/pci0000:00/0000:00:04.0
  mkdir -p "$pci/virtio1/block/vda/vda1" "$R/sys/dev/block" \
    "$R/sys/module/virtio_blk/drivers/virtio:virtio_blk" "$R/sys/module/virtio_pci/drivers/pci:virtio-pci"
  printf 'DRIVER=virtio-pci\nPCI_ID=1AF4:1001\nMODALIAS=pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00\nSUBSYSTEM=pci\n' >"$pci/uevent"
  printf 'DRIVER=virtio_blk\nMODALIAS=virtio:d00000002v00001AF4\nSUBSYSTEM=virtio\n' >"$pci/virtio1/uevent"
  printf 'MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n' >"$pci/virtio1/block/vda/uevent"
  printf 'MAJOR=254\nMINOR=1\nDEVNAME=vda1\nDEVTYPE=partition\n' >"$pci/virtio1/block/vda/vda1/uevent"
  ln -s ../../../virtio1 "$pci/virtio1/block/vda/device"
  ln -s ../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1 "$R/sys/dev/block/254:1"
  # The initramfs of NEXT: early microcode archive, then the zstd main archive with the modules.
  local ird=$WORK/initrd
  rm -rf "$ird" && mkdir -p "$ird/early/kernel/x86/microcode" "$ird/main"
  echo x >"$ird/early/kernel/x86/microcode/GenuineIntel.bin"
  (cd "$C_NEXT/plain" && for m in virtio_blk virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev ext4 jbd2 mbcache crc16; do
    find "lib/modules/$NEXT" -name "$m.ko"; done) >"$ird/list"
  (cd "$C_NEXT/plain" && cpio -pdm --quiet "$ird/main" <"$ird/list")
  { (cd "$ird/early" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
    (cd "$ird/main" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | zstd -q -c); } \
    >"$R/boot/initrd.img-$NEXT"
  printf 'loop\n' >"$R/etc/modules-load.d/loop.conf"
  printf 'options loop max_loop=8\nblacklist pcspkr\n' >"$R/etc/modprobe.d/local.conf"
  # DKMS: foo/1.0 built and installed for both kernels.
  local d=$R/var/lib/dkms/foo
  mkdir -p "$R/usr/src/foo-1.0" "$d/1.0/$RUN/x86_64/module" "$d/1.0/$NEXT/x86_64/module"
  ln -s "$R/usr/src/foo-1.0" "$d/1.0/source"
  ln -s "1.0/$RUN/x86_64" "$d/kernel-$RUN-x86_64"
  ln -s "1.0/$NEXT/x86_64" "$d/kernel-$NEXT-x86_64"
  cp "$WORK/plain-next.ko" "$d/1.0/$NEXT/x86_64/module/foo.ko"
  cp "$WORK/plain-run.ko" "$d/1.0/$RUN/x86_64/module/foo.ko"
  rm -f "$R"/lib/modules/*/modules.modkit.cache # depmod's cache names the directory it was made in
}

make_template
make_root
check "a clean upgrade loses nothing" 0 "nothing would be lost" "loaded modules: 6 present" \
  "ok   external foo: updates/dkms/foo.ko loads, taints OE" "ok   dkms foo/1.0: installed" \
  "ok   initramfs .*holds what the root file system /dev/vda1 \(ext4\) needs"
"$M" preflight -b "$R" --json "$NEXT" >"$WORK/clean.json" || true
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["loses_something"] is False' "$WORK/clean.json" &&
  note "ok: --json agrees" || { echo "FAIL: --json"; FAILURES=$((FAILURES + 1)); }

# A module the next kernel lacks: loaded now, needed by the root file system.
rm "$R/lib/modules/$NEXT/kernel/drivers/block/virtio_blk.ko"
"$M" depmod -b "$R" "$NEXT"
check "a loaded module the next kernel lacks" 1 "LOST loaded virtio_blk: loaded now, but $NEXT has no module"
make_root

# A DKMS module whose build for the next kernel failed (its log kept) and whose module is gone.
rm "$R/lib/modules/$NEXT/updates/dkms/foo.ko" "$R/var/lib/dkms/foo/kernel-$NEXT-x86_64"
rm -r "$R/var/lib/dkms/foo/1.0/$NEXT"
mkdir -p "$R/var/lib/dkms/foo/1.0/build"
printf 'make -C /lib/modules/%s/build\nfoo.c:12: error: implicit declaration\nmake: *** Error 1\n' "$NEXT" \
  >"$R/var/lib/dkms/foo/1.0/build/make.log"
"$M" depmod -b "$R" "$NEXT"
check "a failed DKMS build" 1 "LOST external foo: dkms module .* has no build for $NEXT" \
  "LOST dkms foo/1.0: the build for $NEXT failed" "make: \*\*\* Error 1"
make_root

# An out-of-tree build the next kernel would refuse (built for the running one).
rm "$R/lib/modules/$NEXT/updates/dkms/foo.ko"
cp "$WORK/plain-run.ko" "$R/lib/modules/$NEXT/updates/dkms/foo.ko"
check "an out-of-tree build for the wrong kernel" 1 "LOST external foo: updates/dkms/foo.ko would be refused by $NEXT"
make_root

# An initramfs without the root file system's module; none at all.
rm -rf "$WORK/initrd/main/lib/modules/$NEXT/kernel/fs/ext4"
rm "$R/boot/initrd.img-$NEXT"
(cd "$WORK/initrd/main" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -c) >"$R/boot/initrd.img-$NEXT"
check "an initramfs without ext4" 1 "LOST initramfs .*lacks modules the root file system /dev/vda1 \(ext4\) needs: ext4"
rm "$R/boot/initrd.img-$NEXT"
check "no initramfs" 1 "LOST initramfs: $NEXT has no initramfs"
make_root

# Configuration naming modules the next kernel does not have: brd (the running kernel has it,
# the next one not: a loss), no_such_module (neither kernel has it: stale, a warning), fs-vfat
# (an alias of vfat in modules.alias) and modkit_cmd (an install command) need no module.
rm "$R/etc/modules-load.d/loop.conf" "$R/etc/modprobe.d/local.conf"
rm "$R/lib/modules/$NEXT/kernel/drivers/block/brd.ko"
"$M" depmod -b "$R" "$NEXT"
printf 'loop\nno_such_module\nbrd\nfs-vfat\nmodkit_cmd\n' >"$R/etc/modules-load.d/loop.conf"
printf 'options gone_driver x=1\nblacklist pcspkr\ninstall modkit_cmd /bin/true\n' >"$R/etc/modprobe.d/local.conf"
check "configuration naming missing modules" 1 \
  "LOST config $R/etc/modules-load.d/loop.conf:3: modules-load.d names brd, which $NEXT does not have" \
  "warn config $R/etc/modules-load.d/loop.conf:2: modules-load.d names no_such_module, which neither $RUN nor $NEXT has" \
  "warn config $R/etc/modprobe.d/local.conf:1: options names gone_driver"
if grep -qE 'fs.vfat|modkit_cmd|no_such_module.*LOST|LOST.*no_such_module' "$WORK/out"; then
  echo "FAIL: an alias, an install command or a name no kernel has counted as lost:"
  grep -E 'fs.vfat|modkit_cmd|no_such_module' "$WORK/out"
  FAILURES=$((FAILURES + 1))
else
  note "ok: aliases, install commands and names neither kernel has are not losses"
fi

# Corrupt input: a truncated initramfs is reported, not fatal; an unknown kernel is an error.
make_root
head -c 300 "$R/boot/initrd.img-$NEXT" >"$WORK/cut" && mv "$WORK/cut" "$R/boot/initrd.img-$NEXT"
check "a truncated initramfs" 0 "warn initramfs .*cannot be read: .*initrd.img-$NEXT"
rc=0
"$M" preflight -b "$R" 9.9.9-none >/dev/null 2>"$WORK/err" || rc=$?
[ "$rc" = 2 ] && grep -q "not installed" "$WORK/err" && note "ok: an unknown kernel: exit 2" ||
  { echo "FAIL: unknown kernel rc=$rc $(cat "$WORK/err")"; FAILURES=$((FAILURES + 1)); }

[ "$FAILURES" = 0 ]
