# modprobe resolves names through every lookup source: modules.alias (fs-, char-major-,
# block-major- wildcards, pci: modaliases), symbol: aliases, config aliases, builtin modules;
# and reports names that resolve to nothing.
# needs: vfat loop e1000 dummy
not_found="modprobe: FATAL: Module nosuchmod not found in directory $MODDIR"

expect_run "modprobe -R fs-vfat" 0 "vfat" "" modprobe -R fs-vfat
expect_run "modprobe fs-vfat" 0 "" "" modprobe fs-vfat
loaded "fs-vfat loaded vfat and fat" vfat fat
expect_run "modprobe -r fs-vfat removes by alias too" 0 "" "" modprobe -r fs-vfat
not_loaded "vfat and fat removed" vfat fat

expect_run "modprobe char-major-10-237 (loop-control)" 0 "" "" modprobe char-major-10-237
loaded "loop loaded through its char-major alias" loop
modprobe -r loop
expect_run "modprobe block-major-7-3 (wildcard alias block-major-7-*)" 0 "" "" modprobe block-major-7-3
loaded "loop loaded through a wildcard alias" loop

# QEMU's e1000 NIC: the modalias the kernel would send for 8086:100e.
pci=pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00
expect_run "modprobe -R on a pci modalias" 0 "e1000" "" modprobe -R "$pci"
expect_run "modprobe on a pci modalias" 0 "" "" modprobe "$pci"
loaded "e1000 loaded by modalias" e1000

expect_run "modprobe symbol:fat_attach loads the exporter" 0 "" "" modprobe symbol:fat_attach
loaded "fat loaded by symbol alias" fat

modprobe_d alias.conf "alias mynet dummy" "alias my-other-net dummy"
expect_run "config alias: modprobe -R mynet" 0 "dummy" "" modprobe -R mynet
expect_run "config alias: modprobe mynet" 0 "" "" modprobe mynet
loaded "dummy loaded through a config alias" dummy
expect_run "config alias names are normalised (- and _)" 0 "dummy" "" modprobe -R my_other-net

expect_run "builtin module: modprobe unix is a silent success" 0 "" "" modprobe unix
expect_run "builtin module: modprobe -r unix" 1 "" "modprobe: FATAL: Module unix is builtin." modprobe -r unix

expect_run "unknown name" 1 "" "$not_found" modprobe nosuchmod
expect_run "unknown name, -q" 1 "" "" modprobe -q nosuchmod
expect_run "unknown name with -r" 1 "" "modprobe: FATAL: Module nosuchmod not found." modprobe -r nosuchmod
expect_run "-a: a missing name is a warning, the others still load" 1 "" \
  "modprobe: WARNING: Module nosuchmod not found in directory $MODDIR" modprobe -a nosuchmod fs-vfat
loaded "-a loaded the names it found" vfat
