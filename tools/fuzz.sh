#!/bin/sh
# make fuzz: builds every tests/fuzz/fuzz_NAME.c with clang and libFuzzer
# into build-fuzz/ and runs each for SECONDS on a copy of its seed corpus
# tests/fuzz/corpus/NAME/ (new inputs stay in build-fuzz/corpus/NAME/).
# Prints executions, seconds and crashes per target and in total; a crash,
# leak or timeout keeps its input in build-fuzz/crashes/ and fails.
#
#   sh tools/fuzz.sh [SECONDS] [NAME...]      e.g. sh tools/fuzz.sh 60 ipc csv
set -u
secs=${1:-30}
[ $# -gt 0 ] && shift
out=build-fuzz
cc=${FUZZ_CC:-clang}
warn="-Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes
-Wpointer-arith -Wformat=2 -Wvla -Wundef -Wno-unused-parameter"
# clang, unlike gcc, flags log.c's vsnprintf of a va_list format.
warn="$warn -Wno-format-nonliteral"
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cflags="-std=c11 -D_GNU_SOURCE -g -O1 $warn $san -Iinclude -I$out
$(pkg-config --cflags sqlite3 inih)"
libs="$(pkg-config --libs sqlite3 inih) -lcrypt -lm"

# The modules with no daemon state: parsers, checks and the importer, and
# the pager worker for its ESPA machine. They are instrumented for
# coverage; each target links only what it uses.
srcs="text phone pnr parse config csv roster calendar esc msg espa jtime log json db ipc import pager spawn users"

mkdir -p "$out/obj" "$out/corpus" "$out/crashes" "$out/logs"
sh tools/embed-schema.sh "$out" schema/*.sql || exit 1
objs=""
for s in $srcs; do
	$cc $cflags -fsanitize=fuzzer-no-link -c -o "$out/obj/$s.o" "src/$s.c" ||
	    exit 1
	objs="$objs $out/obj/$s.o"
done
$cc $cflags -fsanitize=fuzzer-no-link -c -o "$out/obj/schema.o" \
    "$out/schema.c" || exit 1
rm -f "$out/libfuzz.a"
ar rcs "$out/libfuzz.a" $objs "$out/obj/schema.o" || exit 1

if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(for f in tests/fuzz/fuzz_*.c; do
		basename "$f" .c | sed 's/^fuzz_//'; done)
fi

total_runs=0; total_secs=0; total_crashes=0; failed=""
for n in $names; do
	bin=$out/fuzz_$n
	$cc $cflags -fsanitize=fuzzer -o "$bin" "tests/fuzz/fuzz_$n.c" \
	    "$out/libfuzz.a" $libs || { failed="$failed $n(build)"; continue; }

	corpus=$out/corpus/$n
	mkdir -p "$corpus"
	[ -d "tests/fuzz/corpus/$n" ] && cp -p "tests/fuzz/corpus/$n"/* "$corpus"/ 2>/dev/null
	# One message of the modem worker is up to ~4.2 KB; allow oversize ones.
	maxlen=4096
	[ "$n" = ipc ] && maxlen=8448

	log=$out/logs/fuzz_$n.log
	before=$(ls "$out/crashes" | wc -l)
	t0=$(date +%s)
	"./$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=$maxlen -print_final_stats=1 \
	    -artifact_prefix="$out/crashes/fuzz_$n-" "$corpus" > "$log" 2>&1
	rc=$?
	t1=$(date +%s)
	runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	[ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	[ -n "$runs" ] || runs=0
	crashes=$(($(ls "$out/crashes" | wc -l) - before))
	[ $rc -ne 0 ] && [ $crashes -eq 0 ] && crashes=1
	printf '  %-16s %10d executions %5d s %3d crashes\n' "fuzz_$n" "$runs" \
	    $((t1 - t0)) $crashes
	if [ $crashes -ne 0 ]; then
		failed="$failed $n"
		grep -A 30 -m 1 'ERROR: \|runtime error:\|deadly signal\|ALARM' "$log" |
		    head -n 40 | sed 's/^/    /'
		ls "$out/crashes" | grep "^fuzz_$n-" | sed "s|^|    kept $out/crashes/|"
	fi
	total_runs=$((total_runs + runs))
	total_secs=$((total_secs + t1 - t0))
	total_crashes=$((total_crashes + crashes))
done
echo "fuzz: $(echo $names | wc -w) targets, $total_runs executions in $total_secs s, $total_crashes crashes"
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed (logs in $out/logs)"
	exit 1
fi
