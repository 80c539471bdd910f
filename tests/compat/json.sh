#!/usr/bin/env bash
# modkit's JSON views on the real Debian tree, against their schemas (docs/json/*.schema.json,
# python3-jsonschema) and against kmod's text: each view is validated, turned back into the
# text the tool prints (tests/compat/lib/json_view.py) and compared byte for byte with kmod's
# output for the same arguments. modinfo over every module by path, by name, by every 8th
# alias of modules.alias (all of them with MODKIT_JSON_FULL=1) and for every built-in module;
# modprobe -a -D and -a -R over every name and alias; -c on every modprobe-conf scenario;
# --show-modversions and --show-exports on a sample of modules. lsmod --json is checked
# in kernel-tools.sh, which has the made-up /proc/modules. About a minute on 2 CPUs.
source "$(dirname "$0")/common.sh"
python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema not installed (scripts/install-deps.sh)"
VIEW=$ROOT/tests/compat/lib/json_view.py
SCHEMAS=$ROOT/docs/json

tree_copy plain "$WORK/plain" index
P=$WORK/plain
MD=$P/lib/modules/$KVER
(cd "$P" && find "$PWD/lib/modules" -name '*.ko' -print0 | sort -z) >"$WORK/paths"
sed -e 's/:.*//' -e 's|.*/||' -e 's/\.ko$//' "$MD/modules.dep" | sort -u | tr '\n' '\0' >"$WORK/names"
# Every alias once (an alias several modules share answers with all of them).
awk '{print $2}' "$MD/modules.alias" | sort -u | tr '\n' '\0' >"$WORK/aliases"
sed -e 's|.*/||' -e 's/\.ko$//' "$MD/modules.builtin" | tr '\n' '\0' >"$WORK/builtin"
mkdir -p "$WORK/empty"

# json_check LABEL LIST SCHEMA CONVERTER TOOL ARGS...: for chunks of LIST's arguments, kmod's
# TOOL ARGS and modkit's TOOL --json ARGS; the JSON must match SCHEMA and, converted back to
# text, equal kmod's stdout, with the same exit status.
json_check() {
  local label=$1 list=$2 schema=$3 conv=$4 tool=$5; shift 5
  local d=$WORK/j n=0 bad=0 krc mrc
  mkdir -p "$d"; rm -f "$d"/chunk.*
  xargs -0 -n 400 sh -c 'printf "%s\0" "$@" >"$0.$$"' "$d/chunk" <"$list"
  for chunk in "$d"/chunk.*; do
    n=$((n + 1)) krc=0 mrc=0
    xargs -0 bash -c 'exec -a "$0" "/sbin/$0" "$@"' "$tool" "$@" <"$chunk" >"$d/k.out" 2>/dev/null || krc=$?
    xargs -0 bash -c 'exec -a "$0" "$1" --json "${@:2}"' "$tool" "$MODKIT" "$@" <"$chunk" >"$d/m.json" 2>/dev/null || mrc=$?
    if ! python3 "$VIEW" validate "$SCHEMAS/$schema" <"$d/m.json" >/dev/null; then
      echo "FAIL: $label: chunk $n does not match $schema"; bad=1; continue
    fi
    python3 "$VIEW" "$conv" <"$d/m.json" >"$d/m.out"
    if ! cmp -s "$d/k.out" "$d/m.out" || [ "$krc" != "$mrc" ]; then
      echo "FAIL: $label: chunk $n: the JSON as text differs from kmod's (exit $krc vs $mrc)"
      diff "$d/k.out" "$d/m.out" | head -10 | sed 's/^/    /' || true
      bad=1
    fi
  done
  if [ "$bad" = 0 ]; then
    note "ok: $label ($(tr -cd '\0' <"$list" | wc -c) arguments)"
  else
    FAILURES=$((FAILURES + 1))
  fi
}

echo "-- modinfo --json"
json_check "by path" "$WORK/paths" modinfo.schema.json modinfo-text modinfo
json_check "by name" "$WORK/names" modinfo.schema.json modinfo-text modinfo -b "$P" -k "$KVER"
# modinfo by alias prints the whole module again for each of its aliases (25205 aliases, 4022
# modules): every 8th alias here; -a -D and -a -R below look every alias up with --json, and
# MODKIT_JSON_FULL=1 runs modinfo on all of them too.
if [ -n "${MODKIT_JSON_FULL:-}" ]; then cp "$WORK/aliases" "$WORK/aliases.modinfo"
else tr '\0' '\n' <"$WORK/aliases" | awk 'NR % 8 == 1' | tr '\n' '\0' >"$WORK/aliases.modinfo"; fi
json_check "by alias" "$WORK/aliases.modinfo" modinfo.schema.json modinfo-text modinfo -b "$P" -k "$KVER"
json_check "built-in" "$WORK/builtin" modinfo.schema.json modinfo-text modinfo -b "$P" -k "$KVER"

echo "-- modprobe --json (no configuration; the host's kernel command line for both)"
cat "$WORK/names" "$WORK/aliases" >"$WORK/queries"
M=(-d "$P" -S "$KVER" -C "$WORK/empty")
json_check "-a -D, every name and alias" "$WORK/queries" modprobe-show-depends.schema.json depends-text modprobe "${M[@]}" -a -D
json_check "-a -R, every name and alias" "$WORK/queries" modprobe-resolve-alias.schema.json resolve-text modprobe "${M[@]}" -a -R
d=$WORK/sym; mkdir -p "$d"; bad=0; count=0
while IFS= read -r -d '' f; do
  count=$((count + 1)); [ $((count % 40)) = 1 ] || continue
  for o in --show-modversions --show-exports; do
    krc=0 mrc=0
    (exec -a modprobe /sbin/modprobe "$o" "$f") >"$d/k" 2>/dev/null || krc=$?
    (exec -a modprobe "$MODKIT" --json "$o" "$f") >"$d/m.json" 2>/dev/null || mrc=$?
    [ "$krc" = "$mrc" ] || { echo "FAIL: $o $f: exit $krc vs $mrc"; bad=1; continue; }
    [ "$krc" = 0 ] || continue
    python3 "$VIEW" validate "$SCHEMAS/modprobe-symbols.schema.json" <"$d/m.json" >/dev/null &&
      python3 "$VIEW" symbols-text <"$d/m.json" | cmp -s - "$d/k" ||
      { echo "FAIL: $o --json $f"; bad=1; }
  done
done <"$WORK/paths"
if [ "$bad" = 0 ]; then note "ok: --show-modversions, --show-exports (every 40th module)"; else FAILURES=$((FAILURES + 1)); fi

echo "-- modprobe -c --json"
# Every modprobe.d scenario of modprobe.sh's corpus over the indexed tree: valid, every line
# from a file with its file and line, and as text equal to kmod's modprobe -c.
bad=0
for c in "$ROOT"/tests/compat/modprobe-conf/*/; do
  krc=0 mrc=0
  (exec -a modprobe /sbin/modprobe -d "$P" -S "$KVER" -C "$c" -c) >"$WORK/c.k" 2>/dev/null || krc=$?
  (exec -a modprobe "$MODKIT" -d "$P" -S "$KVER" -C "$c" -c --json) >"$WORK/c.json" 2>/dev/null || mrc=$?
  if ! python3 "$VIEW" validate "$SCHEMAS/modprobe-config.schema.json" <"$WORK/c.json" >/dev/null ||
    ! python3 "$VIEW" config-text <"$WORK/c.json" | cmp -s - "$WORK/c.k" || [ "$krc" != "$mrc" ] ||
    ! python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["configuration"]; sys.exit(not c or any(e["file"] and not (e["line"] > 0 and open(e["file"]).read()) for e in c))' "$WORK/c.json"; then
    echo "FAIL: modprobe -c --json with $(basename "$c")"; bad=1
  fi
done
if [ "$bad" = 0 ]; then note "ok: -c --json, every modprobe-conf scenario"; else FAILURES=$((FAILURES + 1)); fi

echo "-- --json where it does not apply"
f=$(head -z -n1 "$WORK/paths" | tr -d '\0')
printf 'modinfo: ERROR: --json prints every field: it cannot be combined with -F, -a, -d, -l, -p, -n or -0.\n' >"$WORK/want.err"
expect "modinfo --json -F" 1 "$WORK/want.err" modinfo --json -F license "$f"
printf 'modprobe: ERROR: --json applies only to --explain, -c, -D, -R, --show-modversions and --show-exports. See -h.\n' >"$WORK/want.err"
expect "modprobe --json (loading)" 1 "$WORK/want.err" modprobe "${M[@]}" --json loop
expect "modprobe -r --json" 1 "$WORK/want.err" modprobe "${M[@]}" -r --json loop
finish
