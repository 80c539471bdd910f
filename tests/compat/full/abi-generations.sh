#!/usr/bin/env bash
# tests/compat/abi.sh with the whole trees of 6.12 and 7.2 (every .ko.xz read for its exports
# and checked against its own kernel): about three minutes on two cores, so not in `make test`;
# `make abi-full` runs it.
export ABI_FULL=1
exec bash "$(dirname "$0")/../abi.sh"
