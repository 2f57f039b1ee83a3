#!/bin/sh
# make bench: the figures of docs/bench.md, measured again on this machine.
#   bench/run.sh [BUILD]       about a minute
#   BENCH_FULL=1 bench/run.sh  adds the 130 s ceiling run (about 3 minutes)
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
if [ "${BENCH_FULL:-0}" = 1 ]; then
	run ceiling-130s --close client --port-range 32768-33767 --duration 130
	run no-ceiling-130s --close server --port-range 32768-33767 --duration 130
fi
echo "== compare"
"$TW" bench compare --quiet --duration 5 --port-range 32768-33767 --nginx \
    --json "$out/compare.json" --plot "$out/compare.svg" 2>/dev/null
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files: $out/"
