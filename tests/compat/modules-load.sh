#!/usr/bin/env bash
# modkit modules-load against systemd 252's systemd-modules-load (Debian 12, the host's own):
# in a private mount namespace, both read the same modules-load.d directories, modprobe.d and
# the real Debian tree (indexed by kmod, mounted as /lib/modules/`uname -r`), with the kernel
# command line given through $SYSTEMD_PROC_CMDLINE; stderr and exit status must be identical.
# Loading fails the same way for both (this kernel has no modules, or CAP_SYS_MODULE is
# dropped), so every path up to the syscall is compared: lookups, aliases, built-ins, the
# blacklist, install commands, masking, command-line parsing, files named as arguments.
SELF=$(readlink -f "$0")
source "$(dirname "$0")/common.sh"

ORACLE=/lib/systemd/systemd-modules-load
[ -x "$ORACLE" ] || skip "no $ORACLE (systemd not installed)"
command -v capsh >/dev/null || skip "no capsh (libcap2-bin)"
REL=$(uname -r)

if [ -z "${ML_INNER:-}" ]; then
  [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null ||
    skip "needs root and unshare for a private mount namespace"
  tree_copy plain "$WORK/t" index
  ML_INNER=1 ML_TREE=$WORK/t/lib/modules/$KVER unshare --mount --propagation private bash "$SELF"
  exit $?
fi

# ---- inside the namespace ----
trap 'rm -rf "$WORK"' EXIT
mount -t tmpfs none /lib/modules
mkdir "/lib/modules/$REL"
mount --bind "$ML_TREE" "/lib/modules/$REL"
# Every directory either tool reads, empty; /run and /usr/local/lib whole, as the directories
# in them may not exist on this machine.
for d in /etc/modules-load.d /usr/lib/modules-load.d /etc/modprobe.d /usr/lib/modprobe.d /run \
  /usr/local/lib; do
  mkdir -p "$d" 2>/dev/null || true
  mount -t tmpfs none "$d"
done
[ -d /lib/modprobe.d ] && [ ! /lib/modprobe.d -ef /usr/lib/modprobe.d ] && mount -t tmpfs none /lib/modprobe.d
[ -d /lib/modules-load.d ] && [ ! /lib/modules-load.d -ef /usr/lib/modules-load.d ] &&
  mount -t tmpfs none /lib/modules-load.d
mkdir -p /run/modules-load.d /usr/local/lib/modules-load.d

reset_config() {
  find /etc/modules-load.d /usr/lib/modules-load.d /run/modules-load.d \
    /usr/local/lib/modules-load.d /etc/modprobe.d /usr/lib/modprobe.d -mindepth 1 -delete
}

# Runs both with the same environment and arguments, without CAP_SYS_MODULE.
# usage: ml LABEL CMDLINE [ARGS...]   (ML_ENV: extra "VAR=value" words)
ml() {
  local label=$1 cmdline=$2; shift 2
  local d=$WORK/cmp; mkdir -p "$d"
  local src=0 mrc=0
  env SYSTEMD_PROC_CMDLINE="$cmdline" SYSTEMD_IN_INITRD=0 ${ML_ENV:-} \
    capsh --drop=cap_sys_module -- -c '"$0" "$@"' "$ORACLE" "$@" >"$d/s.out" 2>"$d/s.err" || src=$?
  env SYSTEMD_PROC_CMDLINE="$cmdline" SYSTEMD_IN_INITRD=0 ${ML_ENV:-} \
    capsh --drop=cap_sys_module -- -c '"$0" modules-load "$@"' "$MODKIT" "$@" >"$d/m.out" 2>"$d/m.err" || mrc=$?
  # libkmod's messages in kmod 34's form; modkit names the line of a file it cannot read
  # (docs/compat.md).
  normalise_stderr <"$d/s.err" >"$d/s.errn"
  sed -E "s/^(Failed to read file '[^']*'), line [0-9]+:/\1:/" "$d/m.err" >"$d/m.errn"
  local bad=""
  cmp -s "$d/s.out" "$d/m.out" || bad+=" stdout"
  cmp -s "$d/s.errn" "$d/m.errn" || bad+=" stderr"
  [ "$src" = "$mrc" ] || bad+=" exit($src vs $mrc)"
  if [ -n "$bad" ]; then
    echo "FAIL: $label:$bad"
    diff "$d/s.errn" "$d/m.errn" | head -20 | sed 's/^/    /' || true
    FAILURES=$((FAILURES + 1))
  else
    note "ok: $label ($(wc -l <"$d/s.err") lines, exit $src)"
  fi
}

echo "-- files and directories"
reset_config
ml "nothing configured" ""
printf 'loop\n' >/usr/lib/modules-load.d/a.conf
printf '# c\n; c\n\n  dummy  \r\n\tveth\t\n' >/usr/lib/modules-load.d/b.conf
printf 'tun\n' >/etc/modules-load.d/b.conf # masks /usr/lib's b.conf
printf 'bridge\n' >/run/modules-load.d/c.conf
printf 'bonding\n' >/usr/local/lib/modules-load.d/c.conf # masked by /run
printf 'vxlan\n' >/usr/local/lib/modules-load.d/Z.conf
printf 'ignored\n' >/etc/modules-load.d/README
printf 'ignored\n' >/etc/modules-load.d/.hidden.conf
printf 'ignored\n' >/etc/modules-load.d/x.conf.dpkg-old
ml "precedence, masking by name, comments, blanks, CR LF" ""
ln -s /dev/null /etc/modules-load.d/a.conf
ml "a /dev/null symlink masks" ""
ln -s /nonexistent /etc/modules-load.d/d.conf
ml "a dangling link is skipped" ""
printf 'loop\n' >/etc/modules
ln -s ../modules /etc/modules-load.d/modules.conf
printf 'loop\n# Debian /etc/modules\nloop max_loop=8\n' >/etc/modules
ml "/etc/modules through modules.conf (the whole line is the name)" ""
printf 'a\0b\rc\n\rd\n\ne' >/etc/modules-load.d/e.conf
ml "NUL, CR and mixed line endings" ""
mkdir /etc/modules-load.d/f.conf
ml "a directory named .conf fails the run" ""
rmdir /etc/modules-load.d/f.conf

echo "-- what a name resolves to"
reset_config
cat >/etc/modprobe.d/t.conf <<'EOF'
blacklist dummy
blacklist e1000e
install veth /bin/true
install vxlan /bin/false
install ifb /bin/false
alias my-alias loop
alias my-two tun
alias my-two bridge
softdep bonding pre: modkit-no-such-softdep
options loop max_loop=4
EOF
cat >/etc/modules-load.d/a.conf <<'EOF'
loop
dummy
veth
ifb
vxlan
unix
nosuchmod
pci:v00008086d000010D3sv*sd*bc*sc*i*
pci:v00001AF4d00001001sv*sd*bc*sc*i*
my-alias
my-two
symbol:jbd2_journal_start
foo[
ext4
snd-hda-intel
bonding
fs-ext4
char-major-10-237
EOF
ml "names, aliases, built-ins, blacklist, install commands, softdeps, symbols" ""
printf 'options loop max_loop=4 bogus\nnot a directive\n' >/etc/modprobe.d/bad.conf
ml "a bad modprobe.d line (libkmod's message)" ""

echo "-- kernel command line"
reset_config
printf 'loop\n' >/etc/modules-load.d/a.conf
ml "modules_load= comes first, each name once" "quiet modules_load=tun,loop,,tun modules-load=bridge modules_load=tun"
ml "rd.modules_load= outside the initrd" "rd.modules_load=tun modules_load=bridge"
ML_ENV="SYSTEMD_IN_INITRD=1" ml "rd.modules_load= in the initrd" "rd.modules_load=tun modules_load=bridge"
ml "quoted words" "\"modules_load=tun,bridge\" 'x=y z' modules_load='veth'\"x\""
ml "missing value" "modules_load modules-load= rd.modules_load"
ml "backslashes are ordinary bytes" "modules_load=tun modules_load=a\\ modules_load=b\\,bridge"
ml "module options on the kernel command line" "loop.max_loop=2 modules_load=loop"

echo "-- files named as arguments"
reset_config
printf 'tun\n' >/usr/lib/modules-load.d/x.conf
printf 'bridge\n' >"$WORK/abs.conf"
ml "a name searched in the directories" "modules_load=loop" x.conf
ml "an absolute path" "" "$WORK/abs.conf"
ml "a missing file" "" missing.conf "$WORK/abs.conf"

finish
