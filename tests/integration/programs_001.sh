# Seed test 001 on loopback: two servers 3 (two ports stand for the two
# hosts), client 0 to the first stays ESTABLISHED; a second client process
# binding the same source port towards the second server fails at bind with
# EADDRINUSE; letting the kernel pick the port (--no-bind) works.
. "$(dirname "$0")/lib/pair.sh"
pick_ports 16610
P1=$SPORT SRC=$CPORT
pick_ports $((SPORT + 2))
P2=$SPORT
SPORT=$P1 CPORT=$SRC
start_server 3
S1=$SERVER_PID C1=
"$TW" server -p "$P2" --time-scale 0.1 --events "$T/server2.jsonl" 3 </dev/null >"$T/server2.log" 2>&1 &
S2=$!
trap 'kill $S1 $S2 $C1 2>/dev/null; wait; rm -rf "$T"' EXIT
SERVER_PID=
wait_for "$T/server2.jsonl" '"step":"listen","ret":0'
"$TW" client -t 127.0.0.1 -c "$P1" -f "$SRC" --time-scale 0.1 --events "$T/client.jsonl" 0 \
    </dev/null >"$T/client.log" 2>&1 &
C1=$!
wait_for "$T/client.jsonl" '"step":"connect","ret":0'
timeout 10 "$TW" client -c "$P2" -f "$SRC" -t 127.0.0.1 -s 0 --quit-when-done --requests 1 \
    --events "$T/client2.jsonl" </dev/null >"$T/client2.log" 2>&1
grep -q '"step":"bind","ret":-1,"errno":98' "$T/client2.jsonl" || fail "the second client must fail at bind with EADDRINUSE"
[ "$(ss -Htan state established "( sport = :$SRC and dport = :$P1 )" | wc -l)" -eq 1 ] ||
    fail "the first connection must stay ESTABLISHED"
timeout 10 "$TW" client -c "$P2" -t 127.0.0.1 --no-bind --quit-when-done --requests 1 \
    --events "$T/client3.jsonl" 0 </dev/null >"$T/client3.log" 2>&1
grep -q '"step":"connect","ret":0' "$T/client3.jsonl" || fail "without bind the connect must work"
echo "ok: bind knows only the source"
