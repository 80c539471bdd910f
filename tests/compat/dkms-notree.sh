#!/usr/bin/env bash
# modkit dkms on a system whose DKMS tree does not exist (apt deletes /var/lib/dkms when it
# removes the dkms package): every action and the kernel hooks must work. Actions that only
# look or take things away exit as DKMS 3.4.3 does (recorded below) and create nothing; the
# ones that add (add, generate_mok) create the tree, where DKMS 3.4.3 fails (docs/compat.md).
# The hooks run as Debian's kernel packages run them, with the default /var/lib/dkms absent
# (a private mount namespace hides /var/lib and /etc/dkms).
. "$(dirname "$0")/common.sh"

[ "$(id -u)" = 0 ] || skip "needs root (a private mount namespace)"
unshare -m --propagation private true 2>/dev/null || skip "no private mount namespaces here"
K=$KVER

if [ "${1:-}" != --in-namespace ]; then
  unshare -m --propagation private -- bash "$0" --in-namespace
  exit $?
fi

# Inside the namespace: /var/lib and /etc/dkms are empty, so /var/lib/dkms does not exist.
mkdir -p "$WORK/varlib" "$WORK/etcdkms" "$WORK/src/hello-1.0" "$WORK/lib"
mount --bind "$WORK/varlib" /var/lib
[ -d /etc/dkms ] && mount --bind "$WORK/etcdkms" /etc/dkms
# The hooks as `cmake --install` puts them, with the default prefix: /etc/kernel/*.d and the
# kernel-install plugin in /usr/lib/kernel/install.d (where kernel-install looks), not under
# /usr/local.
DESTDIR=$WORK/inst cmake --install "$BUILD" --component kernel-hooks --prefix /usr/local >/dev/null
PLUGIN=$WORK/inst/usr/lib/kernel/install.d/40-modkit-dkms.install
if [ -x "$PLUGIN" ] && [ ! -e "$WORK/inst/usr/local" ]; then note "ok: the kernel-install plugin goes to /usr/lib/kernel/install.d"
else echo "FAIL: kernel-install plugin installed as: $(cd "$WORK/inst" && find . -name '*.install')"; FAILURES=$((FAILURES + 1)); fi
mkdir -p /etc/kernel
mount --bind "$WORK/inst/etc/kernel" /etc/kernel
printf 'PACKAGE_NAME=hello\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=hello\nDEST_MODULE_LOCATION[0]=/extra\nAUTOINSTALL=yes\n' \
  >"$WORK/src/hello-1.0/dkms.conf"
TREE=$WORK/absent/dkms
export MODKIT=$MODKIT

# usage: expect LABEL WANT_RC TREE_AFTER(absent|present) COMMAND...
expect() {
  local label=$1 want=$2 after=$3 rc=0
  shift 3
  "$@" >"$WORK/out" 2>&1 || rc=$?
  local bad=""
  [ "$rc" = "$want" ] || bad+=" exit $rc, want $want;"
  case $after in
    absent) [ ! -e "$TREE" ] && [ ! -e /var/lib/dkms ] || bad+=" the DKMS tree was created;" ;;
    present) [ -d "$TREE" ] || [ -d /var/lib/dkms ] || bad+=" no DKMS tree;" ;;
  esac
  if [ -n "$bad" ]; then
    echo "FAIL: $label:$bad"
    sed 's/^/    /' "$WORK/out" | head -10
    FAILURES=$((FAILURES + 1))
  else
    note "ok: $label (exit $rc)"
  fi
}

dk() { "$MODKIT" dkms "$@" --dkmstree "$TREE" --sourcetree "$WORK/src" --installtree "$WORK/lib"; }

echo "-- the kernel hooks, default trees (/var/lib/dkms absent), as Debian's kernel packages run them"
for d in preinst prerm postinst header_postinst; do
  expect "$d.d hook" 0 absent "/etc/kernel/$d.d/modkit-dkms" "$K" /boot/vmlinuz-"$K"
done
expect "kernel-install plugin, add" 0 absent "$PLUGIN" add "$K" /boot/vmlinuz-"$K"
expect "kernel-install plugin, remove" 0 absent "$PLUGIN" remove "$K"
expect "dkms status" 0 absent "$MODKIT" dkms status

echo "-- every action with --dkmstree naming a directory that does not exist (exit codes: DKMS 3.4.3)"
expect "kernel_preinst" 0 absent dk kernel_preinst -k "$K"
expect "kernel_prerm" 0 absent dk kernel_prerm -k "$K"
expect "kernel_postinst" 0 absent dk kernel_postinst -k "$K"
expect "autoinstall" 0 absent dk autoinstall -k "$K"
expect "status" 0 absent dk status
expect "uninstall" 3 absent dk uninstall hello/1.0 -k "$K"
expect "unbuild" 3 absent dk unbuild hello/1.0 -k "$K"
expect "remove" 3 absent dk remove hello/1.0 --all
expect "mktarball" 3 absent dk mktarball hello/1.0
expect "match" 0 absent dk match --templatekernel 6.1.0-47-amd64 -k "$K"
echo "-- actions that add create the tree (DKMS 3.4.3: 'No write access to DKMS tree', exit 1)"
expect "add" 0 present dk add hello/1.0
expect "status after add" 0 present dk status
grep -qx "hello/1.0: added" "$WORK/out" || { echo "FAIL: status after add: $(cat "$WORK/out")"; FAILURES=$((FAILURES + 1)); }
rm -rf "$TREE"
expect "generate_mok with the default tree" 0 present "$MODKIT" dkms generate_mok
[ -s /var/lib/dkms/mok.key ] && [ -s /var/lib/dkms/mok.pub ] ||
  { echo "FAIL: generate_mok made no /var/lib/dkms/mok.key and mok.pub"; FAILURES=$((FAILURES + 1)); }
finish
