#!/bin/sh
# timewait bench, the ceiling in short: with 50 local ports and the client
# closing first, the 50 ports are all in TIME_WAIT within a second; the
# generator must then report EADDRNOTAVAIL (not hang, not spin on one
# core), complete exactly 50 connections, and stop on time. With the server
# closing first and the same ports there is no ceiling. Ctrl+C stops a run
# and still prints the summary; compare runs every variant, one table.
set -u
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
out=$(mktemp -d /tmp/tw-bench-test.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
field() { sed -n "s/^  $2 *//p" "$1"; }
# What a run of pid $1 on server port $2 must not leave behind: its lab's
# namespaces, its private folders in /tmp, the processes it started.
leftovers() {
	ip netns list | grep -q "^tw-$1-" && echo "namespaces $(ip netns list | grep "^tw-$1-")"
	ls -d /run/timewait/tmp/"$1"-* 2>/dev/null | sed 's/^/folder /'
	pgrep -af "tw-$1-" | sed 's/^/process /'
	pgrep -af "/run/timewait/tmp/$1-" | sed 's/^/process /'
	pgrep -af -- "bench .*--port $2( |\$)" | sed 's/^/process /'
}
port=$((20000 + $$ % 20000))

# 1. Fifty ports, client closes first.
start=$(date +%s)
timeout 20 /usr/bin/time -f '%e %U %S' -o "$out/time" "$TW" bench --close client \
    --port-range 40000-40049 --duration 3 --concurrency 20 --quiet \
    --json "$out/c.json" --plot "$out/c.svg" >"$out/c.txt" ||
	fail "ceiling run: exit $?"
cat "$out/c.txt" "$out/time"
[ $(($(date +%s) - start)) -le 8 ] || fail "a 3 s run took $(($(date +%s) - start)) s"
[ "$(field "$out/c.txt" completed | awk '{print $1}')" = 50 ] ||
	fail "not 50 connections: $(field "$out/c.txt" completed)"
field "$out/c.txt" errors | grep -q EADDRNOTAVAIL || fail "no EADDRNOTAVAIL reported"
field "$out/c.txt" ceiling | grep -q '^0.8/s sustained = 50 ports' || fail "ceiling: $(field "$out/c.txt" ceiling)"
# 3 s is shorter than TIME_WAIT: the 50 ports allow 50 connections, all made.
field "$out/c.txt" 'in this run' | grep -q 'allow 50 connections .* rate/that 1.00$' ||
	fail "window: $(field "$out/c.txt" 'in this run')"
jq -e '.summary.window_allowed == 50 and .summary.shorter_than_time_wait and
    (.summary.rate_over_ceiling > 0.95 and .summary.rate_over_ceiling < 1.05)' "$out/c.json" >/dev/null ||
	fail "window figures in the JSON"
field "$out/c.txt" TIME_WAIT | grep -q 'client 50,' || fail "not 50 TIME_WAIT on the client"
# Parked, not spinning: well under one core over the run (3 s).
awk '{ exit !($2 + $3 < 1.5) }' "$out/time" || fail "CPU while exhausted: $(cat "$out/time")"
grep -q '"EADDRNOTAVAIL"' "$out/c.json" || fail "no EADDRNOTAVAIL in the JSON"
grep -q '<svg' "$out/c.svg" && grep -q '</svg>' "$out/c.svg" || fail "no SVG"
xmllint --noout "$out/c.svg" || fail "SVG is not well-formed XML"

# 2. Same ports, server closes first: no ceiling.
"$TW" bench --close server --port-range 40000-40049 --duration 2 --concurrency 20 \
    --quiet >"$out/s.txt" || fail "server run: exit $?"
cat "$out/s.txt"
[ "$(field "$out/s.txt" completed | awk '{print $1}')" -ge 1000 ] ||
	fail "server-first with 50 ports: $(field "$out/s.txt" completed)"
field "$out/s.txt" ceiling | grep -q '^none' || fail "server-first has a ceiling"

# 3. Ctrl+C: stop, clean, print what there is.
"$TW" bench --close rst --duration 30 --quiet --port $port >"$out/i.txt" 2>&1 & pid=$!
sleep 1.5
kill -INT $pid
t0=$(date +%s)
wait $pid || fail "interrupted run: exit $?"
[ $(($(date +%s) - t0)) -le 3 ] || fail "SIGINT took $(($(date +%s) - t0)) s"
grep -q '(interrupted)' "$out/i.txt" || fail "no summary after SIGINT: $(cat "$out/i.txt")"
left=$(leftovers $pid $port)
[ -z "$left" ] || fail "SIGINT: left behind: $left"

# 4. compare: every variant, a line each as it ends, one table, JSON and plot.
"$TW" bench compare --duration 1 --concurrency 20 --port-range 40000-40099 --quiet \
    --json "$out/cmp.json" --plot "$out/cmp.svg" >"$out/cmp.txt" 2>"$out/cmp.err" ||
	fail "compare: exit $?"
cat "$out/cmp.txt" "$out/cmp.err"
# (a run may end a tenth late on a busy machine or under ASan: 1.1 s)
[ "$(grep -cE ' over 1\.[0-9] s' "$out/cmp.err")" = 7 ] || fail "compare: not one line per mode"
grep -q '^client+dst-ports=4+src-addrs=4+bind-no-port: ' "$out/cmp.err" ||
	fail "compare: a mode name cut in its line"
grep -q 'less than one TIME_WAIT period' "$out/cmp.err" || fail "compare: the short window not said"
# --json -: the JSON on standard output, the words on standard error.
(cd "$out" && "$TW" bench --close rst --duration 0.5 --concurrency 5 --quiet --json - \
    >"$out/j.out" 2>"$out/j.err") || fail "--json -: exit $?"
jq -e '.summary.completed > 0' "$out/j.out" >/dev/null || fail "--json -: not JSON on stdout"
grep -q '^timewait bench: rst' "$out/j.err" || fail "--json -: no summary on stderr"
[ ! -e "$out/-" ] || fail "--json -: a file named '-'"
for m in client server rst client+tw-reuse client+dst-ports=4 client+src-addrs=4 \
    client+dst-ports=4+src-addrs=4+bind-no-port; do
	grep -q "^$m " "$out/cmp.txt" || fail "compare: no row $m"
done
[ "$(grep -c '"summary"' "$out/cmp.json")" = 7 ] || fail "compare: not 7 runs in the JSON"
grep -q '</svg>' "$out/cmp.svg" || fail "compare: no plot"
echo "ceiling, SIGINT and compare pass"
