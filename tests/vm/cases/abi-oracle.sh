# The kernel is the oracle for `modkit abi check`: for modules with every verdict (this kernel's
# own, a staging driver, 6.1.0-47's, out-of-tree builds for this kernel and for 6.1.0-47, one of
# the arm64 kernel, and copies with one thing changed: release, vermagic flags, module_layout
# CRC, another symbol's CRC, no vermagic, no __versions, changed after signing, signed by an
# unknown key), the prediction made on the host (tests/vm/lib/stage-abi.sh) must be what insmod
# does here: loaded with exactly the predicted taints (/sys/module/<name>/taint), or refused with
# the predicted error and the kernel's predicted message.
# needs: dummy qlge
# needs-stage: abi
# timeout: 240
A=/opt/modkit-vm/abi
[ -s $A/predictions ] || skip "no predictions (stage-abi.sh failed)"
errno_of() { # insmod's wording -> the errno's name
  case "$1" in
  *"Invalid module format"*) echo ENOEXEC ;;
  *"Unknown symbol in module"*) echo ENOENT ;;
  *"Invalid parameters"*) echo EINVAL ;;
  *"Key was rejected by service"*) echo EKEYREJECTED ;;
  *"Bad message"*) echo EBADMSG ;;
  *"File exists"*) echo EEXIST ;;
  *) echo "unexpected($1)" ;;
  esac
}
n=0
while read -r label verdict err taints name; do
  n=$((n + 1))
  dmesg_clear
  run insmod "$A/$label.ko"
  if [ "$RC" = 0 ]; then
    got=$(cat "/sys/module/$name/taint" 2>/dev/null)
    [ -n "$got" ] && state=taints || state=loads
    expect_eq "$label: predicted $verdict (taints ${taints})" "$verdict $taints" "$state ${got:--}"
    busybox rmmod "$name"
  else
    expect_eq "$label: predicted $verdict ($err)" "$verdict $err" "refused $(errno_of "$ERR")"
    msg=$(sed -n "s/^$label|//p" $A/messages)
    [ -z "$msg" ] || expect_dmesg "$label: the kernel says what was predicted" "$(echo "$msg" | sed 's/[][\.*^$()+?{}|]/\\&/g')"
  fi
done <$A/predictions
expect_eq "every module was tried" "$(grep -c . $A/predictions)" "$n"
