#!/bin/sh
echo "package step.sh: $*"
echo "package $1" >>"${DKMS_HOOK_LOG:?}"
