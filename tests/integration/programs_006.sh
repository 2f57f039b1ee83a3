# Seed test 006: server 2, client 5 on loopback, at time scale 0.1. Between
# the server's delayed close (0.5 s) and the client's delayed read (1 s) the
# server is in FIN_WAIT2 and the client in CLOSE_WAIT; after the client's
# read and close, the server holds TIME_WAIT.
. "$(dirname "$0")/lib/pair.sh"
pick_ports 16660
start_server 2
"$TW" client -t 127.0.0.1 -c "$SPORT" -f "$CPORT" --time-scale 0.1 --requests 1 \
    --quit-when-done --events "$T/client.jsonl" 5 </dev/null >"$T/client.log" 2>&1 &
cpid=$!
wait_for "$T/client.jsonl" '"step":"server-close"'
state() { ss -Htan "( sport = :$1 and dport = :$2 )" | awk '{ print $1 }'; }
# The FIN's ACK may take a moment (delayed ACK): poll for a short while.
n=0
while s=$(state "$SPORT" "$CPORT"); [ "$s" = FIN-WAIT-1 ] && [ $n -lt 40 ]; do
	n=$((n + 1)); sleep 0.01
done
c=$(state "$CPORT" "$SPORT")
[ "$s" = FIN-WAIT-2 ] || fail "server side must be FIN-WAIT-2, is '$s'"
[ "$c" = CLOSE-WAIT ] || fail "client side must be CLOSE-WAIT, is '$c'"
wait "$cpid" || fail "client failed"
grep -q '"step":"read","ret":17' "$T/client.jsonl" || fail "the late read still gets the bip"
tw_wait "$SPORT" || fail "the server must hold TIME_WAIT"
[ "$(tw "$CPORT")" -eq 0 ] || fail "the client must not hold TIME_WAIT"
echo "ok: FIN_WAIT2 / CLOSE_WAIT seen, then server TIME_WAIT"
