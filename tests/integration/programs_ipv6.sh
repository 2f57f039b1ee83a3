# IPv6: the server listens on both families; a client to ::1 and one to
# 127.0.0.1 both connect, and the logs write v4 peers without ::ffff:.
. "$(dirname "$0")/lib/pair.sh"
[ -e /proc/net/if_inet6 ] && ip -6 addr show dev lo 2>/dev/null | grep -q '::1' ||
    { echo "no IPv6 on loopback"; exit 77; }
pick_ports 16680
start_server 1
timeout 30 "$TW" client -t ::1 -c "$SPORT" --no-bind --time-scale 0.1 --quit-when-done \
    --requests 1 --events "$T/c6.jsonl" 0 </dev/null >"$T/c6.log" 2>&1 || fail "v6 client"
grep -q '"step":"connect","ret":0,.*"remote":"\[::1\]:'"$SPORT"'"' "$T/c6.jsonl" || fail "v6 connect"
run_client 0 --requests 1
grep -q '"step":"accept",.*"remote":"127.0.0.1:'"$CPORT"'"' "$T/server.jsonl" ||
    fail "the v4 peer must be logged as 127.0.0.1"
echo "ok: both families"
