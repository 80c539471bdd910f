#!/bin/sh
echo "PRE_INSTALL says no" >&2
exit 1
