#!/bin/sh
# lab_hosts.sh - the by-hand lab end to end, as a person would use it:
# `timewait lab up` builds hosts that have their addresses, resolve each
# other's names, reach each other over TCP, carry a fresh Linux's sysctls
# (while the machine's own stay as they were); two labs live side by side;
# `lab down` writes the run folder and leaves nothing behind; a keeper
# killed with SIGKILL leaves leftovers that `lab clean` removes.
# Needs root (exit 77 otherwise). $TW is the timewait binary.
#
# Other labs may live on the machine while this runs (another `lab up`,
# another `lab run`): every command names its lab (--lab ID), and the test
# looks only at what it owns: its labs' namespaces and keepers, found by
# the ids it got, and the machine's own links, addresses, routes and
# sysctls, which no lab changes.
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
TW=${TW:-build/timewait}
BUILD=${BUILD:-$(dirname "$TW")}
PATH="$BUILD:$PATH"
export PATH
work=$(mktemp -d /tmp/tw-labtest-XXXXXX)
ids=""
fail() {
	echo "FAIL: $*"
	for id in $ids; do "$TW" lab down --lab "$id" --out "$work/junk" >/dev/null 2>&1; done
	"$TW" lab clean -q >/dev/null 2>&1
	rm -rf "$work"
	exit 1
}
ok() { echo "ok: $*"; }
cd "$work" || exit 1

# The machine's own namespace, as it must stay.
host_state() {
	ip -o link | sed 's/ qlen [0-9]*//' | awk '{print $2, $3}'
	ip -o addr | awk '{print $2, $3, $4}'
	ip route; ip -6 route
	sysctl -n net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse \
	    net.ipv4.tcp_fin_timeout net.ipv4.tcp_timestamps net.ipv4.ip_unprivileged_port_start
}
host_state >"$work/host.before"
port_start_before=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
fin_before=$(cat /proc/sys/net/ipv4/tcp_fin_timeout)
# The keeper of a lab: its pid is in the id, tw-PID-SEQ.
keeper_of() { k=${1#tw-}; echo "${k%-*}"; }
# Alive and not a zombie.
alive() { ps -o stat= -p "$1" 2>/dev/null | grep -qv '^Z'; }

# Bad input: exit 2, one line.
"$TW" lab up 'Bad_Name' >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad host name not exit 2"
"$TW" lab frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown subcommand not exit 2"
ok "bad input exits 2"

out=$("$TW" lab up client server) || fail "lab up: $out"
echo "$out"
id=$(echo "$out" | sed -n 's/^lab \(tw-[0-9]*-[0-9]*\) is up.*/\1/p')
[ -n "$id" ] || fail "no lab id in: $out"
ids="$id"
[ -f "/run/timewait/$id.json" ] || fail "no state file"
for h in client server sw; do
	ip netns list | grep -q "^$id-$h\b" || fail "ip netns list lacks $id-$h"
done
"$TW" lab status | grep "^$id " | grep -q alive || fail "lab status does not show $id alive"
ok "namespaces visible to ip netns and lab status"

# clean leaves a live lab alone, but not one whose "owner" pid was reused
# by a process that does not hold it.
"$TW" lab clean -q || fail "lab clean"
ip netns list | grep -q "^$id-client" || fail "lab clean removed a live lab"
sleep 30 & sp=$!
ip netns add "tw-$sp-1-reused" || fail "ip netns add"
"$TW" lab clean -q
if ip netns list | grep -q "^tw-$sp-1-reused"; then
	ip netns del "tw-$sp-1-reused"; kill $sp; fail "lab clean kept a lab of a recycled pid"
fi
kill $sp; wait $sp 2>/dev/null
ok "clean keeps live labs, removes a recycled pid's"

caddr=$(ip netns exec "$id-client" ip -4 -o addr show dev eth0 | awk '{print $4}')
saddr=$(ip netns exec "$id-server" ip -4 -o addr show dev eth0 | awk '{print $4}')
case "$caddr" in 10.*.2/24) ;; *) fail "client address '$caddr'" ;; esac
case "$saddr" in 10.*.3/24) ;; *) fail "server address '$saddr'" ;; esac
ip netns exec "$id-client" ip -6 -o addr show dev eth0 | grep -q 'fd74:.*::2/64' || fail "no IPv6 ULA"
ip netns exec "$id-client" ip -6 -o addr show dev eth0 | grep -q tentative && fail "IPv6 still tentative (DAD)"
ip netns exec "$id-client" ip -o link show lo | grep -q 'UP' || fail "lo down"
ok "addresses $caddr $saddr, IPv6 usable, lo up"

got=$("$TW" lab exec --lab "$id" client -- getent hosts server | awk '{print $1}')
[ "$got/24" = "$saddr" ] || fail "server resolves to '$got' in client"
"$TW" lab exec --lab "$id" --user nobody server -- getent hosts client >/dev/null || fail "getent as nobody"
[ "$("$TW" lab exec --lab "$id" --user nobody client -- id -u)" = 65534 ] || fail "--user nobody"
ok "names resolve inside hosts"

for kv in "ip_local_port_range:32768	60999" tcp_tw_reuse:2 tcp_fin_timeout:60 \
    tcp_timestamps:1 ip_unprivileged_port_start:0; do
	k=${kv%%:*}; v=${kv#*:}
	got=$("$TW" lab exec --lab "$id" server -- cat "/proc/sys/net/ipv4/$k")
	[ "$got" = "$v" ] || fail "sysctl $k = '$got' in server, want '$v'"
done
[ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = "$port_start_before" ] ||
	fail "the machine's ip_unprivileged_port_start changed"
[ "$(cat /proc/sys/net/ipv4/tcp_fin_timeout)" = "$fin_before" ] ||
	fail "the machine's tcp_fin_timeout changed"
ok "lab sysctls set, the machine's unchanged"

"$TW" lab exec --lab "$id" client -- /nonexistent/prog >/dev/null 2>&1; [ $? -eq 127 ] || fail "missing command not 127"
"$TW" lab exec --lab "$id" client -- sh -c 'exit 5'; [ $? -eq 5 ] || fail "exit status not passed on"
ok "exec exit statuses"

# TCP from client to server:666 as nobody (ip_unprivileged_port_start=0).
PY=/usr/bin/python3
if [ -x "$PY" ]; then
	"$TW" lab exec --lab "$id" --user nobody server -- "$PY" -c '
import socket, sys
s = socket.socket(); s.bind(("", 666)); s.listen(1); s.settimeout(10)
c, a = s.accept(); sys.stdout.write(c.recv(16).decode() + "\n")' >"$work/srv.out" 2>&1 &
	spid=$!
	sleep 0.3
	"$TW" lab exec --lab "$id" --user nobody client -- "$PY" -c '
import socket, time
for i in range(50):
    try:
        s = socket.create_connection(("server", 666), timeout=2); break
    except ConnectionRefusedError:
        time.sleep(0.05)
s.sendall(b"hello-lab")' || fail "client could not connect to server:666"
	wait $spid
	grep -q hello-lab "$work/srv.out" || fail "server did not receive: $(cat "$work/srv.out")"
	ok "TCP client -> server:666 as nobody"
else
	echo "note: no $PY, TCP check left to the C unit test"
fi

# A second lab at the same time does not collide.
out2=$("$TW" lab up client server2) || fail "second lab up: $out2"
id2=$(echo "$out2" | sed -n 's/^lab \(tw-[0-9]*-[0-9]*\) is up.*/\1/p')
ids="$id $id2"
[ "$id2" != "$id" ] || fail "same id twice"
"$TW" lab exec client -- true >/dev/null 2>&1; [ $? -eq 2 ] || fail "ambiguous lab not exit 2"
"$TW" lab exec --lab "$id2" server2 -- getent hosts server2 >/dev/null || fail "exec in second lab"
ok "two labs side by side ($id, $id2)"

"$TW" lab down --lab "$id" --out "$work/run1" || fail "lab down"
[ -f "$work/run1/lab.json" ] && [ -f "$work/run1/hosts" ] || fail "run folder incomplete: $(ls "$work/run1")"
grep -q 'ip_unprivileged_port_start": "0"' "$work/run1/lab.json" || fail "lab.json lacks sysctls"
grep -q "\"id\": \"$id\"" "$work/run1/lab.json" || fail "lab.json does not name lab $id"
grep -q '"kind": "by-hand"' "$work/run1/lab.json" || fail "lab.json does not say by-hand"
if grep -q '"pcap"' "$work/run1/lab.json"; then
	for h in client server; do
		[ -s "$work/run1/$h.pcap" ] || fail "no $h.pcap"
	done
	if [ -x /usr/bin/python3 ] && command -v tshark >/dev/null 2>&1; then
		tshark -r "$work/run1/server.pcap" -Y 'tcp.port == 666' 2>/dev/null | grep -q . ||
			fail "server.pcap has no packet of the TCP check"
	fi
fi
ip netns list | grep -q "^$id-" && fail "namespaces of $id left after down"
[ -e "/run/timewait/$id.json" ] && fail "state of $id left after down"
ids="$id2"
ok "lab down wrote $(ls "$work/run1" | tr '\n' ' ')and removed $id"

# SIGKILL the second lab's keeper, with a process still running inside.
"$TW" lab exec --lab "$id2" client -- sleep 300 &
sleep 0.3
keeper=$(keeper_of "$id2")
alive "$keeper" || fail "keeper $keeper of $id2 is not running"
ip netns list | grep -q "^$id2-" || fail "no namespaces of $id2 before the kill"
kill -9 "$keeper"
k=0
while alive "$keeper"; do
	k=$((k + 1)); [ $k -lt 50 ] || fail "keeper $keeper does not die"; sleep 0.1
done
# Any lab_build on the machine (another run's) may already have removed
# the leftovers; while they are there, lab status must call them dead.
if ip netns list | grep -q "^$id2-"; then
	st=$("$TW" lab status | grep "^$id2 ")
	[ -z "$st" ] || echo "$st" | grep -q dead || fail "lab status does not call $id2 a leftover: $st"
fi
"$TW" lab clean >/dev/null || fail "lab clean"
ip netns list | grep -q "^$id2-" && fail "lab clean left namespaces of $id2"
ls /run/timewait 2>/dev/null | grep -q "$id2" && fail "lab clean left state of $id2"
wait 2>/dev/null
ids=""
ok "a killed keeper's lab is removed by lab clean"

# A killed keeper stays a zombie until whoever adopted it reaps it; our
# keepers (and only ours: other labs may be up) must be gone.
for k in $(keeper_of "$id") $(keeper_of "$id2"); do
	n=0
	while alive "$k" && [ "$(ps -o comm= -p "$k")" = tw-keeper ]; do
		n=$((n + 1)); [ $n -lt 30 ] || fail "keeper $k is left"; sleep 0.1
	done
done
for x in "$id" "$id2"; do
	ip netns list | grep -q "^$x-" && fail "namespaces of $x left"
done
host_state >"$work/host.after"
diff "$work/host.before" "$work/host.after" || fail "the machine's links, addresses, routes or sysctls changed"
ok "nothing left: no namespaces, no keeper of ours, the machine's own network unchanged"
rm -rf "$work"
exit 0
