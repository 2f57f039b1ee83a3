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

field() { # summary-file label -> the line's text after the label
	sed -n "s/^  $2 *//p" "$1"
}

for mode in client server rst; do
	"$TW" bench --close $mode --duration 3 --concurrency 50 --quiet \
	    --json "$out/$mode.json" >"$out/$mode.txt" 2>"$out/$mode.err" & pid=$!
	wait $pid || fail "$mode: exit $? ($(cat "$out/$mode.err"))"
	[ -z "$(ip netns list | grep "^tw-$pid-")" ] || fail "$mode: lab namespaces left behind"
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
[ -z "$(ls /tmp | grep '^timewait-nginx')" ] || fail "nginx folder left behind"
# Bad input: exit 2 with a message, before anything is built.
for bad in "--close nope" "--duration x" "--port-range 9-1" "--bogus" "--dst-ports 0"; do
	# shellcheck disable=SC2086
	"$TW" bench $bad >/dev/null 2>&1; [ $? = 2 ] || fail "'bench $bad': not exit 2"
done
# --direct: two bare namespaces on one veth, the same exchange.
"$TW" bench --direct --close rst --duration 1 --quiet >"$out/d.txt" || fail "--direct: exit $?"
[ "$(field "$out/d.txt" completed | awk '{print $1}')" -ge 300 ] || fail "--direct: $(cat "$out/d.txt")"
echo "three close modes pass"
