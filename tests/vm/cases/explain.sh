# modkit's own "modprobe --explain": why a name resolves to what it does. modkit only; the
# output format is modkit's, so this only checks that it works and names what it used.
# needs: vfat
is_modkit || skip "modprobe --explain is a modkit feature"
modprobe_d e.conf "options vfat utf8=1"
run modprobe --explain fs-vfat
expect_eq "--explain succeeds" 0 "$RC"
expect_match "names the module" 'vfat' "$OUT"
expect_match "names the dependency" 'fat\.ko' "$OUT"
expect_match "names the config line the options come from" 'e\.conf' "$OUT"
not_loaded "explain loads nothing" vfat fat
