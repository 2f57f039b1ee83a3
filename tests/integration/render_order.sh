#!/bin/sh
# render_order.sh - causes before effects in the drawings: runs the seed's
# 004 and 007 in the lab (`timewait lab run 004 007 --fast`), reads the rows
# every drawing shares through the text renderer (`timewait report --text`)
# and checks, in each connection, that a program's close() comes before
# the first FIN or RST its own kernel sends. A call is placed where it
# began (the events log's t0_ns), not where it returned.
# Also: each program's events log has t0_ns on its close lines, and no
# row of the text has a time that goes backwards.
# Needs root (the lab).
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$TW" lab run 004 007 --fast --out "$out/run" >"$out/lab.log" 2>&1 ||
	{ tail -20 "$out/lab.log"; echo "FAIL: lab run"; exit 1; }
for t in 004 007; do
	grep -h '"step":"close"' "$out/run/$t"/*.events.jsonl | grep -q '"t0_ns":' ||
		{ echo "FAIL: $t: close without t0_ns in the events log"; exit 1; }
	"$TW" report "$out/run/$t" --text --no-color >"$out/$t.txt" ||
		{ echo "FAIL: $t: report --text"; exit 1; }
	# Columns: 14 characters of time, then 81 per program/kernel pair;
	# the client program's calls start at column 15, the server's at 96.
	awk -v t="$t" '
	function check(   s) {
		for (s = 0; s < 2; s++)
			if (cl[s] && fin[s]) {
				pairs++
				if (cl[s] > fin[s]) {
					printf "FAIL: %s connection %d: %s close() on row %d after its FIN/RST on row %d\n",
					    t, conn, s ? "server" : "client", cl[s], fin[s]
					bad++
				}
			}
		cl[0] = cl[1] = fin[0] = fin[1] = 0
	}
	/^── connection/ { if (conn) check(); conn++; next }
	conn && /close\(\)/ {
		s = index($0, "close()") > 60
		if (!cl[s]) cl[s] = NR
	}
	conn && /sends ▶ [A-Z]*[FR]/ { if (!fin[0]) fin[0] = NR }
	conn && /sends ◀ [A-Z]*[FR]/ { if (!fin[1]) fin[1] = NR }
	END {
		check()
		if (pairs == 0) { printf "FAIL: %s: no close() with a FIN or RST to compare\n", t; exit 1 }
		if (bad) exit 1
		printf "%s: %d close()/FIN pairs in order\n", t, pairs
	}' "$out/$t.txt" || { cat "$out/$t.txt"; exit 1; }
	# Rows in time order: no time goes backwards (µs precision or better).
	awk '/^\+[0-9.]+ (µs|ms|s) / {
		v = substr($1, 2) + 0
		v *= $2 == "s" ? 1e6 : $2 == "ms" ? 1e3 : 1
		if (v < last) { print "FAIL: time goes backwards: " $0; exit 1 }
		last = v
	}' "$out/$t.txt" || exit 1
done
echo "PASS"
