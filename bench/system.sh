#!/usr/bin/env bash
# The system benchmarks, side by side in the Debian image of tests/system (QEMU, TCG, -smp 2):
#  1. boot-time loading of about 30 modules a desktop loads (bench/system/desktop.conf):
#     Debian's systemd-modules-load against modkit modules-load in the same booted VM, each
#     from the same state, alternately; the time from start to all loaded (target <= 0.6);
#  2. boot to multi-user.target, stock image against the modkit image, alternate boots, both
#     with the desktop list in modules-load.d (target <= 1.0).
# Prints medians and ratios.
#
# usage: bench/system.sh [BUILD_DIR]     env: RUNS (default 7), BOOTS (default 5), SMP (2)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
HERE=$ROOT/tests/system
RUNS=${RUNS:-7}
BOOTS=${BOOTS:-5}
export SYSTEM_SMP=${SMP:-2}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-bench-system.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

IMAGE=$(bash "$ROOT/scripts/system-image.sh")
DEB=$(bash "$ROOT/packaging/build-deb.sh" "$BUILD" "$WORK/deb" 2>/dev/null | grep '/modkit_[^/]*\.deb$')
source "$HERE/lib/host.sh"

# The stages: bench/system's, with the desktop list beside them, and tests/system's install.
STAGES=$WORK/stages
mkdir -p "$STAGES"
cp "$ROOT"/bench/system/*.sh "$HERE/stages/install.sh" "$STAGES/"
for s in bench-modules-load bench-boot; do
  mkdir -p "$STAGES/$s.files"
  cp "$ROOT/bench/system/desktop.conf" "$STAGES/$s.files/"
  echo "$RUNS" >"$STAGES/$s.files/runs"
done
K=6.1.0-50-amd64
CMDLINE=""

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
must() { # VDIR VARIANT STAGE: the stage and its checks passed, or the benchmark stops
  if ! sys_report_stage "$1" "$2" "$3" >"$WORK/report" || ! [ -s "$1/results/$3/out/checks.log" ] ||
    grep -q '^FAIL' "$1/results/$3/out/checks.log"; then
    cat "$WORK/report"
    echo "bench/system: $2 $3 failed" >&2
    exit 1
  fi
}

echo "bench/system: image $(basename "$IMAGE"), $SYSTEM_SMP vCPUs (TCG), $RUNS runs, $BOOTS boots each"
sys_variant_init "$WORK/stock"
sys_variant_init "$WORK/modkit"
sys_stage "$WORK/modkit" modkit install "$WORK/modkit/root.qcow2" "$K" "$CMDLINE" 1800 || true
must "$WORK/modkit" modkit install

# 1. modules-load, both programs in the modkit image (systemd stays installed).
sys_stage "$WORK/modkit" modkit bench-modules-load "$WORK/modkit/root.qcow2" "$K" "$CMDLINE" 3600 || true
must "$WORK/modkit" modkit bench-modules-load
r=$WORK/modkit/results/bench-modules-load/out/own/bench-modules-load
sd=$(awk '$1 == "systemd" {print $2}' "$r" | median)
mk=$(awk '$1 == "modkit" {print $2}' "$r" | median)
printf '%-58s systemd-modules-load %8.1f ms  modkit %8.1f ms  ratio %.2f (target <= 0.6)\n' \
  "modules-load, $(grep -vc '^#' "$ROOT/bench/system/desktop.conf") modules + dependencies, median of $RUNS" \
  "$(echo "$sd / 1000" | bc -l)" "$(echo "$mk / 1000" | bc -l)" "$(echo "$mk / $sd" | bc -l)"
echo "  runs (µs): $(tr '\n' ' ' <"$r")"

# 2. Boots, alternating.
: >"$WORK/boots"
for i in $(seq "$BOOTS"); do
  for v in stock modkit; do
    sys_stage "$WORK/$v" "$v" bench-boot "$WORK/$v/root.qcow2" "$K" "$CMDLINE" 1200 || true
    must "$WORK/$v" "$v" bench-boot
    echo "$v $(cat "$WORK/$v/results/bench-boot/out/own/multi-user-usec")" >>"$WORK/boots"
  done
done
st=$(awk '$1 == "stock" {print $2}' "$WORK/boots" | median)
mk=$(awk '$1 == "modkit" {print $2}' "$WORK/boots" | median)
printf '%-58s stock %8.2f s  modkit %8.2f s  ratio %.2f (target <= 1.0)\n' \
  "boot to multi-user.target, median of $BOOTS" "$(echo "$st / 1000000" | bc -l)" \
  "$(echo "$mk / 1000000" | bc -l)" "$(echo "$mk / $st" | bc -l)"
echo "  boots (µs): $(tr '\n' ' ' <"$WORK/boots")"
