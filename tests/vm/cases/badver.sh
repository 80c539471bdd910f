# Modules built for another kernel: insmod reports "Invalid module format" (ENOEXEC) and exits
# 1; -f/--force-vermagic strips the vermagic so such a module loads. With
# CONFIG_MODVERSIONS the kernel compares vermagic without the release, so a module that only
# differs there loads. The copies come from tests/vm/lib/patchko.py, without a signature (a
# signature that no longer verifies is fatal even without MODULE_SIG_FORCE: EKEYREJECTED).
# needs: dummy
# needs-patched: dummy
P=/opt/modkit-vm
expect_run "insmod of a module with a foreign vermagic" 1 "" \
  "insmod: ERROR: could not insert module $P/vermagic/dummy.ko: Invalid module format" insmod $P/vermagic/dummy.ko
expect_dmesg "the kernel names the version magic" "dummy: version magic '5.10.0-99-amd64 SMP mod_unload modversions ' should be '$KVER SMP preempt mod_unload modversions '"
not_loaded "not loaded" dummy
expect_run "insmod of a module built against other headers (module_layout CRC)" 1 "" \
  "insmod: ERROR: could not insert module $P/layout/dummy.ko: Invalid module format" insmod $P/layout/dummy.ko
expect_dmesg "the kernel names the symbol" "dummy: disagrees about version of symbol module_layout"
expect_run "a vermagic differing only in the release loads (modversions)" 0 "" "" insmod $P/version/dummy.ko
loaded "loaded" dummy
rmmod dummy

expect_run "insmod -f of the foreign-vermagic module" 0 "" "" insmod -f $P/vermagic/dummy.ko
loaded "forced load" dummy
expect_eq "the kernel is tainted F (forced load)" 2 "$(($(cat /proc/sys/kernel/tainted) & 2))"
rmmod dummy

# The same through modprobe: the foreign module in place of the tree's dummy.ko.
D=$MODDIR/kernel/drivers/net/dummy.ko
cp "$D" /tmp/dummy.ko.orig
trap 'cp /tmp/dummy.ko.orig "$D"' EXIT
cp $P/vermagic/dummy.ko "$D"
expect_run "modprobe of a foreign module: strerror(ENOEXEC)" 1 "" \
  "modprobe: ERROR: could not insert 'dummy': Exec format error" modprobe dummy
expect_run "modprobe --force-vermagic" 0 "" "" modprobe --force-vermagic dummy
loaded "loaded with --force-vermagic" dummy
modprobe -r dummy
cp $P/layout/dummy.ko "$D"
expect_run "modprobe --force-modversion of a module built against other headers" 0 "" "" modprobe --force-modversion dummy
loaded "loaded with --force-modversion" dummy
modprobe -r dummy
