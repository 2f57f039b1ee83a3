#!/bin/sh
# bench/trace.sh - does the kernel trace keep up with a burst of connections?
#
#   bench/trace.sh [BUILD] [CONNECTIONS] [PARALLEL]
#
# Makes CONNECTIONS connections (default 40000) between two test namespaces
# from PARALLEL client processes to as many servers (default 4), while
# ktrace records sock:inet_sock_set_state, tcp:tcp_send_reset,
# tcp:tcp_receive_reset and tcp:tcp_destroy_sock. Prints the connection
# rate and the trace's figures: events kept (about 12 a connection), seen,
# lost. The target: 20,000 connections a second or more with 0 lost. Needs
# root; the namespaces and the tracing instance are removed afterwards.
BUILD=${1:-build}
conns=${2:-40000}
par=${3:-4}
if [ "$(id -u)" -ne 0 ]; then
	echo "bench/trace.sh: needs root" >&2
	exit 77
fi
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
TWPAIR_NOTRACE=1 "$top/tests/fixtures/mkrun.sh" "$BUILD" "$out" "$conns" 0 "$par" |
	grep '^requests' | sed 's/^requests \([^;]*\);.*/trace: without the trace, connections \1/'
rm -rf "$out/000"
line=$("$top/tests/fixtures/mkrun.sh" "$BUILD" "$out" "$conns" 0 "$par" | grep '^requests')
echo "$line" | sed 's/^requests/trace: with the trace, connections/'
case "$line" in
*" 0 lost"*) ;;
*) echo "trace: events were lost" >&2; exit 1 ;;
esac
