#!/bin/sh
# make check: the unit tests; the integration tests on the real daemon and
# Gammu's dummy phone; the same integration tests once more on the
# AddressSanitizer + UBSan build; the fake paging system's self-test; two
# short crash campaigns, with one modem and with two (tests/crash).
# Ends with one summary line over all.
#
#   sh tools/check.sh ASAN_BUILD_DIR UNIT_TEST_BINARY...
set -u
asan=$1; shift
sum=$(mktemp)
UNIT_SUMMARY=$sum sh tools/run-unit.sh "$@"
read -r up uf < "$sum" || { up=0; uf=1; }

# Runs the integration suite (on the sanitizer build in $1 when given) and
# adds its counts to ip and if; a run that passed nothing counts as failed.
ip=0; if=0
integration() {
	( [ -z "$1" ] || . tools/asan-env.sh "$1"
	  python3 tests/integration/run.py -j "$2" ) | tee "$sum"
	p=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$sum")
	f=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$sum")
	[ -n "$p" ] || p=0
	[ -n "$f" ] || f=1
	[ "$p" -gt 0 ] || f=$((f + 1))
	ip=$((ip + p)); if=$((if + f))
}
integration "" "${JOURD_TEST_JOBS:-4}"
echo "integration under ASan and UBSan ($asan):"
integration "$asan" "${JOURD_TEST_JOBS:-3}"

# Runs a command whose output ends with "PREFIX: N passed, M failed" (or
# "N passed, M failed" when PREFIX is empty) and adds its counts.
counted() {
	prefix=$1; shift
	"$@" | tee "$sum"
	p=$(sed -n "s/^$prefix\([0-9]*\) passed, \([0-9]*\) failed\$/\1/p" "$sum")
	f=$(sed -n "s/^$prefix\([0-9]*\) passed, \([0-9]*\) failed\$/\2/p" "$sum")
	[ -n "$p" ] || p=0
	[ -n "$f" ] || f=1
	ip=$((ip + p)); if=$((if + f))
}
# The fake paging system's own test: the ESPA protocol by example.
counted "" python3 tests/fakepager/test_fakepager.py
# The crash campaign's short forms, one modem and two (faults on the first
# move its queue to the second; needs make faults); make crashtest runs the
# long one.
counted "crashtest: " python3 tests/crash/crashtest.py --runs 10 --messages 80
counted "crashtest: " python3 tests/crash/crashtest.py --runs 6 --messages 60 \
    --modems 2
rm -f "$sum"
echo "total: $((up + ip)) passed, $((uf + if)) failed"
[ "$uf" -eq 0 ] && [ "$if" -eq 0 ]
