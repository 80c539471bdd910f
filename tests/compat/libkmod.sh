#!/usr/bin/env bash
# modkit's libkmod.so.2 against kmod's: one C program (tests/libkmod/kmod_diff.c, built once)
# drives every library function over the real Debian tree (kmod's own indexes) and prints the
# answers; run with Debian 12's libkmod 30 on the host and with libkmod 34.2 in a trixie root,
# then with modkit's library in the same place, the transcripts must be byte-identical.
# Covered: every module name and alias (lookup, dependencies, soft/weak dependencies, options,
# commands, filters), name lookups and info/versions/symbols/dependency symbols of every
# module, configuration iterators, index dumps, resources, and the loaded-state functions and
# probe dry runs against a fake /proc and /sys/module, under the project's config corpus.
source "$(dirname "$0")/common.sh"
source "$ROOT/tests/libkmod/fake-system.sh"

DIFFPROG=$BUILD/libkmod_diff
[ -x "$DIFFPROG" ] && [ -e "$BUILD/libkmod.so.2" ] || skip "libkmod.so.2 or libkmod_diff not built"
command -v unshare >/dev/null || skip "unshare(1) is needed for the fake /proc and /sys"

CONF=$ROOT/tests/compat/modprobe-conf
# ONLY="v30 info actions trixie" (any subset) runs only those sections, for development.
want() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }
TRIXIE_PACKAGES=libkmod2,kmod,libssl3t64,libzstd1,liblzma5,zlib1g
P=$WORK/root; MD=$P/lib/modules/$KVER
tree_copy plain "$P" index
sed -E 's#^([^:]*):.*#\1#; s#.*/##; s#\..*##; s#-#_#g' "$MD/modules.dep" | sort -u >"$WORK/names"
awk '/^alias /{print $2}' "$MD/modules.alias" | sort -u >"$WORK/aliases"

# The script: context, resources, configuration and index dumps, then every name and alias.
script() { # TARGETS_FILE
  printf '%s\n' ctx config "dump 0" "dump 1" "dump 2" "dump 3" "dump 4" "dump 5" resources
  sed 's/^/lookup /' "$WORK/names" "$WORK/aliases"
  sed 's/^/namelookup /' "$WORK/names"
  printf '%s\n' "lookup symbol:jbd2_journal_start" "lookup symbol:nosuch" "lookup pci:v[0000" \
    "lookup ]x" "lookup " "name " "name foo-bar.ko" "namelookup fs-ext4" "namelookup nosuch" \
    "path $MD/kernel/fs/ext4/ext4.ko" "path $MD/kernel/fs/ext4/../ext4/ext4.ko" \
    "path /nonexistent/x.ko" "path $MD/" "loaded"
  for n in ext4 jbd2 mbcache tun loop dummy xfs nbd crc32c_generic veth nosuch; do echo "state $n"; done
  for t in $(cat "$1"); do
    for f in 10 18 30 14 10010 10018 20010 40010; do echo "probe $f $t"; done
    echo "probe 10 $t opt=1 q=\"a b\""
  done
  echo unload
}

# Runs the program with kmod's library (k) and modkit's (m) on the same script in the same
# fake system; compares the transcripts after applying the sed program $EXPECTED_DIFF to both.
run_pair() { # LABEL FAKE_DIR SCRIPT MODULE_DIR CONFIG_ARGS...
  local label=$1 fake=$2 scr=$3; shift 3
  local d=$WORK/pair; mkdir -p "$d"
  in_fake_system "$fake" env -u LD_LIBRARY_PATH -u KMOD_LOG "$DIFFPROG" "$@" <"$scr" >"$d/k" 2>"$d/k.err" || true
  in_fake_system "$fake" env -u KMOD_LOG LD_LIBRARY_PATH="$BUILD" "$DIFFPROG" "$@" <"$scr" >"$d/m" 2>"$d/m.err" || true
  compare_transcripts "$label" "$d"
}

compare_transcripts() { # LABEL DIR (holding k, m, k.err, m.err)
  local label=$1 d=$2 bad=""
  sed -E "$EXPECTED_DIFF" "$d/k" >"$d/k.n"; sed -E "$EXPECTED_DIFF" "$d/m" >"$d/m.n"
  normalise_stderr <"$d/k.err" | sed -E 's/^(libkmod: [A-Z]+) [^ ]+:[0-9]+ /\1: /' >"$d/k.errn"
  normalise_stderr <"$d/m.err" >"$d/m.errn"
  cmp -s "$d/k.n" "$d/m.n" || bad+=" transcript"
  cmp -s "$d/k.errn" "$d/m.errn" || bad+=" stderr"
  if [ -n "$bad" ]; then
    echo "FAIL: $label:$bad"
    diff "$d/k.n" "$d/m.n" | head -30 | sed 's/^/    /' || true
    diff "$d/k.errn" "$d/m.errn" | head -10 | sed 's/^/    /' || true
    FAILURES=$((FAILURES + 1))
  else
    note "ok: $label ($(wc -l <"$d/k") lines)"
  fi
}

# Differences between kmod 30 and kmod 34.2 that modkit resolves in 34.2's favour (docs/compat.md):
# weak dependencies do not exist in 30, and a missing ELF section is ENOENT (-2) in 30, ENODATA
# (-61) in 31+.
V30_DIFF='/^    weakdeps rc=|^    weak:/d; /^config weakdeps:/,/^dump 0:/{/^dump 0:/!d}; s/^(  (info|versions|symbols) rc=)-61$/\1-2/'

echo "-- kmod 30 (Debian 12's libkmod.so.2, on this host)"
EXPECTED_DIFF=$V30_DIFF
want v30 && for scenario in none "$CONF"/*/; do
  if [ "$scenario" = none ]; then name=none; cmdline=quiet; C=(--no-config); : >"$WORK/targets"
    echo "ext4 loop nosuch" >"$WORK/targets"
  else
    name=$(basename "$scenario"); cmdline=quiet
    [ -f "$scenario/cmdline" ] && cmdline=$(cat "$scenario/cmdline")
    C=(); if [ -d "$scenario/a" ]; then for sub in "$scenario"/*/; do C+=("${sub%/}"); done
    else C=("${scenario%/}"); fi
    cp "$scenario/targets" "$WORK/targets"
  fi
  fake=$WORK/fake-$name; make_fake_system "$fake" "$cmdline"
  script "$WORK/targets" >"$WORK/script-$name"
  run_pair "$name: every name and alias" "$fake" "$WORK/script-$name" "$MD" "${C[@]}"
done

echo "-- info, versions, symbols and dependency symbols of every module"
sed 's/^/info /' "$WORK/names" >"$WORK/script-info"
make_fake_system "$WORK/fake-none" quiet
want info && run_pair "every module" "$WORK/fake-none" "$WORK/script-info" "$MD" --no-config

# Debian's tree is unsigned: signed copies (the kernel's sign-file, a throwaway key, SHA-256 and
# SHA-512, one compressed after signing as the kernel's build does) give get_info's signer,
# key, hash algorithm and signature.
SIGNFILE=$(ls /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | head -1)
if want info && [ -n "$SIGNFILE" ]; then
  S=$WORK/signed/lib/modules/$KVER/kernel; mkdir -p "$S"
  openssl req -new -nodes -utf8 -sha256 -days 36500 -batch -x509 -subj "/CN=modkit test key/O=modkit" \
    -outform PEM -out "$WORK/key.pem" -keyout "$WORK/key.pem" >/dev/null 2>&1
  cp "$MD/kernel/drivers/block/loop.ko" "$MD/kernel/drivers/net/dummy.ko" "$MD/kernel/drivers/net/veth.ko" "$S/"
  "$SIGNFILE" sha256 "$WORK/key.pem" "$WORK/key.pem" "$S/loop.ko"
  "$SIGNFILE" sha512 "$WORK/key.pem" "$WORK/key.pem" "$S/dummy.ko"
  "$SIGNFILE" sha384 "$WORK/key.pem" "$WORK/key.pem" "$S/veth.ko" && xz --check=crc32 "$S/veth.ko"
  /sbin/depmod -b "$WORK/signed" "$KVER" 2>/dev/null
  printf 'info %s\n' loop dummy veth >"$WORK/script-signed"
  run_pair "signed modules" "$WORK/fake-none" "$WORK/script-signed" "$WORK/signed/lib/modules/$KVER" --no-config
  grep -q '^    signer=modkit test key$' "$WORK/pair/m" ||
    { echo "FAIL: signed modules: no signer in the transcript"; FAILURES=$((FAILURES + 1)); }
elif want info; then note "the kernel's sign-file is missing (linux-kbuild): signed modules skipped"; fi

# Insert, remove and real probes with the module syscalls faked (tests/libkmod/kernel_shim.c):
# what each library hands the kernel (file, flags, parameters, the image's hash after
# decompression and stripping) is appended to the transcript.
SHIM=$BUILD/kmod_kernel_shim.so
COMP=$WORK/comp; mkdir -p "$COMP"
cp "$CACHE/xz/lib/modules/$KVER/kernel/drivers/block/loop.ko.xz" "$CACHE/zst/lib/modules/$KVER/kernel/drivers/net/dummy.ko.zst" "$COMP/"
actions() { # MODULE_DIR COMPRESSED_DIR
  printf '%s\n' "insert 0 ext4" "insert 1 loop" "insert 2 loop" "insert 3 loop" \
    "insert 0 loop shim_errno=17" "insert 0 loop a=1 b=\"c d\"" "insert 0 nosuch" "insert 0 tun shim_errno=2" \
    "insert 0 $2/loop.ko.xz" "insert 3 $2/loop.ko.xz" "insert 1 $2/loop.ko.xz" "insert 0 $2/dummy.ko.zst" \
    "insert 2 $2/dummy.ko.zst x=1" "remove 0 loop" "remove 200 loop" "remove 800 loop" "remove 0 tun" \
    "remove 1 tun" "remove 0 nosuch" "probe 0 ext4" "probe 0 twice" "probe 4 ext4 opt=2" "probe 20 loop" \
    "probe 8 jbd2" "probe 3 xfs" "probesys 0 dummy a=1" "probesys 0 nbd" "probesys 0 dummy2" \
    "probe 0 dummy shim_errno=5" "probe 8 crc32c" "probe 10000 crypto-myhash" "probe 10008 xfs" \
    "probesys 8 btrfs"
}
run_actions() { # LABEL FAKE CONFIG_ARGS... (host, kmod 30)
  local label=$1 fake=$2; shift 2
  local d=$WORK/act; rm -rf "$d"; mkdir -p "$d"
  actions "$MD" "$COMP" >"$WORK/script-actions"
  for lib in k m; do
    local env=(env -u KMOD_LOG -u LD_LIBRARY_PATH)
    [ $lib = m ] && env+=(LD_LIBRARY_PATH="$BUILD")
    env+=(KMOD_SHIM_LOG="$d/$lib.shim" LD_PRELOAD="$SHIM" ${SHIM_ENV:-})
    in_fake_system "$fake" "${env[@]}" "$DIFFPROG" "$MD" "$@" <"$WORK/script-actions" >"$d/$lib" 2>"$d/$lib.err" || true
    echo "== kernel calls" >>"$d/$lib"; cat "$d/$lib.shim" >>"$d/$lib" 2>/dev/null || true
  done
  compare_transcripts "$label" "$d"
  [ -z "${KEEP:-}" ] || cp "$d/m" "$KEEP.$(echo "$label" | tr -c 'a-z0-9\n' _)"
}
echo "-- insert, remove and probe with the syscalls faked"
make_fake_system "$WORK/fake-act" "$(cat "$CONF/basic/cmdline")"
want actions && SHIM_ENV="KMOD_SHIM_FAIL=tun:16,nosuch:2" run_actions "basic config" "$WORK/fake-act" "$CONF/basic"
want actions && SHIM_ENV="KMOD_SHIM_FAIL=tun:16 KMOD_SHIM_NO_FINIT=1" run_actions "basic config, no finit_module" "$WORK/fake-act" "$CONF/basic"

# kmod 34.2 needs trixie's glibc: the same program runs in a trixie root (shared, never
# changed: this test's files are bind-mounted into a private mount namespace), once with
# trixie's libkmod.so.2 and once with modkit's. The scenarios add weak dependencies, which
# kmod 30 does not know, and the default configuration directories (NULL config paths).
want trixie || want tactions || { finish; exit 0; }
echo "-- kmod 34.2 (trixie's libkmod.so.2, in a trixie root)"
TROOT=$(bash "$ROOT/scripts/fetch-suite-root.sh" trixie "$TRIXIE_PACKAGES") ||
  { echo "FAIL: no trixie root (scripts/fetch-suite-root.sh)"; FAILURES=$((FAILURES + 1)); finish; }
T=$WORK/t; mkdir -p "$T/bin" "$T/lib" "$T/conf" "$WORK/troot"
cp "$DIFFPROG" "$T/bin/"; cp -L "$BUILD/libkmod.so.2" "$T/lib/"
cp -r "$CONF"/* "$ROOT"/tests/libkmod/conf/* "$T/conf/"
mv "$P" "$T/root"; P=$T/root; MD=$P/lib/modules/$KVER
TMD=/tmp/root/lib/modules/$KVER   # the module directory as the chroot sees it

# Runs the program in the trixie root with a fake /proc and /sys: LIBDIR empty for trixie's
# library, /tmp/lib for modkit's.
in_trixie() { # FAKE_DIR LIBDIR OUT SCRIPT ARGS...
  local fake=$1 libdir=$2 out=$3 scr=$4; shift 4
  unshare -m bash -c 'r=$0 t=$1 fake=$2 libdir=$3 out=$4 scr=$5; shift 5
    mount --bind "$r" "$t/../troot" && mount --bind "$t" "$t/../troot/tmp" &&
    mount --bind "$fake/proc" "$t/../troot/proc" && mount --bind "$fake/sys" "$t/../troot/sys" &&
    exec chroot "$t/../troot" env -i ${libdir:+LD_LIBRARY_PATH=$libdir} ${TENV:-} /tmp/bin/libkmod_diff "$@" \
      <"$scr" >"$out" 2>"$out.err"' "$TROOT" "$T" "$fake" "$libdir" "$out" "$scr" "$@" || true
}
run_trixie_pair() { # LABEL FAKE_DIR SCRIPT ARGS...
  local label=$1 fake=$2 scr=$3; shift 3
  local d=$WORK/tpair; mkdir -p "$d"
  in_trixie "$fake" "" "$d/k" "$scr" "$@"
  in_trixie "$fake" /tmp/lib "$d/m" "$scr" "$@"
  compare_transcripts "$label" "$d"
}

EXPECTED_DIFF='s/^$//'
sed -E 's#^([^:]*):.*#\1#; s#.*/##; s#\..*##; s#-#_#g' "$MD/modules.dep" | sort -u >"$WORK/names"
want trixie && for scenario in none default "$T"/conf/*/; do
  case $scenario in
    none) name=none; cmdline=quiet; C=(--no-config); echo "ext4 loop nosuch" >"$WORK/targets" ;;
    default) name=default; cmdline=quiet; C=(); echo "ext4 loop nosuch" >"$WORK/targets" ;;
    *) name=$(basename "$scenario"); cmdline=quiet
       [ -f "$scenario/cmdline" ] && cmdline=$(cat "$scenario/cmdline")
       C=(); if [ -d "$scenario/a" ]; then for sub in "$scenario"/*/; do C+=("/tmp/conf/$name/$(basename "$sub")"); done
       else C=("/tmp/conf/$name"); fi
       cp "$scenario/targets" "$WORK/targets" ;;
  esac
  fake=$WORK/tfake-$name; make_fake_system "$fake" "$cmdline"
  script "$WORK/targets" | sed "s#$MD#$TMD#g" >"$T/script-$name"
  run_trixie_pair "$name: every name and alias" "$fake" "$T/script-$name" "$TMD" "${C[@]}"
done
sed 's/^/info /' "$WORK/names" >"$T/script-info"
make_fake_system "$WORK/tfake-none" quiet
want trixie && run_trixie_pair "every module" "$WORK/tfake-none" "$T/script-info" "$TMD" --no-config

# The faked syscalls, also with a kernel that decompresses xz itself (/sys/module/compression):
# kmod 31+ hands such files to finit_module with MODULE_INIT_COMPRESSED_FILE.
mkdir -p "$WORK/tpair"; cp "$SHIM" "$T/lib/"; cp -r "$COMP" "$T/comp"
actions "$TMD" /tmp/comp >"$T/script-actions"
make_fake_system "$WORK/tfake-act" "$(cat "$CONF/basic/cmdline")"
make_fake_system "$WORK/tfake-xz" "$(cat "$CONF/basic/cmdline")"; echo xz >"$WORK/tfake-xz/sys/module/compression"
want tactions && for variant in plain xz nofinit; do
  fake=$WORK/tfake-act; extra=""
  [ $variant = xz ] && fake=$WORK/tfake-xz
  [ $variant = nofinit ] && extra=KMOD_SHIM_NO_FINIT=1
  for lib in k m; do
    rm -f "$T/shim.$lib"
    TENV="LD_PRELOAD=/tmp/lib/kmod_kernel_shim.so KMOD_SHIM_LOG=/tmp/shim.$lib KMOD_SHIM_FAIL=tun:16 $extra" \
      in_trixie "$fake" "$([ $lib = m ] && echo /tmp/lib)" "$WORK/tpair/$lib" "$T/script-actions" "$TMD" /tmp/conf/basic
    { echo "== kernel calls"; cat "$T/shim.$lib" 2>/dev/null || true; } >>"$WORK/tpair/$lib"
  done
  compare_transcripts "insert, remove and probe ($variant)" "$WORK/tpair"
done

finish
