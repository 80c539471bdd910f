#!/usr/bin/env bash
# insmod, rmmod, lsmod and kmod (help, list, static-nodes) against kmod 30, on the paths that
# need no module loading: usage errors, unreadable and corrupt files, and - inside a private
# mount namespace with a made-up /lib/modules, /sys/module and /proc/modules - every check
# rmmod makes, lsmod's whole output and static-nodes' formats. Where kmod 34 changed on
# purpose (docs/compat.md) modkit's exact output is asserted instead.
SELF=$(readlink -f "$0")
source "$(dirname "$0")/common.sh"

KMOD=$(command -v kmod || true)
[ -x /sbin/insmod ] && [ -n "$KMOD" ] || skip "kmod's insmod/kmod not installed"
REL=$(uname -r)
# Only on a kernel without module support do insert and delete syscalls fail harmlessly
# (ENOSYS) for both tools; elsewhere the cases that reach the kernel are skipped.
NO_MODULES=$([ -e /proc/modules ] && echo "" || echo 1)

# compare() with `kmod` itself (it lives in /bin, not /sbin).
compare_kmod() { # LABEL ARGS...
  local label=$1; shift
  local d=$WORK/cmpk; mkdir -p "$d"
  local krc=0 mrc=0
  (exec -a kmod "$KMOD" "$@") >"$d/k.out" 2>"$d/k.err" || krc=$?
  (exec -a kmod "$MODKIT" "$@") >"$d/m.out" 2>"$d/m.err" || mrc=$?
  if cmp -s "$d/k.out" "$d/m.out" && cmp -s "$d/k.err" "$d/m.err" && [ "$krc" = "$mrc" ]; then
    note "ok: $label"
  else
    echo "FAIL: $label: exit $krc vs $mrc"
    diff "$d/k.out" "$d/m.out" | head -10 | sed 's/^/    /' || true
    diff "$d/k.err" "$d/m.err" | head -10 | sed 's/^/    /' || true
    FAILURES=$((FAILURES + 1))
  fi
}

# Same exit code as kmod, and modkit's stderr exactly as given (kmod 34 wording).
expect_vs_kmod() { # LABEL EXPECTED_STDERR TOOL ARGS...
  local label=$1 want=$2 tool=$3; shift 3
  printf '%s' "$want" >"$WORK/want.err"
  local krc=0
  (exec -a "$tool" "/sbin/$tool" "$@") >/dev/null 2>&1 || krc=$?
  expect "$label" "$krc" "$WORK/want.err" "$tool" "$@"
}

if [ -z "${KT_INNER:-}" ]; then
  MD=$CACHE/plain/lib/modules/$KVER
  F=$WORK/f; mkdir -p "$F/dir"
  cp "$MD/kernel/drivers/block/loop.ko" "$F/loop.ko"
  xz -c --check=crc32 "$F/loop.ko" >"$F/loop.ko.xz"
  zstd -qc "$F/loop.ko" >"$F/loop.ko.zst"
  head -c 3000 "$F/loop.ko.xz" >"$F/trunc.ko.xz"
  printf 'abc' >"$F/tiny.ko"
  printf 'hello world\n' >"$F/notelf.ko"
  cd "$F"

  echo "-- insmod"
  compare "missing file" insmod /nonexistent.ko
  compare "stdin" insmod -
  compare "no file name" insmod
  compare "bad option" insmod -x loop.ko
  compare "directory" insmod dir
  compare "path without a module name" insmod dir/
  compare "shorter than a compression magic" insmod tiny.ko
  expect_vs_kmod "truncated xz (kmod 34 names the problem)" \
    "insmod: ERROR: xz: Unexpected end of input
insmod: ERROR: could not insert module trunc.ko.xz: Invalid parameters
" insmod trunc.ko.xz
  expect_vs_kmod "-p is gone in kmod 34" "insmod: invalid option -- 'p'
" insmod -p loop.ko
  if [ -n "$NO_MODULES" ]; then
    compare "plain module (ENOSYS)" insmod loop.ko
    compare "with options" insmod loop.ko max_loop=4 "x=a b"
    compare "xz module, decompressed here" insmod loop.ko.xz
    compare "zstd module" insmod loop.ko.zst
    compare "not an ELF file" insmod notelf.ko
    compare "forced, not an ELF file" insmod -f notelf.ko
    compare "forced xz module" insmod -f loop.ko.xz
  else
    note "skipped: loading cases (this kernel has module support)"
  fi

  echo "-- rmmod"
  compare "no module name" rmmod
  compare "not loaded" rmmod modkit_no_such_module
  compare "several, none loaded" rmmod modkit_a modkit-b modkit_c.ko
  compare "names are normalised, not basenamed" rmmod /nonexistent/foo-bar.ko x-y.z
  compare "bad option" rmmod -x a
  expect_vs_kmod "-w is gone in kmod 34" "rmmod: invalid option -- 'w'
" rmmod -w a

  echo "-- lsmod, kmod"
  expect_vs_kmod "lsmod with an argument (kmod 34)" "lsmod: ERROR: too many arguments provided.
" lsmod extra-arg
  compare_kmod "kmod help" help
  compare_kmod "kmod --help" --help
  compare_kmod "kmod without a command" 
  compare_kmod "kmod invalid command" frob
  compare_kmod "kmod bad option" -x
  compare_kmod "static-nodes -h" static-nodes -h
  compare_kmod "static-nodes unknown format" static-nodes -f bad
  compare_kmod "static-nodes bad option" static-nodes -x
  if [ ! -e "/lib/modules/$REL/modules.devname" ]; then
    compare_kmod "static-nodes without modules.devname" static-nodes
  fi

  # The rest needs a private mount namespace (root and unshare).
  if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
     unshare --mount --propagation private true 2>/dev/null; then
    echo "-- in a mount namespace with a made-up kernel state"
    KT_INNER=1 NO_MODULES=$NO_MODULES unshare --mount --propagation private bash "$SELF" || FAILURES=$((FAILURES + 1))
  else
    note "skipped: namespace cases (need root and unshare)"
  fi
  finish
  exit 0
fi

# ---- inside the namespace ----
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 # LSan needs the real /proc
N=$WORK/ns; mkdir -p "$N/lm/$REL" "$N/sys" "$N/proc" "$N/b/lib/modules/$REL"
# Unmount before common.sh's cleanup removes $WORK (a procfs is mounted under it).
trap 'umount -l /proc "$N/proc" /sys/module /lib/modules 2>/dev/null; rm -rf "$WORK"' EXIT

# /lib/modules/$REL: modules.devname and a modules.builtin.bin (made by kmod's depmod).
printf 'kernel/fs/ext4/ext4.ko\n' >"$N/b/lib/modules/$REL/modules.builtin"
: >"$N/b/lib/modules/$REL/modules.order"
: >"$N/b/lib/modules/$REL/modules.builtin.modinfo"
/sbin/depmod -b "$N/b" "$REL"
cp "$N/b/lib/modules/$REL/modules.builtin.bin" "$N/lm/$REL/"
cat >"$N/lm/$REL/modules.devname" <<'EOF'
# Device nodes to trigger on-demand module loading.
fuse fuse c10:229
tun net/tun c10:200
dm_mod mapper/control c10:236
bad line
x y z1:2
neg n c-1:+5

snd seq   b 4294967296:7
EOF
mount --bind "$N/lm" /lib/modules

# /sys/module: one directory per case.
S=$N/sys
mod() { # name initstate refcnt coresize holders...
  local name=$1 state=$2 ref=$3 size=$4; shift 4
  mkdir -p "$S/$name/holders"
  [ "$state" = - ] || echo "$state" >"$S/$name/initstate"
  [ "$ref" = - ] || echo "$ref" >"$S/$name/refcnt"
  [ "$size" = - ] || echo "$size" >"$S/$name/coresize"
  for h in "$@"; do mkdir -p "$S/$name/holders/$h"; done
}
mod modkit_free live 0 16384
mod modkit_held live 2 69632 modkit_user1 modkit_user2
mod modkit_busy live 1 4096
mod modkit_nounload live - 8192
mod modkit_coming - 0 100
mod modkit_weird bogus 0 100
mod modkit_badref live x 100
mod modkit_oldsize live 3 -
mount --bind "$S" /sys/module

# /proc: a tmpfs with a made-up modules file; the real procfs stays reachable through self.
mount -t proc proc "$N/proc"
mount -t tmpfs tmpfs /proc
ln -s "$N/proc/self" /proc/self
cat >/proc/modules <<'EOF'
modkit_free 16384 0 - Live 0xffffffffc0100000
modkit_held 69632 2 modkit_user1,modkit_user2, Live 0xffffffffc0200000
modkit_busy 4096 1 - Live 0xffffffffc0300000
modkit_nounload 8192 0 - Live 0xffffffffc0400000
modkit_oldsize 777 3 - Live 0xffffffffc0500000
a_module_name_longer_than_nineteen 1 0 - Live 0xffffffffc0600000
EOF
mkdir -p "$S/a_module_name_longer_than_nineteen/holders"

echo "-- rmmod's checks"
compare "builtin" rmmod ext4
compare "held by other modules" rmmod modkit_held
compare "in use" rmmod modkit_busy
compare "no unloading support" rmmod modkit_nounload
compare "unknown initstate" rmmod modkit_weird
compare "unreadable refcnt" rmmod modkit_badref
compare "all of them, in order" rmmod modkit_held ext4 modkit_busy modkit-nounload
mkdir -p "$N/path"; : >"$N/path/ext4.ko"
compare "a path is never builtin" rmmod "$N/path/ext4.ko"
if [ -n "$NO_MODULES" ]; then
  compare "passes the checks, kernel refuses" rmmod modkit_free
  compare "coming module" rmmod modkit_coming
  compare "forced" rmmod -f modkit_busy modkit_no_such_module
fi

echo "-- lsmod"
compare "lsmod" lsmod
compare_kmod "kmod list" list
# --json: valid against docs/json/lsmod.schema.json, and the same table when turned back into
# text; state and taint come from /sys/module.
if python3 -c 'import jsonschema' 2>/dev/null; then
  echo OE >/sys/module/modkit_held/taint
  d=$WORK/lsj; mkdir -p "$d"
  (exec -a lsmod "$MODKIT" --json) >"$d/m.json" 2>"$d/m.err"
  (exec -a lsmod /sbin/lsmod) >"$d/k.out" 2>/dev/null
  if python3 "$ROOT/tests/compat/lib/json_view.py" validate "$ROOT/docs/json/lsmod.schema.json" <"$d/m.json" >/dev/null &&
     python3 "$ROOT/tests/compat/lib/json_view.py" lsmod-text <"$d/m.json" | cmp -s - "$d/k.out" &&
     grep -q '"taint": "OE"' "$d/m.json" && [ ! -s "$d/m.err" ]; then
    note "ok: lsmod --json (schema, round trip to kmod's table, taint)"
  else
    echo "FAIL: lsmod --json"; cat "$d/m.err"; FAILURES=$((FAILURES + 1))
  fi
else
  note "skipped: lsmod --json (python3-jsonschema not installed)"
fi

echo "-- static-nodes"
compare_kmod "human" static-nodes
compare_kmod "tmpfiles" static-nodes -f tmpfiles
compare_kmod "devname" static-nodes --format=devname
compare_kmod "stops at the first non-option" static-nodes foo -f devname
# -o: same messages; then the files each tool writes (to parents it creates) are compared.
compare_kmod "-o with parents" static-nodes -f tmpfiles -o "$N/out/both/a/b/nodes"
"$KMOD" static-nodes -f tmpfiles -o "$N/out/k/x/nodes" 2>/dev/null || true
(exec -a kmod "$MODKIT" static-nodes -f tmpfiles -o "$N/out/m/x/nodes") 2>/dev/null || true
if cmp -s "$N/out/k/x/nodes" "$N/out/m/x/nodes"; then note "ok: -o file contents"
else echo "FAIL: -o file contents differ"; FAILURES=$((FAILURES + 1)); fi

finish
