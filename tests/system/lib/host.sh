# Host side of the system test, sourced by tests/system/run.sh: one boot of the Debian image
# ("a stage") in QEMU (TCG) from a qcow2 overlay, with a payload disk carrying the stage's
# script, packages and configuration; afterwards the stage's results and the /boot it exported
# are read back from the payload disk with debugfs (nothing is mounted on the host).
# The caller sets IMAGE (scripts/system-image.sh), DEB and LIBDEB (packaging/build-deb.sh's
# two packages), WORK and HERE first; stage scripts are read from STAGES (default: $HERE/stages).

SYS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYS_MEM=${SYSTEM_MEM:-1024}
SYS_SMP=${SYSTEM_SMP:-1}
# What every boot's kernel command line has; the stages add to it. no_timer_check: under TCG on
# a loaded host the kernel's IO-APIC timer check can miss its ticks and panic ("IO-APIC + timer
# doesn't work"); panic=-1 makes any panic end the stage at once (-no-reboot) instead of at its
# timeout.
SYS_CMDLINE="console=ttyS0 root=LABEL=modkit-root rw quiet systemd.show_status=false no_timer_check panic=-1"

# A variant's state: its directory, the disk it boots, and the /boot the last stage exported.
sys_variant_init() { # DIR
  local d=$1
  mkdir -p "$d/boot" "$d/results"
  qemu-img create -q -f qcow2 -b "$IMAGE/root.raw" -F raw "$d/root.qcow2"
  cp "$IMAGE"/boot/* "$d/boot/"
}

# A new disk on top of DISK's current state; DISK must not change afterwards.
sys_fork_disk() { # DISK NEW
  qemu-img create -q -f qcow2 -b "$1" -F qcow2 "$2"
}

# Runs one stage. STAGE is tests/system/stages/STAGE.sh (and STAGE.early.sh if present).
# usage: sys_stage VDIR VARIANT STAGE DISK KERNEL "EXTRA_CMDLINE" TIMEOUT [KILLPOINT_FILE]
# Leaves VDIR/results/STAGE/{out/,console.log} and updates VDIR/boot from the VM's /boot.
# Returns 0 when the stage ran to its end (or, with a kill point, when QEMU was killed there).
sys_stage() {
  local vdir=$1 variant=$2 stage=$3 disk=$4 kernel=$5 extra=$6 timeout=$7 killpoint=${8:-}
  local res=$vdir/results/$stage pl=$vdir/payload-$stage
  rm -rf "$res" "$pl"
  mkdir -p "$res" "$pl"
  cp "$SYS_LIB/payload/run.sh" "$SYS_LIB/payload/common.sh" "$pl/"
  local stages=${STAGES:-$HERE/stages}
  cp "$stages/$stage.sh" "$pl/stage.sh"
  [ -f "$stages/$stage.early.sh" ] && cp "$stages/$stage.early.sh" "$pl/early.sh"
  # Anything else the stage needs: files named STAGE.files/* go to the payload's top.
  [ -d "$stages/$stage.files" ] && cp -r "$stages/$stage.files/." "$pl/"
  echo "$stage" >"$pl/stage-name"
  echo "$variant" >"$pl/variant"
  [ -n "$killpoint" ] && cp "$killpoint" "$pl/killpoint"
  local initrd=$vdir/boot/initrd.img-$kernel vmlinuz=$vdir/boot/vmlinuz-$kernel
  [ -f "$initrd" ] && [ -f "$vmlinuz" ] ||
    { echo "no kernel $kernel in $vdir/boot (the previous stage did not export it)" >"$res/problem"; return 1; }
  sha256sum <"$initrd" | cut -d' ' -f1 >"$pl/booted-initrd.sha256"
  # Packages only for the stages that install some.
  if grep -q '/payload/debs' "$pl/stage.sh"; then
    mkdir -p "$pl/debs"
    cp "$IMAGE"/debs/*.deb "$pl/debs/"
  fi
  grep -q '/payload/modkit.deb' "$pl/stage.sh" && cp "$DEB" "$pl/modkit.deb"
  grep -q '/payload/libkmod2-modkit.deb' "$pl/stage.sh" && cp "$LIBDEB" "$pl/libkmod2-modkit.deb"
  local size
  size=$(($(du -sm "$pl" | cut -f1) * 2 + 64))
  mkfs.ext4 -q -F -L payload -d "$pl" "$vdir/payload.img" "${size}M"
  rm -rf "$pl"

  local log=$res/console.log t0=$SECONDS rc=0
  : >"$log"
  # /usr/bin/time records QEMU's CPU time: what the stage costs on an idle core.
  /usr/bin/time -f '%e %U %S' -o "$res/cputime" qemu-system-x86_64 -accel tcg -cpu qemu64 -m "$SYS_MEM" -smp "$SYS_SMP" -vga none -display none \
    -kernel "$vmlinuz" -initrd "$initrd" -append "$SYS_CMDLINE $extra" \
    -drive "file=$disk,if=virtio,format=qcow2" -drive "file=$vdir/payload.img,if=virtio,format=raw" \
    -monitor none -serial "file:$log" -no-reboot -nic none -pidfile "$res/qemu.pid" \
    </dev/null >"$res/qemu.log" 2>&1 &
  local qemu=$!
  # Kills QEMU itself (not /usr/bin/time): the machine loses power.
  kill_qemu() {
    local p
    p=$(cat "$res/qemu.pid" 2>/dev/null || true)
    [ -n "$p" ] && kill -9 "$p" 2>/dev/null
    return 0
  }
  local killed=
  while kill -0 "$qemu" 2>/dev/null; do
    if [ $((SECONDS - t0)) -ge "$timeout" ]; then
      kill_qemu
      echo "timed out after ${timeout}s" >"$res/problem"
      break
    fi
    if [ -n "$killpoint" ] && grep -q '^=== KILLPOINT' "$log"; then
      kill_qemu
      killed=1
      break
    fi
    sleep 0.2
  done
  wait "$qemu" 2>/dev/null || rc=$?
  echo "$((SECONDS - t0))" >"$res/seconds"
  tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
  if [ -n "$killed" ]; then
    grep -m1 '^=== KILLPOINT' "$log" >"$res/killed-at"
    rm -f "$vdir/payload.img"
    return 0
  fi
  [ -e "$res/problem" ] && { rm -f "$vdir/payload.img"; return 1; }
  # The results and the exported /boot, read from the payload disk.
  debugfs -R "rdump /out $res" "$vdir/payload.img" >/dev/null 2>&1
  local b=$res/boot-export
  mkdir -p "$b"
  debugfs -R "rdump /boot $b" "$vdir/payload.img" >/dev/null 2>&1
  if [ -d "$b/boot" ] && [ -n "$(ls "$b/boot")" ]; then
    rm -rf "$vdir/boot"
    mv "$b/boot" "$vdir/boot"
  fi
  rm -rf "$b" "$vdir/payload.img"
  if [ ! -f "$res/out/rc" ]; then
    echo "the stage did not finish (qemu exit $rc)" >"$res/problem"
    return 1
  fi
  [ -n "$killpoint" ] && { echo "the kill point was never reached" >"$res/problem"; return 1; }
  return 0
}

# One stage's verdict line and its failed checks, for the report.
sys_report_stage() { # VDIR VARIANT STAGE
  local res=$1/results/$3 n_ok n_fail
  n_ok=$(grep -c '^ok: ' "$res/out/checks.log" 2>/dev/null || true)
  n_fail=$(grep -c '^FAIL: ' "$res/out/checks.log" 2>/dev/null || true)
  local what="${n_ok:-0} checks ok"
  [ -f "$res/killed-at" ] && what="power cut: $(sed 's/^=== KILLPOINT //' "$res/killed-at" | cut -c1-80)"
  # A stage that neither lost power nor ran its script to the end (the run was interrupted) is
  # a failure even without a FAIL line.
  if [ ! -f "$res/killed-at" ] && [ ! -e "$res/problem" ] && [ ! -f "$res/out/rc" ]; then
    echo "the stage did not finish (interrupted)" >"$res/problem"
  fi
  if [ -e "$res/problem" ] || [ "${n_fail:-0}" != 0 ]; then
    printf '  FAIL  %-7s %-18s %ss  %s\n' "$2" "$3" "$(cat "$res/seconds" 2>/dev/null)" \
      "$(cat "$res/problem" 2>/dev/null)"
    grep '^FAIL: ' "$res/out/checks.log" 2>/dev/null | head -20 | sed 's/^/          /'
    if [ -e "$res/problem" ]; then tail -15 "$res/console.log" | sed 's/^/          | /'; fi
    return 1
  fi
  printf '  ok    %-7s %-18s %4ss (%s s CPU)  %s\n' "$2" "$3" "$(cat "$res/seconds")" \
    "$(awk '{printf "%.0f", $2 + $3}' "$res/cputime" 2>/dev/null)" "$what"
  [ -f "$res/out/own/times" ] && sed 's/^/          time: /' "$res/out/own/times"
  return 0
}
