# Host side of the VM harness, sourced by tests/vm/run.sh and scripts/demo.sh: builds an
# initramfs (busybox-static, the tools under test, a module subset indexed on the host, the
# scenario scripts), boots the cached Debian kernel in QEMU (TCG) and reads the serial log.
# The caller sets BUILD (modkit's build dir) and WORK (a private scratch dir) first.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "$VM_DIR/../.." && pwd)
MODULE_TOOLS="modprobe insmod rmmod lsmod modinfo depmod"

# The kernels a run can boot, by the names cases use in "# kernels:": bookworm is the tree of
# scripts/fetch-tree.sh (Debian 12's 6.1, the default), trixie Debian 13's 6.12 (in-kernel
# module decompression, .ko.xz only), fetched by scripts/fetch-kernel.sh like any other release.
# bookworm-compat is a later build of one 6.1 ABI whose symbol CRCs equal those of the build
# before it (6.1.0-57 after 6.1.0-56), for weak-modules.
VM_TRIXIE_KERNEL=${VM_TRIXIE_KERNEL:-6.12.117+deb13-amd64}
VM_COMPAT_KERNEL=${VM_COMPAT_KERNEL:-6.1.0-57-amd64}
VM_COMPAT_BASE=${VM_COMPAT_BASE:-6.1.0-56-amd64}
vm_kernel_release() { # NAME -> the release it stands for (a release stands for itself)
  case $1 in
  bookworm) basename "$(readlink -f "$(bash "$ROOT/scripts/fetch-tree.sh")")" ;;
  trixie) echo "$VM_TRIXIE_KERNEL" ;;
  bookworm-compat) echo "$VM_COMPAT_KERNEL" ;;
  *) echo "$1" ;;
  esac
}
# Makes NAME the kernel of the next boots: sets CACHE, KVER, VMLINUZ.
vm_use_kernel() { # NAME
  if [ "$1" = bookworm ]; then CACHE=$(bash "$ROOT/scripts/fetch-tree.sh")
  else CACHE=$(bash "$ROOT/scripts/fetch-kernel.sh" "$(vm_kernel_release "$1")"); fi
  CACHE=$(readlink -f "$CACHE")
  KVER=$(basename "$CACHE")
  VMLINUZ=$CACHE/boot/vmlinuz-$KVER
}
if [ -n "${CACHE:-}" ]; then
  CACHE=$(readlink -f "$CACHE")
  KVER=$(basename "$CACHE")
  VMLINUZ=$CACHE/boot/vmlinuz-$KVER
else
  vm_use_kernel bookworm
fi

vm_check_host() {
  local missing=
  for c in qemu-system-x86_64 cpio python3 objcopy timeout; do
    command -v "$c" >/dev/null || missing+=" $c"
  done
  [ -x /bin/busybox ] && file -L /bin/busybox | grep -q 'statically linked' || missing+=" busybox-static"
  [ -f "$VMLINUZ" ] || missing+=" $VMLINUZ"
  [ -z "$missing" ] || { echo "vm: missing:$missing (run scripts/install-deps.sh)"; return 1; }
}

# The depmod that indexes a VM's module tree: the one of the tool set under test, so that
# TOOLS=kmod is pure kmod. VM_DEPMOD=modkit|kmod overrides.
vm_depmod() { # TOOLS
  case "${VM_DEPMOD:-$1}" in
  kmod) echo /sbin/depmod ;;
  *) echo "$BUILD/depmod" ;;
  esac
}

# An indexed hard-link copy of the whole plain tree, for computing closures.
# Boots are staged in parallel: the first to need it builds it under a lock, in a temporary
# directory renamed into place, and the others wait for it.
vm_full_index() {
  FULL=$WORK/full-$KVER
  [ -e "$FULL/lib/modules/$KVER/modules.dep" ] && return 0
  (
    flock 9
    [ -e "$FULL/lib/modules/$KVER/modules.dep" ] && exit 0
    rm -rf "$FULL.tmp"
    mkdir -p "$FULL.tmp"
    cp -al "$CACHE/plain/lib" "$FULL.tmp/"
    "$BUILD/depmod" -b "$FULL.tmp" "$KVER" 2>/dev/null || /sbin/depmod -b "$FULL.tmp" "$KVER"
    rm -rf "$FULL"
    mv "$FULL.tmp" "$FULL"
  ) 9>"$FULL.lock"
}

vm_case_header() { # FILE KEY: the values of its "# KEY: ..." lines, joined by spaces
  sed -n "s/^# $2: *//p" "$1" | tr '\n' ' ' | sed 's/ *$//'
}

# Busybox with every applet except the module tools, and the tool set under test in /sbin.
vm_stage_tools() { # STAGE TOOLS
  local s=$1 tools=$2 a
  mkdir -p "$s"/{bin,sbin,proc,sys,dev,tmp,run,mnt,etc/modprobe.d,vm,opt/modkit-vm}
  cp /bin/busybox "$s/bin/busybox"
  /bin/busybox --list | python3 -c '
import os, sys
skip = set(sys.argv[2].split()) | {"busybox"}
for a in sys.stdin.read().split():
    if a not in skip:
        os.symlink("busybox", os.path.join(sys.argv[1], a))' "$s/bin" "$MODULE_TOOLS"
  case "$tools" in
  modkit)
    objcopy --strip-debug "$BUILD/modkit" "$s/sbin/modkit"
    for a in $MODULE_TOOLS; do ln -s modkit "$s/sbin/$a"; done
    ln -s ../sbin/modkit "$s/bin/kmod"
    ;;
  kmod)
    # Debian's kmod is dynamically linked: take it with every library ldd lists and ld.so.
    cp -L /bin/kmod "$s/bin/kmod"
    local lib
    for lib in $(ldd /bin/kmod | grep -oE '/[^ ]+'); do
      mkdir -p "$s$(dirname "$lib")"
      cp -L "$lib" "$s$lib"
    done
    for a in $MODULE_TOOLS; do ln -s ../bin/kmod "$s/sbin/$a"; done
    ;;
  *) echo "vm: unknown tool set '$tools' (modkit or kmod)" >&2; return 1 ;;
  esac
  echo "$tools" >"$s/vm/tools"
  cp "$CACHE/boot/config-$KVER" "$s/vm/config" # the kernel has no /proc/config.gz
  [ -c "$s/dev/console" ] || mknod "$s/dev/console" c 5 1 2>/dev/null || true
  cp "$VM_DIR/lib/init.sh" "$s/init"
  cp "$VM_DIR/lib/prelude.sh" "$s/vm/prelude.sh"
  cp "$VM_DIR/lib/abi-verify.sh" "$s/vm/abi-verify.sh"
  chmod +x "$s/init"
}

# The module subset: REQUESTS are names or xz:/zst:/gz:names; BUILT is a dir of extra .ko
# files (installed under extra/); PATCHED names Debian modules to copy as wrong-kernel builds
# into /opt/modkit-vm/{version,vermagic,layout}/NAME.ko. Indexed by the tool set's depmod.
vm_stage_modules() { # STAGE TOOLS "REQUESTS" BUILT_DIR|"" "PATCHED" [DKMS_DIR] ["STAGES"]
  local s=$1 tools=$2 requests=$3 built=$4 patched=$5 dkms=${6:-} stages=${7:-} md
  md=$s/lib/modules/$KVER
  mkdir -p "$md"
  vm_full_index
  # shellcheck disable=SC2086
  python3 "$VM_DIR/lib/subset.py" "$FULL/lib/modules/$KVER" "$CACHE" "$KVER" "$md" $requests >"$s/vm/modules.list"
  if [ -n "$built" ]; then
    mkdir -p "$md/extra"
    cp "$built"/*.ko "$md/extra/"
  fi
  if [ -n "$dkms" ]; then
    # What modkit's dkms installed on the host (tests/vm/lib/dkms-modules.sh): updates/dkms.
    cp -a "$dkms/updates" "$md/"
    cp "$dkms/status" "$s/vm/dkms-status"
  fi
  local p mode rel
  for p in $patched; do
    rel=$(grep -E "(^|/)$p\.ko:" "$FULL/lib/modules/$KVER/modules.dep" | cut -d: -f1)
    [ -n "$rel" ] || { echo "vm: needs-patched: no module $p" >&2; return 1; }
    for mode in version vermagic layout; do
      mkdir -p "$s/opt/modkit-vm/$mode"
      python3 "$VM_DIR/lib/patchko.py" "$CACHE/plain/lib/modules/$KVER/$rel" "$s/opt/modkit-vm/$mode/$p.ko" "$mode"
    done
  done
  local hook
  for hook in $stages; do
    # A case's own host-side preparation (tests/vm/lib/stage-<name>.sh): extra modules and files
    # under /opt/modkit-vm, predictions computed on the host.
    BUILD=$BUILD KVER=$KVER CACHE=$CACHE FULL=$FULL WORK=$WORK ROOT=$ROOT \
      VM_COMPAT_BASE=$VM_COMPAT_BASE \
      bash "$VM_DIR/lib/stage-$hook.sh" "$s" || { echo "vm: stage-$hook.sh failed" >&2; return 1; }
  done
  "$(vm_depmod "$tools")" -b "$s" "$KVER"
  case "${VM_DEPMOD:-$tools}" in kmod) echo kmod ;; *) echo modkit ;; esac >"$s/vm/indexer"
  rm -f "$md/modules.modkit.cache" # modkit depmod's private cache: not part of a real install
}

vm_stage_cases() { # STAGE CASEFILE... (lines "name timeout" in /vm/cases.list, in order)
  local s=$1 f name
  shift
  mkdir -p "$s/vm/cases"
  : >"$s/vm/cases.list"
  for f in "$@"; do
    name=$(basename "$f" .sh)
    cp "$f" "$s/vm/cases/$name.sh"
    echo "$name $(vm_case_header "$f" timeout | grep -oE '^[0-9]+' || echo 60)" >>"$s/vm/cases.list"
  done
}

vm_pack() { # STAGE OUT.cpio (uncompressed: QEMU loads it directly, TCG need not inflate it)
  (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2"
}

# Boots the kernel with the initramfs; the serial console goes to LOG (CRs removed).
# Returns timeout(1)'s status: 124 when the VM had to be killed.
# With a FILTER command, the console is also piped through it as it comes (the demo).
vm_boot() { # CPIO "CMDLINE" LOG TIMEOUT_SECONDS [FILTER...]
  local cpio=$1 cmdline=$2 log=$3 secs=$4 rc=0
  shift 4
  [ $# -gt 0 ] || set -- sh -c 'cat >/dev/null' # the filter must read everything
  # Extra QEMU devices for the boot (a case's "# qemu:" line, @WORK@ standing for the run's
  # scratch directory, where a stage hook may have put disk images), e.g. -device e1000e.
  local devices=(-nic none)
  # shellcheck disable=SC2206
  [ -n "${VM_QEMU_ARGS:-}" ] && devices+=(${VM_QEMU_ARGS//@WORK@/$WORK})
  timeout -k 5 "$secs" qemu-system-x86_64 -accel tcg -cpu qemu64 -m 512 -smp 1 \
    -kernel "$VMLINUZ" -initrd "$cpio" \
    -append "console=ttyS0 panic=-1 printk.time=0 $cmdline" \
    -nographic -monitor none -serial stdio -no-reboot "${devices[@]}" \
    </dev/null 2>&1 | tr -d '\r' | tee "$log" | "$@" || rc=${PIPESTATUS[0]}
  return "$rc"
}

# One case's section of a serial log: from "=== CASE name" to its "=== END" line.
vm_case_section() { # LOG NAME
  awk -v n="$2" '$0 == "=== CASE " n { on = 1 } on { print } on && index($0, "=== END " n " ") == 1 { exit }' "$1"
}

# The part of a case's section that must be identical between kmod and modkit: no kernel
# messages, no lines marked "~ " (nocompare), no counts (which include nocompare checks), no
# timing.
vm_transcript() { # SECTION_FILE
  grep -v -e '^dmesg| ' -e '^~ ' -e '^=== RESULT ' "$1" | sed -E 's/^(=== END .* rc=[0-9]+) time=.*/\1/'
}
