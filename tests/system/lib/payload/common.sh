# Helpers for the stage scripts (tests/system/stages/*.sh), inside the VM. Results go to
# /payload/out: cmp/NAME files must be identical between the stock and the modkit variant,
# own/NAME files are kept for reading; checks.log has one "ok: LABEL" or "FAIL: LABEL: why"
# line per check. Every line is echoed to the serial console too.
OUT=/payload/out
VARIANT=$(cat /payload/variant)

log() { echo "$*" | tee -a "$OUT/checks.log"; }
ok() { log "ok: $1"; }
fail() { log "FAIL: $1: $2"; }
# modkit: the modkit package in kmod's and dkms's place (libkmod2 stays); libkmod: the same
# with libkmod2-modkit in libkmod2's place too, no package of kmod's left.
is_modkit() { [ "$VARIANT" = modkit ] || [ "$VARIANT" = libkmod ]; }
is_libkmod() { [ "$VARIANT" = libkmod ]; }

# check LABEL CMD...: ok when CMD succeeds; its output is kept in own/ on failure.
check() {
  local label=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$label"; else fail "$label" "$(echo "$out" | tail -5 | tr '\n' '|')"; fi
}
# expect_eq LABEL WANT GOT
expect_eq() {
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi
}
# record NAME CMD...: stdout, stderr and status of CMD into cmp/NAME (compared between variants).
record() {
  local name=$1 rc=0
  shift
  { "$@" 2>&1 || rc=$?; echo "? rc=$rc"; } >"$OUT/cmp/$name"
  return $rc
}
# keep NAME CMD...: the same into own/NAME (not compared).
keep() {
  local name=$1 rc=0
  shift
  { "$@" 2>&1 || rc=$?; echo "? rc=$rc"; } >"$OUT/own/$name"
  return $rc
}
# timed NAME CMD...: runs CMD, its output in own/NAME.log, its wall time in own/times.
timed() {
  local name=$1 rc=0 t0 t1
  shift
  t0=$(date +%s%N)
  "$@" >"$OUT/own/$name.log" 2>&1 || rc=$?
  t1=$(date +%s%N)
  echo "$name $(((t1 - t0) / 1000000)) ms rc=$rc" | tee -a "$OUT/own/times"
  return $rc
}

# The DKMS state, as facts that hold for DKMS and modkit alike: per kernel with a module
# directory, what `dkms status` says and what is really installed.
dkms_facts() {
  local k
  dkms status 2>/dev/null | sed 's/ (WARNING.*//' | sort
  for k in $(ls /lib/modules); do
    echo "kernel $k: updates/dkms: $(cd /lib/modules/$k && ls updates/dkms 2>/dev/null | tr '\n' ' ')"
    echo "kernel $k: modules.dep: $(grep -o '^updates/dkms/[^:]*' /lib/modules/$k/modules.dep 2>/dev/null | tr '\n' ' ')"
  done
}

# Every installed DKMS module agrees with its kernel, its index and DKMS's tree; every index
# file of every installed kernel equals what a fresh depmod of the same tree writes. (A
# removed kernel's directory keeps its old index files next to nothing: not checked.)
dkms_consistent() {
  local k ko bad=0 t m
  for k in $(ls /lib/modules); do
    [ -e "/lib/modules/$k/modules.dep" ] && [ -d "/lib/modules/$k/kernel" ] || continue
    for ko in /lib/modules/$k/updates/dkms/*.ko*; do
      [ -e "$ko" ] || continue
      [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$k" ] || { echo "$ko: vermagic"; bad=1; }
      grep -q "^updates/dkms/$(basename "$ko"):" "/lib/modules/$k/modules.dep" || { echo "$ko: not in modules.dep"; bad=1; }
      dkms status -k "$k" 2>/dev/null | grep -q "$(basename "${ko%%.ko*}").*: installed" ||
        ls /var/lib/dkms/*/*/"$k"/*/module/"$(basename "$ko")" >/dev/null 2>&1 ||
        { echo "$ko: DKMS does not know it"; bad=1; }
    done
    # The text files are byte-identical between kmod's depmod and modkit's; the .bin files
    # differ in layout (kmod 30 and 34), so they are checked by a lookup through them.
    t=$(mktemp -d /var/tmp/modkit-check.XXXXXX)
    mkdir -p "$t/lib/modules"
    cp -al "/lib/modules/$k" "$t/lib/modules/" # hard links: depmod replaces, never rewrites
    depmod -b "$t" "$k" 2>/dev/null
    for f in modules.dep modules.alias modules.symbols modules.softdep modules.devname; do
      cmp -s "/lib/modules/$k/$f" "$t/lib/modules/$k/$f" || { echo "$k/$f: differs from a fresh depmod"; bad=1; }
    done
    for ko in $(cut -d: -f1 "/lib/modules/$k/modules.dep" | grep -E '(^updates/|/loop\.ko|/ext4\.ko)'); do
      m=$(basename "${ko%%.ko*}" | tr - _)
      [ "$(modprobe -S "$k" -R "$m" 2>&1)" = "$m" ] || { echo "$k: $m not found through modules.dep.bin"; bad=1; }
    done
    rm -rf "$t"
  done
  return $bad
}

# initramfs_has_file INITRD FILE: the initramfs holds FILE byte for byte (under FILE's name or
# the name of a link to it, which is how copy_exec puts a library's soname there).
initramfs_has_file() {
  local t rc=1 f
  t=$(mktemp -d /var/tmp/modkit-initrd.XXXXXX)
  unmkinitramfs "$1" "$t" >/dev/null 2>&1
  for f in $(find "$t" -type f -name "$(basename "${2%%.so*}").so*"); do
    cmp -s "$f" "$2" && rc=0
  done
  [ $rc = 0 ] || find "$t" -name "$(basename "${2%%.so*}").so*" -exec ls -l {} +
  rm -rf "$t"
  return $rc
}

# Power loss: when a process whose command line matches PATTERN (pgrep -f) runs, it is frozen
# with SIGSTOP after DELAY seconds (if it still runs) and "=== KILLPOINT NAME" goes to the
# console; the host kills QEMU on that line, so the machine loses power in the middle of that
# process's work.
arm_killpoint() { # NAME PATTERN DELAY
  (
    while :; do
      for pid in $(pgrep -f "$2"); do
        sleep "$3"
        if kill -STOP "$pid" 2>/dev/null; then
          echo "=== KILLPOINT $1: $(tr '\0' ' ' <"/proc/$pid/cmdline")" >/dev/ttyS0
          exec sleep 3600
        fi
      done
      sleep 0.05
    done
  ) &
}
