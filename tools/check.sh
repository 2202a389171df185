#!/bin/sh
# make check: the unit tests, then the integration tests on the real daemon
# and Gammu's dummy phone; ends with one summary line over both.
set -u
sum=$(mktemp)
UNIT_SUMMARY=$sum sh tools/run-unit.sh "$@"
read -r up uf < "$sum" || { up=0; uf=1; }
python3 tests/integration/run.py | tee "$sum"
irc=$?
ip=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$sum")
if=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$sum")
rm -f "$sum"
[ -n "$ip" ] || ip=0
[ -n "$if" ] || if=1
echo "total: $((up + ip)) passed, $((uf + if)) failed"
[ "$uf" -eq 0 ] && [ "$if" -eq 0 ] && [ "$ip" -gt 0 ]
