#!/bin/sh
# report_bad_input.sh - `timewait report` on bad input says what is wrong,
# naming the file, and exits 1; it never hangs and never writes an empty
# timeline.json over a good one (issue 12, items 4-6). Each case breaks one
# file of a copy of the recorded run tests/fixtures/run-000/000; the good
# copy must still draw (exit 0), so the breakage is what fails.
top=$(cd "$(dirname "$0")/../.." && pwd)
TW=${TW:-$top/build/timewait}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0

fresh() { # a clean copy of the fixture in $out/$1/000
	rm -rf "$out/$1"; mkdir -p "$out/$1"
	cp -r "$top/tests/fixtures/run-000/000" "$out/$1/"
	rm -f "$out/$1/000/timeline.json" "$out/$1/000"/sequence.*
}

# expect NAME WORD: report on $out/NAME/000 exits 1 within 10 s, its
# message names WORD (the file)
expect() {
	timeout -k 2 10 "$TW" report "$out/$1/000" >"$out/$1.out" 2>"$out/$1.err"
	rc=$?
	if [ $rc -ne 1 ] || ! grep -q -- "$2" "$out/$1.err"; then
		echo "FAIL: $1: exit $rc (want 1), message: $(head -c 300 "$out/$1.err")"
		fail=1
	else
		echo "ok: $1: $(head -1 "$out/$1.err")"
	fi
}

fresh good
"$TW" report "$out/good/000" 2>"$out/good.err" || { cat "$out/good.err"; echo "FAIL: good input"; exit 1; }
grep -q "wrote timeline.json" "$out/good.err" || { echo "FAIL: report does not say what it wrote"; fail=1; }
cmp -s "$out/good/000/timeline.json" "$top/tests/fixtures/golden/run-000/000/timeline.json.expected" ||
	{ echo "FAIL: good input drawn differently"; fail=1; }

fresh fifo; rm "$out/fifo/000/trace.jsonl"; mkfifo "$out/fifo/000/trace.jsonl"
expect fifo "trace.jsonl: not a regular file"

fresh urandom; ev=$(ls "$out/urandom/000"/*.events.jsonl | head -1)
rm "$ev"; ln -s /dev/urandom "$ev"
expect urandom "events.jsonl: a symbolic link"

fresh tmin; ev=$(ls "$out/tmin/000"/client.*.events.jsonl)
sed -i '3s/"t_ns":[0-9]*/"t_ns":-9223372036854775808/' "$ev"
expect tmin "client.client.events.jsonl:3: t_ns"

fresh tmax; sed -i '5s/"t_ns":[0-9]*/"t_ns":9223372036854775807/' "$out/tmax/000/trace.jsonl"
expect tmax "trace.jsonl:5: t_ns"

fresh badline; sed -i '2s/.*/{"t_ns":12,"step":"conn/' "$out/badline/000/server.server.events.jsonl"
expect badline "server.server.events.jsonl:2:"

fresh nested; sed -i '1s/^{/{"x":{"y":1},/' "$out/nested/000/trace.jsonl"
expect nested "trace.jsonl:1: nested"

fresh pcap; head -c 10 "$top/tests/fixtures/run-000/000/client.pcap" >"$out/pcap/000/client.pcap"
expect pcap "client.pcap"

fresh labjson; echo '{"hosts": [' >"$out/labjson/000/lab.json"
expect labjson "lab.json"

fresh snapjson; printf 'not json\n' >"$out/snapjson/000/client.sockets.jsonl"
expect snapjson "client.sockets.jsonl:1:"

# Every input gone but result.json: an error, and the good timeline stays.
fresh gone; "$TW" report "$out/gone/000" 2>/dev/null
cp "$out/gone/000/timeline.json" "$out/gone.keep"
find "$out/gone/000" -type f ! -name result.json ! -name timeline.json ! -name 'sequence.*' -delete
expect gone "not a test's folder"
cmp -s "$out/gone/000/timeline.json" "$out/gone.keep" || { echo "FAIL: timeline.json overwritten"; fail=1; }

# Not a run at all: an empty folder.
mkdir -p "$out/empty/000"
expect empty "not a test's folder"

# --html on a run with a bad test: exit 1, the message names the file.
fresh html; echo garbage >"$out/html/000/trace.jsonl"
timeout -k 2 10 "$TW" report "$out/html" --html >/dev/null 2>"$out/html.err"
rc=$?
if [ $rc -ne 1 ] || ! grep -q "trace.jsonl:1:" "$out/html.err"; then
	echo "FAIL: --html: exit $rc, $(head -c 300 "$out/html.err")"; fail=1
else
	echo "ok: --html: $(head -1 "$out/html.err")"
fi
[ $fail = 0 ] && echo "PASS: every bad input refused with its file named"
exit $fail
