# bench/system.sh, modkit variant with -smp 2: loads desktop.conf's modules with Debian's
# systemd-modules-load and with modkit modules-load, alternately, each from the same state
# (everything they loaded removed again); the time from start to exit, and the module sets
# they leave, go to own/.
list=/payload/desktop.conf
runs=$(cat /payload/runs 2>/dev/null || echo 7)
lsmod | tail -n +2 | cut -d' ' -f1 | sort >/tmp/baseline
unload() {
  local pass m left
  for pass in 1 2 3 4 5 6 7 8 9 10; do
    left=0
    for m in $(cut -d' ' -f1 /proc/modules); do
      grep -qx "$m" /tmp/baseline && continue
      left=1
      rmmod "$m" 2>/dev/null || true
    done
    [ $left = 0 ] && return 0
  done
  echo "could not unload: $(cut -d' ' -f1 /proc/modules | grep -vxFf /tmp/baseline | tr '\n' ' ')"
  return 1
}
one() { # NAME CMD...
  local name=$1 t0 t1
  shift
  unload || return 1
  sync
  echo 3 >/proc/sys/vm/drop_caches
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  echo "$name $(((t1 - t0) / 1000))" >>"$OUT/own/bench-modules-load"
  lsmod | tail -n +2 | cut -d' ' -f1 | sort >"/tmp/set-$name"
}
# A first round, not counted, reads every file once.
one warmup /lib/systemd/systemd-modules-load "$list"
: >"$OUT/own/bench-modules-load"
for r in $(seq "$runs"); do
  if [ $((r % 2)) = 1 ]; then
    one systemd /lib/systemd/systemd-modules-load "$list"
    one modkit modkit modules-load "$list"
  else
    one modkit modkit modules-load "$list"
    one systemd /lib/systemd/systemd-modules-load "$list"
  fi
  check "round $r: the same modules loaded" cmp -s /tmp/set-systemd /tmp/set-modkit
done
expect_eq "all of desktop.conf loaded" "" \
  "$(grep -v '^#' "$list" | while read -r m; do test -e "/sys/module/$m" || echo "$m"; done)"
echo "loaded by each run: $(comm -13 /tmp/baseline /tmp/set-modkit | wc -l) modules" >>"$OUT/own/notes"
