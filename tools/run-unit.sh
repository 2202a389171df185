#!/bin/sh
# Runs each cmocka unit test binary; prints one summary line for all of them.
pass=0; fail=0
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	[ -n "$p" ] || p=0; [ -n "$f" ] || f=0
	if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
	[ $rc -ne 0 ] && printf '%s\n' "$out"
	printf '  %-28s %3d passed, %d failed\n' "$(basename "$t")" "$p" "$f"
	pass=$((pass + p)); fail=$((fail + f))
done
echo "unit: $pass passed, $fail failed"
echo "$pass $fail" > "${UNIT_SUMMARY:-/dev/null}"
[ $fail -eq 0 ]
