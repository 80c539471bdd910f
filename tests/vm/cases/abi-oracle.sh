# The kernel is the oracle for `modkit abi check`: for modules with every verdict (this kernel's
# own, a staging driver, 6.1.0-47's, the cloud flavour's of the same ABI, out-of-tree builds for
# this kernel and for 6.1.0-47, one of the arm64 kernel, and copies with one thing changed:
# release, vermagic flags, module_layout CRC, another symbol's CRC, no vermagic, no __versions,
# changed after signing, signed by an unknown key), the prediction made on the host
# (tests/vm/lib/stage-abi.sh) must be what insmod does here: loaded with exactly the predicted
# taints (/sys/module/<name>/taint), or refused with the predicted error and the kernel's
# predicted message.
# needs: dummy qlge
# needs-stage: abi
# timeout: 240
A=/opt/modkit-vm/abi
. /vm/abi-verify.sh
