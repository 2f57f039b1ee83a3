#!/bin/sh
# capture_sockdiag.sh - capture.c and sockdiag.c under load, for real: two
# test namespaces joined by a veth pair (made and always removed by the
# driver, build/tests/test_capture_live), 20 captures at once while 2,000
# connections are made as fast as one thread can, then a sock_diag dump of
# the 2,000 TIME_WAIT sockets they leave. Fails on any dropped packet, any
# missing SYN in any file, or a TIME_WAIT socket missing from the dump.
#
# Why a C driver rather than `timewait lab ...`: the lab (lab.h) is being
# built at the same time on another branch; the driver needs nothing of it.
# The driver's plain run (no argument) is the functional test and runs with
# the unit tests; this script runs its "burst" mode.
if [ "$(id -u)" -ne 0 ]; then
	echo "needs root"
	exit 77
fi
driver="${BUILD:-build}/tests/test_capture_live"
if [ ! -x "$driver" ]; then
	echo "no $driver: run make units first"
	exit 1
fi
exec "$driver" burst 2000 20
