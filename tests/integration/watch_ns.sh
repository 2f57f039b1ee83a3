#!/bin/sh
# timewait watch on a namespace of this test's own, with traffic whose every
# connection is known: 50 connections to a local service that closes first
# (so the client side sees the peer close first), 3 connect()s to a closed
# port (ECONNREFUSED, each answered by a RST with reason NO_SOCKET), one
# bind() to a port in use (EADDRINUSE), then one more refused connect() from
# a process that then execs under another name and is refused twice more
# (its failures must be counted under each name in turn). --json must count
# exactly those, by process; --listen must serve them to Prometheus in a
# form `promtool check metrics` accepts, scraped by curl.
set -u
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces, tracing)"; exit 77; }
for c in python3 curl promtool; do
	command -v $c >/dev/null || { echo "needs $c"; exit 77; }
done
out=$(mktemp -d /tmp/tw-watch-test.XXXXXX)
# The interpreter itself, not a shim on PATH (pyenv's are bash scripts that
# exec it): the process names counted are then known.
py=$(python3 -c 'import sys; print(sys.executable)')
pycomm=$(basename "$py" | cut -c1-15)
ln -s "$py" "$out/tw-execd"
# Not named as a lab's (lab clean would take it: this shell holds no
# descriptor of it); one left by a run killed outright goes with the next.
ns=twwatch-test-$$
for old in $(ip netns list | sed -n 's/^\(twwatch-test-[0-9]*\).*/\1/p'); do
	kill -0 "${old#twwatch-test-}" 2>/dev/null || ip netns del "$old"
done
addr=10.251.$(($$ % 250 + 1)).1
wp=
cleanup() {
	[ -n "$wp" ] && kill -INT $wp 2>/dev/null && wait $wp
	ip netns del "$ns" 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; exit 1; }

ip netns add "$ns" || fail "ip netns add"
ip -n "$ns" link set lo up
ip -n "$ns" link add d0 type veth peer name d1
ip -n "$ns" addr add "$addr/32" dev d0
ip -n "$ns" link set d0 up; ip -n "$ns" link set d1 up

port=$((20000 + $$ % 10000))
mport=$((30000 + $$ % 10000))
"$TW" watch --netns "$ns" --json --interval 0.5 --listen "127.0.0.1:$mport" \
    >"$out/w.json" 2>"$out/w.err" &
wp=$!
i=0
while [ ! -s "$out/w.json" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$out/w.json" ] || fail "watch did not report: $(cat "$out/w.err")"

ip netns exec "$ns" "$py" - "$addr" "$port" <<'EOF' || fail "traffic"
import socket, sys, threading, time
addr, port = sys.argv[1], int(sys.argv[2])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, port))
srv.listen(64)
def serve():
    for _ in range(50):
        c, _ = srv.accept()
        c.recv(100)
        c.sendall(b"bye")
        c.close()			# the service closes first
threading.Thread(target=serve).start()
for _ in range(50):
    s = socket.create_connection((addr, port))
    s.sendall(b"hello")
    while s.recv(100):
        pass
    s.close()
for _ in range(3):
    try:
        socket.create_connection((addr, port + 1))
    except ConnectionRefusedError:
        pass
b = socket.socket()
try:
    b.bind((addr, port))
except OSError:
    pass
# A process that fails and exits at once may be gone before watch looks up
# its namespace (it is then counted as errors_process_gone): stay a moment.
time.sleep(0.5)
EOF
ip netns exec "$ns" "$py" - "$addr" "$port" "$out/tw-execd" <<'EOF' || fail "traffic (exec)"
import os, socket, sys, time
addr, port, again = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    socket.create_connection((addr, port + 1))
except ConnectionRefusedError:
    pass
time.sleep(0.2)			# named and placed by watch before the exec
code = ("import socket, time\n"
        "for _ in range(2):\n"
        "    try:\n"
        "        socket.create_connection(('%s', %d))\n"
        "    except ConnectionRefusedError:\n"
        "        pass\n"
        "time.sleep(0.5)\n" % (addr, port + 1))
os.execv(again, [again, "-c", code])
EOF
sleep 1.2
curl -sf "http://127.0.0.1:$mport/metrics" >"$out/m.txt" || fail "curl /metrics"
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/nothing" | grep -q 404 ||
	fail "no 404 for another path"
kill -INT $wp
wait $wp || fail "watch: exit $?"
wp=
[ ! -e "/sys/kernel/tracing/instances/tw-$!-1-watch" ] || fail "tracing instance left behind"

python3 - "$out/w.json" "$addr" "$port" "$pycomm" <<'EOF' || fail "JSON figures"
import json, sys
path, addr, port, py = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lines = [json.loads(l) for l in open(path)]
ep, refused = "%s:%d" % (addr, port), "%s:%d" % (addr, port + 1)
def total(kind, key, ep, f):
    return sum(r[f] for o in lines for r in o[kind] if r[key] == ep)
ok = True
def check(what, got, want):
    global ok
    print("%-45s %s (want %s)" % (what, got, want))
    ok &= got == want
check("destination opened", total("destinations", "remote", ep, "opened"), 50)
check("destination ended", total("destinations", "remote", ep, "ended"), 50)
check("destination: peer closed first", total("destinations", "remote", ep, "fin_peer"), 50)
check("destination: this host closed first", total("destinations", "remote", ep, "fin_local"), 0)
check("service opened", total("services", "listen", ep, "opened"), 50)
check("service: this host closed first", total("services", "listen", ep, "fin_local"), 50)
busy = [r for o in lines for r in o["destinations"] if r["remote"] == ep and r["opened"]]
check("share and ceiling", {(r["local_first_fin_share"], r["ceiling_per_s"]) for r in busy}, {(0.0, None)})
check("destination time_wait", max(r["time_wait"] for o in lines for r in o["destinations"] if r["remote"] == ep), 0)
check("service time_wait (it closed first)", max(r["time_wait"] for o in lines for r in o["services"] if r["listen"] == ep), 50)
check("ECONNREFUSED", sum(o["errors"].get("ECONNREFUSED", 0) for o in lines), 6)
check("EADDRINUSE", sum(o["errors"].get("EADDRINUSE", 0) for o in lines), 1)
# ENOENT is a Unix socket's (nscd's, say: docs/watch.md, Limits): not ours.
procs = {}
for o in lines:
    for e in o["errors_by_process"]:
        if e["errno"] != "ENOENT":
            k = (e["process"], e["syscall"], e["errno"])
            procs[k] = procs.get(k, 0) + e["count"]
check("by process", procs, {(py, "connect", "ECONNREFUSED"): 4, (py, "bind", "EADDRINUSE"): 1,
                            ("tw-execd", "connect", "ECONNREFUSED"): 2})
check("resets sent by the closed port (NO_SOCKET)",
      sum(r["rst_sent_reasons"].get("NO_SOCKET", 0) for o in lines for r in o["services"] if r["listen"] == refused), 6)
check("resets received by the client", total("destinations", "remote", refused, "rst_received"), 6)
check("events lost", sum(o["trace"]["lost"] for o in lines), 0)
check("EADDRINUSE advice", any("IP_BIND_ADDRESS_NO_PORT" in a for o in lines for a in o["advice"]), True)
check("rows sorted by ceiling_share", all(
    [r["ceiling_share"] or -1 for r in o["destinations"]] ==
    sorted([r["ceiling_share"] or -1 for r in o["destinations"]], reverse=True) for o in lines), True)
sys.exit(0 if ok else 1)
EOF

cat "$out/m.txt" | grep "$addr"
promtool check metrics <"$out/m.txt" || fail "promtool check metrics"
grep -q "^timewait_watch_connections_opened_total{netns=\"$ns\",kind=\"destination\",local=\"$addr\",endpoint=\"$addr:$port\"} 50\$" "$out/m.txt" ||
	fail "no opened_total of 50 for the destination"
grep -q "^timewait_watch_syscall_errors_total{netns=\"$ns\",syscall=\"connect\",errno=\"ECONNREFUSED\",process=\"$pycomm\"} 4\$" "$out/m.txt" ||
	fail "no ECONNREFUSED counter of 4 for $pycomm"
grep -q "^timewait_watch_syscall_errors_total{netns=\"$ns\",syscall=\"connect\",errno=\"ECONNREFUSED\",process=\"tw-execd\"} 2\$" "$out/m.txt" ||
	fail "no ECONNREFUSED counter of 2 for tw-execd"
grep -q '^timewait_watch_trace_events_lost_total 0$' "$out/m.txt" || fail "lost events counter"
echo "watch counts every connection, failure and reset of its namespace"
