#!/bin/sh
# proxy_lib.sh - one request through a real proxy in a lab, and what each
# hop did at its end. Sourced by tests/integration/proxy_<mode>.sh, which
# set the mode and what they expect, then call proxy_run and expect_*.
#
# A run: `timewait lab up client proxy backend` (+ backend2), the template
# proxies/<mode>.* rendered with the lab's addresses into a run folder owned
# by nobody, the backend's timewait_server and the proxy started as nobody
# (binaries straight from /usr/sbin with -f/-c at the rendered file: never
# systemctl, service, apache2ctl or /etc), readiness seen as a listening
# socket in the proxy host (ss: no packet on the wire), one request from
# timewait_client in the client host, then `ss state time-wait` on every
# host and `lab down --out`. tshark (an independent reader) then says, per
# hop, who sent the first FIN and who sent RSTs, from the proxy's capture.
#
# Run alone (not sourced), this file is its own test: a run killed with
# SIGTERM in the middle leaves no process, namespace or file behind.
#
# Exit 77 (skip) without root, without tshark or without the proxy's
# binary; never 0 for something not checked.
set -u
TW=${TW:-build/timewait}
BUILD=${BUILD:-$(dirname "$TW")}
case "$TW" in /*) ;; *) TW="$(pwd)/$TW" ;; esac
case "$BUILD" in /*) ;; *) BUILD="$(pwd)/$BUILD" ;; esac
TOP=$(cd "$(dirname "$0")/../.." && pwd)

proxy_skip() { echo "$*"; exit 77; }
# nap SECONDS: a sleep a signal interrupts (sh runs traps only between commands).
NAP_PID=
nap() { sleep "$1" & NAP_PID=$!; wait "$NAP_PID"; NAP_PID=; }

[ "$(id -u)" = 0 ] || proxy_skip "needs root (network namespaces)"
command -v tshark >/dev/null 2>&1 || proxy_skip "tshark is not installed (make deps)"
[ -x "$TW" ] || proxy_skip "no $TW: build first"

W=
LAB=
CLIENT_PID=
cleanup() {
	exec 3>&- 4>&- 2>/dev/null
	if [ -n "$LAB" ]; then
		"$TW" lab down --lab "$LAB" --out "$W/junk" >/dev/null 2>&1
		LAB=
	fi
	[ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null
	[ -n "$NAP_PID" ] && kill "$NAP_PID" 2>/dev/null
	wait 2>/dev/null
	[ -n "$W" ] && rm -rf "$W"
	W=
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

fail() {
	echo "FAIL: $*"
	if [ -n "$W" ]; then
		for f in "$W"/proxy/*.log "$W"/*.log "$W"/hops.txt "$W"/tw.txt "$W"/est.txt; do
			[ -f "$f" ] || continue
			echo "--- $f"; tail -n 20 "$f"
		done
	fi
	exit 1
}

# lab_exec HOST ARGS...: run in a host of our lab.
lab_exec() {
	h=$1; shift
	"$TW" lab exec --lab "$LAB" "$h" -- "$@"
}

addr_of() { awk -v h="$1" '$1 == h { print $2 }' "$W/up.txt"; }

# wait_listen HOST: up to 5 s for a listener on port 666 in HOST.
wait_listen() {
	i=0
	while [ $i -lt 100 ]; do
		[ -n "$(lab_exec "$1" ss -Hltn 'sport = :666' 2>/dev/null)" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	fail "nothing listens on port 666 in $1 after 5 s"
}

# render TEMPLATE OUT: the lab's addresses and the run folder into the
# template; a placeholder left over is a failure, as in src/proxy/template.c.
render() {
	sed -e "s|{proxy}|$(addr_of proxy)|g" -e "s|{backend}|$(addr_of backend)|g" \
	    -e "s|{backend2}|$(addr_of backend2)|g" -e "s|{dir}|$W/proxy|g" \
	    -e 's|{{|{|g' "$1" >"$2" || fail "render $1"
	if grep -n '{[a-z][a-z0-9_]*}' "$1" | grep -v '{{' |
	    grep -v -e '{proxy}' -e '{backend}' -e '{backend2}' -e '{dir}' | grep -q .; then
		fail "$1: unknown placeholder"
	fi
}

# proxy_run MODE SERVER_CODE CLIENT_CODE [BACKENDS]: the whole run; leaves
# $W/hops.txt ("HOP first_fin=HOST rst=HOST,..") and $W/tw.txt ("HOST
# PEER" per TIME_WAIT socket, PEER the host at the other end).
proxy_run() {
	mode=$1 scode=$2 ccode=$3 nb=${4:-1}
	tpl=$(ls "$TOP"/proxies/"$mode".* 2>/dev/null | head -n 1)
	[ -n "$tpl" ] || fail "no template proxies/$mode.*"
	case $mode in
	haproxy-*) prog=/usr/sbin/haproxy conf=haproxy.cfg ;;
	nginx-*) prog=/usr/sbin/nginx conf=nginx.conf ;;
	apache-*) prog=/usr/sbin/apache2 conf=apache2.conf ;;
	*) fail "unknown proxy in mode $mode" ;;
	esac
	[ -x "$prog" ] || proxy_skip "$prog is not installed (make deps)"

	W=$(mktemp -d /tmp/tw-proxytest-XXXXXX) || exit 1
	chmod 755 "$W"		# the proxy (nobody) opens its files by path
	mkdir "$W/proxy" && chown nobody:nogroup "$W/proxy" || fail "run folder"
	hosts="client proxy backend"
	[ "$nb" = 2 ] && hosts="$hosts backend2"
	# shellcheck disable=SC2086
	"$TW" lab up $hosts >"$W/up.txt" 2>&1 || fail "lab up: $(cat "$W/up.txt")"
	LAB=$(sed -n 's/^lab \(tw-[0-9]*-[0-9]*\) is up.*/\1/p' "$W/up.txt")
	[ -n "$LAB" ] || fail "no lab id in: $(cat "$W/up.txt")"
	echo "running lab $LAB folder $W"
	render "$tpl" "$W/proxy/$conf"

	# The programs quit at the end of their input: theirs never ends.
	mkfifo "$W/hold" "$W/client.in" || fail "mkfifo"
	exec 3<>"$W/hold"
	for b in backend $([ "$nb" = 2 ] && echo backend2); do
		"$TW" lab exec --lab "$LAB" --user nobody "$b" -- \
		    "$BUILD/timewait_server" -s "$scode" <&3 >"$W/$b.log" 2>&1 &
	done
	case $mode in
	haproxy-*) set -- "$prog" -db -f "$W/proxy/$conf" ;;
	nginx-*) set -- "$prog" -p "$W/proxy/" -e "$W/proxy/error.log" -c "$W/proxy/$conf" ;;
	apache-*) set -- "$prog" -d "$W/proxy" -f "$W/proxy/$conf" -DFOREGROUND ;;
	esac
	"$TW" lab exec --lab "$LAB" --user nobody proxy -- "$@" <&3 \
	    >"$W/proxy/stdout.log" 2>"$W/proxy/stderr.log" &
	for b in backend $([ "$nb" = 2 ] && echo backend2); do wait_listen "$b"; done
	wait_listen proxy

	# The client: quits by itself when its code is done, or when its
	# input ends (keep-alive codes wait for a close that never comes).
	"$TW" lab exec --lab "$LAB" --user nobody client -- "$BUILD/timewait_client" \
	    -t proxy -s "$ccode" --quit-when-done <"$W/client.in" >"$W/client.log" 2>&1 &
	CLIENT_PID=$!
	exec 4>"$W/client.in"
	i=0
	while kill -0 "$CLIENT_PID" 2>/dev/null && [ $i -lt 60 ]; do
		grep -q 'the HTTP answer is complete' "$W/client.log" 2>/dev/null && break
		sleep 0.05
		i=$((i + 1))
	done
	grep -q 'the HTTP answer is complete' "$W/client.log" || fail "no answer through $mode"
	echo "answered through $mode"
	nap "${PROXY_LINGER:-0.5}"	# the closes the codes make by themselves
	exec 4>&-
	i=0
	while kill -0 "$CLIENT_PID" 2>/dev/null && [ $i -lt 60 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -0 "$CLIENT_PID" 2>/dev/null && fail "the client did not quit"
	CLIENT_PID=
	sleep 0.3	# the last FIN and ACK of the client's own close

	: >"$W/tw.txt"
	: >"$W/est.txt"
	for h in $hosts; do
		lab_exec "$h" ss -Htan state time-wait | awk -v h="$h" '{ print h, $4 }' >>"$W/tw.txt"
		lab_exec "$h" ss -Htan state established | awk -v h="$h" '{ print h, $4 }' >>"$W/est.txt"
	done
	"$TW" lab down --lab "$LAB" --out "$W/run" >"$W/down.log" 2>&1 || fail "lab down"
	LAB=
	exec 3>&-
	wait
	# Peers as host names.
	for f in tw est; do
		awk -v up="$W/up.txt" 'BEGIN { while ((getline l < up) > 0) { split(l, f, " ");
		    if (f[2] ~ /^[0-9.]+$/) n[f[2]] = f[1] } }
		    { a = $2; sub(/^\[::ffff:/, "", a); sub(/\]?:[0-9]+$/, "", a)
		      print $1, (a in n) ? n[a] : a }' "$W/$f.txt" >"$W/$f.names"
		mv "$W/$f.names" "$W/$f.txt"
	done
	hops
	echo "--- $mode (server $scode, client $ccode)"
	cat "$W/hops.txt"
	sed 's/^/TIME_WAIT on /; s/ \([a-z0-9]*\)$/ (towards \1)/' "$W/tw.txt"
}

# hops: per hop of the proxy's capture, the first FIN's sender and every
# RST's sender, by tshark.
hops() {
	[ -s "$W/run/proxy.pcap" ] || fail "no capture of the proxy host"
	tshark -r "$W/run/proxy.pcap" -Y tcp -T fields -e ip.src -e ip.dst \
	    -e tcp.flags.fin -e tcp.flags.reset >"$W/flags.txt" 2>"$W/tshark.log" ||
	    fail "tshark cannot read proxy.pcap"
	awk -v up="$W/up.txt" 'BEGIN { while ((getline l < up) > 0) { split(l, f, " ");
	    if (f[2] ~ /^[0-9.]+$/) n[f[2]] = f[1] } }
	    { s = n[$1]; d = n[$2]
	      hop = (s == "client" || d == "client") ? "client-proxy" : "proxy-" (s == "proxy" ? d : s)
	      seen[hop] = 1
	      if ($3 == 1 && !(hop in fin)) fin[hop] = s
	      if ($4 == 1 && index("," rst[hop] ",", "," s ",") == 0)
		rst[hop] = rst[hop] (rst[hop] == "" ? "" : ",") s }
	    END { for (h in seen) printf "%s first_fin=%s rst=%s\n", h,
		(h in fin) ? fin[h] : "none", (h in rst) ? rst[h] : "none" }' \
	    "$W/flags.txt" | sort >"$W/hops.txt"
}

# expect_hop HOP FIRST_FIN RST: e.g. expect_hop proxy-backend none proxy
expect_hop() {
	line=$(grep "^$1 " "$W/hops.txt") || fail "no packet on hop $1"
	[ "$line" = "$1 first_fin=$2 rst=$3" ] ||
	    fail "hop $1: expected first_fin=$2 rst=$3, saw: ${line#* }"
	echo "ok: $1: first FIN from $2, RST from $3"
}

# expect_tw HOST PEER COUNT: COUNT TIME_WAIT sockets on HOST towards PEER.
expect_tw() {
	n=$(grep -c "^$1 $2\$" "$W/tw.txt")
	[ "$n" -eq "$3" ] || fail "TIME_WAIT on $1 towards $2: expected $3, saw $n"
	echo "ok: $3 TIME_WAIT on $1 towards $2"
}

# expect_open HOST PEER COUNT: COUNT connections still ESTABLISHED on HOST
# towards PEER at the end of the run (kept alive, in a pool).
expect_open() {
	n=$(grep -c "^$1 $2\$" "$W/est.txt")
	[ "$n" -eq "$3" ] || fail "ESTABLISHED on $1 towards $2: expected $3, saw $n"
	echo "ok: $3 connection still open on $1 towards $2"
}

# expect_tw_total COUNT: TIME_WAIT sockets on every host together.
expect_tw_total() {
	n=$(wc -l <"$W/tw.txt")
	[ "$n" -eq "$1" ] || fail "TIME_WAIT in the whole lab: expected $1, saw $n"
}

# expect_log TEXT: the proxy's own files hold TEXT (its log of the request).
expect_log() {
	grep -q -- "$1" "$W"/proxy/*.log || fail "the proxy's logs do not say '$1'"
	echo "ok: the proxy logged '$1'"
}

# Run alone: a run killed with SIGTERM while the proxy serves leaves no
# process, namespace or file behind.
if [ "$(basename "$0")" = proxy_lib.sh ]; then
	[ -x /usr/sbin/haproxy ] || proxy_skip "/usr/sbin/haproxy is not installed (make deps)"
	W=$(mktemp -d /tmp/tw-proxykill-XXXXXX) || exit 1
	PROXY_LINGER=30 sh "$(dirname "$0")/proxy_haproxy_httpclose.sh" >"$W/victim.log" 2>&1 &
	victim=$!
	i=0
	until grep -q '^answered ' "$W/victim.log" 2>/dev/null || [ $i -ge 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	line=$(grep '^running ' "$W/victim.log")
	[ -n "$line" ] || fail "the run did not start: $(cat "$W/victim.log")"
	grep -q '^answered ' "$W/victim.log" || fail "the run got no answer: $(cat "$W/victim.log")"
	vlab=$(echo "$line" | awk '{ print $3 }')
	vdir=$(echo "$line" | awk '{ print $5 }')
	ls /run/netns | grep -q "^$vlab-proxy\$" || fail "no proxy host while it runs"
	ps -eo args | grep -v grep | grep -q "haproxy -db -f $vdir/" || fail "no haproxy while it runs"
	kill -TERM "$victim"
	i=0
	while kill -0 "$victim" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -0 "$victim" 2>/dev/null && fail "the killed run did not end within 10 s"
	ls /run/netns | grep -q "^$vlab-" && fail "namespaces of $vlab left behind"
	"$TW" lab status 2>/dev/null | grep -q "^$vlab " && fail "lab $vlab left behind"
	ps -eo args | grep -v grep | grep -q "$vdir" && fail "a process of the killed run left behind"
	[ -e "$vdir" ] && fail "$vdir left behind"
	echo "ok: a run killed with SIGTERM left no namespace, process or file"
	exit 0
fi
