# The kernel as the oracle for `abi check` on a random sample of another build's modules (200
# of 6.1.0-47's, tests/vm/lib/stage-abi-sample.sh): each is inserted here and must do exactly
# what was predicted (every build has its own module_layout CRC, so the prediction is a refusal
# with ENOEXEC and the kernel's "disagrees about version of symbol module_layout"; the sample
# proves the loader's order on real modules of every kind). Run by `make vm-abi-sample`.
# needs: dummy
# needs-stage: abi-sample
# timeout: 600
A=/opt/modkit-vm/sample
. /vm/abi-verify.sh
