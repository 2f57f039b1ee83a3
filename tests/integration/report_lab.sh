#!/bin/sh
# report_lab.sh - the timeline of real lab runs tells what the seed says:
# runs tests 000, 003, 004, 006 and 007 with `timewait lab run --fast`, redraws
# them with `timewait report --html`, and reads each timeline.json:
#   000: one 4-tuple twice = two connections, the server in TIME_WAIT after
#        each, the client never;
#   003: the client closes first and holds TIME_WAIT, the server does not;
#   004: the client's kernel answers the bip with a RST, no TIME_WAIT;
#   006: the server stays in FIN_WAIT2 and the client in CLOSE_WAIT for
#        about 5 s x 0.1, then the server holds TIME_WAIT;
#   007: the client closes with unread data: a RST, no TIME_WAIT;
#   005 --repeat 200: the close race, every run judged right (runs.jsonl);
#        who holds TIME_WAIT in each connection
#        of the timeline must match the runner's own count (runs.jsonl).
# Needs root (the lab) and jq.
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v jq >/dev/null || { echo "needs jq"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$TW" lab run 000 003 004 006 007 --fast --out "$out/run" >"$out/lab.log" 2>&1 ||
	{ tail -20 "$out/lab.log"; echo "FAIL: lab run"; exit 1; }
"$TW" report "$out/run" --html || { echo "FAIL: report"; exit 1; }
for t in 000 003 004 006 007; do
	for f in timeline.json sequence.svg sequence.puml sequence.mmd; do
		test -s "$out/run/$t/$f" || { echo "FAIL: $t/$f missing"; exit 1; }
	done
done
test -s "$out/run/report.html" || { echo "FAIL: no report.html"; exit 1; }

states() { # test conn side -> "A>B>C"
	jq -r ".connections[$2].states.$3 | map(.state) | join(\">\")" "$out/run/$1/timeline.json"
}
flags() { # test conn -> "S SA A ..."
	jq -r ".connections[$2].packets | map(.flags) | join(\" \")" "$out/run/$1/timeline.json"
}
dur_ms() { # test conn side state -> how long the side stayed in that state, ms
	jq -r ".connections[$2].states.$3 as \$s | (\$s | map(.state) | index(\"$4\")) as \$i
	    | if \$i == null or \$i + 1 >= (\$s | length) then -1
	      else ((\$s[\$i + 1].t - \$s[\$i].t) / 1000000 | floor) end" "$out/run/$1/timeline.json"
}
within() { # what, got, lo, hi
	if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then echo "ok   $1: $2"; else echo "FAIL $1: $2 (want $3-$4)"; fail=1; fi
}
expect() { # what, got, pattern
	case "$2" in
	$3) echo "ok   $1: $2" ;;
	*) echo "FAIL $1: $2 (want $3)"; fail=1 ;;
	esac
}
fail=0
t=$out/run/000/timeline.json
expect "000 connections" "$(jq '.connections | length' "$t")" 2
expect "000 same 4-tuple" "$(jq -r '[.connections[] | .client + ">" + .server] | unique | length' "$t")" 1
expect "000 gens" "$(jq -r '[.connections[].gen] | map(tostring) | join(",")' "$t")" "0,1"
for c in 0 1; do
	expect "000/$c server" "$(states 000 $c server)" "*TIME_WAIT*"
	expect "000/$c client" "$(states 000 $c client)" "*LAST_ACK>CLOSED"
done
expect "000/0 server closes first" "$(states 000 0 server)" "*FIN_WAIT1*TIME_WAIT*"
expect "006 server" "$(states 006 0 server)" "*FIN_WAIT1*FIN_WAIT2>TIME_WAIT*"
expect "006 client" "$(states 006 0 client)" "*CLOSE_WAIT>LAST_ACK>CLOSED"
within "006 server in FIN_WAIT2, ms" "$(dur_ms 006 0 server FIN_WAIT2)" 400 700
within "006 client in CLOSE_WAIT, ms" "$(dur_ms 006 0 client CLOSE_WAIT)" 400 700
expect "003 client" "$(states 003 0 client)" "*FIN_WAIT2>TIME_WAIT*"
expect "003 server" "$(states 003 0 server)" "*CLOSE_WAIT>LAST_ACK>CLOSED"
expect "004 packets" "$(flags 004 0)" "*R*"
case "$(states 004 0 client) $(states 004 0 server)" in *TIME_WAIT*) echo "FAIL 004 has TIME_WAIT"; fail=1 ;; esac
expect "007 packets" "$(flags 007 0)" "*R*"
case "$(states 007 0 client) $(states 007 0 server)" in *TIME_WAIT*) echo "FAIL 007 has TIME_WAIT"; fail=1 ;; esac
for x in 000 003 004 006 007; do
	expect "$x consistent" "$(jq '.inconsistent' "$out/run/$x/timeline.json")" 0
done
"$TW" lab run 005 --repeat 200 --fast --out "$out/race" >"$out/race.log" 2>&1 ||
	{ tail -20 "$out/race.log"; echo "FAIL: lab run 005"; exit 1; }
expect "005 runs whose TIME_WAIT agrees" "$(grep -c '"sockets_agree":true' "$out/race/005/runs.jsonl")" 200
"$TW" report "$out/race" || { echo "FAIL: report 005"; exit 1; }
t=$out/race/005/timeline.json
for who in client server; do
	other=$([ $who = client ] && echo server || echo client)
	mine=$(jq "[.connections[] | select(any(.states.$who[]; .state == \"TIME_WAIT\"))
	    | select(all(.states.$other[]; .state != \"TIME_WAIT\"))] | length" "$t")
	theirs=$(grep -c "\"outcome\":\"${who}_time_wait\"" "$out/race/005/runs.jsonl")
	expect "005 only the $who in TIME_WAIT (runner: $theirs)" "$mine" "$theirs"
done
both=$(jq '[.connections[] | select(any(.states.client[]; .state == "TIME_WAIT"))
    | select(any(.states.server[]; .state == "TIME_WAIT"))] | length' "$t")
expect "005 both in TIME_WAIT" "$both" "$(grep -c '"outcome":"both_time_wait"' "$out/race/005/runs.jsonl")"
exit $fail
