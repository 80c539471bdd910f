#!/usr/bin/env bash
# Side-by-side benchmarks against kmod (and later DKMS) on the real Debian tree; prints ratios.
# usage: bench/run.sh BUILD_DIR [suite...]   suites: modinfo (default: all)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd); shift || true
MODKIT=$BUILD/modkit
CACHE=$(bash "$ROOT/scripts/fetch-tree.sh")
KVER=$(basename "$(readlink -f "$CACHE")")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RUNS=${RUNS:-7}
CMP="python3 $ROOT/bench/compare.py"
suites=("$@"); [ ${#suites[@]} -gt 0 ] || suites=(modinfo)

for v in plain xz; do mkdir -p "$WORK/$v"; cp -al "$CACHE/$v/lib" "$WORK/$v/"; done
(cd "$WORK/plain" && find "$PWD" -name '*.ko' | sort) >"$WORK/plain.list"
(cd "$WORK/xz" && find "$PWD" -name '*.ko.xz' | sort) >"$WORK/xz.list"
ln -sf "$MODKIT" "$WORK/modinfo"

echo "modkit vs kmod $(/sbin/modinfo -V | head -1 | awk '{print $3}'), $(nproc) CPUs, median of $RUNS alternating runs"
for s in "${suites[@]}"; do
  case $s in
  modinfo)
    $CMP "modinfo, 4022 modules (uncompressed)" "$RUNS" \
      "exec /sbin/modinfo \$(cat $WORK/plain.list)" "exec $WORK/modinfo \$(cat $WORK/plain.list)" --target 0.5 --mem-target 1.0
    $CMP "modinfo, 4022 modules (xz)" "$RUNS" \
      "exec /sbin/modinfo \$(cat $WORK/xz.list)" "exec $WORK/modinfo \$(cat $WORK/xz.list)" --target 0.5 --mem-target 1.0
    ;;
  *) echo "unknown suite $s" >&2; exit 2 ;;
  esac
done
