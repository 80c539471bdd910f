#!/usr/bin/env bash
# `modkit abi check` and `abi diff` on real Debian kernels of three generations (6.1, trixie's
# 6.12, sid's 7.2; scripts/fetch-kernel.sh), against independent oracles:
#   - kmod's `depmod -e -E Module.symvers`: which modules of 6.1.0-47 disagree about a symbol's
#     CRC with 6.1.0-50, or need a symbol it lacks, must be exactly the modules modkit says so of
#   - coreutils join over the two Module.symvers: the counts abi diff gives
#   - each kernel's own Module.symvers: the export tables modkit reads from vmlinuz and the
#     modules themselves (prel32 tables and __kcrctab on 6.1, .ko.xz on 6.12, __kflagstab and no
#     CRCs on 7.2) must equal it, symbol by symbol (abi diff finds nothing)
#   - every kernel's own tree checked against itself loads (staging drivers taint C)
source "$(dirname "$0")/common.sh"

OLD=6.1.0-47-amd64 NEW=$KVER T612=6.12.117+deb13-amd64 T72=7.2.13+deb14-amd64
fetch() { bash "$ROOT/scripts/fetch-kernel.sh" "$1" 2>/dev/null || skip "cannot fetch kernel $1"; }
C_OLD=$(fetch $OLD) C612=$(fetch $T612) C72=$(fetch $T72)
C_NEW=$(readlink -f "$CACHE")
symvers() { echo "$1/headers/usr/src/linux-headers-$2/Module.symvers"; }
target() { # CACHE_DIR KVER: the options naming that kernel's cached files
  echo "-k $2 --tree $1/plain/lib/modules/$2 --boot $1/boot --symvers $(symvers "$1" "$2")"
}
M=$MODKIT

# 1. 6.1.0-47's modules against 6.1.0-50, and kmod's depmod -e as the oracle for the symbols.
t0=$(date +%s%N)
# shellcheck disable=SC2046
"$M" abi check --json $(target "$C_NEW" "$NEW") "$C_OLD/plain/lib/modules/$OLD" >"$WORK/old-vs-new.json" || true
t1=$(date +%s%N)
note "abi check of $OLD's tree against $NEW: $(((t1 - t0) / 1000000)) ms"
python3 - "$WORK/old-vs-new.json" >"$WORK/modkit-sets" <<'PY'
import json, os, sys
doc = json.load(open(sys.argv[1]))
s = doc["summary"]
print(f"summary {s['loads']} {s['taints']} {s['refused']} {s['unreadable']}")
for m in doc["modules"]:
    kinds = {f["kind"] for f in m.get("findings", [])}
    name = os.path.basename(m["path"])
    if kinds & {"crc-mismatch", "layout-mismatch"}: print("crc", name)
    if "unknown-symbol" in kinds: print("unknown", name)
    errs = {f.get("error") for f in m.get("findings", []) if f["effect"] == "refuse"}
    print("first", name, m["error"])
PY
read -r _ loads taints refused unreadable < <(grep '^summary' "$WORK/modkit-sets")
count=$(find "$C_OLD/plain/lib/modules/$OLD" -name '*.ko' | wc -l)
if [ "$refused" = "$count" ] && [ "$loads$taints$unreadable" = 000 ]; then
  note "ok: all $count modules of $OLD refused by $NEW"
else
  echo "FAIL: $OLD against $NEW: $loads load, $taints taint, $refused refused, $unreadable unreadable of $count"
  FAILURES=$((FAILURES + 1))
fi
if grep '^first' "$WORK/modkit-sets" | grep -qv ' ENOEXEC$'; then
  echo "FAIL: a module of $OLD refused with something else than ENOEXEC (module_layout comes first):"
  grep '^first' "$WORK/modkit-sets" | grep -v ' ENOEXEC$' | head -5
  FAILURES=$((FAILURES + 1))
else
  note "ok: every refusal is module_layout's ENOEXEC, as the kernel's order makes it"
fi
# kmod's view: the old modules placed in a copy of the new tree, checked with -e -E.
mkdir -p "$WORK/mix/lib/modules"
cp -al "$C_NEW/plain/lib/modules/$NEW" "$WORK/mix/lib/modules/"
mkdir -p "$WORK/mix/lib/modules/$NEW/extra"
(cd "$C_OLD/plain/lib/modules/$OLD" && find . -name '*.ko' | sed 's|^\./||' | LC_ALL=C sort) >"$WORK/old-list"
# Only modules whose name the new tree does not have, so depmod checks each once.
while read -r rel; do
  b=$(basename "$rel")
  [ -e "$WORK/mix/lib/modules/$NEW/$rel" ] && continue
  cp "$C_OLD/plain/lib/modules/$OLD/$rel" "$WORK/mix/lib/modules/$NEW/extra/$b"
done <"$WORK/old-list"
# Rename-free subset: every old module under extra/old-<name>, depmod indexes both.
rm -rf "$WORK/mix/lib/modules/$NEW/extra"
mkdir -p "$WORK/mix2/lib/modules/$NEW"
cp -al "$C_OLD/plain/lib/modules/$OLD/kernel" "$WORK/mix2/lib/modules/$NEW/kernel"
cp "$C_OLD/plain/lib/modules/$OLD/modules.order" "$WORK/mix2/lib/modules/$NEW/" 2>/dev/null || true
/sbin/depmod -b "$WORK/mix2" -e -E "$(symvers "$C_NEW" "$NEW")" "$NEW" 2>"$WORK/kmod-e.err" || true
sed -nE 's#^depmod: WARNING: .*/([^/]+\.ko) disagrees about version of symbol .*#crc \1#p' "$WORK/kmod-e.err" | sort -u >"$WORK/kmod-crc"
grep '^crc ' "$WORK/modkit-sets" | sort -u >"$WORK/modkit-crc"
if cmp -s "$WORK/kmod-crc" "$WORK/modkit-crc"; then
  note "ok: the $(wc -l <"$WORK/kmod-crc") modules kmod's depmod -e finds disagreeing about CRCs are modkit's"
else
  echo "FAIL: modules with CRC disagreements differ (kmod <, modkit >):"
  diff "$WORK/kmod-crc" "$WORK/modkit-crc" | head -10
  FAILURES=$((FAILURES + 1))
fi
sed -nE 's#^depmod: WARNING: .*/([^/]+\.ko) needs unknown symbol .*#unknown \1#p' "$WORK/kmod-e.err" | sort -u >"$WORK/kmod-unknown"
grep '^unknown ' "$WORK/modkit-sets" | sort -u >"$WORK/modkit-unknown"
if cmp -s "$WORK/kmod-unknown" "$WORK/modkit-unknown"; then
  note "ok: the $(wc -l <"$WORK/kmod-unknown") modules kmod finds needing unknown symbols are modkit's"
else
  echo "FAIL: modules needing unknown symbols differ (kmod <, modkit >):"
  diff "$WORK/kmod-unknown" "$WORK/modkit-unknown" | head -10
  FAILURES=$((FAILURES + 1))
fi

# 2. abi diff of two Module.symvers against join(1).
"$M" abi diff --json "$(symvers "$C_OLD" "$OLD")" "$(symvers "$C_NEW" "$NEW")" >"$WORK/diff.json" || true
read -r added removed changed < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["added"], s["removed"], s["changed"])' "$WORK/diff.json")
key() { awk -F'\t' '{ gpl = ($4 ~ /_GPL/) ? "G" : "-"; print $2 "\t" $1 "|" gpl "|" $5 "|" $3 }' "$1" | LC_ALL=C sort -t$'\t' -k1,1 -u; }
key "$(symvers "$C_OLD" "$OLD")" >"$WORK/a"
key "$(symvers "$C_NEW" "$NEW")" >"$WORK/b"
j_added=$(LC_ALL=C join -t$'\t' -v2 "$WORK/a" "$WORK/b" | wc -l)
j_removed=$(LC_ALL=C join -t$'\t' -v1 "$WORK/a" "$WORK/b" | wc -l)
j_changed=$(LC_ALL=C join -t$'\t' "$WORK/a" "$WORK/b" | awk -F'\t' '$2 != $3' | wc -l)
if [ "$added $removed $changed" = "$j_added $j_removed $j_changed" ]; then
  note "ok: abi diff $OLD -> $NEW: $added added, $removed removed, $changed changed (as join finds)"
else
  echo "FAIL: abi diff says $added/$removed/$changed added/removed/changed, join $j_added/$j_removed/$j_changed"
  FAILURES=$((FAILURES + 1))
fi
[ "$changed" -gt 15000 ] && note "ok: more than 15000 exports changed CRC between the two ABIs" ||
  { echo "FAIL: only $changed changes between $OLD and $NEW"; FAILURES=$((FAILURES + 1)); }

# 3. Export tables read from vmlinuz and the modules equal each kernel's Module.symvers; each
#    tree checked against itself loads.
for pair in "$C_NEW $NEW" "$C612 $T612" "$C72 $T72"; do
  read -r c k <<<"$pair"
  root=$WORK/root-$k
  mkdir -p "$root/lib/modules"
  ln -s "$c/plain/lib/modules/$k" "$root/lib/modules/$k"
  ln -s "$c/boot" "$root/boot"
  rc=0
  "$M" abi diff -b "$root" "$(symvers "$c" "$k")" "$k" >"$WORK/self-$k" 2>&1 || rc=$?
  if [ "$rc" = 0 ] && grep -q ' 0 added, 0 removed, 0 changed' "$WORK/self-$k"; then
    note "ok: $k: the exports of vmlinuz and $(find "$c/plain/lib/modules/$k" -name '*.ko*' | wc -l) modules equal Module.symvers"
  else
    echo "FAIL: $k: exports read from the image and tree differ from Module.symvers (rc=$rc):"
    grep -v '^  ' "$WORK/self-$k" | tail -3
    head -8 "$WORK/self-$k"
    FAILURES=$((FAILURES + 1))
  fi
  rc=0
  # shellcheck disable=SC2046
  "$M" abi check -q $(target "$c" "$k") "$c/plain/lib/modules/$k" >"$WORK/own-$k" 2>&1 || rc=$?
  bad=$(grep -v -e ': loads$' -e ': loads, taints the kernel (C)$' -e ' modules against ' "$WORK/own-$k" | head -3)
  if [ "$rc" = 3 ] && [ -z "$bad" ]; then
    note "ok: $k: $(tail -1 "$WORK/own-$k")"
  else
    echo "FAIL: $k checked against itself (rc=$rc): $bad"
    FAILURES=$((FAILURES + 1))
  fi
done

# 4. Across generations: 6.12's modules into 7.2 (no modversions: the whole vermagic counts).
rc=0
# shellcheck disable=SC2046
"$M" abi check -q $(target "$C72" "$T72") "$C612/plain/lib/modules/$T612/kernel/drivers/net/dummy.ko.xz" >"$WORK/x" || rc=$?
expected="refused: Invalid module format (ENOEXEC)"
grep -q "$expected" "$WORK/x" && [ "$rc" = 1 ] && note "ok: 6.12's dummy refused by 7.2 (vermagic)" ||
  { echo "FAIL: 6.12 into 7.2: rc=$rc $(cat "$WORK/x")"; FAILURES=$((FAILURES + 1)); }

# 5. Bad input: a corrupt Module.symvers names its file and line, exit 2.
printf '0x1\tok\tvmlinux\tEXPORT_SYMBOL\t\nnot a line\n' >"$WORK/bad.symvers"
rc=0
err=$("$M" abi check -k "$NEW" --tree "$C_NEW/plain/lib/modules/$NEW" --symvers "$WORK/bad.symvers" \
  "$C_NEW/plain/lib/modules/$NEW/kernel/drivers/net/dummy.ko" 2>&1 >/dev/null) || rc=$?
[ "$rc" = 2 ] && [[ "$err" == *"bad.symvers:2:"* ]] && note "ok: corrupt Module.symvers: exit 2, $err" ||
  { echo "FAIL: corrupt Module.symvers: rc=$rc err=$err"; FAILURES=$((FAILURES + 1)); }
rc=0
err=$("$M" abi diff "$WORK/bad.symvers" "$(symvers "$C_NEW" "$NEW")" 2>&1 >/dev/null) || rc=$?
[ "$rc" = 2 ] && [[ "$err" == *"bad.symvers:2:"* ]] && note "ok: abi diff of a corrupt file: exit 2" ||
  { echo "FAIL: abi diff of a corrupt file: rc=$rc err=$err"; FAILURES=$((FAILURES + 1)); }

[ "$FAILURES" = 0 ]
