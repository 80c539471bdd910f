#!/usr/bin/env bash
# `modkit dkms mkbmdeb`, `mkdeb` and `mkdsc` on this host, with the real v4l2loopback-dkms source
# (scripts/fetch-dkms-packages.sh) and the headers of two Debian kernels: one command builds both
# kernels in parallel and makes one binary .deb per kernel; the packages are checked with
# dpkg-deb and lintian, made again byte for byte, and a build that fails for one kernel leaves no
# package. The packages are installed in a booted Debian by tests/packages/system.sh.
# usage: tests/packages/host.sh [BUILD_DIR]   (about 3 minutes on 2 cores; root, for the
# private mount namespaces of parallel builds)
# env: PACKAGES_OUT=DIR keeps the packages made (system.sh uses them)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
MODKIT=$BUILD/modkit
K1=${K1:-6.1.0-50-amd64}
K2=${K2:-6.1.0-47-amd64}
M=v4l2loopback V=0.12.7
for c in dpkg-deb lintian dpkg-source openssl; do
  command -v $c >/dev/null || { echo "SKIP: missing $c (scripts/install-deps.sh)"; exit 125; }
done
for k in "$K1" "$K2"; do
  [ -d "/lib/modules/$k/build" ] || { echo "SKIP: no headers for $k (make tree)"; exit 125; }
done
PKGS=$(bash "$ROOT/scripts/fetch-dkms-packages.sh")
W=$(mktemp -d "${TMPDIR:-/tmp}/modkit-packages.XXXXXX")
trap 'rm -rf "$W"' EXIT
PASS=0 FAIL=0
ok() { echo "ok: $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL: $*"; FAIL=$((FAIL + 1)); }
check() { # LABEL COMMAND...
  local label=$1
  shift
  if "$@" >"$W/check.out" 2>&1; then ok "$label"; else bad "$label"; sed 's/^/    /' "$W/check.out" | head -20; fi
}

# A sandboxed DKMS (trees under $W), signing with a key of its own.
mkdir -p "$W/dkms" "$W/src" "$W/keys"
openssl req -new -x509 -nodes -days 3650 -subj "/CN=modkit package test key" -newkey rsa:2048 \
  -keyout "$W/keys/key.pem" -outform DER -out "$W/keys/cert.der" >/dev/null 2>&1
export mok_signing_key=$W/keys/key.pem mok_certificate=$W/keys/cert.der
export SOURCE_DATE_EPOCH=1700000000 DEBFULLNAME="modkit tests" DEBEMAIL=tests@modkit.example.org
dk() { "$MODKIT" dkms "$@" --dkmstree "$W/dkms" --sourcetree "$W/src"; }
cp -a "$PKGS/v4l2loopback-dkms/usr/src/$M-$V" "$W/src/"
dk add "$M/$V" >"$W/add.log" 2>&1 || { cat "$W/add.log"; exit 1; }

echo "-- mkbmdeb for $K1 and $K2 (nothing built yet: both builds run at once)"
t0=$SECONDS
if ! dk mkbmdeb "$M/$V" -k "$K1" -k "$K2" >"$W/mkbmdeb.log" 2>&1; then
  cat "$W/mkbmdeb.log"
  bad "mkbmdeb exits 0"
else
  ok "mkbmdeb exits 0 ($((SECONDS - t0)) s)"
fi
OUT=$W/dkms/$M/$V/bmdeb
for k in "$K1" "$K2"; do
  deb=$OUT/$M-modules-${k}_${V}_amd64.deb
  check "$k: $(basename "$deb") made and announced" grep -qx "Wrote $deb" "$W/mkbmdeb.log"
  [ -f "$deb" ] || continue
  check "$k: Depends is exactly linux-image-$k" test "$(dpkg-deb -f "$deb" Depends)" = "linux-image-$k"
  check "$k: Package, Version, Architecture" test "$(dpkg-deb -f "$deb" Package Version Architecture | tr '\n' ' ')" = \
    "Package: $M-modules-$k Version: $V Architecture: amd64 "
  dpkg-deb -c "$deb" | awk '{print $1, $2, $6, $7, $8}' | sed 's/ *$//' >"$W/$k.list"
  check "$k: the module where DKMS installs it, owned by root" \
    grep -qx -- "-rw-r--r-- root/root ./lib/modules/$k/updates/dkms/$M.ko" "$W/$k.list"
  check "$k: the built copy in the DKMS tree" grep -qx -- "-rw-r--r-- root/root ./var/lib/dkms/$M/$V/$k/x86_64/module/$M.ko" "$W/$k.list"
  check "$k: the kernel-$k-x86_64 link" grep -qx -- "lrwxrwxrwx root/root ./var/lib/dkms/$M/kernel-$k-x86_64 -> $V/$k/x86_64" "$W/$k.list"
  check "$k: no other kernel's file" bash -c '! grep -E "$0" "$1"' "$( [ "$k" = "$K1" ] && echo "$K2" || echo "$K1")" "$W/$k.list"
  rm -rf "$W/x"
  dpkg-deb -R "$deb" "$W/x"
  check "$k: the module is for $k (vermagic)" bash -c 'modinfo -F vermagic "$0" | grep -q "^$1 "' "$W/x/lib/modules/$k/updates/dkms/$M.ko" "$k"
  check "$k: the module is signed with the configured key" \
    bash -c 'test "$(modinfo -F signer "$0")" = "modkit package test key"' "$W/x/lib/modules/$k/updates/dkms/$M.ko"
  check "$k: the packaged module is the one in the DKMS tree" cmp "$W/x/lib/modules/$k/updates/dkms/$M.ko" "$W/dkms/$M/$V/$k/x86_64/module/$M.ko"
  check "$k: postinst runs depmod for $k" grep -q 'depmod -a "$k"' "$W/x/DEBIAN/postinst"
  check "$k: the scripts know their kernel" grep -qx "m=$M v=$V k=$k a=x86_64 pkg=$M-modules-$k" "$W/x/DEBIAN/postinst"
  check "$k: maintainer scripts pass sh -n" bash -c 'for s in "$0"/DEBIAN/p*; do sh -n "$s" || exit 1; done' "$W/x"
  check "$k: md5sums cover every file" bash -c 'cd "$0" && md5sum --quiet -c DEBIAN/md5sums && test "$(wc -l <DEBIAN/md5sums)" = "$(find . -path ./DEBIAN -prune -o -type f -print | wc -l)"' "$W/x"
  lintian --tag-display-limit 0 "$deb" >"$W/lintian-$k.log" 2>&1 || true
  check "$k: lintian reports no error" bash -c '! grep -q "^E: " "$0"' "$W/lintian-$k.log"
  sed 's/^/    lintian: /' "$W/lintian-$k.log"
done
check "no staging directory left" bash -c '! ls -A "$0" | grep -q "^\.staging"' "$OUT"

echo "-- made again from the built state: the same bytes"
mkdir -p "$W/first"
cp "$OUT"/*.deb "$W/first/"
dk mkbmdeb "$M/$V" -k "$K1" -k "$K2" >"$W/again.log" 2>&1 || cat "$W/again.log"
check "identical packages" diff -r "$W/first" "$OUT"
check "no rebuild the second time" bash -c '! grep -q "Building module" "$0"' "$W/again.log"
[ -n "${PACKAGES_OUT:-}" ] && mkdir -p "$PACKAGES_OUT" && cp "$OUT"/*.deb "$PACKAGES_OUT/"

echo "-- a newer version ($V.1), for the upgrade in system.sh"
cp -a "$W/src/$M-$V" "$W/src/$M-$V.1"
sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$V.1\"/" "$W/src/$M-$V.1/dkms.conf"
dk add "$M/$V.1" >/dev/null 2>&1
if dk mkbmdeb "$M/$V.1" -k "$K1" -k "$K2" >"$W/v2.log" 2>&1; then ok "mkbmdeb $V.1"; else bad "mkbmdeb $V.1"; cat "$W/v2.log"; fi
[ -n "${PACKAGES_OUT:-}" ] && cp "$W/dkms/$M/$V.1/bmdeb/"*.deb "$PACKAGES_OUT/"

echo "-- fault: the build fails for $K2 only"
cp -a "$W/src/$M-$V" "$W/src/$M-$V.2"
sed -i -e "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$V.2\"/" \
  -e "s|^MAKE\[0\]=\"|MAKE[0]=\"test \$kernelver != $K2 \&\& |" "$W/src/$M-$V.2/dkms.conf"
dk add "$M/$V.2" >/dev/null 2>&1
rc=0
dk mkbmdeb "$M/$V.2" -k "$K1" -k "$K2" >"$W/fault.log" 2>&1 || rc=$?
sed 's/^/    | /' "$W/fault.log" | tail -8
check "mkbmdeb exits non-zero" test "$rc" -ne 0
check "the message names $K2 and says no package was made" \
  bash -c 'grep -q "failed for $0" "$1" && grep -q "No package was made" "$1"' "$K2 (x86_64)" "$W/fault.log"
check "no package, no staging directory" bash -c '! ls -A "$0"/bmdeb 2>/dev/null | grep -q .' "$W/dkms/$M/$V.2"
check "$K1 is left built, $K2 is not" bash -c 'test -d "$0/$1/x86_64/module" && test ! -e "$0/$2/x86_64"' "$W/dkms/$M/$V.2" "$K1" "$K2"

echo "-- mkdeb: the source as $M-dkms, with the modules of $K1 and $K2"
if dk mkdeb "$M/$V" -k "$K1" -k "$K2" >"$W/mkdeb.log" 2>&1; then ok "mkdeb exits 0"; else bad "mkdeb exits 0"; cat "$W/mkdeb.log"; fi
deb=$W/dkms/$M/$V/deb/$M-dkms_${V}_amd64.deb
if [ -f "$deb" ]; then
  dpkg-deb -c "$deb" | awk '{print $6}' >"$W/dkms.list"
  check "mkdeb: the source under /usr/src" grep -qx "./usr/src/$M-$V/dkms.conf" "$W/dkms.list"
  check "mkdeb: the prebuilt modules" grep -qx "./usr/lib/$M-dkms/prebuilt/$K2/x86_64/module/$M.ko" "$W/dkms.list"
  check "mkdeb: Depends: dkms" test "$(dpkg-deb -f "$deb" Depends)" = dkms
  lintian "$deb" >"$W/lintian-dkms.log" 2>&1 || true
  check "mkdeb: lintian reports no error" bash -c '! grep -q "^E: " "$0"' "$W/lintian-dkms.log"
  sed 's/^/    lintian: /' "$W/lintian-dkms.log"
  [ -n "${PACKAGES_OUT:-}" ] && cp "$deb" "$PACKAGES_OUT/"
else
  bad "mkdeb made $deb"
fi
if dk mkdeb "$M/$V" --source-only >"$W/mkdeb-src.log" 2>&1; then ok "mkdeb --source-only exits 0"; else bad "mkdeb --source-only"; cat "$W/mkdeb-src.log"; fi
check "mkdeb --source-only: Architecture all, no modules" \
  bash -c 'test "$(dpkg-deb -f "$0" Architecture)" = all && ! dpkg-deb -c "$0" | grep -q "\.ko$"' "$W/dkms/$M/$V/deb/$M-dkms_${V}_all.deb"

echo "-- mkdsc: a Debian source package"
if dk mkdsc "$M/$V" >"$W/mkdsc.log" 2>&1; then ok "mkdsc exits 0"; else bad "mkdsc exits 0"; cat "$W/mkdsc.log"; fi
dsc=$W/dkms/$M/$V/dsc/$M-dkms_$V.dsc
if [ -f "$dsc" ]; then
  rm -rf "$W/dsc-x"
  check "mkdsc: dpkg-source -x unpacks it" dpkg-source -x "$dsc" "$W/dsc-x"
  check "mkdsc: the source is in it" test -f "$W/dsc-x/dkms.conf" -a -f "$W/dsc-x/debian/rules"
  lintian "$dsc" >"$W/lintian-dsc.log" 2>&1 || true
  check "mkdsc: lintian reports no error" bash -c '! grep -q "^E: " "$0"' "$W/lintian-dsc.log"
  sed 's/^/    lintian: /' "$W/lintian-dsc.log"
else
  bad "mkdsc made $dsc"
fi

echo "-- mkrpm: binary rpms for $K1 and $K2, and the DKMS source rpm (no rpm-based VM here:"
echo "   checked with rpm -qlp, rpm -qp --scripts/--requires and installed with rpm --root, --noscripts)"
if command -v rpmbuild >/dev/null; then
  if dk mkrpm "$M/$V" -k "$K1" -k "$K2" >"$W/mkrpm.log" 2>&1; then ok "mkrpm exits 0"; else bad "mkrpm exits 0"; cat "$W/mkrpm.log"; fi
  RD=$W/dkms/$M/$V/rpm
  check "mkrpm: the source rpm" test -f "$RD/$M-dkms-$V-1.noarch.rpm"
  for k in "$K1" "$K2"; do
    r=$RD/$M-kmod-$k-$V-1.x86_64.rpm
    [ -f "$r" ] || { bad "mkrpm: $r made"; continue; }
    rpm -qlp "$r" 2>/dev/null >"$W/rpm-$k.list"
    check "rpm $k: the module in /lib/modules/$k/extra (Fedora's DKMS place)" grep -qx "/lib/modules/$k/extra/$M.ko" "$W/rpm-$k.list"
    check "rpm $k: the DKMS tree copy and link" bash -c 'grep -qx "$0" "$2" && grep -qx "$1" "$2"' \
      "/var/lib/dkms/$M/$V/$k/x86_64/module/$M.ko" "/var/lib/dkms/$M/kernel-$k-x86_64" "$W/rpm-$k.list"
    # Debian's kernel releases have two '-', which RPM cannot read as version-release.
    check "rpm $k: requires the kernel's /lib/modules/$k/modules.order" bash -c 'rpm -qp --requires "$0" 2>/dev/null | grep -qx "/lib/modules/$1/modules.order"' "$r" "$k"
    rpm -qp --scripts "$r" >"$W/rpm-$k.scripts" 2>/dev/null
    check "rpm $k: %post and %postun run depmod -a $k" bash -c 'test "$(grep -c "depmod -a $1;" "$0")" = 2' "$W/rpm-$k.scripts" "$k"
    R=$W/rpmroot-$k
    mkdir -p "$R"
    rpm --root "$R" --initdb
    check "rpm $k: installs with rpm --root (--nodeps --noscripts)" rpm --root "$R" -i --nodeps --noscripts "$r"
    check "rpm $k: rpm -qf owns the module" bash -c 'test "$(rpm --root "$0" -qf "/lib/modules/$1/extra/$2.ko")" = "$2-kmod-$1-$3-1.x86_64"' "$R" "$k" "$M" "$V"
    check "rpm $k: the module on disk is the built one" cmp "$R/lib/modules/$k/extra/$M.ko" "$W/dkms/$M/$V/$k/x86_64/module/$M.ko"
    check "rpm $k: erases cleanly" bash -c 'rpm --root "$0" -e --nodeps --noscripts "$1" && test ! -e "$0/lib/modules/$2/extra/$3.ko" && test ! -e "$0/var/lib/dkms/$3/$4/$2"' "$R" "$M-kmod-$k" "$k" "$M" "$V"
  done
  rpm -qp --scripts "$RD/$M-dkms-$V-1.noarch.rpm" >"$W/rpm-src.scripts" 2>/dev/null
  check "source rpm: %post adds to DKMS, %preun removes" bash -c 'grep -q "dkms add -m $1 -v $2" "$0" && grep -q "dkms remove -m $1 -v $2 --all" "$0"' "$W/rpm-src.scripts" "$M" "$V"
  check "source rpm: carries /usr/src/$M-$V/dkms.conf" bash -c 'rpm -qlp "$0" 2>/dev/null | grep -qx "$1"' "$RD/$M-dkms-$V-1.noarch.rpm" "/usr/src/$M-$V/dkms.conf"
else
  echo "SKIP: no rpmbuild (scripts/install-deps.sh installs rpm)"
fi

echo "-- usage"
check "--binaries-only and --source-only together are refused" bash -c '! "$0" dkms mkdeb "$1" --binaries-only --source-only --dkmstree "$2" --sourcetree "$3"' "$MODKIT" "$M/$V" "$W/dkms" "$W/src"
check "a module not added is refused" bash -c '! "$0" dkms mkbmdeb nosuch/1.0 --dkmstree "$1" --sourcetree "$2"' "$MODKIT" "$W/dkms" "$W/src"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
