# Already-loaded and not-loaded modules: modprobe is silent unless --first-time; insmod and
# rmmod report the kernel's answer.
# needs: loop nbd
# kernels: bookworm trixie
LOOP=$MODDIR/kernel/drivers/block/loop$KO
expect_run "modprobe loop" 0 "" "" modprobe loop
expect_run "modprobe loop again: silent success" 0 "" "" modprobe loop
expect_run "modprobe -v loop again prints nothing" 0 "" "" modprobe -v loop
expect_run "--first-time on a loaded module" 1 "" \
  "modprobe: ERROR: could not insert 'loop': Module already in kernel" modprobe --first-time loop
expect_run "insmod of a loaded module" 1 "" \
  "insmod: ERROR: could not insert module $LOOP: File exists" insmod "$LOOP"
expect_run "rmmod loop" 0 "" "" rmmod loop
expect_run "modprobe -r of a module not loaded: silent success" 0 "" "" modprobe -r nbd
expect_run "modprobe -r --first-time of a module not loaded" 1 "" \
  "modprobe: FATAL: Module nbd is not in kernel." modprobe -r --first-time nbd
expect_run "rmmod of a module not loaded" 1 "" "rmmod: ERROR: Module nbd is not currently loaded" rmmod nbd
expect_run "rmmod of an unknown name" 1 "" "rmmod: ERROR: Module nosuchmod is not currently loaded" rmmod nosuchmod
expect_run "--first-time loads a module not yet loaded" 0 "" "" modprobe --first-time nbd
loaded "nbd" nbd
