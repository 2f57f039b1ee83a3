# Seed test 003: server 3, client 6 on loopback. The client closes first and
# holds TIME_WAIT; its second request fails at bind with EADDRINUSE (98).
. "$(dirname "$0")/lib/pair.sh"
pick_ports 16630
start_server 3
run_client 6
c=$T/client.jsonl
grep '"step":"bind"' "$c" | head -1 | grep -q '"ret":0' || fail "the first bind must succeed"
grep '"req":2' "$c" | grep '"step":"bind"' | grep -q '"errno":98,.*"errname":"EADDRINUSE"' ||
    fail "the second bind must fail with EADDRINUSE"
grep -q 'req 2: bind failed: Address already in use (98)' "$T/client.log" ||
    fail "the human log must say: bind failed: Address already in use (98)"
wait_for "$T/server.jsonl" '"step":"close","ret":0'
tw_wait "$CPORT" || fail "the client side must hold TIME_WAIT"
[ "$(tw "$SPORT")" -eq 0 ] || fail "the server side must not hold TIME_WAIT"
echo "ok: client holds TIME_WAIT, second bind EADDRINUSE"

# --next-on-enter: the second request waits for a line on standard input;
# sent once the first socket is in TIME_WAIT, its bind fails for that
# reason alone. A port pair of its own: the first part left a TIME_WAIT.
kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
pick_ports 16700
start_server 3
mkfifo "$T/in"
timeout 30 "$TW" client -t 127.0.0.1 -c "$SPORT" -f "$CPORT" --time-scale 0.1 \
    --quit-when-done --next-on-enter --events "$T/enter.jsonl" 6 \
    <"$T/in" >"$T/enter.log" 2>&1 & cpid=$!
exec 7>"$T/in"
wait_for "$T/enter.jsonl" '"note":"next request on Enter"'
wait_for "$T/server.jsonl" '"step":"close","ret":0'
sleep 0.2
grep -q '"req":2' "$T/enter.jsonl" && fail "--next-on-enter: request 2 started before Enter"
tw_wait "$CPORT" || fail "--next-on-enter: the first socket is not in TIME_WAIT 3 s after the server's close; its port: $(ss -Htan "( sport = :$CPORT or dport = :$CPORT )" | tr "\n" ";")"
echo >&7
wait $cpid || fail "--next-on-enter: the client exited with $?"
exec 7>&-
grep '"req":2' "$T/enter.jsonl" | grep '"step":"bind"' | grep -q '"errno":98' ||
    fail "--next-on-enter: the second bind must fail with EADDRINUSE"
echo "ok: --next-on-enter waits for Enter; the bind then fails in TIME_WAIT"
