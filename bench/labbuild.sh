#!/bin/sh
# bench/labbuild.sh - how long a 2-host lab takes to build and remove:
# timewait's in-process netlink (libmnl; timewait lab bench-build) beside the same
# lab made by a plain ip(8) script, in the same run on the same machine.
# The same topology both ways: a switch namespace with a bridge, a client
# and a server namespace each joined by a veth pair, lo and eth0 up, an
# IPv4 and an IPv6 address, the five per-host sysctls of lab_defaults.
# The ip(8) lab's names start with twb-<this shell's pid>, not tw-: a tw-
# lab whose owner holds no descriptor of it counts as a leftover, and a
# shell holds none; the script removes its own on exit, Ctrl+C or TERM.
#
#   bench/labbuild.sh [BUILD_DIR [N]]     (needs root; default build, 30)
BUILD=${1:-build}
N=${2:-30}
TW="$BUILD/timewait"
[ "$(id -u)" = 0 ] || { echo "bench/labbuild.sh: needs root"; exit 77; }
[ -x "$TW" ] || { echo "bench/labbuild.sh: no $TW (make first)"; exit 1; }
command -v ip >/dev/null 2>&1 || { echo "bench/labbuild.sh: no ip(8) to compare with"; exit 77; }

P="twb-$$"
cleanup() {
	for ns in "$P-client" "$P-server" "$P-sw"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap 'cleanup; exit 1' INT TERM
trap cleanup EXIT

ip_lab_once() {
	ip netns add "$P-sw" && ip netns add "$P-client" && ip netns add "$P-server" || return 1
	ip -n "$P-sw" link add br0 up type bridge || return 1
	i=2
	for h in client server; do
		ns="$P-$h"
		ip -n "$P-sw" link add "ve-$h" master br0 up type veth peer name eth0 netns "$ns" || return 1
		ip netns exec "$ns" sh -c '
			echo "32768 60999" > /proc/sys/net/ipv4/ip_local_port_range
			echo 2 > /proc/sys/net/ipv4/tcp_tw_reuse
			echo 60 > /proc/sys/net/ipv4/tcp_fin_timeout
			echo 1 > /proc/sys/net/ipv4/tcp_timestamps
			echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start' || return 1
		ip -n "$ns" link set lo up && ip -n "$ns" link set eth0 up || return 1
		ip -n "$ns" addr add "10.99.0.$i/24" dev eth0 || return 1
		ip -n "$ns" addr add "fd74:7700:99::$i/64" dev eth0 nodad || return 1
		i=$((i + 1))
	done
	cleanup
}

stats() { # prints "median X ms, p90 Y ms" of the numbers on stdin
	sort -n | awk '{ v[NR] = $1 } END {
		m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.9 + 0.999)]
		printf "median %.2f ms, p90 %.2f ms (%d runs)\n", m, p, NR }'
}

echo "2-host lab, build + destroy, $N runs each:"
"$TW" lab bench-build "$N" || exit 1
# The same, 200 ms apart: the kernel frees a lab's namespaces after
# lab_destroy returns, and back to back that work (under rtnl_lock) slows
# the next build; spaced runs show a build on a quiet machine.
"$TW" lab bench-build "$N" --gap 200 || exit 1

times=""
k=0
while [ "$k" -lt "$N" ]; do
	t0=$(date +%s%N)
	ip_lab_once || { echo "ip(8) script failed"; exit 1; }
	t1=$(date +%s%N)
	times="$times$(( (t1 - t0) / 1000 ))
"
	k=$((k + 1))
done
printf 'ip(8) shell script: 2-host lab build+destroy: '
printf '%s' "$times" | awk 'NF { printf "%.3f\n", $1 / 1000 }' | stats
