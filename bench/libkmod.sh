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
CMP="python3 $ROOT/bench/compare.py"

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

echo "modkit's libkmod.so.2 vs Debian 12's libkmod 30, $(nproc) CPUs, median of $RUNS alternating runs"
$CMP "kmod_new + load_resources, 2000 times" "$RUNS" "$K new 2000 $MD" "$M new 2000 $MD" \
  --target 0.5 --mem-target 1.0
$CMP "lookup + dependencies, $(wc -l <"$WORK/aliases") aliases" "$RUNS" \
  "$K lookup $MD <$WORK/aliases" "$M lookup $MD <$WORK/aliases" --target 0.5 --mem-target 1.0
$CMP "get_info, $(wc -l <"$WORK/names") modules" "$RUNS" \
  "$K info $MD <$WORK/names" "$M info $MD <$WORK/names" --target 0.5 --mem-target 1.0
