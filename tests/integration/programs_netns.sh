# The seed's own command lines between two network namespaces (two hosts
# joined by a veth pair, as Docker would): `timewait_server 1` and
# `timewait_client 0` with the default ports 666/667 and target `server`
# (resolved through /etc/netns/NAME/hosts), then test 003 (server 3,
# client 6) and test 007 (server 1, client 1), at time scale 0.1, checked
# with ss inside each namespace. Needs root; everything is removed by trap.
set -u
: "${TW:?}"
[ "$(id -u)" -eq 0 ] || { echo "needs root for network namespaces"; exit 77; }
command -v ip >/dev/null || { echo "needs ip (iproute2)"; exit 77; }

S=twt-prog-$$-s C=twt-prog-$$-c
NETNS_ETC=; [ -d /etc/netns ] || NETNS_ETC=made
T=$(mktemp -d /tmp/twt-netns.XXXXXX) || exit 1
SP=
cleanup() {
	[ -n "$SP" ] && kill "$SP" 2>/dev/null && wait "$SP" 2>/dev/null
	ip netns del "$S" 2>/dev/null
	ip netns del "$C" 2>/dev/null
	rm -rf "/etc/netns/$C" "$T"
	[ -n "$NETNS_ETC" ] && rmdir /etc/netns 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() { echo "FAIL: $*"; for f in "$T"/*.log; do echo "--- $f"; cat "$f"; done; exit 1; }

ip netns add "$S" && ip netns add "$C" &&
ip link add tws0 netns "$S" type veth peer name twc0 netns "$C" &&
ip -n "$S" addr add 10.78.0.1/24 dev tws0 && ip -n "$C" addr add 10.78.0.2/24 dev twc0 &&
ip -n "$S" link set lo up && ip -n "$C" link set lo up &&
ip -n "$S" link set tws0 up && ip -n "$C" link set twc0 up ||
    { echo "cannot make namespaces here"; exit 77; }
mkdir -p "/etc/netns/$C" && echo "10.78.0.1 server" >"/etc/netns/$C/hosts"
ln -s "$TW" "$T/timewait_server"
ln -s "$TW" "$T/timewait_client"

wait_for() {
	n=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		n=$((n + 1)); [ $n -gt 100 ] && fail "timed out waiting for '$2' in $1"
		sleep 0.05
	done
}

# pair NAME SCODE CCODE: the seed's commands, server in $S, client in $C.
pair() {
	ip netns exec "$S" "$T/timewait_server" --time-scale 0.1 --events "$T/$1.s.jsonl" "$2" \
	    </dev/null >"$T/$1.server.log" 2>&1 &
	SP=$!
	wait_for "$T/$1.s.jsonl" '"step":"listen","ret":0'
	timeout 30 ip netns exec "$C" "$T/timewait_client" --time-scale 0.1 --quit-when-done \
	    --events "$T/$1.c.jsonl" "$3" </dev/null >"$T/$1.client.log" 2>&1 || fail "$1: client failed"
	sleep 0.1
	kill "$SP"; wait "$SP" 2>/dev/null; SP=
}

tw() { # NS PORT: TIME-WAIT sockets with local port PORT in NS
	ip netns exec "$1" ss -Htan state time-wait "( sport = :$2 )" | wc -l
}

pair t000 1 0
[ "$(grep -c '"step":"connect","ret":0,.*"local":"10.78.0.2:667","remote":"10.78.0.1:666"' "$T/t000.c.jsonl")" -eq 2 ] ||
    fail "000: two connects from 10.78.0.2:667 to server 10.78.0.1:666"
grep -q 'connected from 667 to server:666' "$T/t000.client.log" || fail "000: human log"
[ "$(tw "$S" 666)" -ge 1 ] || fail "000: the server must hold TIME_WAIT"
[ "$(tw "$C" 667)" -eq 0 ] || fail "000: the client must not hold TIME_WAIT"
# (ss shows it as [::ffff:10.78.0.1]:666: the listener is dual-stack IPv6)
ip netns exec "$S" ss -Htan state time-wait | grep -q '10.78.0.1\]*:666 *\[*[:f]*10.78.0.2\]*:667' ||
    fail "000: the server's TIME_WAIT is for 10.78.0.1:666 <- 10.78.0.2:667"

pair t003 3 6
grep '"req":2' "$T/t003.c.jsonl" | grep -q '"step":"bind","ret":-1,"errno":98' || fail "003: second bind EADDRINUSE"
[ "$(tw "$C" 667)" -ge 1 ] || fail "003: the client must hold TIME_WAIT"

# 007 needs port 667 free of TIME_WAIT on the client: 003 left one there.
ip netns del "$C"; ip netns add "$C"
# (the old pair's end tws0 in $S goes away by itself, a little later: the
# new pair uses another subnet so nothing here depends on when)
ip link add twc1 netns "$C" type veth peer name tws1 netns "$S" &&
ip -n "$S" addr add 10.78.1.1/24 dev tws1 &&
ip -n "$C" addr add 10.78.1.2/24 dev twc1 && ip -n "$C" link set lo up &&
ip -n "$S" link set tws1 up && ip -n "$C" link set twc1 up || fail "cannot rebuild the client host"
echo "10.78.1.1 server" >"/etc/netns/$C/hosts"
pair t007 1 1
grep -q '"step":"read","ret":-1,"errno":9,.*"the data is gone"' "$T/t007.c.jsonl" || fail "007: the data is gone"
[ "$(tw "$S" 666)" -eq 0 ] || [ "$(ip netns exec "$S" ss -Htan state time-wait | grep -c 10.78.1.2)" -eq 0 ] ||
    fail "007: the server must not hold TIME_WAIT for this client"
[ "$(tw "$C" 667)" -eq 0 ] || fail "007: the client must not hold TIME_WAIT"
echo "ok: the seed's commands between two namespaces"
