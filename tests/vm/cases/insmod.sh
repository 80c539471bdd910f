# insmod and rmmod argument handling: missing files, stdin, non-module files, paths for
# rmmod, several names (rmmod goes on after a failure).
# needs: dummy loop
# kernels: bookworm trixie
D=$MODDIR/kernel/drivers/net/dummy$KO
expect_run "insmod of a missing file" 1 "" \
  "insmod: ERROR: could not load module /nonexistent.ko: No such file or directory" insmod /nonexistent.ko
expect_run "insmod -" 1 "" "insmod: ERROR: this tool does not support loading from stdin!" insmod -
expect_run "insmod without arguments" 1 "" "insmod: ERROR: missing filename." insmod
head -c 4096 /bin/busybox >/tmp/notamodule.ko
expect_run "insmod of a file that is not a module" 1 "" \
  "insmod: ERROR: could not insert module /tmp/notamodule.ko: Invalid module format" insmod /tmp/notamodule.ko
expect_run "insmod by relative path" 0 "" "" sh -c "cd $MODDIR/kernel/drivers/net && /sbin/insmod ./dummy$KO"
loaded "dummy" dummy
expect_run "rmmod by path" 0 "" "" rmmod "$D"
not_loaded "dummy removed" dummy
expect_run "rmmod without arguments" 1 "" "rmmod: ERROR: missing module name." rmmod
insmod "$D"
insmod "$MODDIR/kernel/drivers/block/loop$KO"
expect_run "rmmod goes on after a failure" 1 "" "rmmod: ERROR: Module nosuchmod is not currently loaded" rmmod nosuchmod dummy loop
not_loaded "the others were removed" dummy loop
