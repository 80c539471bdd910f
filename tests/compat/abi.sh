#!/usr/bin/env bash
# `modkit abi check` and `abi diff` on real Debian kernels of three generations (6.1, trixie's
# 6.12, sid's 7.2; scripts/fetch-kernel.sh), against independent oracles:
#   - kmod's `depmod -e -E Module.symvers`: the (module, symbol) pairs it reports as disagreeing
#     about a CRC or needing an unknown symbol must be exactly modkit's
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
    print("first", os.path.basename(m["path"]), m["error"])
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
# kmod's depmod -e -E as the oracle for the symbol checks: NEW's tree against its own
# Module.symvers in which some vmlinux exports have another CRC and some are gone (constructed:
# no two real builds differ in only a few symbols). The (module, symbol) pairs kmod reports as
# "disagrees about version" and "needs unknown symbol" must be modkit's crc-mismatch and
# unknown-symbol findings.
awk -F'\t' 'BEGIN { OFS = "\t" }
  $3 == "vmlinux" && $2 != "module_layout" && NR % 997 == 3 { $1 = sprintf("0x%08x", 0x5a5a5a5a); print; next }
  $3 == "vmlinux" && $2 != "module_layout" && NR % 1499 == 7 { next }
  { print }' "$(symvers "$C_NEW" "$NEW")" >"$WORK/edited.symvers"
mkdir -p "$WORK/mix/lib/modules"
cp -al "$C_NEW/plain/lib/modules/$NEW" "$WORK/mix/lib/modules/"
/sbin/depmod -b "$WORK/mix" -e -E "$WORK/edited.symvers" "$NEW" 2>"$WORK/kmod-e.err" || true
sed -nE -e 's#^depmod: WARNING: .*/([^/]+\.ko) disagrees about version of symbol (.*)$#crc-mismatch \1 \2#p' \
  -e 's#^depmod: WARNING: .*/([^/]+\.ko) needs unknown symbol (.*)$#unknown-symbol \1 \2#p' \
  "$WORK/kmod-e.err" | LC_ALL=C sort -u >"$WORK/kmod-pairs"
"$M" abi check --json --all -k "$NEW" --tree "$C_NEW/plain/lib/modules/$NEW" --symvers "$WORK/edited.symvers" \
  "$C_NEW/plain/lib/modules/$NEW" >"$WORK/edited.json" 2>/dev/null || true
python3 - "$WORK/edited.json" <<'PY' | LC_ALL=C sort -u >"$WORK/modkit-pairs"
import json, os, sys
for m in json.load(open(sys.argv[1]))["modules"]:
    for f in m.get("findings", []):
        if f["kind"] in ("crc-mismatch", "unknown-symbol"):
            print(f["kind"], os.path.basename(m["path"]), f["symbol"])
PY
if [ -s "$WORK/kmod-pairs" ] && cmp -s "$WORK/kmod-pairs" "$WORK/modkit-pairs"; then
  note "ok: the $(wc -l <"$WORK/kmod-pairs") (module, symbol) problems kmod's depmod -e finds are modkit's"
else
  echo "FAIL: symbol problems differ from kmod's depmod -e -E (kmod <, modkit >):"
  diff "$WORK/kmod-pairs" "$WORK/modkit-pairs" | head -10
  FAILURES=$((FAILURES + 1))
fi

# 1b. Two flavours of one ABI: 6.1.0-50-cloud-amd64 and 6.1.0-50-amd64. Their vermagic differs
#     only in the release, which the kernel does not compare with modversions on; what refuses
#     every cloud module in the generic kernel is module_layout's CRC (each build has its own).
CLOUD=${NEW%-amd64}-cloud-amd64
C_CLOUD=$(fetch "$CLOUD")
vm_generic=$("$M" modinfo -F vermagic "$C_NEW/plain/lib/modules/$NEW/kernel/drivers/net/dummy.ko")
vm_cloud=$("$M" modinfo -F vermagic "$C_CLOUD/plain/lib/modules/$CLOUD/kernel/drivers/net/dummy.ko")
if [ "${vm_generic#* }" = "${vm_cloud#* }" ] && [ "${vm_generic%% *}" != "${vm_cloud%% *}" ]; then
  note "ok: the flavours' vermagic differs only in the release (${vm_cloud%% *} vs ${vm_generic%% *})"
else
  echo "FAIL: flavour vermagic: '$vm_generic' vs '$vm_cloud'"
  FAILURES=$((FAILURES + 1))
fi
# shellcheck disable=SC2046
"$M" abi check --json $(target "$C_NEW" "$NEW") "$C_CLOUD/plain/lib/modules/$CLOUD" >"$WORK/cloud.json" || true
read -r refused layout total < <(python3 -c '
import json, sys
mods = json.load(open(sys.argv[1]))["modules"]
ref = [m for m in mods if m["verdict"] == "refused"]
lay = [m for m in ref if any(f["kind"] == "layout-mismatch"
                             and f["effect"] == "refuse" for f in m.get("findings", []))
       and m["error"] == "ENOEXEC"]
print(len(ref), len(lay), len(mods))' "$WORK/cloud.json")
count=$(find "$C_CLOUD/plain/lib/modules/$CLOUD" -name '*.ko' | wc -l)
if [ "$total" = "$count" ] && [ "$refused" = "$count" ] && [ "$layout" = "$count" ]; then
  note "ok: all $count modules of $CLOUD refused by $NEW for module_layout's CRC (ENOEXEC)"
else
  echo "FAIL: $CLOUD against $NEW: $refused refused, $layout for module_layout, of $total checked, $count in the tree"
  FAILURES=$((FAILURES + 1))
fi
# The flavours' exports: abi diff against join(1), on the symbols both export.
"$M" abi diff --json "$(symvers "$C_NEW" "$NEW")" "$(symvers "$C_CLOUD" "$CLOUD")" >"$WORK/flavour.json" || true
read -r f_added f_removed f_changed < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["added"], s["removed"], s["changed"])' "$WORK/flavour.json")
fkey() { awk -F'\t' '{ gpl = ($4 ~ /_GPL/) ? "G" : "-"; print $2 "\t" $1 "|" gpl "|" $5 "|" $3 }' "$1" | LC_ALL=C sort -t$'\t' -k1,1 -u; }
fkey "$(symvers "$C_NEW" "$NEW")" >"$WORK/fa"
fkey "$(symvers "$C_CLOUD" "$CLOUD")" >"$WORK/fb"
j="$(LC_ALL=C join -t$'\t' -v2 "$WORK/fa" "$WORK/fb" | wc -l) $(LC_ALL=C join -t$'\t' -v1 "$WORK/fa" "$WORK/fb" | wc -l) $(LC_ALL=C join -t$'\t' "$WORK/fa" "$WORK/fb" | awk -F'\t' '$2 != $3' | wc -l)"
if [ "$f_added $f_removed $f_changed" = "$j" ] && [ "$f_changed" -gt 1000 ]; then
  note "ok: abi diff $NEW -> $CLOUD: $f_added added, $f_removed removed, $f_changed changed (as join finds)"
else
  echo "FAIL: abi diff of the flavours says $f_added/$f_removed/$f_changed, join $j"
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

# 3. Export tables read from vmlinuz (and the modules) equal each kernel's Module.symvers; the
#    kernel's own modules load into it. 6.1's whole tree here; for 6.12 and 7.2 (.ko.xz trees,
#    slow to read whole on two cores) vmlinux's exports and a sample of 300 modules, the whole
#    trees in tests/compat/full/abi-generations.sh (make abi-full).
self_check() { # CACHE_DIR KVER full|sample
  local c=$1 k=$2 mode=$3 root=$WORK/root-$2 rc=0 sv=$(symvers "$1" "$2")
  mkdir -p "$root/lib/modules"
  ln -s "$c/boot" "$root/boot"
  if [ "$mode" = full ]; then
    ln -s "$c/plain/lib/modules/$k" "$root/lib/modules/$k"
  else
    mkdir -p "$root/lib/modules/$k" # no modules: the exports of vmlinux alone
    awk -F'\t' '$3 == "vmlinux"' "$sv" >"$WORK/vmlinux-$k.symvers"
    sv=$WORK/vmlinux-$k.symvers
  fi
  "$M" abi diff -b "$root" "$sv" "$k" >"$WORK/self-$k" 2>&1 || rc=$?
  if [ "$rc" = 0 ] && grep -q ' 0 added, 0 removed, 0 changed' "$WORK/self-$k"; then
    local what=vmlinuz
    [ "$mode" = full ] && what="vmlinuz and the modules"
    note "ok: $k: the exports read from $what equal Module.symvers ($(tail -1 "$WORK/self-$k" | cut -d' ' -f1) symbols)"
  else
    echo "FAIL: $k: exports read from the image differ from Module.symvers (rc=$rc):"
    head -8 "$WORK/self-$k"
    FAILURES=$((FAILURES + 1))
  fi
  local mods=("$c/plain/lib/modules/$k")
  [ "$mode" = sample ] && mapfile -t mods < <(find "$c/plain/lib/modules/$k" -name '*.ko*' | LC_ALL=C sort | awk 'NR % 14 == 1')
  rc=0
  # shellcheck disable=SC2046
  "$M" abi check -q $(target "$c" "$k") "${mods[@]}" >"$WORK/own-$k" 2>&1 || rc=$?
  local bad
  bad=$(grep -v -e ': loads$' -e ': loads, taints the kernel (C)$' -e ' modules against ' "$WORK/own-$k" | head -3 || true)
  if { [ "$rc" = 3 ] || [ "$rc" = 0 ]; } && [ -z "$bad" ]; then
    note "ok: $k: $(tail -1 "$WORK/own-$k")"
  else
    echo "FAIL: $k checked against itself (rc=$rc): $bad"
    FAILURES=$((FAILURES + 1))
  fi
}
self_check "$C_NEW" "$NEW" full
[ "${ABI_FULL:-0}" = 1 ] && mode=full || mode=sample
self_check "$C612" "$T612" "$mode"
self_check "$C72" "$T72" "$mode"

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
