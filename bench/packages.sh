#!/usr/bin/env bash
# Packaging for a fleet: binary .debs of 3 modules (v4l2loopback-dkms and acpi-call-dkms from
# Debian, and the hello test module) for 2 kernels, real kbuild builds, on this machine's CPUs.
#   one by one  6 commands, `modkit dkms mkbmdeb M -k K --jobs 1` for each module and kernel
#   parallel    3 commands, `modkit dkms mkbmdeb M -k K1 -k K2` (both kernels built at once)
# The same work on both sides (build, sign, package); the packages are compared first.
# usage: bench/packages.sh BUILD_DIR     env: RUNS (default 3)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
MK=$BUILD/modkit
K1=${MODKIT_DKMS_K1:-6.1.0-50-amd64}
K2=${MODKIT_DKMS_K2:-6.1.0-47-amd64}
CMP="python3 $ROOT/bench/compare.py"
for k in "$K1" "$K2"; do
  [ -f "/usr/src/linux-headers-$k/Makefile" ] || { echo "bench/packages: no linux-headers-$k (scripts/install-deps.sh)"; exit 0; }
done
command -v dpkg-deb >/dev/null || { echo "bench/packages: no dpkg-deb"; exit 0; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-bench-packages.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
openssl req -new -x509 -nodes -days 36500 -subj "/CN=modkit bench key" -newkey rsa:2048 \
  -keyout "$WORK/mok.key" -outform DER -out "$WORK/mok.pub" >/dev/null 2>&1
export mok_signing_key=$WORK/mok.key mok_certificate=$WORK/mok.pub SOURCE_DATE_EPOCH=1700000000
S=$WORK/s
mkdir -p "$S/dkms" "$S/src"
for k in "$K1" "$K2"; do
  mkdir -p "$S/lib/$k"
  ln -sfn "/usr/src/linux-headers-$k" "$S/lib/$k/build"
done
T="--dkmstree $S/dkms --sourcetree $S/src --installtree $S/lib"
pkgs=$(bash "$ROOT/scripts/fetch-dkms-packages.sh")
for p in v4l2loopback-dkms acpi-call-dkms; do
  for d in "$pkgs/$p/usr/src/"*/; do cp -a "$d" "$S/src/"; done
done
cp -a "$ROOT/tests/compat/dkms-fixtures/hello" "$S/src/hello-1.0"
MODS="v4l2loopback/0.12.7 acpi-call/1.2.2 hello/1.0"
for p in $MODS; do "$MK" dkms add "$p" $T >/dev/null; done
cp -a "$S/dkms" "$S/dkms.added"
reset="rm -rf $S/dkms && cp -a $S/dkms.added $S/dkms"
one="for p in $MODS; do for k in $K1 $K2; do $MK dkms mkbmdeb \$p -k \$k --jobs 1 $T || exit; done; done"
par="for p in $MODS; do $MK dkms mkbmdeb \$p -k $K1 -k $K2 $T || exit; done"
sums() { (cd "$S/dkms" && find . -path '*/bmdeb/*.deb' | LC_ALL=C sort | xargs sha256sum); }
sh -c "$reset" && sh -c "$one" >"$WORK/one.log" 2>&1 && sums >"$WORK/one.sums"
sh -c "$reset" && sh -c "$par" >"$WORK/par.log" 2>&1 && sums >"$WORK/par.sums"
n=$(wc -l <"$WORK/par.sums")
if [ "$n" = 6 ] && cmp -s "$WORK/one.sums" "$WORK/par.sums"; then
  echo "packages: the $n packages made both ways are byte-identical"
else
  echo "packages: the packages differ ($n made in parallel):"
  diff "$WORK/one.sums" "$WORK/par.sums" | head
  tail -5 "$WORK/par.log"
fi
echo "modkit dkms mkbmdeb, 3 modules x 2 kernels, $(nproc) CPUs, median of alternating runs"
$CMP "mkbmdeb, 3 modules x 2 kernels: parallel kernels vs one by one" "${RUNS:-3}" \
  "exec sh -c '$one'" "exec sh -c '$par'" --setup "$reset" --target 0.6 --mem-target 1.5
