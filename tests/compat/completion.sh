#!/usr/bin/env bash
# The generated shell completions (BUILD/completions) on the real Debian tree: bash's completion
# function driven through COMP_WORDS/COMP_CWORD as readline would, fish through `complete -C`,
# and zsh's script parsed and loaded. Module names come from the tree's index under -d/-b, the
# kernels from its /lib/modules, loaded modules from a made-up /proc/modules (in a private mount
# namespace, when root), DKMS module/version pairs from a DKMS tree. A few seconds.
SELF=$(readlink -f "$0")
source "$(dirname "$0")/common.sh"
C=$BUILD/completions
[ -f "$C/bash/modkit" ] || { echo "no completions in $C (build the modkit-docs target)"; exit 1; }
# The tree, indexed (module names come from its modules.dep and modules.builtin).
tree_copy plain "$WORK/tree" index
R=$WORK/tree

# has LABEL EXPECTED_WORD OUTPUT_FILE / lacks ...
has() { if grep -qx -- "$2" "$3"; then note "ok: $1"; else echo "FAIL: $1: '$2' not offered"; head -5 "$3" | sed 's/^/    /'; FAILURES=$((FAILURES + 1)); fi; }
lacks() { if ! grep -qx -- "$2" "$3"; then note "ok: $1"; else echo "FAIL: $1: '$2' offered"; FAILURES=$((FAILURES + 1)); fi; }

# bash: the words of a command line, the last one being completed.
bcomp() {
  bash -c 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
           _modkit 2>/dev/null; printf "%s\n" "${COMPREPLY[@]}"' "$C/bash/modkit" "$@"
}
O=$WORK/o

if [ -n "${COMP_INNER:-}" ]; then
  # ---- inside a mount namespace: /proc a tmpfs with a made-up modules file ----
  mkdir -p "$WORK/realproc"; mount -t proc proc "$WORK/realproc"
  trap 'umount -l /proc "$WORK/realproc" 2>/dev/null; rm -rf "$WORK"' EXIT
  mount -t tmpfs tmpfs /proc
  ln -s "$WORK/realproc/self" /proc/self
  printf 'loop 32768 0 - Live 0xffffffffc0100000\nsnd_hda_intel 57344 2 - Live 0xffffffffc0200000\n' >/proc/modules
  bcomp rmmod "" >"$O"; has "rmmod offers loaded modules" snd_hda_intel "$O"
  bcomp modprobe -r s >"$O"; has "modprobe -r offers loaded modules" snd_hda_intel "$O"
  bcomp modprobe -d "$R" -S "$KVER" s >"$O"; lacks "modprobe without -r offers the index, not only loaded" snd_hda_intel_not "$O"
  has "modprobe without -r: the index" snd-hda-intel "$O"
  finish
  exit 0
fi

echo "-- bash"
bcomp modkit ab >"$O"; has "modkit TOOL" abi "$O"
bcomp modprobe --show-m >"$O"; has "modprobe long option" --show-modversions "$O"
lacks "deprecated spelling not offered" --remove-dependencies "$O"
bcomp modprobe -d "$R" -S "$KVER" e1000 >"$O"; has "modprobe: module names from the index under -d/-S" e1000e "$O"
bcomp modprobe -d "$R" -S "" >"$O"; has "modprobe -S: kernels under -d" "$KVER" "$O"
bcomp modprobe --dirname="$R" --set-version "$KVER" ext >"$O"; has "modprobe: --dirname=/--set-version" ext4 "$O"
bcomp modinfo -b "$R" -k "$KVER" snd-hda-int >"$O"; has "modinfo: names under -b/-k" snd-hda-intel "$O"
bcomp depmod -b "$R" "" >"$O"; has "depmod: kernel versions as operand" "$KVER" "$O"
bcomp modkit abi "" >"$O"; has "abi: subcommands" check "$O"
bcomp modkit abi check --sym >"$O"; has "abi check: its own options" --symvers= "$O"
bcomp modkit abi diff --st >"$O"; has "abi diff: its own options" --stablelist= "$O"
bcomp kmod "" >"$O"; has "kmod: commands" static-nodes "$O"
bcomp kmod static-nodes --f >"$O"; has "kmod static-nodes: its options" --format= "$O"
mkdir -p "$WORK/files"; : >"$WORK/files/a.ko.xz"; : >"$WORK/files/b.txt"
bcomp insmod "$WORK/files/" >"$O"; has "insmod: module files" "$WORK/files/a.ko.xz" "$O"
lacks "insmod: not other files" "$WORK/files/b.txt" "$O"
T=$WORK/dkms; mkdir -p "$T/v4l2loopback/0.12.7/source" "$T/acpi-call/1.2.2/source"
bcomp dkms "" >"$O"; has "dkms: actions" autoinstall "$O"
bcomp dkms build --dkmstree "$T" "" >"$O"; has "dkms: module/version pairs of the tree" v4l2loopback/0.12.7 "$O"
bcomp dkms --dkmstree "$T" remove a >"$O"; has "dkms: options before the action" acpi-call/1.2.2 "$O"
bcomp dkms --kernel >"$O"; has "dkms: long options" --kernelver= "$O"
bcomp modkit hw --js >"$O"; has "hw: --json" --json "$O"
bcomp modkit modules-load --ro >"$O"; has "modules-load: --root" --root= "$O"
if [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
  COMP_INNER=1 unshare --mount --propagation private bash "$SELF" || FAILURES=$((FAILURES + 1))
else
  note "skipped: loaded modules (needs root and unshare)"
fi

echo "-- fish"
if command -v fish >/dev/null; then
  # fish completes a command only when it is on PATH.
  fcomp() { PATH=$BUILD:$PATH fish -c "set -p fish_complete_path $C/fish; complete -C \"$*\"" | cut -f1; }
  fcomp "modprobe --show-m" >"$O"; has "fish: modprobe long option" --show-modversions "$O"
  fcomp "modprobe -d $R -S $KVER e1000" >"$O"; has "fish: module names from the index" e1000e "$O"
  fcomp "modkit modinfo -b $R -k $KVER ext" >"$O"; has "fish: modkit modinfo" ext4 "$O"
  fcomp "modkit abi " >"$O"; has "fish: abi subcommands" check "$O"
  fcomp "modkit abi check --sym" >"$O"; has "fish: abi check options" --symvers "$O"
  fcomp "dkms " >"$O"; has "fish: dkms actions" autoinstall "$O"
  fcomp "modkit " >"$O"; has "fish: tools" preflight "$O"
else
  note "skipped: fish not installed"
fi

echo "-- zsh"
if command -v zsh >/dev/null; then
  if zsh -n "$C/zsh/_modkit" &&
     zsh -fc "source $C/zsh/_modkit 2>/dev/null; whence -w _modkit_modprobe _modkit_abi_check _modkit_dkms_build _modkit_kind" >"$O" &&
     [ "$(grep -c ': function$' "$O")" = 4 ]; then
    note "ok: zsh script parses and defines its functions"
  else
    echo "FAIL: zsh script"; cat "$O"; FAILURES=$((FAILURES + 1))
  fi
else
  note "skipped: zsh not installed"
fi
finish
