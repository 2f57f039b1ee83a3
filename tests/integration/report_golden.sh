#!/bin/sh
# report_golden.sh - `timewait report` on the recorded fixtures writes, byte
# for byte, what it wrote before the run model was rebuilt (tests/fixtures/
# golden/, made by the old timeline.c): timeline.json, the three drawings
# and the text timeline. A change of any output on good input shows here;
# a deliberate one means new golden files, said so in the commit.
top=$(cd "$(dirname "$0")/../.." && pwd)
TW=${TW:-$top/build/timewait}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for f in run-000/000 run-006/006 remote-000/000; do
	run=${f%%/*}
	mkdir -p "$out/$run"
	cp -r "$top/tests/fixtures/$f" "$out/$run/"
	rm -f "$out/$f"/timeline.json "$out/$f"/sequence.*
	"$TW" report "$out/$f" >"$out/$run.log" 2>&1 ||
		{ cat "$out/$run.log"; echo "FAIL: report $f"; exit 1; }
	"$TW" report "$out/$f" --text --no-color >"$out/$f/text.txt" 2>/dev/null ||
		{ echo "FAIL: report --text $f"; exit 1; }
	for x in timeline.json sequence.svg sequence.puml sequence.mmd text.txt; do
		if ! cmp -s "$top/tests/fixtures/golden/$f/$x.expected" "$out/$f/$x"; then
			echo "FAIL: $f/$x differs from the golden file:"
			diff "$top/tests/fixtures/golden/$f/$x.expected" "$out/$f/$x" | head -10
			fail=1
		fi
	done
done
[ $fail = 0 ] && echo "PASS: 3 fixtures x 5 outputs as before"
exit $fail
