#!/usr/bin/env bash
# Fetches a real Debian kernel module tree into a cache outside the repository and makes
# gzip, xz (--check=crc32) and zstd copies of it. Prints the cache directory.
#
# Layout of $MODKIT_CACHE (default /var/cache/modkit):
#   <kver>/plain/lib/modules/<kver>/...   the package as shipped (uncompressed .ko)
#   <kver>/gz|xz|zst/lib/modules/<kver>/  the same tree with every .ko compressed
#   <kver>/boot/                          vmlinuz, System.map, config
#   <kver>/headers/                       linux-headers-<kver> unpacked (Module.symvers)
#   current -> <kver>
set -euo pipefail

cache=${MODKIT_CACHE:-/var/cache/modkit}
want_abi=${MODKIT_KERNEL_ABI:-6.1.0-50-amd64}
mkdir -p "$cache"

pick_package() {
  local p="linux-image-${want_abi}-unsigned"
  if apt-cache show "$p" >/dev/null 2>&1; then echo "$p"; return; fi
  # Fallback: the newest linux-image-*-amd64-unsigned the archive has.
  apt-cache search --names-only '^linux-image-[0-9].*-amd64-unsigned$' | awk '{print $1}' |
    sort -V | tail -n 1
}

if [ -L "$cache/current" ] && [ -f "$cache/current/.complete" ]; then
  echo "$cache/current"
  exit 0
fi
# One fetch at a time: concurrent runs (parallel test suites, several checkouts) wait here and
# then find the tree complete.
exec 9>"$cache/.fetch-tree.lock"
flock 9
if [ -L "$cache/current" ] && [ -f "$cache/current/.complete" ]; then
  echo "$cache/current"
  exit 0
fi

pkg=$(pick_package)
[ -n "$pkg" ] || { echo "fetch-tree: no linux-image-*-amd64-unsigned package found" >&2; exit 1; }
kver=${pkg#linux-image-}
kver=${kver%-unsigned}
dest="$cache/$kver"
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "fetch-tree: downloading $pkg and linux-headers-$kver" >&2
(cd "$work" && apt-get download -q "$pkg" "linux-headers-$kver" >&2)
mkdir -p "$work/tree/plain" "$work/tree/headers"
dpkg -x "$work"/linux-image-*.deb "$work/tree/plain"
dpkg -x "$work"/linux-headers-*.deb "$work/tree/headers"
# Debian ships the tree under /lib/modules (usrmerge may put it under /usr/lib/modules).
if [ ! -d "$work/tree/plain/lib/modules/$kver" ] && [ -d "$work/tree/plain/usr/lib/modules/$kver" ]; then
  mkdir -p "$work/tree/plain/lib/modules"
  mv "$work/tree/plain/usr/lib/modules/$kver" "$work/tree/plain/lib/modules/"
fi
mkdir -p "$work/tree/boot"
cp "$work/tree/plain/boot/"* "$work/tree/boot/"

# Compressed copies: same files, every .ko compressed in place. Index files kmod generated
# are not part of the package; only modules.order / modules.builtin* are.
for z in gz xz zst; do
  cp -a "$work/tree/plain" "$work/tree/$z"
  case $z in
    gz)  find "$work/tree/$z/lib/modules" -name '*.ko' -print0 | xargs -0 -P "$(nproc)" -n 64 gzip -9n ;;
    xz)  find "$work/tree/$z/lib/modules" -name '*.ko' -print0 | xargs -0 -P "$(nproc)" -n 64 xz --check=crc32 --lzma2=dict=1MiB ;;
    zst) find "$work/tree/$z/lib/modules" -name '*.ko' -print0 | xargs -0 -P "$(nproc)" -n 64 zstd -q --rm -19 ;;
  esac
done

rm -rf "$dest"
mv "$work/tree" "$dest"
touch "$dest/.complete"
ln -sfn "$kver" "$cache/current"
echo "$cache/current"
