#!/usr/bin/env bash
# `make run`: the demo. Shows modkit's tools on a real Debian module tree (fetched into the
# cache by scripts/fetch-tree.sh), then boots that Debian kernel in QEMU with modkit in the
# initramfs and loads real modules with it. Nothing on the host's /lib/modules or kernel is
# touched.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
CACHE=$(bash "$ROOT/scripts/fetch-tree.sh")
KVER=$(basename "$(readlink -f "$CACHE")")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PATH=$BUILD:$PATH
mkdir -p "$WORK/root"; cp -al "$CACHE/plain/lib" "$WORK/root/"

run() { printf '\n$ %s\n' "$*"; "$@"; }
echo "modkit demo on Debian's $KVER module tree ($(find "$WORK/root" -name '*.ko' | wc -l) modules) in $WORK/root"
run depmod -b "$WORK/root" "$KVER"
run modinfo -b "$WORK/root" -k "$KVER" ext4
run modinfo -b "$WORK/root" -k "$KVER" -F name pci:v00008086d000010D3sv00001028sd0000021Dbc02sc00i00
run modinfo -b "$WORK/root" -k "$KVER" -p loop
run modinfo -b "$WORK/root" -k "$KVER" unix
printf '\n$ modinfo (every module of the tree, timed)\n'
time (modinfo $(find "$WORK/root" -name '*.ko') >/dev/null)

# Part two: a real kernel. tests/vm/lib/host.sh builds the initramfs (busybox, modkit, the
# module subset ext4 needs, indexed by modkit's depmod) and boots it; tests/vm/demo.sh runs inside.
echo
echo "== Booting Debian's $KVER in QEMU (TCG, no KVM: takes a little while) =="
source "$ROOT/tests/vm/lib/host.sh"
if ! vm_check_host; then echo "demo: cannot boot a VM here; skipping the kernel part"; exit 0; fi
stage=$WORK/stage
vm_stage_tools "$stage" modkit
vm_stage_modules "$stage" modkit "$(vm_case_header "$ROOT/tests/vm/demo.sh" needs)" "" ""
vm_stage_cases "$stage" "$ROOT/tests/vm/demo.sh"
vm_pack "$stage" "$WORK/demo.cpio"
t0=$(date +%s)
rc=0
vm_boot "$WORK/demo.cpio" "" "$WORK/console.log" 180 \
  awk '/^=== CASE demo$/ { on = 1; next } /^=== END demo / { on = 0 } on && !/^(dmesg\| |=== RESULT )/ { print; fflush() }' || rc=$?
grep -q '^=== ALL DONE' "$WORK/console.log" || { echo "demo: the VM did not finish (rc=$rc); last lines:"; tail -20 "$WORK/console.log"; exit 1; }
echo "(VM boot, demo and power-off took $(($(date +%s) - t0)) s)"
