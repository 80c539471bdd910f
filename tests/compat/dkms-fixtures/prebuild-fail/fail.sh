#!/bin/sh
echo "pre_build fails"
exit 3
