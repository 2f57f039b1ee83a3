#!/bin/sh
# ktrace.sh - the kernel trace on real connections: two namespaces, 500
# connections, then trace.jsonl must hold the state changes of both sides,
# nothing may be lost, and our tracing instance must be gone. Needs root.
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v ip >/dev/null || { echo "needs ip"; exit 77; }
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
set -e
all=$("$top/tests/fixtures/mkrun.sh" "$BUILD" "$out" 500 0)
line=$(echo "$all" | grep '^requests')
inst=$(echo "$all" | sed -n 's/^instance //p')
echo "$line"
t=$out/000/trace.jsonl
echo "$line" | grep -q ' 0 lost' || { echo "FAIL: events lost"; exit 1; }
n=$(grep -c '"oldstate":"SYN_SENT","newstate":"ESTABLISHED"' "$t")
[ "$n" -eq 500 ] || { echo "FAIL: $n client handshakes traced, want 500"; exit 1; }
n=$(grep -c '"host":"server".*"oldstate":"FIN_WAIT2","newstate":"CLOSE"' "$t")
[ "$n" -eq 500 ] || { echo "FAIL: $n server FIN_WAIT2->CLOSE, want 500"; exit 1; }
grep -q '"event":"tcp_destroy_sock"' "$t" || { echo "FAIL: no tcp_destroy_sock"; exit 1; }
[ -n "$inst" ] || { echo "FAIL: no instance name"; exit 1; }
if [ -e "/sys/kernel/tracing/instances/$inst" ]; then
	echo "FAIL: tracing instance $inst is left"; exit 1
fi
echo ok
