# In-kernel module decompression (Debian 13's 6.12: CONFIG_MODULE_DECOMPRESS, modules shipped
# as .ko.xz, /sys/module/compression says "xz"). A module compressed the way the kernel
# decompresses goes to finit_module(fd, params, MODULE_INIT_COMPRESSED_FILE), as kmod 31+ does;
# any other compression is decompressed in userspace and given to init_module. The kernel's
# syscall tracepoints show which call was made, with which flags. Debian 12's kmod 30 predates
# kmod 31's in-kernel decompression: with TOOLS=kmod it uses init_module for every compressed
# file, so the syscall lines are not compared between tool sets.
# kernels: trixie
# needs: dummy brd
# needs-stage: decompress
# timeout: 120
P=/opt/modkit-vm/decompress
T=/sys/kernel/tracing
expect_eq "the kernel decompresses xz itself" xz "$(cat /sys/module/compression 2>/dev/null)"
mount -t tracefs tracefs $T 2>/dev/null
[ -d $T/events/syscalls/sys_enter_finit_module ] || skip "no syscall tracepoints in this kernel"
trace_on() {
  echo >$T/trace
  echo 1 >$T/events/syscalls/sys_enter_finit_module/enable
  echo 1 >$T/events/syscalls/sys_enter_init_module/enable
  echo 1 >$T/tracing_on
}
# The module syscalls made since trace_on, as "finit_module flags=N" / "init_module".
syscalls() {
  echo 0 >$T/tracing_on
  echo 0 >$T/events/syscalls/sys_enter_finit_module/enable
  echo 0 >$T/events/syscalls/sys_enter_init_module/enable
  sed -n -e 's/.*sys_finit_module(.*flags: \([0-9a-fx]*\)).*/finit_module flags=\1/p' \
    -e 's/.*sys_init_module(.*/init_module/p' $T/trace
}

# expect_call LABEL WANT [WANT_WITH_KMOD30]: the module syscalls made since trace_on.
expect_call() {
  nocompare on
  if is_kmod && [ -n "${3:-}" ]; then expect_eq "$1 (kmod 30)" "$3" "$(syscalls)"
  else expect_eq "$1" "$2" "$(syscalls)"; fi
  nocompare off
}

trace_on
expect_run "modprobe of a .ko.xz module" 0 "" "" modprobe dummy
expect_call "finit_module with MODULE_INIT_COMPRESSED_FILE" "finit_module flags=4" init_module
loaded "dummy (xz, decompressed by the kernel) live" dummy
modprobe -r dummy

trace_on
expect_run "insmod of a .ko.xz by path, with a parameter" 0 "" "" insmod $P/brd.ko.xz rd_nr=2
expect_call "finit_module, compressed" "finit_module flags=4" init_module
expect_param "the parameter reached the module" brd rd_nr 2
rmmod brd

trace_on
expect_run "insmod --force-modversion of a .ko.xz" 0 "" "" insmod --force-modversion $P/brd.ko.xz
expect_call "compressed + MODULE_INIT_IGNORE_MODVERSIONS" "finit_module flags=5" init_module
rmmod brd

trace_on
expect_run "insmod -f of a .ko.xz" 0 "" "" insmod -f $P/brd.ko.xz
expect_call "compressed + both ignore flags" "finit_module flags=7" init_module
expect_eq "a forced load taints F" F "$(cat /sys/module/brd/taint | tr -cd F)"
rmmod brd

trace_on
expect_run "insmod of an uncompressed module" 0 "" "" insmod $P/brd.ko
expect_call "finit_module without flags" "finit_module flags=0"
rmmod brd

trace_on
expect_run "insmod of a .ko.zst (not the kernel's compression)" 0 "" "" insmod $P/brd.ko.zst rd_nr=3
expect_call "decompressed in userspace: init_module" init_module
expect_param "parameters of the zstd module" brd rd_nr 3
rmmod brd

nocompare on
if is_modkit; then
  trace_on
  expect_run "insmod of a .ko.gz" 0 "" "" insmod $P/brd.ko.gz
  expect_call "gzip: init_module" init_module
  rmmod brd
else
  note "kmod 30 (Debian, -ZLIB) cannot read .ko.gz: gzip part checked with modkit only"
fi
nocompare off

# A file named .ko holding xz data: the compression is found by its magic, not its name.
cp $P/brd.ko.xz /tmp/brd-xz.ko
trace_on
expect_run "insmod of xz data named .ko" 0 "" "" insmod /tmp/brd-xz.ko
expect_call "by magic: finit_module, compressed" "finit_module flags=4" init_module
rmmod brd
