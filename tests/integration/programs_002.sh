# Seed test 002, shortened: server 4, client 0. SIGTERM to the client, then
# to the server: each logs a `signal` step and exits at once; the kernel
# closes their sockets with FINs, and the client, which went first, ends in
# TIME_WAIT.
. "$(dirname "$0")/lib/pair.sh"
pick_ports 16620
start_server 4
"$TW" client -t 127.0.0.1 -c "$SPORT" -f "$CPORT" --events "$T/client.jsonl" 0 \
    </dev/null >"$T/client.log" 2>&1 &
cpid=$!
wait_for "$T/client.jsonl" '"step":"connect","ret":0'
kill -TERM "$cpid"; wait "$cpid"; rc=$?
[ "$rc" -eq 0 ] || fail "the client must exit 0 after SIGTERM, not $rc"
grep -q '"step":"signal",.*"note":"SIGTERM' "$T/client.jsonl" || fail "client signal step"
wait_for "$T/server.jsonl" '"step":"peer-close"'
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=
grep -q '"step":"signal"' "$T/server.jsonl" || fail "server signal step"
[ "$(count "$T/client.jsonl" '"step":"close"')" -eq 0 ] || fail "the client must not close by itself"
sleep 0.1
tw_wait "$CPORT" || fail "the client side must hold TIME_WAIT"
echo "ok: signals leave the close to the kernel"
