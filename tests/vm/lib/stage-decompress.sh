#!/usr/bin/env bash
# Host side of tests/vm/cases/decompress.sh: copies of brd in the compressions the trixie kernel
# does not decompress itself (zstd, gzip) and uncompressed, in /opt/modkit-vm/decompress/.
# usage: stage-decompress.sh STAGE   env: KVER, FULL (an indexed copy of the tree)
set -euo pipefail
stage=$1
out=$stage/opt/modkit-vm/decompress
mkdir -p "$out"
rel=$(grep -E '(^|/)brd\.ko(\.[a-z]+)?:' "$FULL/lib/modules/$KVER/modules.dep" | cut -d: -f1)
src=$FULL/lib/modules/$KVER/$rel
case $src in
*.xz) xz -dc "$src" >"$out/brd.ko" ;;
*.zst) zstd -qdc "$src" >"$out/brd.ko" ;;
*) cp "$src" "$out/brd.ko" ;;
esac
zstd -q -19 -c "$out/brd.ko" >"$out/brd.ko.zst"
gzip -9nc "$out/brd.ko" >"$out/brd.ko.gz"
xz --check=crc32 -c "$out/brd.ko" >"$out/brd.ko.xz"
