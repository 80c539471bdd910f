#!/usr/bin/env bash
# Host side of tests/vm/cases/weak-modules.sh: out-of-tree modules built for the kernel before
# the booted one (VM_COMPAT_BASE, same ABI) and for 6.1.0-50 (another ABI), installed in their
# kernels' extra/ inside the stage, then `modkit weak-modules --add-kernel` run on the stage as
# on an installed system: it must link the compatible builds into the booted kernel's
# weak-updates/ and leave the others out. The VM then loads them.
# usage: stage-weak.sh STAGE    env: BUILD, KVER, CACHE, ROOT, VM_COMPAT_BASE
set -euo pipefail
stage=$1
base=$VM_COMPAT_BASE other=6.1.0-50-amd64
tmp=$(mktemp -d "${TMPDIR:-/tmp}/modkit-stage-weak.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
build() { # HEADERS_DIR OUT
  mkdir -p "$tmp/src-$(basename "$2")" "$2"
  local src=$tmp/src-$(basename "$2")
  cp "$ROOT/tests/vm/modsrc/"*.c "$ROOT/tests/vm/modsrc/Kbuild" "$ROOT/tests/vm/abisrc/abi_plain.c" "$src/"
  echo 'obj-m += abi_plain.o' >>"$src/Kbuild"
  make -s -C "$1" M="$src" -j2 modules >"$src/build.log" 2>&1 || { tail -20 "$src/build.log" >&2; return 1; }
  cp "$src"/*.ko "$2/"
}
build "$(bash "$ROOT/scripts/fetch-build-tree.sh" "$base")" "$tmp/base"
build "/usr/src/linux-headers-$other" "$tmp/other"
for k in "$base" "$other"; do mkdir -p "$stage/lib/modules/$k/kernel" "$stage/lib/modules/$k/extra/modkit"; done
cp "$tmp/base/"*.ko "$stage/lib/modules/$base/extra/modkit/"
cp "$tmp/other/modkit_demo.ko" "$stage/lib/modules/$other/extra/modkit/"
# What weak-modules reads of the booted kernel: its configuration and Module.symvers.
mkdir -p "$stage/boot" "$stage/usr/src/linux-headers-$KVER"
cp "$CACHE/boot/config-$KVER" "$stage/boot/"
cp "$CACHE/headers/usr/src/linux-headers-$KVER/Module.symvers" "$stage/usr/src/linux-headers-$KVER/"
"$BUILD/modkit" weak-modules -b "$stage" --no-initramfs --verbose --add-kernel "$KVER" \
  >"$stage/opt/modkit-vm/weak-modules.out" 2>&1
rm -rf "$stage/boot" "$stage/usr/src" # not needed in the VM
