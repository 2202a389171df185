#!/bin/sh
# make asan: the unit tests and the integration suite on the sanitizer build.
#
#   sh tools/asan.sh BUILD_DIR TEST_BINARY...
#
# BUILD_DIR holds jourd and jourctl built with ASan and UBSan. Any sanitizer
# report fails: a unit test aborts, and the integration harness fails a test
# whose jourd.log or jourctl output holds one. Ends with one summary line.
set -u
dir=$(cd "$1" && pwd); shift
root=$(pwd)

# Later options win, so ASAN_OPTIONS etc. from the caller can still override.
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Stop each test's daemon with SIGTERM so LeakSanitizer checks it at exit.
JOURD_CLEAN_STOP=1
JOURD_BIN=$dir/jourd
JOURCTL_BIN=$dir/jourctl
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS JOURD_CLEAN_STOP JOURD_BIN JOURCTL_BIN

sum=$(mktemp)
UNIT_SUMMARY=$sum sh tools/run-unit.sh "$@"
read -r up uf < "$sum" || { up=0; uf=1; }
python3 tests/integration/run.py | tee "$sum"
ip=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$sum")
if=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$sum")
rm -f "$sum"
[ -n "$ip" ] || ip=0
[ -n "$if" ] || if=1
echo "asan: $((up + ip)) passed, $((uf + if)) failed (unit $up/$((up + uf)), integration $ip/$((ip + if)))"
[ "$uf" -eq 0 ] && [ "$if" -eq 0 ] && [ "$ip" -gt 0 ]
