#!/usr/bin/env bash
# Host side of tests/vm/cases/abi-oracle.sh: modules with every verdict `modkit abi check` can
# give for the bookworm kernel (KVER), and its predictions for them, in /opt/modkit-vm/abi/:
#   <label>.ko            the module (file names differ, module names may repeat)
#   predictions           "<label> <verdict> <errno or -> <taints or -> <module name>" per line
#   messages              "<label>|<what the kernel logs for the refusal>" where it logs one
# Real modules where real ones exist (this kernel's and 6.1.0-47's in-tree modules, a module of
# the arm64 kernel, out-of-tree modules built from tests/vm/abisrc against both kernels'
# headers), constructed ones (tests/vm/lib/abi-construct.py: one byte-level edit each) for the
# rest. The prediction is made against the cached tree, boot files and Module.symvers of KVER,
# never against the VM.
# usage: stage-abi.sh STAGE    env: BUILD, KVER, CACHE, FULL, WORK
set -euo pipefail
stage=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$stage/opt/modkit-vm/abi
mkdir -p "$out"
other=${VM_ABI_OTHER_KERNEL:-6.1.0-47-amd64}
tree=$FULL/lib/modules/$KVER
tmp=$(mktemp -d "${TMPDIR:-/tmp}/modkit-stage-abi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

module_of() { # NAME: the path of an in-tree module of KVER
  echo "$tree/$(grep -E "(^|/)$1\.ko:" "$tree/modules.dep" | cut -d: -f1)"
}
construct() { python3 "$here/abi-construct.py" "$@"; }

build_abisrc() { # KVER DEST: tests/vm/abisrc built against that kernel's installed headers
  local hdr=/usr/src/linux-headers-$1 dir=$tmp/build-$1
  [ -f "$hdr/Makefile" ] || { echo "stage-abi: no headers for $1 in $hdr (scripts/install-deps.sh)" >&2; return 1; }
  mkdir -p "$dir" "$2"
  cp "$root/tests/vm/abisrc/"*.c "$root/tests/vm/abisrc/Kbuild" "$dir/"
  make -s -C "$hdr" M="$dir" KBUILD_MODPOST_WARN=1 KBUILD_NSDEPS=1 -j2 modules >"$dir/build.log" 2>&1 ||
    { tail -20 "$dir/build.log" >&2; return 1; }
  cp "$dir"/*.ko "$2/"
}

build_abisrc "$KVER" "$tmp/here"
build_abisrc "$other" "$tmp/other"
other_tree=$(bash "$root/scripts/fetch-kernel.sh" "$other")/plain/lib/modules/$other
foreign=$(bash "$root/scripts/fetch-foreign-modules.sh" arm64 "${KVER%-amd64}")

dummy=$(module_of dummy)
cp "$dummy" "$out/intree.ko"
cp "$(module_of qlge)" "$out/staging.ko"
cp "$other_tree/kernel/drivers/net/dummy.ko" "$out/other-build.ko"
# Another flavour of the same ABI (cloud vs generic): vermagic flags equal, module_layout not.
flavour=${KVER%-amd64}-cloud-amd64
cp "$(bash "$root/scripts/fetch-kernel.sh" "$flavour")/plain/lib/modules/$flavour/kernel/drivers/net/dummy.ko" \
  "$out/other-flavour.ko"
cp "$tmp/other/abi_plain.ko" "$out/dkms-other-kernel.ko"
cp "$tmp/here/abi_plain.ko" "$out/unsigned-oot.ko"
cp "$tmp/here/abi_unknown.ko" "$out/unknown-symbol.ko"
cp "$tmp/here/abi_namespace.ko" "$out/namespace.ko"
construct "$tmp/here/abi_gplonly.ko" "$out/gpl-only.ko" "modinfo:license=Proprietary"
cp "$foreign/kernel/drivers/net/dummy.ko" "$out/arm64.ko"
vermagic=$("$BUILD/modkit" modinfo -F vermagic "$dummy")
construct "$dummy" "$out/release-only.ko" "modinfo:vermagic=${vermagic/$KVER/$other}"
construct "$dummy" "$out/vermagic-flags.ko" "modinfo:vermagic=$KVER SMP mod_unload modversions "
construct "$dummy" "$out/layout.ko" "crc:module_layout"
construct "$dummy" "$out/symbol-crc.ko" "crc:consume_skb"
construct "$dummy" "$out/no-vermagic.ko" "modinfo:vermagic="
construct "$dummy" "$out/no-versions.ko" "noalloc:__versions"
construct "$dummy" "$out/changed-after-signing.ko" "modinfo:vermagic=$KVER SMP preempt mod_unload modversions" --keep-sig
# Signed by a key the kernel does not know (as a MOK-signed DKMS module is without MOK).
construct "$dummy" "$tmp/dummy-unsigned.ko" none
openssl req -new -x509 -nodes -days 2 -subj "/CN=modkit abi oracle key" -newkey rsa:2048 \
  -keyout "$tmp/key.pem" -outform DER -out "$tmp/key.der" 2>/dev/null
/usr/lib/linux-kbuild-6.1/scripts/sign-file sha256 "$tmp/key.pem" "$tmp/key.der" \
  "$tmp/dummy-unsigned.ko" "$out/foreign-key.ko"

# The predictions, from the cached files of KVER (not from the VM).
C=$CACHE
"$BUILD/modkit" abi check --json -k "$KVER" --tree "$tree" --boot "$C/boot" \
  --symvers "$C/headers/usr/src/linux-headers-$KVER/Module.symvers" "$out"/*.ko >"$tmp/check.json" || true
python3 - "$tmp/check.json" "$out/messages" >"$out/predictions" <<'PY'
import json, os, sys
doc = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as messages:
    for m in doc["modules"]:
        label = os.path.basename(m["path"])[: -len(".ko")]
        print(label, m["verdict"], m.get("error") or "-", m.get("taints") or "-", m.get("name", "?"))
        # What the kernel logs for the finding that decides: the first refusal.
        for f in m.get("findings", []):
            if f["effect"] == "refuse":
                if f.get("kernel_message"):
                    print(f"{label}|{f['kernel_message']}", file=messages)
                break
PY
cp "$tmp/check.json" "$out/check.json"
