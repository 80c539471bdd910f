#!/bin/sh
echo "package other.sh: $*"
echo "package $1" >>"${DKMS_HOOK_LOG:?}"
