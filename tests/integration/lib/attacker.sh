# attacker.sh - sourced by the security_*.sh tests (docs/security.md): an
# unprivileged user (nobody) who plants links and races swaps, and a victim
# of root's whose files must come through untouched.
#
#   as_nobody CMD...      run CMD as nobody:nogroup, no other groups
#   victim_make           $V/secretdir (N files) and $V/secret_file, root's
#   victim_check WHAT     fail unless the victim is exactly as made
#   swapper DIR A B SECS  a loop exchanging DIR/A and DIR/B (renameat2
#                         RENAME_EXCHANGE) as nobody; swapper_wait: SWAPS
#
# Needs root, setpriv and python3; exits 77 (skip) without them. Everything
# is under $W (made here, removed on exit with whatever the test adds to
# CLEANUP).
set -u
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v setpriv >/dev/null || { echo "needs setpriv"; exit 77; }
command -v python3 >/dev/null || { echo "needs python3"; exit 77; }
: "${TW:?TW must name the timewait binary}"

W=$(mktemp -d /tmp/twt-sec.XXXXXX) || exit 1
chmod 755 "$W"
V=$W/victim
SWAPPER=
CLEANUP=
cleanup() {
	[ -n "$SWAPPER" ] && kill "$SWAPPER" 2>/dev/null && wait "$SWAPPER" 2>/dev/null
	eval "$CLEANUP"
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

VICTIM_FILES=${VICTIM_FILES:-200}
victim_make() {
	mkdir -p "$V/secretdir"
	chmod 700 "$V"
	i=0
	while [ $i -lt "$VICTIM_FILES" ]; do
		for ext in json log md txt; do echo "root's $i" > "$V/secretdir/f$i.$ext"; done
		i=$((i + 1))
	done
	echo "root's secret" > "$V/secret_file"
	chmod 600 "$V/secret_file"
	victim_sum=$(victim_state)
}
victim_state() {
	( cd "$V" && find . -printf '%p %U:%G %m %s\n' | sort && cat secret_file ) | md5sum
}
victim_check() {
	[ "$(victim_state)" = "$victim_sum" ] || {
		ls -la "$V" "$V/secretdir" | head -20
		fail "$1: the victim's files were touched"
	}
	ok "$1: the victim's files are untouched"
}

# A python3 that nobody can run (not a shim under /root).
PY=
for p in /usr/bin/python3 /usr/local/bin/python3; do
	[ -x "$p" ] && as_nobody "$p" -c '' 2>/dev/null && { PY=$p; break; }
done
[ -n "$PY" ] || { echo "no python3 that nobody can run"; exit 77; }

# swapper DIR A B SECONDS [USER]: exchange DIR/A and DIR/B for SECONDS, as
# nobody (USER root: as root). Returns once the loop is running; then
# swapper_wait waits for it and sets SWAPS to how many exchanges it made.
swapper() {
	rm -f "$W/swaps" "$W/swapping"
	touch "$W/swaps" "$W/swapping"
	chmod 666 "$W/swaps" "$W/swapping"
	run=as_nobody
	[ "${5:-nobody}" = root ] && run=
	$run "$PY" -c '
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
d, a, b = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
n, end = 0, time.time() + float(sys.argv[4])
open(sys.argv[5] + "/swapping", "w").write("1")
while time.time() < end:
    if libc.renameat2(fd, a, fd, b, 2) == 0:   # RENAME_EXCHANGE
        n += 1
    elif ctypes.get_errno() == 2:
        break                                  # the folder is gone
open(sys.argv[5] + "/swaps", "w").write(str(n))
' "$1" "$2" "$3" "$4" "$W" &
	SWAPPER=$!
	i=0
	while [ ! -s "$W/swapping" ]; do
		i=$((i + 1)); [ $i -gt 200 ] && fail "the swapper does not start"
		sleep 0.05
	done
}
swapper_wait() { # sets SWAPS
	wait "$SWAPPER" 2>/dev/null
	SWAPPER=
	SWAPS=$(cat "$W/swaps")
}

# files_owned_by DIR UID: print the files under DIR not owned by UID.
files_not_owned_by() {
	find "$1" ! -uid "$2" -print
}
