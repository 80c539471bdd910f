#!/usr/bin/env bash
# Fetches a few real modules built for another architecture (Debian's arm64 kernel of the same
# release), for tests that need "a module of another architecture" (the ABI oracle). Only the
# modules named below are kept from the package. Prints the directory holding them.
# Idempotent and concurrency-safe.
# usage: fetch-foreign-modules.sh [ARCH [KERNEL_ABI]]     default: arm64 6.1.0-50
set -euo pipefail
arch=${1:-arm64} abi=${2:-6.1.0-50}
keep="kernel/drivers/net/dummy.ko kernel/drivers/block/brd.ko"
here=$(cd "$(dirname "$0")" && pwd)
cache=${MODKIT_CACHE:-/var/cache/modkit}
pkg=linux-image-$abi-$arch-unsigned
dest=$cache/foreign/$arch/$abi-$arch
[ -f "$dest/.complete" ] && { echo "$dest"; exit 0; }
mkdir -p "$cache/foreign"
exec 9>"$cache/foreign/.fetch-$arch-$abi.lock"
flock 9
[ -f "$dest/.complete" ] && { echo "$dest"; exit 0; }
work=$(mktemp -d "$cache/foreign/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
(cd "$work" && APT_SUITE_ARCHES="$arch" bash "$here/apt-suite.sh" bookworm download -q "$pkg:$arch" >&2)
mkdir -p "$work/root" "$work/keep"
dpkg -x "$work"/*.deb "$work/root"
moddir=$(find "$work/root" -maxdepth 4 -type d -path "*/modules/$abi-$arch" | head -1)
[ -n "$moddir" ] || { echo "fetch-foreign-modules: no modules/$abi-$arch in $pkg" >&2; exit 1; }
for m in $keep; do
  mkdir -p "$work/keep/$(dirname "$m")"
  cp "$moddir/$m" "$work/keep/$m"
done
mkdir -p "$(dirname "$dest")"
rm -rf "$dest"
mv "$work/keep" "$dest"
touch "$dest/.complete"
echo "$dest"
