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
[ "$(tw "$CPORT")" -ge 1 ] || fail "the client side must hold TIME_WAIT"
[ "$(tw "$SPORT")" -eq 0 ] || fail "the server side must not hold TIME_WAIT"
echo "ok: client holds TIME_WAIT, second bind EADDRINUSE"
