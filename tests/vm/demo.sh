# The `make run` demo's part inside the VM (run by /init like a case, after the prelude):
# modkit's modprobe, lsmod and modprobe --explain against the real Debian kernel.
# needs: ext4
show() {
  printf '\n$ %s\n' "$*"
  "$@" 2>&1
  rc=$?
  [ "$rc" = 0 ] || echo "(exit $rc)"
}
echo "Booted Debian's $(uname -r) in QEMU; modkit is /sbin/modkit, the tools are symlinks to it."
show uname -r
show modprobe -v ext4
show lsmod
show modprobe --explain ext4
show modprobe -r -v ext4
show lsmod
echo
echo "Powering off."
