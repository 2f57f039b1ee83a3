#!/bin/sh
# killed_runs.sh - a run killed with SIGKILL leaves nothing behind, with no
# other timewait command run after it: its janitor (src/lab/janitor.c)
# removes what it made. Killed here, each while it runs:
#   1. `lab run` of a slow copy of nginx-default (of 003-linger0 without
#      nginx): its test process alone (kill -9 PID), nginx serving;
#   2. the same run, its whole process group (kill -9 -PGID: the runner,
#      the test process and the programs at once);
#   3. `bench` (--via nginx if nginx is there), kill -9 PID;
#   4. `watch`, kill -9 PID;
#   5. the keeper of `lab up`, kill -9 PID.
# All five run at once and are killed together. Then, within 3 s of the
# kills, nothing named with the killed owner's pid may be left:
# no /run/netns/tw-PID-*, no process that was in those namespaces (nginx's
# worker was the one that stayed; with neither name nor process, nothing
# holds them, and the lab's veths go with them), no tracing
# instance tw-PID-*, no /run/timewait/tmp/PID-*, no state or staging
# /run/timewait/tw-PID-*, no tracefs mark of PID, no half-written test
# folder OUT/.tw-PID.*; and the janitor itself has ended. Only names carrying the
# pids of this test's runs are looked at: other labs may run meanwhile.
# Exit 77 without root.
set -u
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
TW=${TW:-build/timewait}
case "$TW" in /*) ;; *) TW="$(pwd)/$TW" ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1	# bench --via finds its templates in proxies/
W=$(mktemp -d /tmp/tw-killed.XXXXXX) || exit 1
STARTED=
cleanup() {
	for p in $STARTED; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "FAIL: $*"; for f in "$W"/*.log; do [ -s "$f" ] && tail -n 5 "$f"; done; exit 1; }

# wait_for SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS.
wait_for() {
	n=$(($1 * 20))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.05
	done
}

# The start time of process $1 (field 22 of its stat), if it is alive and
# not a zombie: a pid names a process only with it (pids wrap fast here).
start_of() {
	sed -n 's/.*) \([^Z]\) \([^ ]* \)\{18\}\([0-9]*\) .*/\3/p' "/proc/$1/stat" 2>/dev/null
}

# The processes in pid $1's namespaces, as PID/START words. Not by inode
# later: a freed namespace's inode number is given to the next one made.
lab_procs() {
	inos=
	for f in /run/netns/tw-"$1"-*; do
		[ -e "$f" ] && inos="$inos net:[$(stat -L -c %i "$f")]"
	done
	[ -n "$inos" ] || return 0
	for p in /proc/[0-9]*; do
		n=$(readlink "$p/ns/net" 2>/dev/null) || continue
		case " $inos " in *" $n "*) echo "${p#/proc/}/$(start_of "${p#/proc/}")" ;; esac
	done
}

# What pid $1 made that is still there; $2: lab_procs of it before the kill.
leftovers() {
	ls /run/netns 2>/dev/null | grep "^tw-$1-" | sed 's/^/namespace /'
	ls /sys/kernel/tracing/instances 2>/dev/null | grep "^tw-$1-" |
	    sed 's/^/tracing instance /'
	ls -d /run/timewait/tmp/"$1"-* 2>/dev/null | sed 's/^/folder /'
	ls -d /run/timewait/tw-"$1"-* 2>/dev/null | sed 's/^/lab state /'
	[ -e /run/timewait/tracefs."$1" ] && echo "tracefs mark /run/timewait/tracefs.$1"
	ls -d "$W"/out-*/.tw-"$1".* 2>/dev/null | sed 's/^/half-written test folder /'
	for ps in $2; do
		p=${ps%/*}
		[ "$(start_of "$p")" = "${ps#*/}" ] &&
		    echo "process $p ($(cat "/proc/$p/comm" 2>/dev/null)) of its lab"
	done
	true
}

nginx=
[ -x /usr/sbin/nginx ] || [ -x /usr/bin/nginx ] && nginx=1

# The lab runs: a copy of nginx-default (without nginx, of 003-linger0)
# that takes its snapshot only at 600 s: still running when it is killed.
scen=nginx-default
[ -n "$nginx" ] || scen=003-linger0
sed -e "s/^test $scen\$/test mine-killed/" \
    -e 's/^snapshot end settled$/at 600s snapshot end settled/' \
    "$top/scenarios/$scen.scen" >"$W/slow.scen"
grep -q '^at 600s snapshot' "$W/slow.scen" || fail "the copy was not changed"
"$TW" lab check "$W/slow.scen" >/dev/null || fail "the copy does not parse"
set -- "$W/slow.scen"
# Each in a session and group of its own (setsid execs: $! is the runner).
setsid "$TW" lab run "$@" --out "$W/out-pid" >"$W/run-pid.log" 2>&1 &
run_pid=$!
setsid "$TW" lab run "$@" --out "$W/out-group" >"$W/run-group.log" 2>&1 &
run_group=$!
# bench: the bench process owns its lab and folders.
if [ -n "$nginx" ]; then
	"$TW" bench --via nginx --duration 300 --quiet >"$W/bench.log" 2>&1 &
else
	"$TW" bench --duration 300 --quiet >"$W/bench.log" 2>&1 &
fi
bench=$!
# watch: its tracing instance, and the tracefs mount if it made one.
"$TW" watch --interval 1 >"$W/watch.log" 2>&1 &
watch=$!
# lab up: the keeper owns the lab, and outlives `lab up` itself.
"$TW" lab up client server >"$W/up.log" 2>&1 &
up=$!
STARTED="$run_pid $run_group $bench $watch"

# The test process of runner $1 (the owner of its lab), once it has one.
owner_of() {
	for c in $(pgrep -P "$1"); do
		ls /run/netns/tw-"$c"-*-client >/dev/null 2>&1 && echo "$c" && return 0
	done
	return 1
}
# nginx serves in the proxy host of owner $1 (or there is no nginx).
serving() {
	[ -n "$nginx" ] || return 0
	ino=$(stat -L -c %i /run/netns/tw-"$1"-*-proxy 2>/dev/null) || return 1
	for p in $(pgrep -x nginx); do
		[ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "net:[$ino]" ] && return 0
	done
	return 1
}
bench_up() {
	ls /run/netns/tw-"$bench"-*-client >/dev/null 2>&1 || return 1
	[ -z "$nginx" ] || ls /run/timewait/tmp/"$bench"-via.*/nginx/nginx.pid >/dev/null 2>&1
}
up_done() { ! kill -0 "$up" 2>/dev/null; }

wait_for 15 eval 'o1=$(owner_of "$run_pid")' || fail "lab run: no lab after 15 s"
wait_for 15 eval 'o2=$(owner_of "$run_group")' || fail "lab run: no lab after 15 s"
STARTED="$STARTED $o1 $o2"
wait_for 10 serving "$o1" || fail "lab run: nginx never served in tw-$o1"
wait_for 10 serving "$o2" || fail "lab run: nginx never served in tw-$o2"
wait_for 15 bench_up || fail "bench: no lab (or no nginx) after 15 s"
wait_for 10 test -d /sys/kernel/tracing/instances/tw-"$watch"-1-watch ||
	fail "watch: no tracing instance after 10 s"
wait_for 15 up_done || fail "lab up: not done after 15 s"
wait "$up" || fail "lab up: $(cat "$W/up.log")"
keeper=$(sed -n 's/.*(keeper pid \([0-9]*\)).*/\1/p' "$W/up.log")
[ -n "$keeper" ] || fail "lab up names no keeper"
STARTED="$STARTED $keeper"
ls -d /run/timewait/tw-"$keeper"-* >/dev/null 2>&1 || fail "lab up: no state"

# Each owner's janitor: a tw-janitor whose socket is the peer of one of
# the owner's, in a process group (and session) other than the owner's,
# so that the kill of the group misses it. Another engineer's lab_build
# removes dead owners' labs too, so the leftovers alone could pass without
# a janitor on a busy machine: this is what tells.
janitor_of() {
	socks=$(ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' |
	    tr '\n' ' ')
	ss -xpn 2>/dev/null | awk -v socks=" $socks " '/"tw-janitor"/ &&
	    index(socks, " " $8 " ") { sub(/.*"tw-janitor",pid=/, ""); sub(/,.*/, ""); print; exit }'
}
# owner|janitor/start|processes in its lab|what it is
set --
bad=
for r in "$o1|lab run, kill -9 of its test process" \
    "$o2|lab run, kill -9 of its process group" \
    "$bench|bench${nginx:+ --via nginx}, kill -9" "$watch|watch, kill -9" \
    "$keeper|lab up's keeper, kill -9"; do
	o=${r%%|*}
	j=$(janitor_of "$o")
	if [ -z "$j" ]; then
		echo "FAIL: ${r#*|}: no janitor of pid $o"
		bad=1
		j=0
	elif [ "$(ps -o pgid= -p "$j")" = "$(ps -o pgid= -p "$o")" ] ||
	    [ "$(ps -o sid= -p "$j")" = "$(ps -o sid= -p "$o")" ]; then
		fail "${r#*|}: janitor $j in the group or session of $o"
	fi
	set -- "$@" "$o|$j/$(start_of "$j")|$(lab_procs "$o" | tr '\n' ' ')|${r#*|}"
done
for o in "$o1" "$o2" "$bench" "$keeper"; do
	ls /run/netns/tw-"$o"-* >/dev/null 2>&1 || fail "no namespace of $o"
done
case $1 in *"||"*) fail "no process seen in the lab of $o1" ;; esac
ls -d "$W"/out-pid/.tw-"$o1".* >/dev/null 2>&1 || fail "no test folder being written by $o1"
sleep 0.2
kill -9 "$o1" "$bench" "$watch" "$keeper"
kill -9 "-$run_group"
STARTED=	# dead now: their pids may serve others soon (they wrap fast)

# all_left RECORD: what is left of it, its janitor still running included.
all_left() {
	o=${1%%|*}
	rest=${1#*|}
	j=${rest%%|*}
	rest=${rest#*|}
	leftovers "$o" "${rest%%|*}"
	[ "${j%/*}" != 0 ] && [ "$(start_of "${j%/*}")" = "${j#*/}" ] &&
	    echo "its janitor ${j%/*} still runs"
	true
}
# Within 3 s of the kills, none of them left anything.
t=0
while :; do
	left=
	for r in "$@"; do
		left="$left$(all_left "$r")"
	done
	[ -z "$left" ] || [ $t -ge 30 ] || { sleep 0.1; t=$((t + 1)); continue; }
	break
done
for r in "$@"; do
	left=$(all_left "$r")
	if [ -n "$left" ]; then
		echo "FAIL: ${r##*|}: left 3 s after the kill:"
		echo "$left" | sed 's/^/    /'
		bad=1
	else
		echo "ok: ${r##*|}: nothing of pid ${r%%|*} left, its janitor has ended"
	fi
done
[ -z "$bad" ] || exit 1
echo "ok: all gone within $((t * 100 + 100)) ms of the kills"
wait_for 10 eval '! kill -0 "$run_pid" 2>/dev/null' || fail "the runner whose test was killed still runs"
echo "ok: killed_runs"
