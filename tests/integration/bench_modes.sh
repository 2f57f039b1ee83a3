#!/bin/sh
# timewait bench, short: a 3 s run in each close mode between two private
# hosts. Each must complete connections with no error on either side, and
# leave TIME_WAIT where the mode says: on the client for --close client,
# on the server for --close server, nowhere for --close rst. The JSON must
# hold the summary and the 100 ms series.
set -u
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
out=$(mktemp -d /tmp/tw-bench-test.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# What a run of pid $1 on server port $2 may leave behind, and must not:
# its lab's namespaces (tw-PID-*), its private folders (/run/timewait/tmp/PID-*),
# processes it started (nginx runs with -p /run/timewait/tmp/PID-nginx..., the
# server process is a fork of the run, with its command line).
leftovers() {
	ip netns list | grep -q "^tw-$1-" && echo "namespaces $(ip netns list | grep "^tw-$1-")"
	ls -d /run/timewait/tmp/"$1"-* 2>/dev/null | sed 's/^/folder /'
	pgrep -af "tw-$1-" | sed 's/^/process /'
	pgrep -af "/run/timewait/tmp/$1-" | sed 's/^/process /'
	pgrep -af -- "bench .*--port $2( |\$)" | sed 's/^/process /'
}

field() { # summary-file label -> the line's text after the label
	sed -n "s/^  $2 *//p" "$1"
}

port=$((20000 + $$ % 20000))
for mode in client server rst; do
	"$TW" bench --close $mode --duration 3 --concurrency 50 --quiet --port $port \
	    --json "$out/$mode.json" >"$out/$mode.txt" 2>"$out/$mode.err" & pid=$!
	wait $pid || fail "$mode: exit $? ($(cat "$out/$mode.err"))"
	left=$(leftovers $pid $port)
	[ -z "$left" ] || fail "$mode: left behind: $left"
	cat "$out/$mode.txt"
	done=$(field "$out/$mode.txt" completed | awk '{print $1}')
	[ "${done:-0}" -ge 1000 ] || fail "$mode: only ${done:-0} connections in 3 s"
	[ "$(field "$out/$mode.txt" errors | awk '{print $1}')" = none ] ||
		fail "$mode: errors: $(field "$out/$mode.txt" errors)"
	field "$out/$mode.txt" server | grep -q ', 0 errors$' ||
		fail "$mode: server errors: $(field "$out/$mode.txt" server)"
	tw=$(field "$out/$mode.txt" TIME_WAIT | sed 's/end *//')
	cl=$(echo "$tw" | sed -n 's/^client \([0-9]*\),.*/\1/p')
	sv=$(echo "$tw" | sed -n 's/.*server \([0-9]*\) .*/\1/p')
	case $mode in
	client) [ "$cl" -gt 0 ] && [ "$sv" -eq 0 ] || fail "client: TIME_WAIT $tw" ;;
	server) [ "$cl" -eq 0 ] && [ "$sv" -gt 0 ] || fail "server: TIME_WAIT $tw" ;;
	rst) [ "$cl" -eq 0 ] && [ "$sv" -eq 0 ] || fail "rst: TIME_WAIT $tw" ;;
	esac
	j="$out/$mode.json"
	for k in '"summary"' '"mode"' '"completed"' '"seconds"' '"rate_per_s"' \
	    '"ceiling_per_s"' '"errors"' '"time_wait_end"' '"series"' '"tw_client"'; do
		grep -q "$k" "$j" || fail "$mode: no $k in the JSON"
	done
	if command -v jq >/dev/null; then
		jq -e ".summary.completed == $done and (.series | length) >= 25" "$j" >/dev/null ||
			fail "$mode: JSON summary or series wrong"
	fi
done
grep -q '"ceiling_per_s": null' "$out/server.json" || fail "server: a ceiling in the JSON"
grep -q '"ceiling_per_s": 470' "$out/client.json" || fail "client: no 470/s ceiling in the JSON"
# A 3 s run is shorter than one TIME_WAIT period: compared with every port once.
grep -q '"shorter_than_time_wait": true' "$out/client.json" || fail "client: not a short run in the JSON"
field "$out/client.txt" 'in this run' | grep -q 'shorter than one TIME_WAIT period' ||
	fail "client: the summary does not say the run is shorter than TIME_WAIT"
# nginx + wrk beside: its folder and its processes go with the run.
if command -v nginx >/dev/null && command -v wrk >/dev/null; then
	"$TW" bench --nginx --close rst --duration 1 --concurrency 10 --quiet --port $port \
	    >"$out/n.txt" 2>&1 & pid=$!
	wait $pid || fail "--nginx: exit $? ($(cat "$out/n.txt"))"
	grep -q '^  nginx + wrk' "$out/n.txt" || fail "--nginx: no nginx line: $(cat "$out/n.txt")"
	left=$(leftovers $pid $port)
	[ -z "$left" ] || fail "--nginx: left behind: $left"
fi
# Bad input: exit 2 with a message, before anything is built.
for bad in "--close nope" "--duration x" "--port-range 9-1" "--bogus" "--dst-ports 0" \
    "--plot x.png" "--json" "--quiet=1" "extra" "compare extra"; do
	# shellcheck disable=SC2086
	"$TW" bench $bad >/dev/null 2>&1; [ $? = 2 ] || fail "'bench $bad': not exit 2"
done
# --direct: two bare namespaces on one veth, the same exchange.
"$TW" bench --direct --close rst --duration 1 --quiet >"$out/d.txt" || fail "--direct: exit $?"
[ "$(field "$out/d.txt" completed | awk '{print $1}')" -ge 300 ] || fail "--direct: $(cat "$out/d.txt")"
echo "three close modes pass"
