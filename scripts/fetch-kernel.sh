#!/usr/bin/env bash
# Fetches one more Debian kernel (another ABI, flavour or generation) into the shared cache,
# beside the tree scripts/fetch-tree.sh keeps as `current`, which it never changes. Prints the
# directory. Idempotent and safe to run concurrently (one fetch per kernel at a time).
#
# usage: fetch-kernel.sh KVER        e.g. 6.1.0-47-amd64, 6.1.0-50-cloud-amd64,
#                                         6.12.117+deb13-amd64, 7.2.13+deb14-amd64
# Layout (the same as fetch-tree.sh's, without the compressed copies):
#   <kver>/plain/lib/modules/<kver>/   the modules as the package ships them (.ko or .ko.xz)
#   <kver>/boot/                       vmlinuz, System.map, config
#   <kver>/headers/                    linux-headers-<kver> unpacked (Module.symvers)
#   <kver>/suite                       the suite the packages came from
# Where the packages come from: bookworm (the machine's own sources) first, then trixie and
# sid through scripts/apt-suite.sh. Two package layouts: linux-image-<kver>-unsigned holding
# everything (up to 6.12), or linux-modules-<kver> + linux-base-<kver> + linux-binary-<kver>
# (Debian's split, 7.x).
set -euo pipefail

kver=${1:?usage: fetch-kernel.sh KVER}
here=$(cd "$(dirname "$0")" && pwd)
cache=${MODKIT_CACHE:-/var/cache/modkit}
dest=$cache/$kver
mkdir -p "$cache"
[ -f "$dest/.complete" ] && { echo "$dest"; exit 0; }
exec 9>"$cache/.fetch-kernel-$kver.lock"
flock 9
[ -f "$dest/.complete" ] && { echo "$dest"; exit 0; }
if [ -e "$dest" ]; then
  echo "fetch-kernel: $dest exists but is incomplete (not made by this script?); remove it first" >&2
  exit 1
fi

apt_in() { # SUITE apt-get|apt-cache ARGS...
  local suite=$1
  shift
  if [ "$suite" = system ]; then "$@"; else bash "$here/apt-suite.sh" "$suite" "$@"; fi
}
has_pkg() { apt_in "$1" apt-cache show "$2" >/dev/null 2>&1; }

packages=
for suite in system trixie sid; do
  if has_pkg "$suite" "linux-image-$kver-unsigned"; then
    packages="linux-image-$kver-unsigned"
  elif has_pkg "$suite" "linux-modules-$kver"; then
    packages="linux-modules-$kver linux-base-$kver linux-binary-$kver"
  else
    continue
  fi
  has_pkg "$suite" "linux-headers-$kver" && packages+=" linux-headers-$kver"
  break
done
[ -n "$packages" ] || { echo "fetch-kernel: no Debian package for kernel $kver in bookworm, trixie or sid" >&2; exit 1; }

work=$(mktemp -d "$cache/.fetch-kernel.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # apt-get download drops to the _apt user
echo "fetch-kernel: downloading $packages ($suite)" >&2
# shellcheck disable=SC2086
(cd "$work" && apt_in "$suite" apt-get download -q $packages >&2)
mkdir -p "$work/tree/plain" "$work/tree/headers" "$work/tree/boot"
for deb in "$work"/*.deb; do
  case $(basename "$deb") in
  linux-headers-*) dpkg -x "$deb" "$work/tree/headers" ;;
  *) dpkg -x "$deb" "$work/tree/plain" ;;
  esac
done
# The modules live in /usr/lib/modules since trixie; the layout keeps them under /lib/modules.
if [ ! -d "$work/tree/plain/lib/modules/$kver" ] && [ -d "$work/tree/plain/usr/lib/modules/$kver" ]; then
  mkdir -p "$work/tree/plain/lib/modules"
  mv "$work/tree/plain/usr/lib/modules/$kver" "$work/tree/plain/lib/modules/"
fi
[ -d "$work/tree/plain/lib/modules/$kver" ] || { echo "fetch-kernel: $packages hold no lib/modules/$kver" >&2; exit 1; }
for d in boot usr/lib/linux/boot "usr/lib/linux-image-$kver"; do
  [ -d "$work/tree/plain/$d" ] && find "$work/tree/plain/$d" -maxdepth 1 -type f -exec cp {} "$work/tree/boot/" \;
done
# 7.x keeps vmlinuz, config and System.map in the module directory (kernel-install's layout).
for f in vmlinuz config System.map; do
  src=$work/tree/plain/lib/modules/$kver/$f
  [ -f "$src" ] && [ ! -e "$work/tree/boot/$f-$kver" ] && cp "$src" "$work/tree/boot/$f-$kver"
done
[ -f "$work/tree/boot/vmlinuz-$kver" ] || { echo "fetch-kernel: no vmlinuz-$kver in $packages" >&2; exit 1; }
echo "$suite" >"$work/tree/suite"
mv "$work/tree" "$dest"
touch "$dest/.complete"
echo "$dest"
