#!/usr/bin/env bash
# depmod against kmod's depmod on the real Debian tree and its compressed copies: every text
# file byte-identical, every .bin identical to the reference pre-order writer, and kmod
# reading modkit's indexes answers exactly as with its own (modprobe -c, -R, -D for every
# module name and alias).
source "$(dirname "$0")/common.sh"

SYMVERS=$CACHE/headers/usr/src/linux-headers-$KVER/Module.symvers
SYSMAP=$CACHE/boot/System.map-$KVER

echo "-- full runs on each variant of the tree"
for v in plain xz zst; do
  tree_copy "$v" "$WORK/$v"
  depmod_pair "tree $v" "$WORK/$v" "$KVER"
done

echo "-- gzip copy (Debian's kmod has no zlib: compare with kmod on the plain tree, paths .ko.gz)"
tree_copy gz "$WORK/gz"
(exec -a depmod /sbin/depmod -b "$WORK/plain" "$KVER")
take_outputs "$WORK/plain/lib/modules/$KVER" "$WORK/kgz"
sed -i -E 's#(\.ko)([: ]|$)#\1.gz\2#g' "$WORK/kgz/modules.dep"
# kmod's modules.dep.bin names the plain files: the reference is idxwrite.py's index of the
# renamed modules.dep instead.
mkdir -p "$WORK/kgz.idx/out"
cp "$WORK/kgz/modules.dep" "$WORK/kgz/modules.alias" "$WORK/kgz/modules.symbols" "$WORK/kgz.idx/"
cp "$WORK/plain/lib/modules/$KVER/modules.builtin" "$WORK/plain/lib/modules/$KVER/modules.builtin.modinfo" "$WORK/kgz.idx/"
python3 "$IDXWRITE" "$WORK/kgz.idx" "$WORK/kgz.idx/out" pre
cp "$WORK/kgz.idx/out/modules.dep.bin" "$WORK/kgz/"
(exec -a depmod "$MODKIT" -b "$WORK/gz" --no-cache "$KVER")
take_outputs "$WORK/gz/lib/modules/$KVER" "$WORK/mgz"
compare_outputs "tree gz" "$WORK/kgz" "$WORK/mgz" "$WORK/gz/lib/modules/$KVER"

echo "-- options on the plain tree"
depmod_pair "-n (dry run to stdout)" "$WORK/plain" "$KVER" -n
depmod_pair "-v (verbose)" "$WORK/plain" "$KVER" -v
depmod_pair "-e -E Module.symvers" "$WORK/plain" "$KVER" -e -E "$SYMVERS"
depmod_pair "-e -F System.map" "$WORK/plain" "$KVER" -e -F "$SYSMAP"
depmod_pair "-w (duplicates)" "$WORK/plain" "$KVER" -w
depmod_pair "-a" "$WORK/plain" "$KVER" -a
depmod_pair "-e without -E/-F" "$WORK/plain" "$KVER" -e
depmod_pair "deprecated -u -q -r" "$WORK/plain" "$KVER" -u -q -r

echo "-- kmod reading modkit's indexes answers as with its own"
P=$WORK/plain; MD=$P/lib/modules/$KVER
tree_copy plain "$WORK/kidx"
(exec -a depmod /sbin/depmod -b "$WORK/kidx" "$KVER")
(exec -a depmod "$MODKIT" -b "$P" "$KVER")
sed -E 's#^([^:]*):.*#\1#; s#.*/##; s#\..*##; s#-#_#g' "$MD/modules.dep" | sort -u >"$WORK/names"
awk '/^alias /{print $2}' "$MD/modules.alias" | sort -u >"$WORK/aliases"
cat "$WORK/names" "$WORK/aliases" | tr '\n' '\0' >"$WORK/queries"
kmod_query() { # LABEL ARGS... : same kmod modprobe on both trees, outputs must match
  local label=$1; shift
  local a=$WORK/q.k b=$WORK/q.m
  xargs -0 -n 2000 /sbin/modprobe -d "$WORK/kidx" -S "$KVER" "$@" <"$WORK/queries" >"$a" 2>"$a.err" || true
  xargs -0 -n 2000 /sbin/modprobe -d "$P" -S "$KVER" "$@" <"$WORK/queries" >"$b" 2>"$b.err" || true
  sed -i "s#$P/#$WORK/kidx/#g" "$b" "$b.err"
  if cmp -s "$a" "$b" && cmp -s "$a.err" "$b.err"; then note "ok: $label ($(wc -l <"$a") lines)"
  else echo "FAIL: $label"; diff "$a" "$b" | head | sed 's/^/    /' || true; FAILURES=$((FAILURES + 1)); fi
}
kmod_query "modprobe -a -R (every name and alias)" -a -R
kmod_query "modprobe -a -D (every name and alias)" -a -D
ka=$(/sbin/modprobe -d "$WORK/kidx" -S "$KVER" -c 2>&1 | md5sum)
ma=$(/sbin/modprobe -d "$P" -S "$KVER" -c 2>&1 | md5sum)
if [ "$ka" = "$ma" ]; then note "ok: modprobe -c (index dump)"; else echo "FAIL: modprobe -c differs"; FAILURES=$((FAILURES + 1)); fi

echo "-- -j1 and -jN give the same bytes; the cache gives the same bytes"
rm -f "$MD"/modules.modkit.cache
(exec -a depmod "$MODKIT" -b "$P" -j1 --no-cache "$KVER"); take_outputs "$MD" "$WORK/j1"
(exec -a depmod "$MODKIT" -b "$P" -j4 --no-cache "$KVER"); take_outputs "$MD" "$WORK/j4"
(exec -a depmod "$MODKIT" -b "$P" "$KVER"); take_outputs "$MD" "$WORK/c1"
cp "$WORK/c1/modules.modkit.cache" "$MD/"
(exec -a depmod "$MODKIT" -b "$P" "$KVER"); take_outputs "$MD" "$WORK/c2"
for f in $DEPMOD_TEXT $DEPMOD_BIN modules.weakdep; do
  for other in j4 c1 c2; do
    cmp -s "$WORK/j1/$f" "$WORK/$other/$f" || { echo "FAIL: $f differs between j1 and $other"; FAILURES=$((FAILURES + 1)); }
  done
done
note "ok: -j1, -j4, cold cache and warm cache agree"

finish
