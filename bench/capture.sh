#!/bin/sh
# bench/capture.sh - do the packet captures keep up with bursts?
#
#   bench/capture.sh [BUILD] [CONNECTIONS] [CAPTURES]
#
# Makes CONNECTIONS TCP connections (default 5000) as fast as one thread can
# between two test namespaces while CAPTURES captures (default 20, half on
# each end of the veth) record them, and prints for each capture the
# packets written and dropped, then the connection rate, the total, and how
# long a sock_diag dump of the TIME_WAIT sockets left behind took. Drops
# must be 0. Needs root; the namespaces are removed afterwards.
BUILD=${1:-build}
conns=${2:-5000}
caps=${3:-20}
if [ "$(id -u)" -ne 0 ]; then
	echo "bench/capture.sh: needs root" >&2
	exit 77
fi
exec "$BUILD/tests/test_capture_live" burst "$conns" "$caps"
