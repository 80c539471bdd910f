#!/usr/bin/env bash
# modkitd against systemd-udevd (Debian 12, Debian's libkmod) in the same QEMU VM, same devices
# (tests/vm/cases/daemon.sh): coldplug of every device (modkitd from start to every driver live;
# udev from `udevadm trigger` to `settle` plus the wait for the last driver), and a card added
# with QEMU's device_add until its driver is live. Prints each time and the ratio modkitd/udev
# (below 1: modkitd is faster). One VM boot per run, RUNS runs (default 3), medians.
# usage: bench/daemon.sh BUILD_DIR      (run by bench/run.sh's daemon suite)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
RUNS=${RUNS:-3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-bench-daemon.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
for i in $(seq 1 "$RUNS"); do
  VM_LOGS=$WORK/logs-$i VM_KERNELS=bookworm bash "$ROOT/tests/vm/run.sh" "$BUILD" daemon >"$WORK/run-$i.txt" 2>&1 ||
    { cat "$WORK/run-$i.txt"; echo "bench/daemon: the VM case failed" >&2; exit 1; }
  sec=$WORK/logs-$i/modkit/daemon.log
  {
    sed -nE 's/^~ # coldplug of every device: ([0-9]+) ms/mk_cold \1/p' "$sec"
    sed -nE 's/^~ # udev coldplug \(trigger \+ settle\): ([0-9]+) ms, every driver after ([0-9]+) ms more/udev_cold \1 \2/p' "$sec" |
      awk '{ print $1, $2 + $3 }'
    sed -nE 's/^~ # QEMU device_add to e1000e live: ([0-9]+) ms/mk_hot \1/p' "$sec"
    sed -nE 's/^~ # udev: QEMU device_add to e1000e live: ([0-9]+) ms/udev_hot \1/p' "$sec"
  } >>"$WORK/times"
done
python3 - "$WORK/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    k, v = line.split()
    t.setdefault(k, []).append(int(v))
def med(k):
    return statistics.median(t[k]) if k in t else float("nan")
for what, a, b in (("coldplug, every device", "mk_cold", "udev_cold"),
                   ("hotplug, device_add to driver live", "mk_hot", "udev_hot")):
    ma, mb = med(a), med(b)
    print(f"{what:40s} modkitd {ma:8.0f} ms   udev {mb:8.0f} ms   ratio {ma / mb:5.2f}  (n={len(t.get(a, []))})")
PY
