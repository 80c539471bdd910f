#!/usr/bin/env bash
# Host side of tests/vm/sample/abi-sample.sh: a random sample of modules of another build of
# the booted kernel's series (VM_ABI_OTHER_KERNEL, 6.1.0-47 by default) with modkit's
# predictions for the booted kernel, in /opt/modkit-vm/sample/ (the layout of stage-abi.sh).
# VM_SAMPLE_SEED picks the sample (default: a new one each day), VM_SAMPLE_SIZE its size.
# usage: stage-abi-sample.sh STAGE    env: BUILD, KVER, CACHE, FULL, ROOT
set -euo pipefail
stage=$1
out=$stage/opt/modkit-vm/sample
mkdir -p "$out"
other=${VM_ABI_OTHER_KERNEL:-6.1.0-47-amd64}
seed=${VM_SAMPLE_SEED:-$(date +%Y%m%d)}
size=${VM_SAMPLE_SIZE:-200}
tree=$(bash "$ROOT/scripts/fetch-kernel.sh" "$other")/plain/lib/modules/$other
echo "$seed" >"$out/seed"
(cd "$tree" && find . -name '*.ko' | LC_ALL=C sort) |
  python3 -c "import random, sys; l = sys.stdin.read().split(); random.Random(int(sys.argv[1])).shuffle(l); print('\n'.join(l[:int(sys.argv[2])]))" "$seed" "$size" >"$out/list"
n=0
while read -r rel; do
  n=$((n + 1))
  cp "$tree/$rel" "$out/$(printf '%03d' $n)-$(basename "$rel" .ko).ko"
done <"$out/list"
"$BUILD/modkit" abi check --json -k "$KVER" --tree "$FULL/lib/modules/$KVER" --boot "$CACHE/boot" \
  --symvers "$CACHE/headers/usr/src/linux-headers-$KVER/Module.symvers" "$out"/*.ko >"$out/check.json" || true
python3 - "$out/check.json" "$out/messages" >"$out/predictions" <<'PY'
import json, os, sys
doc = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as messages:
    for m in doc["modules"]:
        label = os.path.basename(m["path"])[: -len(".ko")]
        print(label, m["verdict"], m.get("error") or "-", m.get("taints") or "-", m.get("name", "?"))
        for f in m.get("findings", []):
            if f["effect"] == "refuse":
                if f.get("kernel_message"):
                    print(f"{label}|{f['kernel_message']}", file=messages)
                break
PY
