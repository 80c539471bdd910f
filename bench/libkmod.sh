#!/usr/bin/env bash
# libkmod.so.2 side by side: Debian 12's libkmod 30 and modkit's, the same C program
# (bench/libkmod_bench.c) run alternately with each (LD_LIBRARY_PATH), on the real Debian tree
# indexed by kmod's depmod. Prints median time and peak memory and their ratios.
# usage: bench/libkmod.sh BUILD_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
CACHE=$(bash "$ROOT/scripts/fetch-tree.sh")
KVER=$(basename "$(readlink -f "$CACHE")")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-bench-libkmod.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RUNS=${RUNS:-7}

cp -al "$CACHE/plain/lib" "$WORK/"
/sbin/depmod -b "$WORK" "$KVER"
MD=$WORK/lib/modules/$KVER
awk '/^alias /{print $2}' "$MD/modules.alias" | sort -u >"$WORK/aliases"
sed -E 's#^([^:]*):.*#\1#; s#.*/##; s#\..*##; s#-#_#g' "$MD/modules.dep" | sort -u >"$WORK/names"
cc -O2 -std=gnu11 -I"$ROOT/src/libkmod" "$ROOT/bench/libkmod_bench.c" -o "$WORK/libkmod_bench" \
  "$BUILD/libkmod.so.2"
K="exec env -u LD_LIBRARY_PATH $WORK/libkmod_bench"
M="exec env LD_LIBRARY_PATH=$BUILD $WORK/libkmod_bench"

# Both libraries must give the same answers, or the times mean nothing.
for w in "lookup $MD <$WORK/aliases" "info $MD <$WORK/names" "new 10 $MD"; do
  k=$(eval "$K $w"); m=$(eval "$M $w")
  [ "$k" = "$m" ] || { echo "libkmod_bench $w: kmod says $k, modkit says $m" >&2; exit 1; }
done

# Time and peak memory of each run through /usr/bin/time (%e, %M): a small C parent, so the
# measured process's peak is its own (a fork of a big parent would start from the parent's).
measure() { # LABEL TIME_TARGET CMD_ARGS... (stdin from $INPUT)
  local label=$1 target=$2; shift 2
  local kf=$WORK/k.times mf=$WORK/m.times
  : >"$kf"; : >"$mf"
  for i in $(seq 0 "$RUNS"); do # run 0 warms the page cache and is not counted
    env -u LD_LIBRARY_PATH /usr/bin/time -f "%e %M" -a -o "$kf" "$WORK/libkmod_bench" "$@" <"$INPUT" >/dev/null
    LD_LIBRARY_PATH=$BUILD /usr/bin/time -f "%e %M" -a -o "$mf" "$WORK/libkmod_bench" "$@" <"$INPUT" >/dev/null
  done
  python3 - "$label" "$target" "$kf" "$mf" <<'PY'
import statistics, sys
label, target, kf, mf = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
def load(f):
    rows = [tuple(map(float, l.split())) for l in open(f) if l.strip()][1:]
    return statistics.median(r[0] for r in rows), max(r[1] for r in rows)
kt, km = load(kf); mt, mm = load(mf)
verdict = "PASS" if mt / kt <= target and mm <= km else "FAIL"
print(f"{label:<40} libkmod {kt*1000:7.0f} ms {km/1024:5.1f} MiB   modkit {mt*1000:7.0f} ms "
      f"{mm/1024:5.1f} MiB   time {mt/kt:4.2f} (target {target})  memory {mm/km:4.2f}  {verdict}")
PY
}

echo "modkit's libkmod.so.2 vs Debian 12's libkmod 30, $(nproc) CPUs, median of $RUNS alternating runs"
INPUT=/dev/null measure "kmod_new + load_resources, 2000 times" 0.5 new 2000 "$MD"
INPUT=$WORK/aliases measure "lookup + dependencies, $(wc -l <"$WORK/aliases") aliases" 0.5 lookup "$MD"
INPUT=$WORK/names measure "get_info, $(wc -l <"$WORK/names") modules" 0.5 info "$MD"
