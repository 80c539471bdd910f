#!/usr/bin/env bash
# The VM suite: runs tests/vm/cases/<feature>.sh inside a real Debian kernel (QEMU, TCG) with
# the module tools of TOOLS=modkit (default), TOOLS=kmod (Debian's kmod 30, to validate the
# scenarios) or TOOLS=both (each case with both, then their transcripts compared).
#
# usage: tests/vm/run.sh [BUILD_DIR] [CASE...]     CASE: a name (deps) or a path
# env:   TOOLS=modkit|kmod|both  VM_KEEP=1 (keep logs)  VM_LOGS=DIR  VM_VERBOSE=1 (print every
#        case's section)  VM_DEPMOD=modkit|kmod (who indexes the module subset; default: the
#        tool set under test)  VM_KERNELS="bookworm trixie bookworm-compat" (the kernels to boot; a case runs on
#        those of its "# kernels:" line, bookworm when it has none)
# Cases that share a kernel, a command line ("# cmdline:") and QEMU devices ("# qemu:") share
# one boot. Exit 1 on any FAIL, missing output, timeout or panic; 125 when the host cannot run
# VMs at all.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$HERE/../../build
if [ $# -gt 0 ] && [ -d "$1" ]; then BUILD=$1; shift; fi
BUILD=$(cd "$BUILD" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-vm.XXXXXX")
source "$HERE/lib/host.sh"
LOGS=${VM_LOGS:-$WORK/logs}
mkdir -p "$LOGS"
cleanup() {
  if [ "${VM_KEEP:-0}" = 1 ] || [ "${FAILED:-0}" != 0 ]; then
    rm -rf "$WORK"/full-* "$WORK"/stage-* "$WORK"/*.cpio
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
T0=$(date +%s)

if ! vm_check_host; then exit 125; fi
case "${TOOLS:-modkit}" in
both) TOOLSETS="kmod modkit" ;;
modkit | kmod) TOOLSETS=${TOOLS:-modkit} ;;
*) echo "vm: TOOLS must be modkit, kmod or both" >&2; exit 2 ;;
esac
if [[ " $TOOLSETS " == *" modkit "* ]]; then
  [ -x "$BUILD/modkit" ] || { echo "vm: no $BUILD/modkit (make build)" >&2; exit 1; }
  for t in $MODULE_TOOLS; do
    if "$BUILD/modkit" "$t" --version 2>&1 | grep -q "unknown tool"; then
      echo "vm: note: this modkit has no '$t' yet; its scenarios will fail" >&2
    fi
  done
fi

# The cases, in name order unless given.
CASES=()
if [ $# -eq 0 ]; then
  CASES=("$HERE"/cases/*.sh)
else
  for c in "$@"; do
    if [ -f "$c" ]; then CASES+=("$(cd "$(dirname "$c")" && pwd)/$(basename "$c")")
    elif [ -f "$HERE/cases/$c.sh" ]; then CASES+=("$HERE/cases/$c.sh")
    else echo "vm: no case '$c' in $HERE/cases" >&2; exit 2; fi
  done
fi

declare -A STATUS REASON GROUP_OF
BOOTS=()
FAILED=0
VM_KERNELS=${VM_KERNELS:-bookworm trixie bookworm-compat}
# A case's runs: NAME on bookworm, NAME@KERNEL on the others of its "# kernels:" line.
case_kernels() { # FILE
  local want k out=
  want=$(vm_case_header "$1" kernels)
  for k in ${want:-bookworm}; do [[ " $VM_KERNELS " == *" $k "* ]] && out+=" $k"; done
  echo "$out"
}
run_name() { if [ "$2" = bookworm ]; then echo "$1"; else echo "$1@$2"; fi; } # NAME KERNEL

BUILT=
need_built=0
for f in "${CASES[@]}"; do [ -n "$(vm_case_header "$f" needs-built)" ] && need_built=1; done
if [ "$need_built" = 1 ]; then
  if msg=$(bash "$HERE/lib/build-modules.sh" "$KVER" "$WORK/built" 2>&1); then BUILT=$WORK/built
  else BUILT_ERR=$(echo "$msg" | head -1); echo "vm: test modules not built: $msg" >&2; fi
fi

DKMSMODS=
need_dkms=0
for f in "${CASES[@]}"; do [ -n "$(vm_case_header "$f" needs-dkms)" ] && need_dkms=1; done
if [ "$need_dkms" = 1 ]; then
  if msg=$(bash "$HERE/lib/dkms-modules.sh" "$BUILD" "$KVER" "$WORK/dkms" 2>&1); then DKMSMODS=$WORK/dkms
  else DKMS_ERR=$(echo "$msg" | head -1); echo "vm: DKMS modules not built: $msg" >&2; fi
fi

for f in "${CASES[@]}"; do
  /bin/busybox sh -n "$f" || { echo "vm: $f: syntax error (busybox sh -n)" >&2; exit 2; }
done

# Group the cases by kernel, command line and QEMU devices.
for f in "${CASES[@]}"; do
  name=$(basename "$f" .sh)
  for k in $(case_kernels "$f"); do
    rn=$(run_name "$name" "$k")
    if [ -n "$(vm_case_header "$f" needs-built)" ] && [ -z "$BUILT" ]; then
      for tools in $TOOLSETS; do STATUS[$tools:$rn]=skip; REASON[$tools:$rn]="needs built modules: $BUILT_ERR"; done
      continue
    fi
    if [ -n "$(vm_case_header "$f" needs-dkms)" ] && [ -z "$DKMSMODS" ]; then
      for tools in $TOOLSETS; do STATUS[$tools:$rn]=skip; REASON[$tools:$rn]="needs DKMS-built modules: $DKMS_ERR"; done
      continue
    fi
    key="$k|$(vm_case_header "$f" cmdline)|$(vm_case_header "$f" qemu)"
    found=
    for g in "${!BOOTS[@]}"; do [ "${BOOTS[$g]}" = "$key" ] && found=$g; done
    if [ -z "$found" ]; then found=${#BOOTS[@]}; BOOTS+=("$key"); fi
    GROUP_OF[$rn]=$found
  done
done

echo "vm: kernels ${VM_KERNELS// /, } (bookworm: $KVER), tools: $TOOLSETS, ${#CASES[@]} case(s) in ${#BOOTS[@]} boot(s) per tool set"
for k in "${!STATUS[@]}"; do printf '  skip  %-28s %s (%s)\n' "${k#*:}" "${REASON[$k]}" "${k%%:*}"; done

# One boot: `boot` stages its cases and runs QEMU (in the background, VM_JOBS at a time),
# `judge` reads the serial log afterwards and reports each case, in order.
run_group() { # TOOLS GROUP_INDEX boot|judge
  local tools=$1 g=$2 mode=$3 key=${BOOTS[$2]} files=() names=() requests='' patched='' built='' dkms='' clients='' stages='' f name timeout=90
  local kernel=${key%%|*} rest=${key#*|}
  local cmdline=${rest%%|*} qemu=${rest#*|}
  for f in "${CASES[@]}"; do
    name=$(run_name "$(basename "$f" .sh)" "$kernel")
    [ "${GROUP_OF[$name]:-}" = "$g" ] || continue
    files+=("$f")
    names+=("$name")
    requests+=" $(vm_case_header "$f" needs) $(vm_case_header "$f" needs-compressed)"
    patched+=" $(vm_case_header "$f" needs-patched)"
    stages+=" $(vm_case_header "$f" needs-stage)"
    [ -n "$(vm_case_header "$f" needs-built)" ] && built=$BUILT
    [ -n "$(vm_case_header "$f" needs-dkms)" ] && dkms=$DKMSMODS
    [ -n "$(vm_case_header "$f" needs-libkmod-clients)" ] && clients=1
    timeout=$((timeout + $(vm_case_header "$f" timeout | grep -oE '^[0-9]+' || echo 60)))
  done
  vm_use_kernel "$kernel"
  local stage=$WORK/stage-$tools-$g cpio=$WORK/$tools-$g.cpio log=$LOGS/$tools/boot-$g.log
  if [ "$mode" = judge ]; then
    local rc secs
    read -r rc secs <"$log.status"
    judge_group
    return
  fi
  export VM_QEMU_ARGS=$qemu
  mkdir -p "$LOGS/$tools"
  rm -rf "$stage"
  vm_stage_tools "$stage" "$tools"
  vm_stage_modules "$stage" "$tools" "$requests" "$built" "$(echo "$patched" | tr ' ' '\n' | sort -u | tr '\n' ' ')" "$dkms" \
    "$(echo "$stages" | tr ' ' '\n' | sort -u | tr '\n' ' ')"
  vm_stage_cases "$stage" "${files[@]}"
  # libkmod's real clients (udev, systemd-modules-load, lspci) with both libraries.
  [ -z "$clients" ] || bash "$HERE/lib/libkmod-clients.sh" "$stage" "$BUILD"
  vm_pack "$stage" "$cpio"
  rm -rf "$stage"
  local t1 rc=0
  t1=$(date +%s)
  vm_boot "$cpio" "$cmdline" "$log" "$timeout" || rc=$?
  rm -f "$cpio"
  echo "$rc $(($(date +%s) - t1))" >"$log.status"
}

# The report of one boot (run_group's locals in scope: files, names, log, rc, secs...).
judge_group() {
  local boot_problem=
  [ "$rc" = 124 ] && boot_problem="VM timed out after ${timeout}s"
  grep -q 'Kernel panic' "$log" && boot_problem="kernel panic: $(grep -m1 'Kernel panic' "$log")"
  grep -q '^=== ALL DONE' "$log" || boot_problem=${boot_problem:-"the VM stopped before the end (qemu rc=$rc)"}
  printf -- '-- boot %d/%d [%s] %s cmdline "%s"%s: %d case(s), %ss\n' "$((g + 1))" "${#BOOTS[@]}" "$tools" \
    "$KVER" "$cmdline" "${qemu:+ qemu \"$qemu\"}" "${#files[@]}" "$secs"
  local i
  for i in "${!files[@]}"; do
    f=${files[$i]}
    name=${names[$i]}
    local sec=$LOGS/$tools/$name.log st reason=
    vm_case_section "$log" "$(basename "$f" .sh)" >"$sec"
    local end
    end=$(grep -m1 "^=== END $(basename "$f" .sh) " "$sec" || true)
    local crc
    crc=$(echo "$end" | sed -nE 's/.* rc=([0-9]+).*/\1/p')
    if ! grep -q "^=== CASE $(basename "$f" .sh)\$" "$sec"; then st=FAIL; reason="no output (${boot_problem:-not run})"
    elif [ -z "$end" ]; then st=FAIL; reason="did not finish (${boot_problem:-no END marker})"
    elif grep -qE '^dmesg\| .*(BUG:|Oops|general protection fault|Kernel panic|Call Trace)' "$sec"; then
      st=FAIL; reason="kernel oops/BUG in dmesg"
    elif grep -qE '^(sh|ash): (/vm/|line [0-9])' "$sec"; then
      st=FAIL; reason="shell error in the case: $(grep -m1 -E '^(sh|ash): (/vm/|line [0-9])' "$sec")"
    elif [ "$crc" = 125 ]; then st=skip; reason=$(grep -m1 '^SKIP: ' "$sec" | sed 's/^SKIP: //')
    elif grep -q '^FAIL: ' "$sec" || [ "$crc" != 0 ]; then
      st=FAIL
      [ "$crc" = 137 ] && reason="killed by the case timeout"
      [ "$crc" != 0 ] && [ "$crc" != 1 ] && [ "$crc" != 137 ] && reason="exit $crc"
    else st=ok; fi
    STATUS[$tools:$name]=$st
    REASON[$tools:$name]=$reason
    local checks
    checks=$(grep -c -E '^(~ )?ok: ' "$sec" || true)
    case $st in
    ok) printf '  ok    %-28s (%d checks)\n' "$name" "$checks" ;;
    skip) printf '  skip  %-28s %s\n' "$name" "$reason" ;;
    FAIL)
      FAILED=1
      printf '  FAIL  %-28s %s\n' "$name" "$reason"
      grep -A3 -E '^FAIL: ' "$sec" | grep -v '^--$' | head -40 | sed 's/^/        /' || true
      ;;
    esac
    if [ "${VM_VERBOSE:-0}" = 1 ]; then sed 's/^/      | /' "$sec"; fi
  done
  if [ -n "$boot_problem" ]; then
    FAILED=1
    echo "  boot problem: $boot_problem; last lines of $log:"
    tail -15 "$log" | sed 's/^/        /'
  fi
}

# Boots run VM_JOBS at a time (each QEMU is one TCG thread); each boot is reported as soon as
# it and every boot before it have finished, in boot order.
VM_JOBS=${VM_JOBS:-2}
for tools in $TOOLSETS; do
  mkdir -p "$LOGS/$tools"
  rm -f "$LOGS/$tools"/boot-*.log.status
  groups=("${!BOOTS[@]}") pids=() next=0
  report_finished() { # the finished boots at the front of the order
    while [ "$next" -lt ${#groups[@]} ] && [ -n "${pids[$next]:-}" ] &&
      ! kill -0 "${pids[$next]}" 2>/dev/null; do
      local g=${groups[$next]}
      cat "$WORK/boot-$tools-$g.out"
      if [ -f "$LOGS/$tools/boot-$g.log.status" ]; then run_group "$tools" "$g" judge
      else FAILED=1; echo "-- boot $((g + 1)): could not be staged"; fi
      next=$((next + 1))
    done
  }
  for i in "${!groups[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$VM_JOBS" ]; do wait -n || true; report_finished; done
    run_group "$tools" "${groups[$i]}" boot >"$WORK/boot-$tools-${groups[$i]}.out" 2>&1 &
    pids[$i]=$!
  done
  while [ "$next" -lt ${#groups[@]} ]; do wait -n || sleep 1; report_finished; done
done

# Differential: with both tool sets, each case's transcript must be the same.
if [ "$TOOLSETS" = "kmod modkit" ]; then
  echo "-- kmod vs modkit transcripts"
  for name in "${!GROUP_OF[@]}"; do
    # A case skipped by either tool set (e.g. a modkit-only feature) has nothing to compare.
    [ "${STATUS[kmod:$name]}" = skip ] || [ "${STATUS[modkit:$name]}" = skip ] && continue
    if cmp -s <(vm_transcript "$LOGS/kmod/$name.log") <(vm_transcript "$LOGS/modkit/$name.log"); then
      printf '  same  %s\n' "$name"
    else
      FAILED=1
      printf '  DIFF  %s  (kmod <, modkit >)\n' "$name"
      diff <(vm_transcript "$LOGS/kmod/$name.log") <(vm_transcript "$LOGS/modkit/$name.log") |
        head -40 | sed 's/^/        /' || true
    fi
  done
fi

npass=0 nfail=0 nskip=0
for k in "${!STATUS[@]}"; do
  case ${STATUS[$k]} in ok) npass=$((npass + 1)) ;; skip) nskip=$((nskip + 1)) ;; *) nfail=$((nfail + 1)) ;; esac
done
echo "vm: $npass passed, $nfail failed, $nskip skipped ($TOOLSETS) in $(($(date +%s) - T0))s"
if [ "$FAILED" != 0 ] || [ "${VM_KEEP:-0}" = 1 ]; then echo "vm: logs in $LOGS"; fi
[ "$FAILED" = 0 ]
