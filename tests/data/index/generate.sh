#!/bin/sh
# Regenerates the expected indexes from input/ with the independent reference writer
# (shared/reference/idxwrite.py, byte-identical to kmod's depmod in both layouts).
# The unit test IndexCrossCheck rebuilds the same tries with index::IndexBuilder and compares.
set -e
cd "$(dirname "$0")"
ref="${IDXWRITE:-/work/shared/reference/idxwrite.py}"
mkdir -p pre post
python3 "$ref" input pre pre
python3 "$ref" input post post
