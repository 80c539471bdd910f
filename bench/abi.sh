#!/usr/bin/env bash
# The kernel-ABI commands against their targets (issue 12), side by side with the nearest
# existing tool where there is one:
#   abi check of every module of a tree against another kernel (< 1 s on 2 cores), beside
#     kmod's `depmod -n -e -E Module.symvers`, which checks only the symbols of the same modules;
#     and of a kernel's own tree against itself (nothing refused early: every check runs)
#   abi diff of two Module.symvers (~25000 symbols, < 0.1 s), beside sort+join(1) computing the
#     same added/removed/changed counts
#   preflight of a system with two installed kernels (< 2 s), with no reference tool
# usage: bench/abi.sh BUILD_DIR      (run by bench/run.sh's abi suite)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
M=$BUILD/modkit
RUNS=${RUNS:-7}
CMP="python3 $ROOT/bench/compare.py"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-bench-abi.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
NEW=$(basename "$(readlink -f "$(bash "$ROOT/scripts/fetch-tree.sh")")")
OLD=6.1.0-47-amd64
C_NEW=/var/cache/modkit/$NEW
C_OLD=$(bash "$ROOT/scripts/fetch-kernel.sh" "$OLD")
S_NEW=$C_NEW/headers/usr/src/linux-headers-$NEW/Module.symvers
S_OLD=$C_OLD/headers/usr/src/linux-headers-$OLD/Module.symvers
n=$(find "$C_OLD/plain/lib/modules/$OLD" -name '*.ko' | wc -l)

# kmod's depmod sees the old modules under the new kernel's name (a dry run: nothing written).
mkdir -p "$WORK/mix/lib/modules/$NEW"
cp -al "$C_OLD/plain/lib/modules/$OLD/kernel" "$WORK/mix/lib/modules/$NEW/"
$CMP "abi check, $n modules vs another kernel" "$RUNS" \
  "/sbin/depmod -n -b $WORK/mix -e -E $S_NEW $NEW >/dev/null 2>&1" \
  "$M abi check -q -k $NEW --tree $C_NEW/plain/lib/modules/$NEW --boot $C_NEW/boot --symvers $S_NEW $C_OLD/plain/lib/modules/$OLD" \
  --abs-target 1.0
# The same kernel's own tree against itself: nothing is refused early, every check runs (each
# imported symbol's CRC, signatures against the kernel's certificate, dependencies).
n_new=$(find "$C_NEW/plain/lib/modules/$NEW" -name '*.ko' | wc -l)
$CMP "abi check, $n_new modules vs their own kernel (every check)" "$RUNS" \
  "/sbin/depmod -n -b $C_NEW/plain -e -E $S_NEW $NEW >/dev/null 2>&1" \
  "$M abi check -q -k $NEW --tree $C_NEW/plain/lib/modules/$NEW --boot $C_NEW/boot --symvers $S_NEW $C_NEW/plain/lib/modules/$NEW" \
  --abs-target 1.0
cat >"$WORK/join.sh" <<JOIN
export LC_ALL=C
key() { awk -F'\t' '{ print \$2 "\t" \$1 "|" \$4 "|" \$5 "|" \$3 }' "\$1" | sort -t'	' -k1,1 -u; }
key "$S_OLD" >"$WORK/a"; key "$S_NEW" >"$WORK/b"
join -t'	' -v2 "$WORK/a" "$WORK/b" | wc -l
join -t'	' -v1 "$WORK/a" "$WORK/b" | wc -l
join -t'	' "$WORK/a" "$WORK/b" | awk -F'\t' '\$2 != \$3' | wc -l
JOIN
$CMP "abi diff, two Module.symvers ($(wc -l <"$S_NEW") symbols)" "$((RUNS * 3))" \
  "bash $WORK/join.sh" "$M abi diff $S_OLD $S_NEW" --abs-target 0.1

# preflight: the running kernel's and the next kernel's trees, indexed; their boot files; a
# /proc and /sys snapshot; the next kernel's initramfs.
R=$WORK/root
mkdir -p "$R/lib/modules" "$R/boot" "$R/proc/sys/kernel" "$R/proc/self" "$R/usr/src/linux-headers-$NEW"
cp -al "$C_OLD/plain/lib/modules/$OLD" "$C_NEW/plain/lib/modules/$NEW" "$R/lib/modules/"
"$M" depmod -b "$R" "$OLD" && "$M" depmod -b "$R" "$NEW"
ln -s "$C_NEW/boot/config-$NEW" "$C_NEW/boot/vmlinuz-$NEW" "$R/boot/"
ln -s "$S_NEW" "$R/usr/src/linux-headers-$NEW/"
echo "$OLD" >"$R/proc/sys/kernel/osrelease"
printf '%s 16384 0 - Live 0x0\n' loop dummy ext4 jbd2 mbcache crc16 e1000e virtio_net virtio_blk \
  >"$R/proc/modules"
echo "22 1 254:1 / / rw - ext4 /dev/vda1 rw" >"$R/proc/self/mountinfo"
(cd "$C_NEW/plain" && find "lib/modules/$NEW/kernel/fs/ext4" "lib/modules/$NEW/kernel/drivers/block" | cpio -o -H newc --quiet | zstd -q -c) >"$R/boot/initrd.img-$NEW"
$CMP "preflight, 2 installed kernels" "$RUNS" - "$M preflight -b $R $NEW" --abs-target 2.0
