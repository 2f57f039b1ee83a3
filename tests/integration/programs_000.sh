# Seed test 000: server 1, client 0 on loopback. The server closes first and
# holds TIME_WAIT; the client never does, so its second request binds the
# same source port again and connects.
. "$(dirname "$0")/lib/pair.sh"
pick_ports 16600
start_server 1
run_client 0
c=$T/client.jsonl
[ "$(count "$c" '"step":"bind","ret":0')" -eq 2 ] || fail "both binds of port $CPORT must succeed"
[ "$(count "$c" '"step":"connect","ret":0')" -eq 2 ] || fail "both connects must succeed"
[ "$(count "$c" '"step":"read","ret":17.*"data":"BIP:')" -eq 2 ] || fail "each request reads a bip"
[ "$(count "$c" '"errno"')" -eq 0 ] || fail "no step of the client may fail"
[ "$(count "$T/server.jsonl" '"step":"close","ret":0')" -eq 2 ] || fail "the server closes twice"
tw_wait "$SPORT" || fail "the server side must hold TIME_WAIT"
[ "$(tw "$CPORT")" -eq 0 ] || fail "the client side must not hold TIME_WAIT"
echo "ok: server holds TIME_WAIT, client reused port $CPORT"
