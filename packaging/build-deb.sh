#!/usr/bin/env bash
# Builds the Debian package of modkit from the tree: the objects of a build directory (the
# ones the tests ran) linked once more against the shared libraries, packaging/ for everything
# else, dpkg-deb to assemble it and lintian to check it (errors fail the build). Writes
# OUT_DIR/modkit_<version>_<arch>.deb and, from the build's libkmod.so.2, the variant's second
# package OUT_DIR/libkmod2-modkit_<version>_<arch>.deb (it takes libkmod2's place); prints
# their paths, one a line, modkit's first.
#
# usage: packaging/build-deb.sh [BUILD_DIR] [OUT_DIR]    (defaults: build, BUILD_DIR/deb)
# env:   MODKIT_DEB_LINTIAN=0 skips lintian
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out=${2:-$build/deb}
version=$(sed -n 's/^project(modkit VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
arch=$(dpkg --print-architecture)
[ -n "$version" ] || { echo "build-deb: no version in CMakeLists.txt" >&2; exit 1; }
for f in CMakeFiles/modkit.dir/src/cli/main.cpp.o libmodkit_cli.a libmodkit_core.a; do
  [ -f "$build/$f" ] || { echo "build-deb: $build/$f missing (make build first)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/modkit-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkg=$work/pkg
umask 022

# The program, dynamically linked (the build tree's is static, for the VM's initramfs).
install -d "$pkg/usr/bin"
"${CXX:-g++}" -o "$pkg/usr/bin/modkit" "$build/CMakeFiles/modkit.dir/src/cli/main.cpp.o" \
  "$build/libmodkit_cli.a" "$build/libmodkit_core.a" \
  -Wl,-z,relro -Wl,-z,now -Wl,--as-needed -lcrypto -lzstd -llzma -lz -pthread
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$pkg/usr/bin/modkit"

# kmod's and DKMS's names, at the paths their packages used, so that dpkg hands those paths
# over (Replaces) instead of deleting them when kmod and dkms are removed.
install -d "$pkg/bin" "$pkg/sbin" "$pkg/usr/sbin"
ln -s /usr/bin/modkit "$pkg/bin/kmod"
ln -s /usr/bin/modkit "$pkg/bin/lsmod"
for tool in depmod insmod lsmod modinfo modprobe rmmod; do ln -s /usr/bin/modkit "$pkg/sbin/$tool"; done
ln -s ../bin/modkit "$pkg/usr/sbin/dkms"

# DKMS: the kernel hooks (named to run before initramfs-tools' hook, as Debian's dkms hook
# does, so that a new kernel's initramfs can hold its DKMS modules), the kernel-install
# plugin and the helper every DKMS package's postinst calls.
hooks=$root/scripts/kernel-hooks
install -D -m 755 "$hooks/postinst" "$pkg/etc/kernel/postinst.d/dkms-modkit"
install -D -m 755 "$hooks/postinst" "$pkg/etc/kernel/header_postinst.d/dkms-modkit"
install -D -m 755 "$hooks/preinst" "$pkg/etc/kernel/preinst.d/dkms-modkit"
install -D -m 755 "$hooks/prerm" "$pkg/etc/kernel/prerm.d/dkms-modkit"
install -D -m 755 "$hooks/kernel-install" "$pkg/usr/lib/kernel/install.d/40-modkit-dkms.install"
install -D -m 755 "$here/dkms/common.postinst" "$pkg/usr/lib/dkms/common.postinst"
# The DKMS tree, as Debian's dkms package ships it (apt removes it with dkms, and installs it
# again with modkit in the same run).
install -d "$pkg/var/lib/dkms"

# Boot: systemd-modules-load.service runs modkit; initramfs-tools puts modkit in the initramfs.
install -D -m 644 "$here/systemd/modkit.conf" \
  "$pkg/lib/systemd/system/systemd-modules-load.service.d/modkit.conf"
install -D -m 755 "$here/initramfs-tools/modkit" "$pkg/usr/share/initramfs-tools/hooks/modkit"
install -D -m 644 "$here/modprobe.d/aliases.conf" "$pkg/lib/modprobe.d/aliases.conf"

# Man pages (issue 13 writes them): every NAME.N in packaging/man.
for page in "$here"/man/*.[1-8]; do
  [ -f "$page" ] || continue
  name=$(basename "$page")
  install -D -m 644 "$page" "$pkg/usr/share/man/man${name##*.}/$name"
  gzip -9n "$pkg/usr/share/man/man${name##*.}/$name"
done

# Documentation.
doc=$pkg/usr/share/doc/modkit
install -D -m 644 "$here/debian/copyright" "$doc/copyright"
date=$(git -C "$root" log -1 --format=%aD 2>/dev/null || date -R)
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$date/" "$here/debian/changelog.in" >"$doc/changelog"
gzip -9n "$doc/changelog"

# Control files.
install -d "$pkg/DEBIAN"
install -m 755 "$here/debian/postinst" "$here/debian/postrm" "$pkg/DEBIAN/"
install -m 644 "$here/debian/triggers" "$pkg/DEBIAN/"
find "$pkg/etc" -type f | sed "s|^$pkg||" | LC_ALL=C sort >"$pkg/DEBIAN/conffiles"
# Shared-library dependencies, as dpkg-shlibdeps computes them (it wants a debian/control).
mkdir -p "$work/src/debian"
printf 'Source: modkit\n\nPackage: modkit\nArchitecture: any\n' >"$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O "$pkg/usr/bin/modkit" | sed -n 's/^shlibs:Depends=//p')
size=$(du -k -s --apparent-size --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" \
  -e "s/@INSTALLED_SIZE@/$size/" "$here/debian/control.in" >"$pkg/DEBIAN/control"

mkdir -p "$out"
# dpkg-deb, then lintian (its errors fail the build; the rest is shown).
assemble() { # PKG_DIR DEB
  SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s) \
    dpkg-deb --root-owner-group -Zxz --build "$1" "$2.tmp" >/dev/null
  mv "$2.tmp" "$2"
  [ "${MODKIT_DEB_LINTIAN:-1}" != 0 ] && command -v lintian >/dev/null || return 0
  if ! lintian --fail-on error --suppress-tags-from-file /dev/null "$2" >"$work/lintian" 2>&1; then
    cat "$work/lintian" >&2
    echo "build-deb: lintian found errors in $2" >&2
    exit 1
  fi
  [ -s "$work/lintian" ] && sed 's/^/build-deb: lintian: /' "$work/lintian" >&2
  return 0
}
md5sums() { # PKG_DIR
  (cd "$1" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z |
    xargs -0 md5sum) >"$1/DEBIAN/md5sums"
}
md5sums "$pkg"
deb=$out/modkit_${version}_${arch}.deb
assemble "$pkg" "$deb"
echo "$deb"

# libkmod2-modkit: modkit's libkmod.so.2 at the path of Debian's libkmod2 (Replaces hands the
# soname link over; a path of its own would let libkmod2's removal delete the link after the
# unpack), Provides libkmod2 (= 34.2) for systemd's, udev's and pciutils' dependencies.
[ -f "$build/libkmod.so.2" ] || { echo "build-deb: $build/libkmod.so.2 missing" >&2; exit 1; }
lib=$work/lib
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
real=$(basename "$(readlink -f "$build/libkmod.so.2")")
install -D -m 644 "$build/$real" "$lib/usr/lib/$multiarch/$real"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$lib/usr/lib/$multiarch/$real"
ln -s "$real" "$lib/usr/lib/$multiarch/libkmod.so.2"
doc=$lib/usr/share/doc/libkmod2-modkit
install -D -m 644 "$here/debian/copyright" "$doc/copyright"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$date/" "$here/libkmod2/changelog.in" >"$doc/changelog"
gzip -9n "$doc/changelog"
install -d "$lib/DEBIAN"
install -m 644 "$here/libkmod2/triggers" "$lib/DEBIAN/"
# Programs built against this library depend on it, or on a libkmod2 as new as 34.2.
echo "libkmod 2 libkmod2-modkit (>= $version) | libkmod2 (>= 34.2)" >"$lib/DEBIAN/shlibs"
printf 'Source: modkit\n\nPackage: libkmod2-modkit\nArchitecture: any\n' >"$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O "$lib/usr/lib/$multiarch/$real" | sed -n 's/^shlibs:Depends=//p')
size=$(du -k -s --apparent-size --exclude=DEBIAN "$lib" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" \
  -e "s/@INSTALLED_SIZE@/$size/" "$here/libkmod2/control.in" >"$lib/DEBIAN/control"
md5sums "$lib"
libdeb=$out/libkmod2-modkit_${version}_${arch}.deb
assemble "$lib" "$libdeb"
echo "$libdeb"
