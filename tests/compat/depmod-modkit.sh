#!/usr/bin/env bash
# depmod behaviour kmod 30 has no counterpart for: -o/--outdir and -m/--moduledir (kmod 31/34),
# -A with sub-second times, the incremental cache (always equal to a full run), damaged caches,
# the refusal of non-ASCII index keys (kmod 34), concurrent runs, and a depmod killed with
# SIGKILL at random moments, which must never leave a half-written or inconsistent set.
source "$(dirname "$0")/common.sh"

K=6.1.0-test
mk() { python3 "$ROOT/tests/compat/lib/mkmod.py" "$@"; }
dm() { (exec -a depmod "$MODKIT" "$@"); }
same_outputs() { # LABEL DIR_A DIR_B
  local bad=""
  for f in $DEPMOD_TEXT $DEPMOD_BIN modules.weakdep; do cmp -s "$2/$f" "$3/$f" || bad+=" $f"; done
  if [ -n "$bad" ]; then echo "FAIL: $1: differs:$bad"; FAILURES=$((FAILURES + 1)); else note "ok: $1"; fi
}

# A small tree of generated modules with dependencies, plus the real Debian tree for scale.
T=$WORK/t; MD=$T/lib/modules/$K
mkdir -p "$MD/kernel/a" "$MD/kernel/b"
for i in $(seq 1 40); do mk "$MD/kernel/a/m$i.ko" --export "s$i" --import "s$(( (i % 7) + 41 ))" --modinfo "alias=m$i-alias"; done
for i in $(seq 41 47); do mk "$MD/kernel/b/m$i.ko" --export "s$i" --modinfo "alias=pci:v0000${i}d*"; done
(cd "$MD" && find kernel -name '*.ko' | sort >modules.order)
printf 'kernel/fs/binfmt_script.ko\n' >"$MD/modules.builtin"
printf 'binfmt_script.license=GPL\0' >"$MD/modules.builtin.modinfo"

echo "-- -o/--outdir writes elsewhere and leaves the module directory alone"
dm -b "$T" --no-cache "$K"; take_outputs "$MD" "$WORK/base"
before=$(ls "$MD" | sort | md5sum)
mkdir -p "$WORK/out"
dm -b "$T" -o "$WORK/out" --no-cache "$K"
[ "$(ls "$MD" | sort | md5sum)" = "$before" ] && note "ok: module directory untouched" || { echo "FAIL: -o touched the module dir"; FAILURES=$((FAILURES + 1)); }
same_outputs "-o output equals an in-place run" "$WORK/base" "$WORK/out/lib/modules/$K"

echo "-- -m/--moduledir (kmod 34): another module directory under basedir"
mkdir -p "$WORK/um/usr/lib/modules"; cp -a "$MD" "$WORK/um/usr/lib/modules/"
dm -b "$WORK/um" -m /usr/lib/modules --no-cache "$K"
same_outputs "-m /usr/lib/modules" "$WORK/base" "$WORK/um/usr/lib/modules/$K"
dm -b "$WORK/um" --moduledir=usr/lib/modules --no-cache "$K"
same_outputs "--moduledir without leading slash" "$WORK/base" "$WORK/um/usr/lib/modules/$K"

echo "-- -A: nothing to do when no module is newer than modules.dep"
dm -b "$T" "$K"
stamp=$(stat -c %Y.%y "$MD/modules.dep"); sleep 0.05
dm -b "$T" -A "$K"
[ "$(stat -c %Y.%y "$MD/modules.dep")" = "$stamp" ] && note "ok: -A skipped an up-to-date tree" || { echo "FAIL: -A rewrote an up-to-date tree"; FAILURES=$((FAILURES + 1)); }
touch "$MD/kernel/a/m3.ko"
dm -b "$T" -A "$K"
[ "$(stat -c %Y.%y "$MD/modules.dep")" != "$stamp" ] && note "ok: -A regenerated after a module changed" || { echo "FAIL: -A missed a newer module"; FAILURES=$((FAILURES + 1)); }
out=$(dm -b "$T" -A -n "$K"); [ -z "$out" ] && note "ok: -A -n does nothing" || { echo "FAIL: -A -n printed"; FAILURES=$((FAILURES + 1)); }

echo "-- the incremental cache always equals a full run"
check_incremental() { # LABEL EXPECTED_READ
  local got; got=$(MODKIT_TIMING=1 dm -b "$T" "$K" 2>&1 | sed -n 's/^timing: \([0-9]*\) modules read.*/\1/p')
  take_outputs "$MD" "$WORK/inc"
  dm -b "$T" --no-cache "$K"; take_outputs "$MD" "$WORK/full"
  [ -e "$WORK/full/modules.modkit.cache" ] && { echo "FAIL: --no-cache wrote a cache"; FAILURES=$((FAILURES + 1)); }
  mv "$WORK/inc/modules.modkit.cache" "$MD/"
  same_outputs "$1: incremental = full" "$WORK/full" "$WORK/inc"
  if [ -n "$2" ] && [ "$got" != "$2" ]; then echo "FAIL: $1: read $got modules, expected $2"; FAILURES=$((FAILURES + 1)); fi
}
rm -f "$MD/modules.modkit.cache"
check_incremental "first run (no cache)" 47
check_incremental "nothing changed" 0
mk "$MD/kernel/a/new.ko" --export s_new --import s1 --modinfo alias=new-alias
check_incremental "module added" 1
mk "$MD/kernel/a/m5.ko" --export s5 --export s5b --import s42 --modinfo alias=changed
check_incremental "module replaced" 1
touch -d '2001-01-01 00:00:00.123456789' "$MD/kernel/b/m44.ko"
check_incremental "module touched" 1
rm "$MD/kernel/a/m7.ko"
check_incremental "module removed" 0
mv "$MD/kernel/a/m8.ko" "$MD/kernel/b/m8.ko"
check_incremental "module moved" 1
cp "$MD/kernel/a/m9.ko" "$WORK/m9"; cat "$WORK/m9" >"$MD/kernel/a/m9.ko"
check_incremental "module rewritten in place" ""
for i in 1 2 3 4 5 6 7 8 9; do touch "$MD/kernel/a/m1$i.ko"; check_incremental "segment $i appended" 1; done
check_incremental "after many appends" 0

echo "-- a damaged or foreign cache is ignored with a warning, never trusted"
C=$MD/modules.modkit.cache
damage() { # LABEL COMMAND
  dm -b "$T" "$K"; eval "$2"
  local err; err=$(dm -b "$T" "$K" 2>&1 >/dev/null)
  take_outputs "$MD" "$WORK/dmg"
  dm -b "$T" --no-cache "$K"; take_outputs "$MD" "$WORK/full"
  mv "$WORK/dmg/modules.modkit.cache" "$MD/" 2>/dev/null || true
  same_outputs "$1: result correct" "$WORK/full" "$WORK/dmg"
  if [ -n "$3" ]; then
    case $err in *"WARNING: ignoring $C: "*) note "ok: $1: warned";; *) echo "FAIL: $1: no warning ($err)"; FAILURES=$((FAILURES + 1));; esac
  fi
}
damage "truncated cache" "truncate -s 1000 $C" warn
damage "garbage cache" "head -c 5000 /dev/urandom >$C" warn
damage "bit flip in cache" "printf '\\xff' | dd of=$C bs=1 seek=3000 conv=notrunc status=none" warn
damage "empty cache" ": >$C" warn
dm -b "$T" "$K"; mkdir -p "$WORK/other/lib/modules"; cp -a "$MD" "$WORK/other/lib/modules/"
err=$(dm -b "$WORK/other" "$K" 2>&1 >/dev/null)
case $err in *"belongs to another module directory"*) note "ok: foreign cache detected";; *) echo "FAIL: foreign cache not detected: $err"; FAILURES=$((FAILURES + 1));; esac

echo "-- non-ASCII index keys are refused (kmod 34), nothing is written"
mk "$MD/kernel/a/bad8bit.ko" --modinfo "$(printf 'alias=caf\xc3\xa9')"
dm -b "$T" "$K" >/dev/null 2>&1 || true
take_outputs "$MD" "$WORK/ok8"
rc=0; err=$(dm -b "$T" "$K" 2>&1) || rc=$?
if [ "$rc" = 1 ] && [[ $err == *"FATAL: Module index: bad character"* ]] && [ ! -e "$MD/modules.dep" ]; then
  note "ok: non-ASCII alias refused"
else echo "FAIL: non-ASCII alias: rc=$rc $err"; FAILURES=$((FAILURES + 1)); fi
rm "$MD/kernel/a/bad8bit.ko"

echo "-- concurrent runs serialise on the directory lock"
dm -b "$T" --no-cache "$K"; take_outputs "$MD" "$WORK/ref"
for i in 1 2 3 4; do (exec -a depmod "$MODKIT" -b "$T" "$K") & done; wait
same_outputs "four concurrent runs" "$WORK/ref" "$MD"
left=$(ls -a "$MD" | grep -c '^\.modules\.' || true)
[ "$left" = 0 ] && note "ok: no temporary files left" || { echo "FAIL: $left temporary files left"; FAILURES=$((FAILURES + 1)); }

echo "-- SIGKILL at random moments: every file complete, the set consistent or recoverable"
R=$WORK/real; tree_copy plain "$R"; RD=$R/lib/modules/$KVER
dm -b "$R" --no-cache "$KVER"; take_outputs "$RD" "$WORK/old"
cp "$RD/kernel/drivers/block/loop.ko" "$RD/kernel/drivers/block/loopx.ko"
dm -b "$R" --no-cache "$KVER"; take_outputs "$RD" "$WORK/new"
files="$DEPMOD_TEXT $DEPMOD_BIN modules.weakdep"
changing=""  # files that differ between the two states decide "old", "new" or "mixed"
for f in $files; do cmp -s "$WORK/old/$f" "$WORK/new/$f" || changing+=" $f"; done
states=0 mixed=0
for i in $(seq 1 40); do
  for f in $files; do cp "$WORK/old/$f" "$RD/$f"; done
  # exec in the background subshell: $! is modkit itself, so the kill hits depmod, not bash.
  (exec -a depmod "$MODKIT" -b "$R" --no-cache "$KVER") & pid=$!
  sleep "0.$(printf '%03d' $(( (RANDOM % 400) + 5 )))"
  kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  n_old=0 n_new=0
  for f in $files; do
    if cmp -s "$WORK/old/$f" "$WORK/new/$f"; then
      cmp -s "$RD/$f" "$WORK/old/$f" || { echo "FAIL: kill $i: $f damaged"; FAILURES=$((FAILURES + 1)); }
    elif cmp -s "$RD/$f" "$WORK/old/$f"; then n_old=$((n_old + 1))
    elif cmp -s "$RD/$f" "$WORK/new/$f"; then n_new=$((n_new + 1))
    else echo "FAIL: kill $i: $f is neither the old nor the new file"; FAILURES=$((FAILURES + 1)); fi
  done
  if [ "$n_old" -gt 0 ] && [ "$n_new" -gt 0 ]; then
    mixed=$((mixed + 1))
    if [ ! -e "$RD/modules.modkit-commit" ]; then
      echo "FAIL: kill $i: mixed set without a commit journal"
      for f in $changing; do cmp -s "$RD/$f" "$WORK/old/$f" && echo "    old: $f" || echo "    new: $f"; done
      FAILURES=$((FAILURES + 1))
    fi
  fi
  # The next run finishes whatever was interrupted and reaches the new state.
  dm -b "$R" --no-cache "$KVER"
  for f in $files; do cmp -s "$RD/$f" "$WORK/new/$f" || { echo "FAIL: kill $i: $f not recovered"; FAILURES=$((FAILURES + 1)); }; done
  [ -z "$(ls -a "$RD" | grep '^\.modules\.' || true)" ] || { echo "FAIL: kill $i: temporary files left after recovery"; FAILURES=$((FAILURES + 1)); }
  states=$((states + 1))
done
note "ok: $states random kills checked ($mixed caught during the renames and recovered)"

# The rename window is microseconds wide, so also kill there on purpose (MODKIT_FAULT) after
# each possible number of renames, and while the temporary files are being written.
for point in depmod-write:1 depmod-write:6 depmod-write:11 depmod-rename:1 depmod-rename:4 depmod-rename:7 depmod-rename:11; do
  for f in $files; do cp "$WORK/old/$f" "$RD/$f"; done
  ( (MODKIT_FAULT=$point exec -a depmod "$MODKIT" -b "$R" --no-cache "$KVER") ) 2>/dev/null && { echo "FAIL: $point: not killed"; FAILURES=$((FAILURES + 1)); }
  n_old=0 n_new=0
  for f in $changing; do
    if cmp -s "$RD/$f" "$WORK/old/$f"; then n_old=$((n_old + 1))
    elif cmp -s "$RD/$f" "$WORK/new/$f"; then n_new=$((n_new + 1))
    else echo "FAIL: $point: $f is neither old nor new"; FAILURES=$((FAILURES + 1)); fi
  done
  journal=no; [ -e "$RD/modules.modkit-commit" ] && journal=yes
  case $point in
    depmod-write:*) [ "$n_new" = 0 ] || { echo "FAIL: $point: files replaced before all were written"; FAILURES=$((FAILURES + 1)); } ;;
    *) [ "$journal" = yes ] || { echo "FAIL: $point: no journal after a kill during the renames"; FAILURES=$((FAILURES + 1)); } ;;
  esac
  dm -b "$R" --no-cache "$KVER"
  for f in $files; do cmp -s "$RD/$f" "$WORK/new/$f" || { echo "FAIL: $point: $f not recovered"; FAILURES=$((FAILURES + 1)); }; done
  [ -z "$(ls -a "$RD" | grep -E '^\.modules\.|modkit-commit' || true)" ] || { echo "FAIL: $point: leftovers after recovery"; FAILURES=$((FAILURES + 1)); }
  note "ok: killed at $point ($n_old old, $n_new new, journal $journal): recovered"
done

finish
