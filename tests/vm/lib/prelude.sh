# Sourced inside the VM (busybox ash) before every tests/vm/cases/<feature>.sh: the tools under
# test by full path, assertion helpers that print "ok: LABEL" / "FAIL: LABEL: ...", and a
# transcript of every command run through them ("$ cmd", "> stdout", "2> stderr", "? rc=N")
# that the host compares between TOOLS=kmod and TOOLS=modkit.
#
# Why the functions: busybox's shell runs its own modprobe/insmod/... applets in preference to
# PATH, so without them a case would be testing busybox. Commands run by the kernel or by an
# install/remove line (/bin/sh -c) do not see these functions: write /sbin/modprobe there.

TOOLS=$(cat /vm/tools)
KVER=$(uname -r)
MODDIR=/lib/modules/$KVER
# The extension of the tree's modules: .ko on Debian 12's 6.1, .ko.xz on kernels that
# decompress modules themselves (Debian 13's 6.12 ships only .ko.xz).
case "$(cat /sys/module/compression 2>/dev/null)" in
xz) KO=.ko.xz ;; zstd) KO=.ko.zst ;; gzip) KO=.ko.gz ;; *) KO=.ko ;;
esac
NOK=0
NFAIL=0
NC=  # "~ " while transcript lines must not be compared between tool sets (see nocompare)

modprobe() { /sbin/modprobe "$@"; }
insmod() { /sbin/insmod "$@"; }
rmmod() { /sbin/rmmod "$@"; }
lsmod() { /sbin/lsmod "$@"; }
modinfo() { /sbin/modinfo "$@"; }
depmod() { /sbin/depmod "$@"; }
kmod() { /bin/kmod "$@"; }

# Debian's libkmod is a debug build: it prefixes messages with "../libkmod/x.c:N fn() ".
normalise_err() {
  sed -E -e 's#\.\./libkmod/[a-z-]+\.c:[0-9]+ [a-z_0-9]+\(\) ##' \
    -e 's#(libkmod: [A-Z]+) \.\./libkmod/[a-z-]+\.c:[0-9]+ ([a-z_0-9]+): #\1 \2: #' \
    -e '/: INFO: (custom logging function 0x[0-9a-f]+ registered|context 0x[0-9a-f]+ released|ctx 0x[0-9a-f]+ created)$/d'
}

_show() { # PREFIX FILE: the file's lines with a prefix, marking a missing final newline
  [ -s "$2" ] || return 0
  sed "s/^/$NC$1/" "$2"
  [ -z "$(tail -c 1 "$2")" ] || echo " [no newline at end]"
}

# run CMD...: runs it, sets RC, OUT (stdout) and ERR (normalised stderr), logs the transcript.
run() {
  "$@" >/tmp/.vm.out 2>/tmp/.vm.err0
  RC=$?
  normalise_err </tmp/.vm.err0 >/tmp/.vm.err
  OUT=$(cat /tmp/.vm.out)
  ERR=$(cat /tmp/.vm.err)
  echo "$NC\$ $*"
  _show "> " /tmp/.vm.out
  _show "2> " /tmp/.vm.err
  echo "$NC? rc=$RC"
  return 0
}

# Lines between "nocompare on" and "nocompare off" may differ between kmod and modkit.
nocompare() { if [ "$1" = on ]; then NC="~ "; else NC=; fi; }
is_modkit() { [ "$TOOLS" = modkit ]; }
is_kmod() { [ "$TOOLS" = kmod ]; }

ok() {
  NOK=$((NOK + 1))
  echo "${NC}ok: $1"
}
fail() {
  NFAIL=$((NFAIL + 1))
  echo "FAIL: $*"
}
note() { echo "$NC# $*"; }
skip() {
  echo "SKIP: $*"
  exit 125
}

expect_eq() { # LABEL WANT GOT
  if [ "$2" = "$3" ]; then
    ok "$1"
  else
    case "$2$3" in
    *"
"*)
      fail "$1:"
      printf '%s\n' "$2" | sed 's/^/    want| /'
      printf '%s\n' "$3" | sed 's/^/    got | /'
      ;;
    *) fail "$1: want '$2' got '$3'" ;;
    esac
  fi
}
expect_match() { # LABEL ERE TEXT
  if printf '%s\n' "$3" | grep -qE -- "$2"; then ok "$1"; else
    fail "$1: no line matches /$2/ in:"
    printf '%s\n' "$3" | sed 's/^/    got | /'
  fi
}
expect_nomatch() { # LABEL ERE TEXT
  if printf '%s\n' "$3" | grep -qE -- "$2"; then
    fail "$1: a line matches /$2/ in:"
    printf '%s\n' "$3" | sed 's/^/    got | /'
  else ok "$1"; fi
}

expect_rc() { # LABEL RC CMD...
  _l=$1 _w=$2
  shift 2
  run "$@"
  expect_eq "$_l" "$_w" "$RC"
}
expect_out() { # LABEL STDOUT CMD...
  _l=$1 _w=$2
  shift 2
  run "$@"
  expect_eq "$_l" "$_w" "$OUT"
}
expect_err() { # LABEL STDERR CMD...
  _l=$1 _w=$2
  shift 2
  run "$@"
  expect_eq "$_l" "$_w" "$ERR"
}
# expect_run LABEL RC STDOUT STDERR CMD...: all three at once (one ok/FAIL line).
expect_run() {
  _l=$1 _rc=$2 _o=$3 _e=$4
  shift 4
  run "$@"
  if [ "$RC" = "$_rc" ] && [ "$OUT" = "$_o" ] && [ "$ERR" = "$_e" ]; then ok "$_l"; else
    fail "$_l: want rc=$_rc got rc=$RC"
    [ "$OUT" = "$_o" ] || {
      printf '%s\n' "$_o" | sed 's/^/    want stdout| /'
      printf '%s\n' "$OUT" | sed 's/^/    got  stdout| /'
    }
    [ "$ERR" = "$_e" ] || {
      printf '%s\n' "$_e" | sed 's/^/    want stderr| /'
      printf '%s\n' "$ERR" | sed 's/^/    got  stderr| /'
    }
  fi
}

state_of() { cat "/sys/module/$1/initstate" 2>/dev/null || echo absent; }
loaded() { # LABEL MOD...: each module is live in the kernel
  _l=$1
  shift
  _bad=
  for _m in "$@"; do [ "$(state_of "$_m")" = live ] || _bad="$_bad $_m($(state_of "$_m"))"; done
  if [ -z "$_bad" ]; then ok "$_l"; else fail "$_l: not loaded:$_bad"; fi
}
not_loaded() { # LABEL MOD...: no module is in the kernel
  _l=$1
  shift
  _bad=
  for _m in "$@"; do [ -d "/sys/module/$_m" ] && _bad="$_bad $_m($(state_of "$_m"))"; done
  if [ -z "$_bad" ]; then ok "$_l"; else fail "$_l: still in the kernel:$_bad"; fi
}
netdevs() { ls /sys/class/net | grep "^$1" | tr '\n' ' ' | sed 's/ $//'; } # PREFIX
param() { cat "/sys/module/$1/parameters/$2" 2>/dev/null || echo "(no parameter $1.$2)"; }
expect_param() { expect_eq "$1" "$4" "$(param "$2" "$3")"; } # LABEL MOD PARAM WANT
refcnt() { cat "/sys/module/$1/refcnt" 2>/dev/null || echo "(no refcnt for $1)"; }
holders() { ls "/sys/module/$1/holders" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }

# Load order: /proc/modules lists the newest module first.
load_order() { awk '{ m[NR] = $1 } END { for (i = NR; i > 0; i--) print m[i] }' /proc/modules; }
expect_order() { # LABEL MOD...: these modules were loaded in this relative order
  _l=$1
  shift
  _want=$(printf '%s\n' "$@")
  _got=$(load_order | awk -v want=" $* " 'index(want, " " $1 " ")')
  expect_eq "$_l" "$_want" "$_got"
}

# Configuration: modprobe_d NAME LINE... writes /etc/modprobe.d/NAME (removed after the case).
modprobe_d() {
  _f=$1
  shift
  mkdir -p /etc/modprobe.d
  printf '%s\n' "$@" >"/etc/modprobe.d/$_f"
  note "/etc/modprobe.d/$_f: $*"
}

dmesg_clear() { dmesg -c >/dev/null; }
expect_dmesg() { expect_match "$1" "$2" "$(dmesg)"; } # LABEL ERE

finish() {
  echo "=== RESULT ok=$NOK fail=$NFAIL"
  [ "$NFAIL" -eq 0 ]
}
