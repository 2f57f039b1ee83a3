#!/bin/sh
# bench/http.sh - requests per second of `timewait server` beside nginx
# serving the same 13-byte body, measured by wrk on the same machine in the
# same run. Two network namespaces joined by a veth pair (made here, removed
# by the trap whatever happens); nginx runs with its own configuration in a
# temporary folder and is stopped after. Needs root, ip, wrk and nginx.
#
#   bench/http.sh [BUILD]        (BUILD defaults to build/)
#   ROUNDS=2 DURATION=5 CONNS=100 THREADS=2 WORKERS=$(nproc) bench/http.sh
#
# Rows: keep-alive (server code 8, nginx default) and Connection: close
# (server code 7, nginx told by the request header), wrk -c100 -d5.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$top/build}
TW=${TW:-$BUILD/timewait}
DURATION=${DURATION:-5}
CONNS=${CONNS:-100}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
# As many server processes as nginx has workers (worker_processes auto).
WORKERS=${WORKERS:-$(nproc)}

skip() { echo "bench/http.sh: skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
for t in ip wrk nginx; do
	command -v "$t" >/dev/null 2>&1 || skip "needs $t"
done
[ -x "$TW" ] || skip "no $TW: run make first"

SRV=twt-bench-srv-$$ CLI=twt-bench-cli-$$
D=$(mktemp -d /tmp/twt-bench.XXXXXX) || exit 1
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$SRV" && ip netns add "$CLI" &&
ip link add tw0 netns "$SRV" type veth peer name tw1 netns "$CLI" &&
ip -n "$SRV" addr add 10.77.0.1/24 dev tw0 && ip -n "$CLI" addr add 10.77.0.2/24 dev tw1 &&
ip -n "$SRV" link set lo up && ip -n "$CLI" link set lo up &&
ip -n "$SRV" link set tw0 up && ip -n "$CLI" link set tw1 up ||
    { echo "bench/http.sh: cannot build the namespaces"; exit 1; }

mkdir -p "$D/tmp"
cat >"$D/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $D/nginx.pid;
error_log $D/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	keepalive_requests 1000000;
	client_body_temp_path $D/tmp/body;
	proxy_temp_path $D/tmp/proxy;
	fastcgi_temp_path $D/tmp/fastcgi;
	uwsgi_temp_path $D/tmp/uwsgi;
	scgi_temp_path $D/tmp/scgi;
	server {
		listen 10.77.0.1:8081;
		location / {
			default_type application/json;
			return 200 '{"bip":true}\n';
		}
	}
}
NGINX

# wait_port PORT: until something listens in the server namespace.
wait_port() {
	n=0
	until ip netns exec "$SRV" ss -Hltn "( sport = :$1 )" | grep -q .; do
		n=$((n + 1)); [ $n -gt 100 ] && { echo "nothing listens on $1"; exit 1; }
		sleep 0.05
	done
}

# measure URL [HEADER]: prints "RATE ERRORS" from one wrk run.
measure() {
	if [ $# -gt 1 ]; then
		ip netns exec "$CLI" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -H "$2" "$1" >"$D/wrk.out" 2>&1
	else
		ip netns exec "$CLI" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$1" >"$D/wrk.out" 2>&1
	fi
	rate=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' "$D/wrk.out")
	errs=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$D/wrk.out")
	non2xx=$(awk '/Non-2xx/ { print $NF }' "$D/wrk.out")
	echo "${rate:-0} $((${errs:-0} + ${non2xx:-0}))"
}

ip netns exec "$SRV" "$TW" server -p 8080 --workers "$WORKERS" 8 </dev/null >"$D/server8.log" 2>&1 &
PIDS="$PIDS $!"; wait_port 8080
ip netns exec "$SRV" "$TW" server -p 8082 --workers "$WORKERS" 7 </dev/null >"$D/server7.log" 2>&1 &
PIDS="$PIDS $!"; wait_port 8082
ip netns exec "$SRV" nginx -c "$D/nginx.conf" -p "$D" >"$D/nginx.out" 2>&1 &
PIDS="$PIDS $!"; wait_port 8081

# best OLD NEW: the larger rate, errors added up ("RATE ERRORS" pairs).
best() {
	echo "$(( $1 > $3 ? $1 : $3 )) $(( $2 + $4 ))"
}

# A shared machine is noisy: ROUNDS rounds, the order switched each round,
# and the best rate of each cell kept.
tw_ka="0 0" tw_cl="0 0" ng_ka="0 0" ng_cl="0 0"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	if [ $((r % 2)) -eq 1 ]; then
		tw_ka=$(best $tw_ka $(measure http://10.77.0.1:8080/))
		ng_ka=$(best $ng_ka $(measure http://10.77.0.1:8081/))
		tw_cl=$(best $tw_cl $(measure http://10.77.0.1:8082/ "Connection: close"))
		ng_cl=$(best $ng_cl $(measure http://10.77.0.1:8081/ "Connection: close"))
	else
		ng_ka=$(best $ng_ka $(measure http://10.77.0.1:8081/))
		tw_ka=$(best $tw_ka $(measure http://10.77.0.1:8080/))
		ng_cl=$(best $ng_cl $(measure http://10.77.0.1:8081/ "Connection: close"))
		tw_cl=$(best $tw_cl $(measure http://10.77.0.1:8082/ "Connection: close"))
	fi
	r=$((r + 1))
done

rate() { echo "$1"; }
errs() { echo "$2"; }
echo "HTTP requests per second, wrk -t$THREADS -c$CONNS -d$DURATION, between two network namespaces;"
echo "$WORKERS server processes each (timewait --workers, nginx worker_processes auto), $(nproc) CPUs;"
echo "best of $ROUNDS round(s), order switched each round"
printf '%-30s %12s %20s\n' "" "keep-alive" "Connection: close"
printf '%-30s %12s %20s\n' "timewait server (codes 8 / 7)" "$(rate $tw_ka)" "$(rate $tw_cl)"
printf '%-30s %12s %20s\n' "nginx $(nginx -v 2>&1 | sed 's|.*/||')" "$(rate $ng_ka)" "$(rate $ng_cl)"
printf '%-30s %12s %20s\n' "socket errors + non-2xx" "$(errs $tw_ka) / $(errs $ng_ka)" "$(errs $tw_cl) / $(errs $ng_cl)"
