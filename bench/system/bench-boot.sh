# bench/system.sh: when multi-user.target was reached (microseconds since the kernel started)
# and whether this boot loaded the whole desktop list.
systemctl show -p ActiveEnterTimestampMonotonic --value multi-user.target >"$OUT/own/multi-user-usec"
systemctl show -p ActiveExitTimestampMonotonic -p ActiveEnterTimestampMonotonic -p ExecMainStartTimestampMonotonic \
  -p ExecMainExitTimestampMonotonic systemd-modules-load.service >"$OUT/own/modules-load-times"
check "no failed unit" test -z "$(systemctl --failed --plain --no-legend)"
expect_eq "desktop list loaded" "" \
  "$(grep -v '^#' /payload/desktop.conf | while read -r m; do test -e "/sys/module/$m" || echo "$m"; done)"
echo keep >/payload/no-export
