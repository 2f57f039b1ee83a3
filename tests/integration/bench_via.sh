#!/bin/sh
# timewait bench --via, the mechanics in short (the 130 s figures are
# `make bench` with BENCH_FULL=1): with 50 source ports on the proxy host,
# nginx's default upstream (it closes each backend connection first and
# keeps its TIME_WAIT) completes exactly 50 requests in 5 s, then answers
# 502, and its own log says EADDRNOTAVAIL once per 502; two backends double
# it, the same proxy port seen towards both at once; HAProxy httpclose
# (a RST towards the backend) has no ceiling. Nothing is left behind: no
# process, no namespace, no run folder, even after Ctrl+C.
set -u
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
[ -x /usr/sbin/nginx ] && [ -x /usr/sbin/haproxy ] || { echo "needs nginx and haproxy"; exit 77; }
out=$(mktemp -d /tmp/tw-bench-via-test.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
leftovers() { # pid of a finished run
	ip netns list | grep "^tw-$1-" | sed 's/^/namespace /'
	ls -d /run/timewait/tmp/"$1"-* 2>/dev/null | sed 's/^/folder /'
}
run() { # name, options: a run in the background, waited for, then checked for leftovers
	name=$1; shift
	timeout 20 "$TW" bench --quiet --json "$out/$name.json" "$@" >"$out/$name.txt" 2>&1 & pid=$!
	wait $pid || { cat "$out/$name.txt"; fail "$name: exit $?"; }
	cat "$out/$name.txt"
	left=$(leftovers $pid)
	[ -z "$left" ] || fail "$name left: $left"
}
j() { jq -e "$2" "$out/$1.json" >/dev/null || fail "$1: $2 (got: $(jq -c "$3" "$out/$1.json"))"; }

# 1. nginx default, one backend, 50 ports, 5 s: one burst of 50, then 502s.
run nginx --via nginx --port-range 40000-40049 --duration 5 --concurrency 20
j nginx '.summary.completed == 50' '.summary.completed'
j nginx '.summary.proxy.upstream_errors.EADDRNOTAVAIL > 0' '.summary.proxy.upstream_errors'
# Each 502 is one failed connect in nginx's log (a single server is never marked down).
j nginx '.summary.proxy.upstream_errors.EADDRNOTAVAIL == .summary.proxy.http_5xx' \
    '[.summary.proxy.upstream_errors, .summary.proxy.http_5xx]'
j nginx '.summary.failed == .summary.proxy.http_5xx' '[.summary.failed, .summary.proxy.http_5xx]'
j nginx '.summary.proxy.time_wait_end.proxy_backend_side == 50' '.summary.proxy.time_wait_end'
j nginx '.summary.proxy.ceiling_binding and .summary.proxy.ports == 50 and
    (.summary.proxy.ceiling_per_backend_per_s * 60 | round) == 50' '.summary.proxy'
j nginx '[.series[] | select(.upstream_eaddrnotavail > 0)] | length > 10' '.series[-1]'
grep -q 'EADDRNOTAVAIL' "$out/nginx.txt" || fail "no EADDRNOTAVAIL in the summary"

# 2. Two backends: twice as many, and one proxy port towards both at once.
run nginx2 --via nginx --backends 2 --port-range 40000-40049 --duration 3 --concurrency 20
j nginx2 '.summary.completed == 100' '.summary.completed'
j nginx2 '.summary.proxy.time_wait_end.proxy_backend_side == 100' '.summary.proxy.time_wait_end'
j nginx2 '.summary.proxy.shared_source_ports_max >= 1' '.summary.proxy.shared_source_port_example'

# 3. HAProxy httpclose: it resets its backend connections, no TIME_WAIT, no ceiling.
run haproxy --via haproxy --port-range 40000-40049 --duration 2 --concurrency 20
j haproxy '.summary.completed > 500' '.summary.completed'
j haproxy '.summary.proxy.time_wait_end.proxy_backend_side == 0' '.summary.proxy.time_wait_end'
j haproxy '.summary.proxy.ceiling_binding == false' '.summary.proxy'

# 4. Ctrl+C: the run stops at once, says so, and leaves nothing.
"$TW" bench --via nginx --duration 60 --quiet --json "$out/i.json" >"$out/i.txt" 2>&1 & pid=$!
sleep 2
kill -INT $pid
t=0
while kill -0 $pid 2>/dev/null && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
kill -0 $pid 2>/dev/null && { kill -KILL $pid; fail "still running 5 s after SIGINT"; }
wait $pid
cat "$out/i.txt"
j i '.summary.interrupted and .summary.completed > 0' '.summary'
left=$(leftovers $pid)
[ -z "$left" ] || fail "interrupted run left: $left"

# 5. SIGKILL: nothing can clean up then. The proxy's master dies with the
# bench (PR_SET_PDEATHSIG); its worker, the lab's namespaces and the run
# folder go with the next run (lab_build removes the labs of dead owners,
# kills what still runs in them, and the temporary folders of dead pids).
"$TW" bench --via nginx --duration 30 --quiet >/dev/null 2>&1 & pid=$!
t=0
until ls -d /run/timewait/tmp/$pid-via.*/nginx/nginx.pid >/dev/null 2>&1 || [ $t -gt 50 ]; do
	sleep 0.1; t=$((t + 1))
done
pg=$(cat /run/timewait/tmp/$pid-via.*/nginx/nginx.pid 2>/dev/null)
[ -n "$pg" ] || fail "nginx of the run to be killed never started"
sleep 0.5
kill -KILL $pid
wait $pid 2>/dev/null
run after --via haproxy --duration 0.5
ps -eo pgid=,stat= | awk -v g="$pg" '$1 == g && $2 !~ /^Z/ { n++ } END { exit n > 0 }' ||
	fail "the killed run's proxy still runs: $(ps -eo pid,pgid,stat,args | awk -v g="$pg" '$2 == g')"
left=$(leftovers $pid)
[ -z "$left" ] || fail "the killed run left: $left"

# 6. Bad input: a usage error, before any lab is made.
"$TW" bench --via nginx --proxy-mode nope >/dev/null 2>"$out/e"; rc=$?
[ $rc = 2 ] && grep -q 'no template nginx-nope' "$out/e" || fail "unknown mode: exit $rc, $(cat "$out/e")"
"$TW" bench --backends 2 >/dev/null 2>&1; rc=$?
[ $rc = 2 ] || fail "--backends without --via: exit $rc"
echo "ok"
