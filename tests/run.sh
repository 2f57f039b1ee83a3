#!/bin/sh
# Run every test: the cmocka unit programs in BUILD/tests/ and the scripts in
# tests/integration/ (which get the build folder as $BUILD and the binary as
# $TW). A script exits 0 for pass, 77 for skip (for example: needs root) and
# anything else for fail. Prints one line per test and a closing
# "N passed, N failed, N skipped" line; exits non-zero if anything failed.
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD="$(pwd)/$BUILD" ;; esac
TW="$BUILD/timewait"
export BUILD TW
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0 failed=""
logdir="$BUILD/test-logs"
rm -rf "$logdir"; mkdir -p "$logdir"

one() { # name, command...
	name=$1; shift
	log="$logdir/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s.%N)
	timeout -k 5 900 "$@" >"$log" 2>&1
	rc=$?
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{print b-a}')
	case $rc in
	0) pass=$((pass + 1)); printf 'PASS  %-40s %6.2fs\n' "$name" "$secs" ;;
	77) skip=$((skip + 1)); printf 'SKIP  %-40s (%s)\n' "$name" "$(tail -n 1 "$log")" ;;
	*) fail=$((fail + 1)); failed="$failed $name"
	   printf 'FAIL  %-40s exit %s; last lines of %s:\n' "$name" "$rc" "$log"
	   tail -n 25 "$log" | sed 's/^/      /' ;;
	esac
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	one "unit/$(basename "$t")" "$t"
done
for t in "$top"/tests/integration/*.sh; do
	[ -f "$t" ] || continue
	one "integration/$(basename "$t" .sh)" sh "$t"
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
