#!/bin/sh
# scripts/drawings.sh [BUILD] [ID...]: run tests once with --fast and keep
# their drawings in docs/drawings/ID.svg (and ID.mmd), the pictures that
# docs/tests.md and docs/proxies.md show. Needs root (the lab). Every
# picture is a real run of this machine; run it again after a test changes.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
[ $# -gt 0 ] && shift
tw="$build/timewait"
[ -x "$tw" ] || { echo "no $tw: run make first" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
if [ $# -eq 0 ]; then
	# every shipped test that is not one of the seed's eight
	set -- $("$tw" lab list --json | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if not t.get("seed"):
        print(t["id"])')
fi
out=$(mktemp -d /tmp/tw-drawings.XXXXXX)
trap 'rm -rf "$out"' EXIT
mkdir -p docs/drawings
"$tw" lab run --fast -j 2 --no-color --out "$out" "$@" >"$out/log.txt" 2>&1 || {
	grep -v '^PASS' "$out/log.txt" >&2
	echo "a test failed: no drawing was kept" >&2
	exit 1
}
for id in "$@"; do
	cp "$out/$id/sequence.svg" "docs/drawings/$id.svg"
	cp "$out/$id/sequence.mmd" "docs/drawings/$id.mmd"
	echo "docs/drawings/$id.svg"
done
