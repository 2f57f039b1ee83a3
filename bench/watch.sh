#!/bin/sh
# timewait watch under load: its CPU and memory while the client host of a
# `timewait bench --close server` run makes 20,000+ connections a second
# (three trace events each: opened, the peer's FIN, closed), and whether any
# trace event is lost. Targets: under 5% of one core, under 32 MiB (VmHWM),
# no event lost.
#
#   sh bench/watch.sh [BUILD] [SECONDS]      (default build, 10 s)
#
# CPU is watch's own (user + system time of all its threads, from
# /proc/PID/stat) from its first report to its last, so its start (reading
# the event formats) is left out and shown apart. The kernel's side of
# tracing is paid by the threads that make the connections: the same bench
# is run once without watch, and the CPU per connection of both runs shown.
set -u
BUILD=${1:-build}
SECS=${2:-10}
TW="$BUILD/timewait"
[ "$(id -u)" = 0 ] || { echo "bench/watch.sh: needs root" >&2; exit 1; }
[ -x "$TW" ] || { echo "bench/watch.sh: no $TW (make first)" >&2; exit 1; }
out=$(mktemp -d /tmp/tw-watch-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
hz=$(getconf CLK_TCK)

ticks() { # pid: utime + stime
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

"$TW" bench --close server --duration "$SECS" --quiet --json "$out/alone.json" >/dev/null 2>&1 ||
	echo "(bench alone failed)"

"$TW" bench --close server --duration "$SECS" --quiet --json "$out/b.json" >"$out/b.txt" 2>&1 &
bp=$!
i=0
while [ ! -e "/run/netns/tw-$bp-1-client" ] && [ $i -lt 3000000 ]; do i=$((i + 1)); done
t0=$(date +%s.%N)
"$TW" watch --netns "tw-$bp-1-client" --json --interval 1 >"$out/w.json" 2>"$out/w.err" &
wp=$!
i=0
while [ ! -s "$out/w.json" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
c0=$(ticks $wp)
t1=$(date +%s.%N)
wait $bp
sleep 1.1
c1=$(ticks $wp)
t2=$(date +%s.%N)
hwm=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$wp/status")
kill -INT $wp
wait $wp || echo "(watch exited $?: $(cat "$out/w.err"))"

python3 - "$out" "$c0" "$c1" "$t0" "$t1" "$t2" "$hz" "$hwm" <<'EOF'
import json, sys
d, c0, c1, t0, t1, t2, hz, hwm = sys.argv[1:]
c0, c1, t0, t1, t2, hz = int(c0), int(c1), float(t0), float(t1), float(t2), int(hz)
lines = [json.loads(l) for l in open(d + "/w.json")]
bench = json.load(open(d + "/b.json"))["summary"]
try:
    alone = json.load(open(d + "/alone.json"))["summary"]
except Exception:
    alone = None
opened = sum(r["opened"] for o in lines for r in o["destinations"])
events = sum(o["trace"]["events"] for o in lines)
lost = sum(o["trace"]["lost"] for o in lines)
cpu = (c1 - c0) / hz / (t2 - t1)
peak = max((sum(r["opened_per_s"] for r in o["destinations"]) for o in lines), default=0)
print("  bench: %d connections in %.1f s, %.0f/s (peak second seen by watch: %.0f/s)" % (
    bench["completed"], bench["seconds"], bench["rate_per_s"], peak))
print("  watch: %.2f%% of one core (%.2f s CPU over %.1f s), start %.2f s; VmHWM %s" % (
    100 * cpu, (c1 - c0) / hz, t2 - t1, t1 - t0, hwm))
print("  watch: %d connections opened counted (bench: %d), %d trace events read, %d lost" % (
    opened, bench["completed"], events, lost))
if alone:
    print("  bench alone: %.0f/s, %.1f us CPU per connection; with watch: %.1f us" % (
        alone["rate_per_s"], alone["cpu_us_per_conn"], bench["cpu_us_per_conn"]))
kib = int(hwm.split()[0])
ok = cpu < 0.05 and kib < 32 * 1024 and lost == 0
print("  targets (< 5%% of a core, < 32 MiB, nothing lost): %s" % ("met" if ok else "NOT met"))
EOF
