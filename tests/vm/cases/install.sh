# install and remove commands in modprobe.d: run through /bin/sh with $CMDLINE_OPTS replaced by
# the module's options and MODPROBE_MODULE set; the first matching command wins; -i ignores
# them; a failing command fails the load; a command makes a name without a .ko loadable.
# needs: dummy loop vfat nbd
modprobe_d inst.conf \
  "install dummy /bin/echo hello from install; /sbin/modprobe --ignore-install dummy" \
  "install dummy /bin/echo second line never used" \
  "remove dummy /bin/echo bye from remove; /sbin/modprobe -r --ignore-remove dummy"
expect_run "install command runs instead of the insertion" 0 "hello from install" "" modprobe dummy
loaded "and the command's own modprobe --ignore-install loaded dummy" dummy
expect_run "remove command" 0 "bye from remove" "" modprobe -r dummy
not_loaded "the remove command's modprobe -r --ignore-remove removed dummy" dummy
expect_run "-n -v prints the install command (options after a space)" 0 \
  "install /bin/echo hello from install; /sbin/modprobe --ignore-install dummy " "" modprobe -n -v dummy
expect_run "-i ignores the install command" 0 "" "" modprobe -i dummy
loaded "dummy loaded directly" dummy
expect_run "-r -i ignores the remove command" 0 "" "" modprobe -r -i dummy
not_loaded "dummy removed directly" dummy

modprobe_d inst.conf \
  'install loop /bin/echo "opts=[$CMDLINE_OPTS] module=$MODPROBE_MODULE"; /sbin/modprobe --ignore-install loop $CMDLINE_OPTS' \
  "options loop max_part=3"
expect_run '$CMDLINE_OPTS carries configured and command-line options; MODPROBE_MODULE is set' 0 \
  "opts=[max_part=3 max_loop=7] module=loop" "" modprobe loop max_loop=7
expect_param "the options reached loop through the command" loop max_loop 7
modprobe -r loop

modprobe_d inst.conf "install fat /bin/echo installing fat; /sbin/modprobe --ignore-install fat"
expect_run "the install command of a dependency runs too" 0 "installing fat" "" modprobe vfat
loaded "vfat and fat loaded" vfat fat
modprobe -r vfat

modprobe_d inst.conf "install nbd /bin/false"
expect_run "a failing install command fails the load" 1 "" \
  "modprobe: ERROR: Error running install command '/bin/false' for module nbd: retcode 1
modprobe: ERROR: could not insert 'nbd': Invalid argument" modprobe nbd
not_loaded "nbd not loaded" nbd

modprobe_d inst.conf "install nosuchthing /bin/echo virtual module"
expect_run "an install command makes a name without a module resolvable" 0 "virtual module" "" modprobe nosuchthing
