# Seed test 004: server 5, client 6 on loopback. The client closes; the
# server sees it and writes a bip; the client's kernel answers with a RST,
# which the server sees as EPOLLERR. No TIME_WAIT on either side.
. "$(dirname "$0")/lib/pair.sh"
pick_ports 16640
start_server 5
run_client 6
s=$T/server.jsonl
wait_for "$s" '"step":"epoll",.*EPOLLERR'
grep -q '"step":"close",.*"note":"closed right after connect"' "$T/client.jsonl" ||
    fail "the client closes right after connect"
grep -q '"step":"write","ret":17,.*"note":"bip after the peer' "$s" ||
    fail "the server writes a bip after the client's close"
grep '"step":"epoll",.*EPOLLERR' "$s" | head -1 | grep -Eq 'SO_ERROR (EPIPE|ECONNRESET)' ||
    fail "the server must see the RST (EPOLLERR with EPIPE or ECONNRESET)"
sleep 0.2
[ "$(tw "$CPORT")" -eq 0 ] || fail "the client side must not hold TIME_WAIT"
[ "$(tw "$SPORT")" -eq 0 ] || fail "the server side must not hold TIME_WAIT"
echo "ok: RST from the client, no TIME_WAIT"
