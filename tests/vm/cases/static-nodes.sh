# kmod static-nodes in its three formats from modules.devname, -o with missing parent
# directories, a missing modules.devname; then the full circle: a node created from its
# output makes the kernel load the module (through /sbin/modprobe) when it is opened.
# needs: loop tun fuse
expect_run "static-nodes -f devname" 0 "$(sed -n '/^[^#]/p' "$MODDIR/modules.devname")" "" kmod static-nodes -f devname
expect_match "devname line of loop" '^loop loop-control c10:237$' "$OUT"
run kmod static-nodes
expect_eq "default format is human" 0 "$RC"
expect_match "human: module" '^Module: loop$' "$OUT"
expect_eq "human: the loop block" "Module: loop
	Device node: /dev/loop-control
		Type: character device
		Major: 10
		Minor: 237" "$(echo "$OUT" | grep -A4 '^Module: loop$')"
run kmod static-nodes --format=tmpfiles
tmpfiles=$OUT
expect_match "tmpfiles: loop" '^c! /dev/loop-control 0600 - - - 10:237$' "$OUT"
expect_eq "tmpfiles: a directory line before /dev/net/tun" "d /dev/net 0755 - - -
c! /dev/net/tun 0600 - - - 10:200" "$(echo "$OUT" | grep -B1 '^c! /dev/net/tun ')"
expect_run "-o creates parent directories" 0 "" "" kmod static-nodes -f tmpfiles -o /tmp/a/b/static-nodes.conf
expect_eq "-o wrote the same" "$tmpfiles" "$(cat /tmp/a/b/static-nodes.conf)"

mv "$MODDIR/modules.devname" /tmp/devname
expect_run "missing modules.devname: a warning, exit 0" 0 "" \
  "Warning: /lib/modules/$KVER/modules.devname not found - ignoring" kmod static-nodes
mv /tmp/devname "$MODDIR/modules.devname"

# devtmpfs has no loop-control while loop is not loaded; create it as systemd would.
not_loaded "loop not loaded yet" loop
rm -f /dev/loop-control
kmod static-nodes -f devname | while read -r mod node spec; do
  [ "$mod" = loop ] || continue
  maj=${spec#c}; maj=${maj%%:*}; min=${spec##*:}
  mknod "/dev/$node" c "$maj" "$min"
done
expect_rc "open /dev/loop-control (char-major-10-237 autoload)" 0 sh -c 'exec 3</dev/loop-control'
loaded "the kernel loaded loop through /sbin/modprobe" loop
