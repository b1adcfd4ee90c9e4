#!/usr/bin/env bash
# Prints the oldest glibc the given binaries run on: the highest GLIBC_x.y symbol version any of
# them imports (objdump -T). Exit 1 when a binary imports no versioned glibc symbol.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: glibc-floor.sh BINARY..." >&2; exit 4; }
objdump -T "$@" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n -u | tail -n1 | grep . 
