#!/bin/sh
# make bench: the figures of docs/bench.md, measured again on this machine.
#   bench/run.sh [BUILD]       about four minutes
#   BENCH_FULL=1 bench/run.sh  adds the 130 s ceiling runs (about 5 minutes) and
#                              compare --via at 130 s a run (about 28 minutes)
# JSON and SVG files go to BUILD/bench/. Needs root (network namespaces).
set -u
BUILD=${1:-build}
TW="$BUILD/timewait"
out="$BUILD/bench"
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }
[ -x "$TW" ] || { echo "bench: no $TW (make first)" >&2; exit 1; }
mkdir -p "$out"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
run() { # name, options...
	name=$1; shift
	echo "== $name: timewait bench $*"
	"$TW" bench --quiet --json "$out/$name.json" --plot "$out/$name.svg" "$@" || echo "($name failed)"
	echo
}
run rst-rate --close rst --duration 10
run server-vs-nginx --close server --duration 10 --nginx
run inflight-10000 --close rst --duration 5 --concurrency 10000
run ceiling-10s --close client --port-range 32768-33767 --duration 10
# Through a proxy (docs/proxies.md): 1,000 ports on the proxy host.
run via-nginx-10s --via nginx --port-range 32768-33767 --duration 10
run via-nginx-ab-10s --via nginx --load ab --port-range 32768-33767 --duration 10
if [ "${BENCH_FULL:-0}" = 1 ]; then
	run ceiling-130s --close client --port-range 32768-33767 --duration 130
	run no-ceiling-130s --close server --port-range 32768-33767 --duration 130
	# The original's table and its fixes, 130 s each: bursts at 0, 60, 120 s.
	echo "== compare-via-130s: timewait bench compare --via --port-range 32768-33767 --duration 130"
	"$TW" bench compare --via --quiet --port-range 32768-33767 --duration 130 \
	    --json "$out/compare-via-130s.json" --plot "$out/compare-via-130s.svg" ||
		echo "(compare-via-130s failed)"
	echo
fi
# The lab, the trace, the drawings, the programs: one figure each.
echo "== lab: build and remove a 2-host lab (target: 10 ms median)"
sh bench/labbuild.sh "$BUILD" 30 || echo "(labbuild failed)"
echo
echo "== lab run seed --fast (target: 5 s for the eight)"
s=$(date +%s.%N)
"$TW" lab run seed --fast --out "$out/lab-fast" >/dev/null || echo "(a test failed)"
awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN {printf "  %.2f s wall\n", b - a}'
echo
echo "== lab run 005 --repeat 1000 --fast (target: 50 runs a second)"
s=$(date +%s.%N)
"$TW" lab run 005 --repeat 1000 --fast --out "$out/race" >/dev/null || echo "(the race failed)"
awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN {printf "  %.2f s wall, %.0f runs a second\n", b - a, 1000 / (b - a)}'
sed -n '/"outcomes"/,/}/p' "$out/race/005/result.json" | sed 's/^/  /'
echo
echo "== HTTP: timewait server beside nginx, wrk -c100 (bench/http.sh)"
ROUNDS=1 sh bench/http.sh "$BUILD" || echo "(http failed)"
echo
echo "== captures under a burst (bench/capture.sh)"
sh bench/capture.sh "$BUILD" 2>&1 | tail -n 3 || echo "(capture failed)"
echo
echo "== kernel trace under a burst (bench/trace.sh)"
sh bench/trace.sh "$BUILD" 2>&1 | tail -n 4 || echo "(trace failed)"
echo
echo "== timewait watch at 20,000+ connections a second (bench/watch.sh)"; sh bench/watch.sh "$BUILD" || echo "(watch failed)"; echo
echo "== drawing 10,000 connections (bench/render.sh)"
sh bench/render.sh "$BUILD" 2>&1 | tail -n 3 || echo "(render failed)"
echo
echo "== compare"
"$TW" bench compare --quiet --duration 5 --port-range 32768-33767 --nginx \
    --json "$out/compare.json" --plot "$out/compare.svg" 2>/dev/null
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files: $out/"
