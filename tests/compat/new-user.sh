#!/usr/bin/env bash
# The defects a new user hit (issue 8), each replayed: a small tree indexed by modkit's own
# depmod (0-byte modules.builtin.bin) queried by modinfo, modprobe -D and explain, compared
# with kmod where kmod answers; an alias to no module; options that do not apply refused;
# explain on a missing module directory, with command-line parameters and --help; an
# explosive depmod.d pattern.
source "$(dirname "$0")/common.sh"

kv=9.9.9-small
root=$WORK/small
mods=$root/lib/modules/$kv
mkdir -p "$mods/kernel"
plain=$CACHE/plain/lib/modules/$KVER/kernel
cp "$plain/drivers/block/loop.ko" "$plain/lib/crc16.ko" "$mods/kernel/"
# No modules.builtin, modules.order or modules.builtin.modinfo: depmod writes a 0-byte
# modules.builtin.bin, as kmod's depmod does.
"$MODKIT" depmod -b "$root" "$kv" 2>/dev/null
[ -e "$mods/modules.builtin.bin" ] && [ ! -s "$mods/modules.builtin.bin" ] ||
  { echo "FAIL: depmod did not write a 0-byte modules.builtin.bin"; exit 1; }

echo "-- 1. a tree indexed by modkit's depmod, without modules.builtin"
compare "modinfo by name" modinfo -b "$root" -k "$kv" loop
compare "modinfo -F filename by name" modinfo -b "$root" -k "$kv" -F filename crc16
compare "modprobe --show-depends" modprobe -d "$root" -S "$kv" --show-depends loop
compare "modprobe -R" modprobe -d "$root" -S "$kv" -R loop
rc=0
"$MODKIT" explain -d "$root" -S "$kv" loop >"$WORK/ex1" 2>&1 || rc=$?
if [ "$rc" = 0 ] && grep -q "insmod $mods/kernel/loop.ko" "$WORK/ex1"; then
  note "ok: explain answers"
else
  echo "FAIL: explain on the small tree (exit $rc)"; sed 's/^/    /' "$WORK/ex1"; FAILURES=$((FAILURES + 1))
fi

echo "-- 2. --show-depends of an alias that points at no module"
# An alias index naming a module modules.dep does not have (the reference writer needs the
# module in modules.dep to index it; modules.dep.bin is left without it).
idx=$WORK/idx; mkdir -p "$idx"
cp "$mods/modules.dep" "$WORK/dep.keep"
echo "kernel/nosuchmodule.ko:" >>"$mods/modules.dep"
printf 'alias ghost-thing nosuchmodule\n' >>"$mods/modules.alias"
: >"$mods/modules.builtin"; : >"$mods/modules.builtin.modinfo"
python3 "$IDXWRITE" "$mods" "$idx" pre
cp "$idx/modules.alias.bin" "$mods/"
cp "$WORK/dep.keep" "$mods/modules.dep"
rm "$mods/modules.builtin" "$mods/modules.builtin.modinfo"
compare "show-depends of an alias to nothing" modprobe -d "$root" -S "$kv" --show-depends ghost-thing
compare "dry run of an alias to nothing" modprobe -d "$root" -S "$kv" -n -v ghost-thing

echo "-- 3. an option that does not apply is a usage error, and nothing is loaded"
# (-c, -D, -R, --show-modversions and --show-exports take --json since issue 13: tests/compat/json.sh)
for args in "--json loop" "-r --json loop" "-r -D --json loop" "--explain -c"; do
  rc=0
  # shellcheck disable=SC2086
  capsh --drop=cap_sys_module -- -c "exec -a modprobe '$MODKIT' -d '$root' -S '$kv' $args" \
    >"$WORK/o3" 2>"$WORK/e3" || rc=$?
  if [ "$rc" = 1 ] && [ ! -s "$WORK/o3" ] && grep -q "modprobe: ERROR: --" "$WORK/e3"; then
    note "ok: modprobe $args refused"
  else
    echo "FAIL: modprobe $args: exit $rc"; cat "$WORK/o3" "$WORK/e3" | sed 's/^/    /'
    FAILURES=$((FAILURES + 1))
  fi
done

echo "-- 3b. modprobe says why when the kernel's module directory is gone (after kmod's line)"
rc=0
capsh --drop=cap_sys_module -- -c "exec -a modprobe '$MODKIT' -d '$root' -S 9.9.9-gone loop" >"$WORK/o3b" 2>"$WORK/e3b" || rc=$?
if [ "$rc" = 1 ] && [ "$(sed -n 1p "$WORK/e3b")" = "modprobe: FATAL: Module loop not found in directory $root/lib/modules/9.9.9-gone" ] &&
   sed -n 2p "$WORK/e3b" | grep -q "^modprobe: hint: $root/lib/modules/9.9.9-gone does not exist: .* ($root/lib/modules has: $kv)$"; then
  note "ok: kmod's line, then the hint naming the installed kernels"
else
  echo "FAIL: missing module directory hint (exit $rc)"; sed 's/^/    /' "$WORK/e3b"; FAILURES=$((FAILURES + 1))
fi

echo "-- 4. explain says what is missing"
expect_explain() { # LABEL PATTERN ARGS...
  local label=$1 pattern=$2; shift 2
  local rc=0
  "$MODKIT" explain "$@" >"$WORK/ex" 2>&1 || rc=$?
  if grep -q -- "$pattern" "$WORK/ex"; then
    note "ok: $label"
  else
    echo "FAIL: $label (exit $rc)"; sed 's/^/    /' "$WORK/ex"; FAILURES=$((FAILURES + 1))
  fi
}
expect_explain "no module directory" "$root/lib/modules/0.0-gone does not exist" \
  -d "$root" -S 0.0-gone loop
expect_explain "no module directory: what it means" "upgraded or removed since the last boot" \
  -d "$root" -S 0.0-gone loop
mkdir -p "$root/lib/modules/0.0-bare"
expect_explain "no modules.dep.bin" "Run: depmod 0.0-bare" -d "$root" -S 0.0-bare loop

echo "-- 5. explain shows command-line parameters with their source"
expect_explain "parameters in the options line" "max_loop=4  \[command line\]" \
  -d "$root" -S "$kv" loop max_loop=4
expect_explain "parameters in the plan" "options: max_loop=4" -d "$root" -S "$kv" loop max_loop=4
"$MODKIT" explain --json -d "$root" -S "$kv" loop max_loop=4 >"$WORK/ex.json"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); o=d[0]["modules"][0]["options"]; assert {"options":"max_loop=4","origin":"command line"} in o, o' "$WORK/ex.json"; then
  note "ok: parameters in the JSON options"
else
  echo "FAIL: JSON options"; FAILURES=$((FAILURES + 1))
fi

echo "-- 6. modkit explain --help is explain's own"
expect_explain "explain --help" "modkit explain \[options\] modulename" --help

echo "-- 10. a depmod.d pattern whose repetitions would explode regcomp"
mkdir -p "$WORK/depmod.d"
printf 'override loop 9+++++++++++++++++++++++++++++++++++ kernel\nexternal a{255}{255} /x\n' \
  >"$WORK/depmod.d/explode.conf"
rc=0
(ulimit -v 1048576; timeout 60 "$MODKIT" depmod -C "$WORK/depmod.d" -b "$root" "$kv") \
  >/dev/null 2>"$WORK/e10" || rc=$?
if [ "$rc" = 0 ]; then
  note "ok: depmod with an explosive pattern finishes within 1 GiB"
else
  echo "FAIL: depmod with an explosive pattern: exit $rc"; sed 's/^/    /' "$WORK/e10"
  FAILURES=$((FAILURES + 1))
fi

finish
