#!/bin/sh
# bench/render.sh - how long do the timeline and the drawings of a big run
# take?
#
#   bench/render.sh [BUILD] [CONNECTIONS]
#
# Records a run of CONNECTIONS connections (default 10000) in two test
# namespaces, with both captures and the kernel trace, then times
# `timewait report DIR` (timeline.json, sequence.svg/.puml/.mmd) and
# `timewait report DIR --html`. The target: under 1 s each. Needs root to
# record; the namespaces are removed afterwards.
BUILD=${1:-build}
conns=${2:-10000}
if [ "$(id -u)" -ne 0 ]; then
	echo "bench/render.sh: needs root" >&2
	exit 77
fi
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
MKRUN_PCAP=1 "$top/tests/fixtures/mkrun.sh" "$BUILD" "$out" "$conns" 0 1 >/dev/null || exit 1
n=$(grep -c '"newstate":"SYN_SENT"' "$out/000/trace.jsonl")
for args in "" "--html"; do
	s=$(date +%s.%N)
	"$BUILD/timewait" report "$out" $args || exit 1
	e=$(date +%s.%N)
	awk -v a="$s" -v b="$e" -v n="$n" -v w="${args:-drawings}" \
		'BEGIN { printf "render: %d connections, report %s: %.3f s\n", n, w, b - a
		         exit (b - a < 1.0 ? 0 : 1) }' || slow=1
done
c=$(grep -o '"id":' "$out/000/timeline.json" | wc -l)
echo "render: timeline.json holds $c connections"
[ -z "$slow" ] || { echo "render: over 1 s" >&2; exit 1; }
