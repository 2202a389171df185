# Sourced by tools/asan.sh and tools/check.sh: points the integration
# harness at the sanitizer build in directory $1 and sets the sanitizers'
# options. Any report fails: a unit test aborts, and the harness fails a
# test whose jourd.log or jourctl output holds one.
asan_dir=$(cd "$1" && pwd)
asan_root=$(pwd)
# Later options win, so ASAN_OPTIONS etc. from the caller can still override.
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
LSAN_OPTIONS="suppressions=$asan_root/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Stop each test's daemon with SIGTERM so LeakSanitizer checks it at exit.
JOURD_CLEAN_STOP=1
JOURD_BIN=$asan_dir/jourd
JOURCTL_BIN=$asan_dir/jourctl
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS JOURD_CLEAN_STOP JOURD_BIN JOURCTL_BIN
# The modem worker under the wake-up call tests' driver (test_calls.py).
CALLDRIVE_BIN=$asan_dir/tests/calldrive
export CALLDRIVE_BIN
