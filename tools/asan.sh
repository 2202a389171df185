#!/bin/sh
# make asan: the unit tests and the integration suite on the sanitizer build.
#
#   sh tools/asan.sh BUILD_DIR TEST_BINARY...
#
# BUILD_DIR holds jourd and jourctl built with ASan and UBSan (see
# tools/asan-env.sh). Ends with one summary line.
set -u
. tools/asan-env.sh "$1"
shift

sum=$(mktemp)
UNIT_SUMMARY=$sum sh tools/run-unit.sh "$@"
read -r up uf < "$sum" || { up=0; uf=1; }
python3 tests/integration/run.py -j "${JOURD_TEST_JOBS:-3}" | tee "$sum"
ip=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$sum")
if=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$sum")
rm -f "$sum"
[ -n "$ip" ] || ip=0
[ -n "$if" ] || if=1
echo "asan: $((up + ip)) passed, $((uf + if)) failed (unit $up/$((up + uf)), integration $ip/$((ip + if)))"
[ "$uf" -eq 0 ] && [ "$if" -eq 0 ] && [ "$ip" -gt 0 ]
