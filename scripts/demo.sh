#!/usr/bin/env bash
# `make run`: the demo. Shows modkit's tools on a real Debian module tree (fetched into the
# cache by scripts/fetch-tree.sh); nothing on the host's /lib/modules is touched.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
CACHE=$(bash "$ROOT/scripts/fetch-tree.sh")
KVER=$(basename "$(readlink -f "$CACHE")")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PATH=$BUILD:$PATH
mkdir -p "$WORK/root"; cp -al "$CACHE/plain/lib" "$WORK/root/"
/sbin/depmod -b "$WORK/root" "$KVER"   # kmod's indexes until modkit's depmod replaces it here

run() { printf '\n$ %s\n' "$*"; "$@"; }
echo "modkit demo on Debian's $KVER module tree ($(find "$WORK/root" -name '*.ko' | wc -l) modules) in $WORK/root"
run modinfo -b "$WORK/root" -k "$KVER" ext4
run modinfo -b "$WORK/root" -k "$KVER" -F name pci:v00008086d000010D3sv00001028sd0000021Dbc02sc00i00
run modinfo -b "$WORK/root" -k "$KVER" -p loop
run modinfo -b "$WORK/root" -k "$KVER" unix
printf '\n$ modinfo (every module of the tree, timed)\n'
time (modinfo $(find "$WORK/root" -name '*.ko') >/dev/null)
