#!/usr/bin/env bash
# Side-by-side benchmarks against kmod and DKMS on the real Debian tree; prints ratios.
# usage: bench/run.sh BUILD_DIR [suite...]   suites: modinfo depmod modprobe dkms abi daemon (default: all but daemon, which boots VMs)
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
suites=("$@"); [ ${#suites[@]} -gt 0 ] || suites=(modinfo depmod modprobe dkms abi packages)

for v in plain xz zst; do
  for who in k m; do mkdir -p "$WORK/$who$v"; cp -al "$CACHE/$v/lib" "$WORK/$who$v/"; done
  ln -sfn "$WORK/k$v" "$WORK/$v"
done
(cd "$WORK/kplain" && find "$PWD" -name '*.ko' | sort) >"$WORK/plain.list"
(cd "$WORK/kxz" && find "$PWD" -name '*.ko.xz' | sort) >"$WORK/xz.list"
ln -sf "$MODKIT" "$WORK/modinfo"
ln -sf "$MODKIT" "$WORK/depmod"
ln -sf "$MODKIT" "$WORK/modprobe"

echo "modkit vs kmod $(/sbin/modinfo -V | head -1 | awk '{print $3}'), $(nproc) CPUs, median of $RUNS alternating runs"
for s in "${suites[@]}"; do
  case $s in
  modinfo)
    $CMP "modinfo, 4022 modules (uncompressed)" "$RUNS" \
      "exec /sbin/modinfo \$(cat $WORK/plain.list)" "exec $WORK/modinfo \$(cat $WORK/plain.list)" --target 0.5 --mem-target 1.0
    $CMP "modinfo, 4022 modules (xz)" "$RUNS" \
      "exec /sbin/modinfo \$(cat $WORK/xz.list)" "exec $WORK/modinfo \$(cat $WORK/xz.list)" --target 0.5 --mem-target 1.0
    ;;
  depmod)
    for v in plain xz zst; do
      target=0.5; [ $v = plain ] && target=0.3
      $CMP "depmod full run --no-cache ($v)" "$RUNS" \
        "/sbin/depmod -b $WORK/k$v $KVER" "$WORK/depmod -b $WORK/m$v --no-cache $KVER" \
        --target $target --mem-target 1.5
    done
    # Incremental: the cache is warm and one module changed since the last run: before each
    # run a copy of loop.ko is installed in updates/dkms/ (overriding the in-tree one, as a
    # DKMS install does) or removed again. Against kmod's full run on the same tree.
    "$WORK/depmod" -b "$WORK/mplain" "$KVER"
    mod=$WORK/mplain/lib/modules/$KVER/kernel/drivers/block/loop.ko
    upd=$WORK/mplain/lib/modules/$KVER/updates/dkms/loop.ko
    $CMP "depmod incremental, 1 module added/removed" "$RUNS" \
      "/sbin/depmod -b $WORK/kplain $KVER" "$WORK/depmod -b $WORK/mplain $KVER" \
      --setup "if [ -e $upd ]; then rm $upd; else mkdir -p ${upd%/*} && cp $mod $upd; fi" \
      --target 0.1 --mem-target 1.5
    ;;
  modprobe)
    # Both read the same tree, indexed by modkit's depmod; an empty config directory so the
    # host's modprobe.d does not matter.
    "$WORK/depmod" -b "$WORK/mplain" "$KVER"
    mkdir -p "$WORK/noconf"
    MP=(-d "$WORK/mplain" -S "$KVER" -C "$WORK/noconf")
    awk '/^alias /{print $2}' "$WORK/mplain/lib/modules/$KVER/modules.alias" | sort -u >"$WORK/aliases"
    $CMP "modprobe -D ext4 (one lookup)" "$((RUNS * 3))" \
      "/sbin/modprobe ${MP[*]} -D ext4" "$WORK/modprobe ${MP[*]} -D ext4" --target 1.0 --mem-target 1.0
    $CMP "modprobe -R pci alias (one lookup)" "$((RUNS * 3))" \
      "/sbin/modprobe ${MP[*]} -R pci:v00008086d000010D3sv00001028sd0000021Dbc02sc00i00" \
      "$WORK/modprobe ${MP[*]} -R pci:v00008086d000010D3sv00001028sd0000021Dbc02sc00i00" --target 1.0 --mem-target 1.0
    $CMP "modprobe -c" "$RUNS" \
      "/sbin/modprobe ${MP[*]} -c" "$WORK/modprobe ${MP[*]} -c" --target 1.0 --mem-target 1.0
    $CMP "modprobe -a -R, every alias ($(wc -l <"$WORK/aliases"))" "$RUNS" \
      "exec /sbin/modprobe ${MP[*]} -a -R \$(cat $WORK/aliases) 2>/dev/null" \
      "exec $WORK/modprobe ${MP[*]} -a -R \$(cat $WORK/aliases) 2>/dev/null" --target 0.8 --mem-target 1.0
    ;;
  dkms) bash "$ROOT/bench/dkms.sh" "$BUILD" ;;
  packages) bash "$ROOT/bench/packages.sh" "$BUILD" ;;
  abi) bash "$ROOT/bench/abi.sh" "$BUILD" ;;
  daemon) bash "$ROOT/bench/daemon.sh" "$BUILD" ;;
  *) echo "unknown suite $s" >&2; exit 2 ;;
  esac
done
