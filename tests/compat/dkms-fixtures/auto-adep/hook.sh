#!/bin/sh
# Records how DKMS ran this hook (which one, its arguments, working directory and $0) in
# $DKMS_HOOK_LOG, which the test compares between the tools.
name=$1
shift
{
	printf '%s argc=%s' "$name" "$#"
	for a in "$@"; do printf ' [%s]' "$a"; done
	printf ' PWD=%s cwd=%s $0=%s\n' "$PWD" "$(pwd -P)" "$0"
} >>"${DKMS_HOOK_LOG:?}"
