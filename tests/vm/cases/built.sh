# Modules built at test time from tests/vm/modsrc against linux-headers-<kver> (unsigned,
# installed in extra/): depmod found modkit_user's dependency on modkit_demo's export, options
# with quoted spaces reach the int and string parameters, init errors are reported.
# needs-built: yes
E=$MODDIR/extra
[ -e "$E/modkit_demo.ko" ] || skip "no built modules in $E"
expect_match "modules.dep: modkit_user needs modkit_demo" '^extra/modkit_user.ko: extra/modkit_demo.ko$' "$(cat "$MODDIR/modules.dep")"
modprobe_d demo.conf 'options modkit_demo count=5 greeting="hi there"'
expect_run "modprobe modkit_user loads modkit_demo first, with its options" 0 \
  "insmod $E/modkit_demo.ko count=5 greeting=\"hi there\" 
insmod $E/modkit_user.ko " "" modprobe -v modkit_user
loaded "both live" modkit_demo modkit_user
expect_param "int parameter" modkit_demo count 5
expect_param "string parameter with a space" modkit_demo greeting "hi there"
expect_dmesg "modkit_user called the exported symbol" "modkit_user: answer=46"
expect_eq "modkit_demo is held by modkit_user" modkit_user "$(holders modkit_demo)"
expect_run "modprobe -r of the provider" 1 "" "modprobe: FATAL: Module modkit_demo is in use." modprobe -r modkit_demo
expect_run "rmmod of the provider" 1 "" "rmmod: ERROR: Module modkit_demo is in use by: modkit_user" rmmod modkit_demo
echo 9 >/sys/module/modkit_demo/parameters/count
expect_param "a 0644 parameter is writable" modkit_demo count 9
expect_run "modprobe -r modkit_user removes the unused provider too" 0 "" "" modprobe -r modkit_user
not_loaded "both gone" modkit_demo modkit_user

rm /etc/modprobe.d/demo.conf
expect_run "the module's own alias" 0 "" "" modprobe modkit-demo-alias
expect_param "default values" modkit_demo greeting hello
rmmod modkit_demo
expect_run "options on modprobe's command line, quoted value" 0 "" "" modprobe modkit_demo count=3 'greeting=two words'
expect_param "string from the command line" modkit_demo greeting "two words"
rmmod modkit_demo
expect_run "insmod by path with options" 0 "" "" insmod "$E/modkit_demo.ko" count=7
expect_param "int from insmod" modkit_demo count 7
rmmod modkit_demo
expect_run "an init that fails with ENODEV (modprobe)" 1 "" \
  "modprobe: ERROR: could not insert 'modkit_demo': No such device" modprobe modkit_demo fail_with=19
expect_run "an init that fails with ENODEV (insmod)" 1 "" \
  "insmod: ERROR: could not insert module $E/modkit_demo.ko: No such device" insmod "$E/modkit_demo.ko" fail_with=19
not_loaded "not loaded" modkit_demo
run modinfo -F parm modkit_demo
expect_eq "modinfo of a built module" "count:an integer, readable and writable in sysfs (int)
greeting:a string, read-only in sysfs (charp)
hold:if set, the module holds a reference on itself (rmmod -f removes it) (bool)
fail_with:if set, init fails with -fail_with (e.g. 19 for ENODEV) (int)" "$OUT"

# A reference count with no holders, which only a forced removal gets past.
modprobe modkit_demo hold=1
expect_eq "hold=1: refcnt 1" 1 "$(refcnt modkit_demo)"
expect_run "rmmod of a referenced module" 1 "" "rmmod: ERROR: Module modkit_demo is in use" rmmod modkit_demo
expect_run "modprobe -r of a referenced module" 1 "" "modprobe: FATAL: Module modkit_demo is in use." modprobe -r modkit_demo
expect_run "modprobe -r -f checks the refcnt too" 1 "" "modprobe: FATAL: Module modkit_demo is in use." modprobe -r -f modkit_demo
if grep -q '^CONFIG_MODULE_FORCE_UNLOAD=y' /vm/config; then
  expect_run "rmmod -f (CONFIG_MODULE_FORCE_UNLOAD=y): forced out" 0 "" "" rmmod -f modkit_demo
  not_loaded "removed" modkit_demo
  expect_eq "the kernel is tainted R (forced removal)" 8 "$(($(cat /proc/sys/kernel/tainted) & 8))"
else
  expect_run "rmmod -f without CONFIG_MODULE_FORCE_UNLOAD: the kernel refuses" 1 "" \
    "rmmod: ERROR: could not remove 'modkit_demo': Resource temporarily unavailable
rmmod: ERROR: could not remove module modkit_demo: Resource temporarily unavailable" rmmod -f modkit_demo
fi
