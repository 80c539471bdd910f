#!/usr/bin/env bash
# modinfo against kmod's modinfo on every module of the real Debian tree: by path (plain, xz,
# zstd; gzip against the plain output, since Debian's kmod is built without zlib), by name,
# by alias, by symbol and for built-in modules, with each option.
source "$(dirname "$0")/common.sh"

tree_copy plain "$WORK/plain" index
tree_copy xz "$WORK/xz" index
tree_copy zst "$WORK/zst"
tree_copy gz "$WORK/gz"
MD=$WORK/plain/lib/modules/$KVER

list_modules() { (cd "$1" && find "$PWD/lib/modules" -name "*.ko$2" -print0 | sort -z); }
list_modules "$WORK/plain" "" >"$WORK/plain.list"
list_modules "$WORK/xz" ".xz" >"$WORK/xz.list"
list_modules "$WORK/zst" ".zst" >"$WORK/zst.list"
list_modules "$WORK/gz" ".gz" >"$WORK/gz.list"
note "$(tr -cd '\0' <"$WORK/plain.list" | wc -c) modules"

echo "-- by path, every option (uncompressed)"
for opt in "" -a -d -l -p -n -0 "-0 -p" "-F alias" "-F vermagic" "-F signature" "-F sig_key" \
           "-F signer" "-F parm" "-F parmtype" "-F name" "-F depends" "-F firmware" "-F nosuch" \
           "--field=license" "--null --field=alias"; do
  # shellcheck disable=SC2086
  compare_many "path plain [$opt]" modinfo "$WORK/plain.list" $opt
done

echo "-- by path, compressed copies"
for opt in "" -0 "-F signature" -p; do
  # shellcheck disable=SC2086
  compare_many "path xz [$opt]" modinfo "$WORK/xz.list" $opt
  # shellcheck disable=SC2086
  compare_many "path zst [$opt]" modinfo "$WORK/zst.list" $opt
done

echo "-- gzip copy (kmod 30 on Debian has no zlib: compare with kmod on the plain tree)"
d=$WORK/gzcmp; mkdir -p "$d"
xargs -0 -n 1500 /sbin/modinfo <"$WORK/plain.list" | sed -E "s#^filename:( +)$WORK/plain/(.*\.ko)\$#filename:\1$WORK/gz/\2.gz#" >"$d/k.out"
xargs -0 -n 1500 bash -c 'exec -a modinfo "$0" "$@"' "$MODKIT" <"$WORK/gz.list" >"$d/m.out"
if cmp -s "$d/k.out" "$d/m.out"; then note "ok: path gz (vs plain)"; else
  echo "FAIL: path gz"; diff "$d/k.out" "$d/m.out" | head; FAILURES=$((FAILURES + 1)); fi

echo "-- by name, alias, symbol (-b/-k, kmod's own indexes)"
B=(-b "$WORK/plain" -k "$KVER")
sed -E 's#^([^:]*):.*#\1#; s#.*/##; s#\..*##; s#-#_#g' "$MD/modules.dep" | sort -u | tr '\n' '\0' >"$WORK/names"
compare_many "names" modinfo "$WORK/names" "${B[@]}"
compare_many "names -m" modinfo "$WORK/names" "${B[@]}" -m
compare_many "names -F filename" modinfo "$WORK/names" "${B[@]}" -F filename
awk '/^alias /{print $2}' "$MD/modules.alias" | sort -u | tr '\n' '\0' >"$WORK/aliases"
compare_many "aliases -F filename" modinfo "$WORK/aliases" "${B[@]}" -F filename
awk 'NR % 25 == 0' RS='\0' ORS='\0' "$WORK/aliases" >"$WORK/aliases.sample"
compare_many "aliases (sample) full" modinfo "$WORK/aliases.sample" "${B[@]}"
awk '/^alias /{print $2}' "$MD/modules.symbols" | awk 'NR % 5 == 0' | tr '\n' '\0' >"$WORK/symbols"
compare_many "symbols -F name" modinfo "$WORK/symbols" "${B[@]}" -F name

echo "-- built-in modules and built-in aliases"
sed -E 's#.*/##; s#\..*##; s#-#_#g' "$MD/modules.builtin" | sort -u | tr '\n' '\0' >"$WORK/builtin"
compare_many "builtin" modinfo "$WORK/builtin" "${B[@]}"
compare_many "builtin -m -0" modinfo "$WORK/builtin" "${B[@]}" -m -0
compare_many "builtin -F name" modinfo "$WORK/builtin" "${B[@]}" -F name
tr '\0' '\n' <"$MD/modules.builtin.modinfo" | sed -nE 's#^[^.]+\.alias=##p' | sort -u | tr '\n' '\0' >"$WORK/balias"
compare_many "builtin aliases" modinfo "$WORK/balias" "${B[@]}"

echo "-- a tree without modules.builtin.modinfo (old kernel)"
mkdir -p "$WORK/old/lib/modules/$KVER"
cp "$MD"/modules.*.bin "$WORK/old/lib/modules/$KVER/"
compare_many "builtin, no builtin.modinfo" modinfo "$WORK/builtin" -b "$WORK/old" -k "$KVER"

finish
