#!/usr/bin/env bash
# modinfo on bad input: each case gets kmod's exit code and a message naming the file.
# Where kmod's behaviour is sane the whole output is compared with kmod; where it is not
# (a corrupt index can make kmod 30 loop forever) modkit's exact message is asserted.
source "$(dirname "$0")/common.sh"

tree_copy plain "$WORK/t" index
MD=$WORK/t/lib/modules/$KVER
EXT4=$MD/kernel/fs/ext4/ext4.ko
B=$WORK/bad; mkdir -p "$B/dir.ko"
cd "$WORK"

printf 'hello world\n' >"$B/notelf.ko"
head -c 5000 "$EXT4" >"$B/trunc.ko"
head -c 3 "$EXT4" >"$B/tiny.ko"
xz -c --check=crc32 "$EXT4" >"$B/truncx.ko.xz" && truncate -s 20000 "$B/truncx.ko.xz"
zstd -qc "$EXT4" >"$B/truncz.ko.zst" && truncate -s 20000 "$B/truncz.ko.zst"
gzip -c "$EXT4" >"$B/truncg.ko.gz" && truncate -s 20000 "$B/truncg.ko.gz"
# A bit flip in the middle of the xz stream: xz's CRC catches it.
xz -c --check=crc32 "$EXT4" >"$B/flip.ko.xz"
printf '\xff' | dd of="$B/flip.ko.xz" bs=1 seek=40000 conv=notrunc status=none
# Signature trailers: a damaged PKCS#7 blob, an impossible length, an unknown hash id.
cp "$EXT4" "$B/badsig.ko"; sz=$(stat -c %s "$B/badsig.ko")
printf '\x00\x00\x00\x00' | dd of="$B/badsig.ko" bs=1 seek=$((sz - 28 - 12 - 300)) conv=notrunc status=none
cp "$EXT4" "$B/siglen.ko"
printf '\x7f\xff\xff\xff' | dd of="$B/siglen.ko" bs=1 seek=$((sz - 28 - 4)) conv=notrunc status=none
cp "$EXT4" "$B/sighash.ko"
printf '\x17' | dd of="$B/sighash.ko" bs=1 seek=$((sz - 28 - 12 + 1)) conv=notrunc status=none

# Constructed modules: a .modinfo key longer than 15 characters (printf's negative width
# still pads) and a parm= entry without ':' (kmod reports it and goes on).
python3 - "$EXT4" "$B" <<'PY'
import sys
src, out = sys.argv[1], sys.argv[2]
d = bytearray(open(src, 'rb').read())
def patch(old, new):
    i = d.find(old); assert i >= 0, old
    new = new[:len(old) - 1].ljust(len(old) - 1, b'x') + b'\0'
    d[i:i + len(old)] = new
patch(b'description=Fourth Extended Filesystem\0', b'a_rather_long_key_x=Fourth Extended')
open(out + '/longkey.ko', 'wb').write(d)
PY
python3 - "$MD/kernel/drivers/block/loop.ko" "$B" <<'PY'
import sys
src, out = sys.argv[1], sys.argv[2]
d = bytearray(open(src, 'rb').read())
i = d.find(b'parm=max_loop:'); assert i >= 0
d[i + len(b'parm=max_loop')] = ord('_')
open(out + '/nocolon.ko', 'wb').write(d)
PY

echo "-- same output and exit code as kmod"
compare "key longer than 15 characters" modinfo bad/longkey.ko
compare "parm without ':'" modinfo bad/nocolon.ko
compare "parm without ':' (-p)" modinfo -p bad/nocolon.ko
compare "missing file" modinfo /nonexistent/x.ko
compare "unknown name" modinfo -b "$WORK/t" -k "$KVER" no_such_module
compare "unknown name -m" modinfo -b "$WORK/t" -k "$KVER" -m no_such_module
compare "bad alias brackets" modinfo -b "$WORK/t" -k "$KVER" 'pci:v[0000'
compare "directory named .ko" modinfo bad/dir.ko
compare "damaged PKCS#7 (no signature shown)" modinfo bad/badsig.ko
compare "impossible signature length" modinfo bad/siglen.ko
compare "unknown signature hash id" modinfo bad/sighash.ko
compare "no arguments" modinfo
compare "bad option" modinfo -x
compare "missing -F argument" modinfo -F
compare "mixed good and bad" modinfo -b "$WORK/t" -k "$KVER" ext4 no_such_module loop

echo "-- kmod's exit code, plus a line naming the file and the problem"
err=$WORK/err
check() { # label file message errno-text
  local label=$1 f=$2 msg=$3 errtxt=$4
  local name; name=$(basename "$f"); name=${name%%.*}
  printf 'modinfo: ERROR: %s: %s\nmodinfo: ERROR: could not get modinfo from '"'"'%s'"'"': %s\n' \
    "$WORK/$f" "$msg" "$name" "$errtxt" >"$err"
  expect "$label" 1 "$err" modinfo "$f"
  local krc=0; /sbin/modinfo "$f" >/dev/null 2>&1 || krc=$?
  [ "$krc" = 1 ] || { echo "FAIL: $label: kmod exit $krc"; FAILURES=$((FAILURES + 1)); }
}
check "not an ELF file" bad/notelf.ko "not an ELF file" "Exec format error"
check "truncated module" bad/trunc.ko "file is too short to hold the section headers" "Invalid argument"
check "file shorter than the magic" bad/tiny.ko "file too short" "Invalid argument"
check "truncated xz" bad/truncx.ko.xz "xz: Unexpected end of input" "Invalid argument"
check "corrupt xz" bad/flip.ko.xz "xz: File is corrupt" "Invalid argument"
check "truncated zstd" bad/truncz.ko.zst "zstd: truncated input" "Invalid argument"
# gzip: Debian's kmod has no zlib, so it does not even see a module here; modkit does.
printf 'modinfo: ERROR: %s: gzip: unexpected end of file\nmodinfo: ERROR: could not get modinfo from '"'"'truncg'"'"': Invalid argument\n' "$WORK/bad/truncg.ko.gz" >"$err"
expect "truncated gzip" 1 "$err" modinfo bad/truncg.ko.gz

echo "-- corrupt indexes: a clear error instead of kmod's silence or endless loop"
mkdir -p "$WORK/c/lib/modules/$KVER"
C=$WORK/c/lib/modules/$KVER
cp "$MD"/modules.*.bin "$MD/modules.builtin.modinfo" "$C/"
printf 'garbagegarbagegarbage' >"$C/modules.dep.bin"
printf 'modinfo: ERROR: %s: bad index magic\n' "$C/modules.dep.bin" >"$err"
expect "garbage modules.dep.bin" 1 "$err" modinfo -b "$WORK/c" -k "$KVER" ext4
cp "$MD/modules.dep.bin" "$C/"
python3 - "$C/modules.dep.bin" <<'PY'
import sys; p = sys.argv[1]; d = bytearray(open(p, 'rb').read())
d[8:12] = b'\x8f\xff\xff\xf0'   # root pointer far outside the file
open(p, 'wb').write(d)
PY
printf 'modinfo: ERROR: %s: corrupt index: node prefix out of bounds\n' "$C/modules.dep.bin" >"$err"
expect "root pointer out of range" 1 "$err" modinfo -b "$WORK/c" -k "$KVER" ext4
cp "$MD/modules.dep.bin" "$C/"
head -c 100000 "$MD/modules.alias.bin" >"$C/modules.alias.bin"
rc=0; (exec -a modinfo "$MODKIT" -b "$WORK/c" -k "$KVER" -F filename 'pci:v00008086d000010D3sv00001028sd0000021Dbc02sc00i00') >/dev/null 2>"$err" || rc=$?
if [ "$rc" = 1 ] && grep -q "^modinfo: ERROR: $C/modules.alias.bin: corrupt index: " "$err"; then
  note "ok: truncated modules.alias.bin"
else
  echo "FAIL: truncated modules.alias.bin: rc=$rc $(cat "$err")"; FAILURES=$((FAILURES + 1))
fi

finish
