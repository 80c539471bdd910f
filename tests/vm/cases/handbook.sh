# The handbook's questions, answered directly by modkit in a real kernel. "Which options is
# this loaded module running with?" (the handbook uses systool -v -m): `modkit params` shows
# the values in /sys/module/loop/parameters, each with the modprobe.d line, the kernel
# command line or the default behind it, and a value given at load time as such. "Why did
# this module not load?" when the running kernel's module directory is gone (a removed or
# upgraded kernel package): kmod's line, then modprobe's hint naming the installed kernels.
# needs: loop
# cmdline: loop.max_part=3
# kernels: bookworm
# timeout: 120
is_modkit || skip "modkit params and modprobe's hints are modkit features"
nocompare on
modprobe_d params.conf "options loop max_loop=4"
modprobe loop
out=$(/sbin/modkit params loop)
expect_match "max_loop comes from modprobe.d" "^  max_loop = 4 +/etc/modprobe.d/params.conf:1$" "$out"
expect_match "max_part comes from the kernel command line" "^  max_part = 3 +kernel command line$" "$out"
expect_match "hw_queue_depth is the default" "^  hw_queue_depth = 128 +default" "$out"
out=$(/sbin/modkit params --json loop)
expect_match "--json names the source" '"source": "kernel command line"' "$out"
modprobe -r loop
modprobe loop max_loop=6
out=$(/sbin/modkit params loop)
expect_match "a value given to modprobe is reported as set at load time" \
  "^  max_loop = 6 +set when loaded; /etc/modprobe.d/params.conf:1 asks for 4$" "$out"
modprobe -r loop
expect_run "a module that is not loaded" 1 "" "params: ERROR: module loop is not loaded (no /sys/module/loop)" \
  /sbin/modkit params loop
rm -f /etc/modprobe.d/params.conf

mv "$MODDIR" /lib/modules/moved-away
run modprobe loop
mv /lib/modules/moved-away "$MODDIR"
expect_eq "modprobe fails" 1 "$RC"
expect_match "kmod's line first" "^modprobe: FATAL: Module loop not found in directory $MODDIR$" "$ERR"
expect_match "then the hint" "^modprobe: hint: $MODDIR does not exist: .*reboot into an installed kernel \\(/lib/modules has: moved-away\\)$" "$ERR"
