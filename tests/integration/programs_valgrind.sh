# The two programs under valgrind (memcheck): seed tests 000 (server 1,
# client 0) and 007 (server 1, client 1: the delayed read that fails) on
# loopback, and an HTTP exchange (server 8, client 9). Every run must end
# with no memory error and no leak; the server quits by end of input (a
# fifo closed), the client by --quit-when-done, so both exit normally and
# valgrind sees their whole life.
. "$(dirname "$0")/lib/pair.sh"
command -v valgrind >/dev/null 2>&1 || { echo "valgrind is not installed"; exit 77; }
# The sanitizer pass of make check has its own checker: valgrind cannot run
# a binary built with AddressSanitizer.
ldd "$TW" 2>/dev/null | grep -q libasan && { echo "an ASan build: valgrind runs on the plain one"; exit 77; }
VG="valgrind -q --error-exitcode=3 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect"

vg_pair() { # name, server code, client code
	pick_ports $4
	mkfifo "$T/$1.in"
	$VG "$TW" server -p "$SPORT" --time-scale 0.1 --events "$T/$1.s.jsonl" "$2" \
	    <"$T/$1.in" >"$T/$1.server.log" 2>&1 &
	vp=$!
	exec 7>"$T/$1.in"	# the server's standard input, held open until the end
	wait_for "$T/$1.s.jsonl" '"step":"listen","ret":0' 20
	$VG "$TW" client -t 127.0.0.1 -c "$SPORT" -f "$CPORT" --time-scale 0.1 \
	    --quit-when-done --events "$T/$1.c.jsonl" "$3" </dev/null >"$T/$1.client.log" 2>&1 ||
		fail "$1: the client under valgrind exited with $?"
	exec 7>&-		# end of input: the server quits
	wait $vp || fail "$1: the server under valgrind exited with $?"
	echo "ok: $1 clean under valgrind"
}
vg_pair t000 1 0 16720
vg_pair t007 1 1 16730
vg_pair http 8 9 16740
