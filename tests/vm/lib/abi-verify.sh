# Sourced in the VM by tests/vm/cases/abi-oracle.sh and tests/vm/sample/abi-sample.sh: inserts
# every module of $A/predictions (written on the host by tests/vm/lib/stage-abi*.sh) and checks
# that the kernel does what `modkit abi check` predicted: loaded with exactly the predicted
# taints, or refused with the predicted error and the kernel's predicted message.
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
