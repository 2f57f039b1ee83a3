#!/bin/sh
# tests/fuzz/run.sh FUZZ_BUILD SECONDS [NAME...] - run each libFuzzer target
# (all of FUZZ_BUILD/fuzz_* unless named) for SECONDS from its seed corpus
# tests/fuzz/corpus/NAME/. New inputs go to FUZZ_BUILD/corpus/NAME/, never
# into the seed folder; a crash is kept as FUZZ_BUILD/crash-NAME-*. Prints
# one line per target with its executions; exits 1 if any target failed.
FB=${1:?usage: run.sh FUZZ_BUILD SECONDS [NAME...]}
SECS=${2:-600}
shift 2 2>/dev/null || shift $#
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
case "$FB" in /*) ;; *) FB=$top/$FB ;; esac
names=$*
if [ -z "$names" ]; then
	for b in "$FB"/fuzz_*; do
		[ -x "$b" ] && names="$names ${b##*/fuzz_}"
	done
fi
failed=0
for n in $names; do
	mkdir -p "$FB/corpus/$n"
	log="$FB/fuzz_$n.log"
	seeds=
	[ -d "tests/fuzz/corpus/$n" ] && seeds=tests/fuzz/corpus/$n
	dict=
	[ -f "tests/fuzz/$n.dict" ] && dict=-dict=tests/fuzz/$n.dict
	mkdir -p "$FB/work"
	FUZZ_WORKDIR="$FB/work" FUZZ_FIXTURE="$top/tests/fuzz/rundir/000" \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$FB/fuzz_$n" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$FB/crash-$n-" $dict \
	    "$FB/corpus/$n" $seeds >"$log" 2>&1
	rc=$?
	rm -rf "$FB/work"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		printf 'fuzz %-10s ok      %s executions in %s s\n' "$n" "${execs:-?}" "$SECS"
	else
		failed=1
		printf 'fuzz %-10s FAILED  exit %s after %s executions; see %s\n' "$n" "$rc" "${execs:-?}" "$log"
		grep -m 3 -E 'ERROR|runtime error|SUMMARY' "$log" | sed 's/^/      /'
	fi
done
exit $failed
