#!/usr/bin/env bash
# Makes a Debian 6.1 kernel's headers usable for building out-of-tree modules without
# installing them (installing linux-headers-<abi> of another ABI could change linux-kbuild-6.1,
# which every engineer's builds share): the -<flavour> and -common packages unpacked into the
# shared cache, their absolute include rewritten, scripts/ and tools/ taken from the installed
# linux-kbuild-6.1. Prints the directory to give `make -C`. Idempotent, concurrency-safe.
# usage: fetch-build-tree.sh KVER       e.g. 6.1.0-56-amd64
set -euo pipefail
kver=${1:?usage: fetch-build-tree.sh KVER}
cache=${MODKIT_CACHE:-/var/cache/modkit}
dest=$cache/$kver/build
hdr=$dest/usr/src/linux-headers-$kver
[ -f "$dest/.complete" ] && { echo "$hdr"; exit 0; }
[ -d /usr/lib/linux-kbuild-6.1 ] || { echo "fetch-build-tree: linux-kbuild-6.1 is not installed" >&2; exit 1; }
mkdir -p "$cache/$kver"
exec 9>"$cache/.fetch-build-tree-$kver.lock"
flock 9
[ -f "$dest/.complete" ] && { echo "$hdr"; exit 0; }
common=$(apt-cache show "linux-headers-$kver" 2>/dev/null | sed -n 's/^Depends:.*\(linux-headers-[^ ,]*-common\).*/\1/p' | head -1)
[ -n "$common" ] || { echo "fetch-build-tree: no linux-headers-$kver in the package lists" >&2; exit 1; }
work=$(mktemp -d "$cache/$kver/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
(cd "$work" && apt-get download -q "linux-headers-$kver" "$common" >&2)
mkdir -p "$work/root/usr/lib"
for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/root"; done
rm -rf "$work/root/lib" # the build/source links of /lib/modules
ln -s /usr/lib/linux-kbuild-6.1 "$work/root/usr/lib/linux-kbuild-6.1"
sed -i "s|^include /usr/src/|include $dest/usr/src/|" "$work/root/usr/src/linux-headers-$kver/Makefile"
rm -rf "$dest"
mv "$work/root" "$dest"
touch "$dest/.complete"
echo "$hdr"
