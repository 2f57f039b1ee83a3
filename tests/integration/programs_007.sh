# Seed test 007: server 1, client 1 on loopback. The client closes while the
# bip is unread, so its kernel sends a RST, not a FIN; no TIME_WAIT on
# either side; the delayed read then fails with EBADF: the data is gone.
. "$(dirname "$0")/lib/pair.sh"
pick_ports 16670
start_server 1
run_client 1 --requests 1
c=$T/client.jsonl
grep -q '"step":"close","ret":0,.*"note":"the server closed; our data is still unread"' "$c" ||
    fail "the client closes with the bip unread"
grep '"step":"read"' "$c" | grep -q '"ret":-1,"errno":9,.*"errname":"EBADF".*"note":"the data is gone"' ||
    fail "the delayed read must fail with EBADF"
grep -q 'read failed: Bad file descriptor (9): the data is gone' "$T/client.log" ||
    fail "the human log must say the data is gone"
# close comes before the read in the log
first=$(grep -n -E '"step":"(close|read)"' "$c" | head -1)
case $first in *'"step":"close"'*) ;; *) fail "the close must come before the read" ;; esac
[ "$(tw "$CPORT")" -eq 0 ] || fail "the client side must not hold TIME_WAIT"
[ "$(tw "$SPORT")" -eq 0 ] || fail "the server side must not hold TIME_WAIT"
echo "ok: RST instead of FIN, no TIME_WAIT, the data is gone"
