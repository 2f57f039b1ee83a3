# The HTTP codes on loopback: client 8 against server 7 (the server closes
# after its answer: server TIME_WAIT), client 9 against server 8 (the client
# closes after the answer: client TIME_WAIT), and, when wrk is installed, a
# one-second wrk run with 100 connections against servers 8 and 7 with no
# socket error.
. "$(dirname "$0")/lib/pair.sh"

pick_ports 16690
start_server 7 -d
run_client 8
c=$T/client.jsonl
grep -q '"step":"write",.*"data":"GET / HTTP/1.1\\r\\n.*Connection: close' "$c" || fail "client 8 sends GET with Connection: close"
grep -q '"note":"the HTTP answer is complete"' "$c" || fail "client 8 reads a whole answer"
grep -q '"data":"HTTP/1.1 200 OK.*Content-Type: application/json.*{\\"bip\\":true}' "$c" || fail "the answer"
grep -q '"step":"close","ret":0,.*"note":"closed right after the answer"' "$T/server.jsonl" || fail "server 7 closes after the answer"
wait_for "$c" '"step":"close","ret":0'
tw_wait "$SPORT" || fail "server 7 must hold TIME_WAIT"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=

pick_ports $((SPORT + 2))
rm -f "$T"/*.jsonl
start_server 8 -d
run_client 9
grep -q '"step":"close","ret":0,.*"note":"closed right after the answer"' "$T/client.jsonl" || fail "client 9 closes after the answer"
wait_for "$T/server.jsonl" '"step":"close"'
tw_wait "$CPORT" || fail "client 9 must hold TIME_WAIT"

if command -v wrk >/dev/null 2>&1; then
	for code in 8 7; do
		kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
		pick_ports $((SPORT + 2))
		start_server $code
		wrk -t1 -c100 -d1 "http://127.0.0.1:$SPORT/" >"$T/wrk$code.log" 2>&1 || fail "wrk failed"
		grep -q 'Socket errors' "$T/wrk$code.log" && fail "wrk saw socket errors against server $code"
		grep -q 'Non-2xx' "$T/wrk$code.log" && fail "wrk saw non-2xx answers from server $code"
		echo "server $code: $(grep Requests/sec "$T/wrk$code.log")"
	done
else
	echo "wrk not installed: load part not run"
fi
echo "ok: HTTP codes"
