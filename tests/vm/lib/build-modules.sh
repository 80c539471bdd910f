#!/usr/bin/env bash
# Builds the test modules in tests/vm/modsrc against the installed headers of KVER (Debian's
# linux-headers-<kver>, installed by scripts/install-deps.sh) and copies the .ko files to OUT.
# usage: build-modules.sh KVER OUT     exit 2 (with a reason on stderr) when headers are missing
set -euo pipefail
KVER=$1 OUT=$2
SRC=$(cd "$(dirname "$0")/../modsrc" && pwd)
HDR=/usr/src/linux-headers-$KVER
[ -f "$HDR/Makefile" ] || { echo "no kernel headers in $HDR (scripts/install-deps.sh installs linux-headers-$KVER)" >&2; exit 2; }
command -v gcc >/dev/null || { echo "no gcc to build modules" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/modkit-vm-modsrc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$SRC"/*.c "$SRC"/Kbuild "$tmp/"
if ! make -s -C "$HDR" M="$tmp" -j2 modules >"$tmp/build.log" 2>&1; then
  echo "building tests/vm/modsrc against $HDR failed:" >&2
  tail -20 "$tmp/build.log" >&2
  exit 1
fi
mkdir -p "$OUT"
cp "$tmp"/*.ko "$OUT/"
