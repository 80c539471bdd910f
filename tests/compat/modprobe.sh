#!/usr/bin/env bash
# modprobe against kmod's modprobe on the real Debian tree indexed by modkit's depmod, under a
# corpus of modprobe.d configurations (tests/compat/modprobe-conf/<scenario>/: *.conf files or
# a/, b/ directories for several -C paths, a `cmdline` for /proc/cmdline, `targets` to probe).
# Both tools run in a private mount namespace with the scenario's kernel command line bound
# over /proc/cmdline. Compared: -c, -D and -R for every module name and alias, -n -v and -r
# for the targets, and --show-modversions / --show-exports for every module.
source "$(dirname "$0")/common.sh"

command -v unshare >/dev/null || skip "unshare(1) is needed to control /proc/cmdline"
CONF=$ROOT/tests/compat/modprobe-conf
P=$WORK/root; MD=$P/lib/modules/$KVER
tree_copy plain "$P"
(exec -a depmod "$MODKIT" -b "$P" "$KVER")

sed -E 's#^([^:]*):.*#\1#; s#.*/##; s#\..*##; s#-#_#g' "$MD/modules.dep" | sort -u >"$WORK/names"
awk '/^alias /{print $2}' "$MD/modules.alias" | sort -u >"$WORK/aliases"
cat "$WORK/names" "$WORK/aliases" | tr '\n' '\0' >"$WORK/queries"

# Runs TOOL (kmod's or modkit's modprobe, by full path) in a mount namespace where
# /proc/cmdline is the scenario's; stdout and stderr to $1.out / $1.err.
in_ns() { # OUT CMDLINE_FILE PROGRAM ARGS...
  local out=$1 cmdline=$2; shift 2
  unshare -m bash -c 'mount --bind "$0" /proc/cmdline && exec "$@"' "$cmdline" "$@" \
    >"$out.out" 2>"$out.err"
}
mp_compare() { # LABEL CMDLINE ARGS...  (one modprobe process each)
  local label=$1 cmdline=$2; shift 2
  local krc=0 mrc=0 d=$WORK/mp; mkdir -p "$d"
  in_ns "$d/k" "$cmdline" bash -c 'exec -a modprobe /sbin/modprobe "$@"' modprobe "$@" || krc=$?
  in_ns "$d/m" "$cmdline" bash -c 'exec -a modprobe "$0" "$@"' "$MODKIT" "$@" || mrc=$?
  normalise_stderr <"$d/k.err" >"$d/k.errn"; normalise_stderr <"$d/m.err" >"$d/m.errn"
  local bad=""
  cmp -s "$d/k.out" "$d/m.out" || bad+=" stdout"
  cmp -s "$d/k.errn" "$d/m.errn" || bad+=" stderr"
  [ "$krc" = "$mrc" ] || bad+=" exit($krc vs $mrc)"
  if [ -n "$bad" ]; then
    echo "FAIL: $label:$bad"
    diff "$d/k.out" "$d/m.out" | head -8 | sed 's/^/    /' || true
    diff "$d/k.errn" "$d/m.errn" | head -8 | sed 's/^/    /' || true
    FAILURES=$((FAILURES + 1))
  else
    note "ok: $label ($(wc -l <"$d/k.out") lines)"
  fi
}
mp_compare_many() { # LABEL CMDLINE ARGS...  (all names and aliases, batched with -a)
  local label=$1 cmdline=$2; shift 2
  local d=$WORK/mpm; mkdir -p "$d"
  in_ns "$d/k" "$cmdline" bash -c 'xargs -0 -n 2000 bash -c '"'"'exec -a modprobe /sbin/modprobe "$@"'"'"' modprobe "$@" <"$0"' "$WORK/queries" "$@" || true
  in_ns "$d/m" "$cmdline" bash -c 'm=$1; shift; xargs -0 -n 2000 bash -c '"'"'exec -a modprobe "$0" "$@"'"'"' "$m" "$@" <"$0"' "$WORK/queries" "$MODKIT" "$@" || true
  normalise_stderr <"$d/k.err" >"$d/k.errn"; normalise_stderr <"$d/m.err" >"$d/m.errn"
  if cmp -s "$d/k.out" "$d/m.out" && cmp -s "$d/k.errn" "$d/m.errn"; then
    note "ok: $label ($(wc -l <"$d/k.out") lines)"
  else
    echo "FAIL: $label"
    diff "$d/k.out" "$d/m.out" | head -8 | sed 's/^/    /' || true
    diff "$d/k.errn" "$d/m.errn" | head -8 | sed 's/^/    /' || true
    FAILURES=$((FAILURES + 1))
  fi
}

echo "-- no configuration at all (an empty -C directory)"
mkdir -p "$WORK/empty"; echo "quiet" >"$WORK/plain-cmdline"
B=(-d "$P" -S "$KVER")
mp_compare "-c" "$WORK/plain-cmdline" "${B[@]}" -C "$WORK/empty" -c
mp_compare_many "-a -D, every name and alias" "$WORK/plain-cmdline" "${B[@]}" -C "$WORK/empty" -a -D
mp_compare_many "-a -R, every name and alias" "$WORK/plain-cmdline" "${B[@]}" -C "$WORK/empty" -a -R

for scenario in "$CONF"/*/; do
  name=$(basename "$scenario")
  echo "-- configuration: $name"
  cmdline=$scenario/cmdline; [ -f "$cmdline" ] || cmdline=$WORK/plain-cmdline
  C=()
  if [ -d "$scenario/a" ]; then for sub in "$scenario"/*/; do C+=(-C "${sub%/}"); done
  else C=(-C "${scenario%/}"); fi
  mp_compare "$name: -c" "$cmdline" "${B[@]}" "${C[@]}" -c
  mp_compare_many "$name: -a -D, every name and alias" "$cmdline" "${B[@]}" "${C[@]}" -a -D
  mp_compare_many "$name: -a -R, every name and alias" "$cmdline" "${B[@]}" "${C[@]}" -a -R
  for t in $(cat "$scenario/targets"); do
    mp_compare "$name: -n -v $t" "$cmdline" "${B[@]}" "${C[@]}" -n -v "$t"
    mp_compare "$name: -D $t with options" "$cmdline" "${B[@]}" "${C[@]}" -D "$t" opt=1 'spaced=a b' "q='x y'"
    mp_compare "$name: -r -n -v $t" "$cmdline" "${B[@]}" "${C[@]}" -r -n -v "$t"
    mp_compare "$name: -b -D $t" "$cmdline" "${B[@]}" "${C[@]}" -b -D "$t"
    mp_compare "$name: -i -D $t" "$cmdline" "${B[@]}" "${C[@]}" -i -D "$t"
  done
done

echo "-- options and messages"
mp_compare "missing parameters" "$WORK/plain-cmdline" "${B[@]}"
mp_compare "bad option" "$WORK/plain-cmdline" "${B[@]}" --bogus
mp_compare "bad -w value" "$WORK/plain-cmdline" "${B[@]}" -r -w abc loop
mp_compare "-q silences not found" "$WORK/plain-cmdline" "${B[@]}" -q -D nosuch_module
mp_compare "-R not found" "$WORK/plain-cmdline" "${B[@]}" -R nosuch_module
mp_compare "-r not found" "$WORK/plain-cmdline" "${B[@]}" -r nosuch_module
mp_compare "-r -a not found" "$WORK/plain-cmdline" "${B[@]}" -r -a nosuch_module loop
mp_compare "unbalanced bracket" "$WORK/plain-cmdline" "${B[@]}" -D 'pci:v[0000'
mp_compare "--first-time -D" "$WORK/plain-cmdline" "${B[@]}" --first-time -D loop
MODPROBE_OPTIONS='-C /nonexistent "-v" -d'" $P -S $KVER" mp_compare "MODPROBE_OPTIONS with a quoted word" "$WORK/plain-cmdline" -D ext4
MODPROBE_OPTIONS="-d $P -S $KVER -v -C $CONF/basic" mp_compare "MODPROBE_OPTIONS" "$WORK/plain-cmdline" -n myalias

echo "-- --show-modversions and --show-exports (every third module: one process per query)"
find "$MD" -name '*.ko' | sort | awk 'NR % 3 == 1' >"$WORK/paths"
d=$WORK/sv; mkdir -p "$d"
while read -r f; do
  for o in --show-modversions --show-exports; do
    echo "== $o $f"
    rc=0; /sbin/modprobe "$o" "$f" 2>&1 || rc=$?; echo "rc=$rc"
  done
done <"$WORK/paths" >"$d/k" 
while read -r f; do
  for o in --show-modversions --show-exports; do
    echo "== $o $f"
    rc=0; (exec -a modprobe "$MODKIT" "$o" "$f") 2>&1 || rc=$?; echo "rc=$rc"
  done
done <"$WORK/paths" >"$d/m"
if cmp -s "$d/k" "$d/m"; then note "ok: $(wc -l <"$WORK/paths") modules, $(wc -l <"$d/k") lines"
else echo "FAIL: --show-modversions/--show-exports"; diff "$d/k" "$d/m" | head | sed 's/^/    /' || true; FAILURES=$((FAILURES + 1)); fi
mp_compare "--show-modversions missing file" "$WORK/plain-cmdline" --show-modversions /nonexistent.ko
mp_compare "--show-exports of a non-module" "$WORK/plain-cmdline" --show-exports /etc/passwd

finish
