# pair.sh - sourced by the programs' integration tests: runs `timewait
# server` and `timewait client` paired on loopback at --time-scale 0.1,
# with their event logs in a temporary folder, and cleans everything up
# (processes, folder) on any exit.
#
# Needs $TW (the binary). Plain sh, grep and ss: no root, no namespaces.

set -u
: "${TW:?TW must name the timewait binary}"

T=$(mktemp -d /tmp/twt-prog.XXXXXX) || exit 1
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*"
	for f in "$T"/*.log; do
		[ -f "$f" ] || continue
		echo "--- $f"; cat "$f"
	done
	exit 1
}

# port_free N: no socket of any state uses port N on this host.
port_free() {
	[ -z "$(ss -Htan "( sport = :$1 or dport = :$1 )" 2>/dev/null)" ]
}

# pick_ports BASE: sets SPORT and CPORT to two free ports among BASE to
# BASE+39, so a TIME_WAIT left by an earlier run of the same test cannot
# change this one. The search starts at a place of this shell's pid: two
# runs of the same test at once (another checkout's make check) then
# rarely both find the same pair free before either binds it.
pick_ports() {
	i=0 o=$(($$ % 20))
	while [ "$i" -lt 20 ]; do
		p=$(($1 + (o + i) % 20 * 2))
		if port_free "$p" && port_free $((p + 1)); then
			SPORT=$p CPORT=$((p + 1))
			return 0
		fi
		i=$((i + 1))
	done
	echo "no free ports from $1"; exit 77
}

# wait_for FILE PATTERN [SECONDS]: until a line of FILE matches.
wait_for() {
	n=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -gt $((${3:-5} * 20)) ] && fail "timed out waiting for '$2' in $1"
		sleep 0.05
	done
}

# start_server CODE [ARGS]: server on $SPORT, events in $T/server.jsonl.
start_server() {
	code=$1; shift
	rm -f "$T/server.jsonl"	# appended to, never truncated: start afresh
	"$TW" server -p "$SPORT" --time-scale 0.1 --events "$T/server.jsonl" "$@" "$code" \
	    </dev/null >"$T/server.log" 2>&1 &
	SERVER_PID=$!
	wait_for "$T/server.jsonl" '"step":"listen","ret":0'
}

# run_client CODE [ARGS]: client from $CPORT to $SPORT until its requests are done.
run_client() {
	code=$1; shift
	timeout 30 "$TW" client -t 127.0.0.1 -c "$SPORT" -f "$CPORT" --time-scale 0.1 \
	    --quit-when-done --events "$T/client.jsonl" "$@" "$code" \
	    </dev/null >"$T/client.log" 2>&1 || fail "client exited with $?"
}

# count FILE PATTERN: lines of FILE matching PATTERN.
count() {
	grep -c -- "$2" "$1" 2>/dev/null || true
}

# tw PORT: TIME-WAIT sockets whose local port is PORT (the side holding it).
tw() {
	ss -Htan state time-wait "( sport = :$1 )" | wc -l
}

# tw_wait PORT: until port PORT holds a TIME_WAIT, for at most 3 s; fails
# (status 1) after. A program's log says it closed when close() returned;
# on a loaded machine the loopback packets that follow (the peer's FIN,
# the last ACK) may wait for ksoftirqd a while longer.
tw_wait() {
	n=0
	while [ "$(tw "$1")" -lt 1 ]; do
		n=$((n + 1))
		[ "$n" -gt 60 ] && return 1
		sleep 0.05
	done
}
