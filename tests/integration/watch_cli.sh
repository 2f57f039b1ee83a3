#!/bin/sh
# timewait watch, its command line and its ways out: bad flags exit 2 with a
# one-line message; a missing namespace exits 1; without privileges, a
# message naming them and exit 1; not on a terminal, one plain line per
# interval; on a terminal (script(1)), the top-like screen, in colour
# unless NO_COLOR is set; --count stops it, and so does a closed pipe; SIGTERM stops it and removes
# its tracing instance; one left by a watch killed outright (SIGKILL)
# together with its janitor is removed by the next watch (its janitor
# alone removes it otherwise: killed_runs.sh).
set -u
fail() { echo "FAIL: $*"; exit 1; }
out=$(mktemp -d /tmp/tw-watch-cli.XXXXXX)
trap 'rm -rf "$out"' EXIT

# Usage errors: no root needed for these.
for args in "--bogus" "--interval 0" "--interval abc" "--count 0" "--count -3" \
    "--listen nonsense" "--listen 127.0.0.1:99999" "extra" "--netns"; do
	# shellcheck disable=SC2086
	"$TW" watch $args >"$out/o" 2>"$out/e"
	rc=$?
	[ $rc = 2 ] || fail "'watch $args': exit $rc, not 2"
	[ "$(wc -l <"$out/e")" = 1 ] || fail "'watch $args': not one line: $(cat "$out/e")"
	grep -q '^timewait watch: ' "$out/e" || fail "'watch $args': $(cat "$out/e")"
done
"$TW" watch --help | grep -q -- '--listen ADDR:PORT' || fail "--help"

[ "$(id -u)" = 0 ] || { echo "needs root for the rest (tracing)"; exit 77; }

# Without privileges: the ones missing, named; exit 1.
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TW" watch --count 1 \
	    >"$out/o" 2>"$out/e"
	rc=$?
	cat "$out/e"
	[ $rc = 1 ] || fail "unprivileged: exit $rc"
	grep -q 'needs root.*CAP_SYS_ADMIN' "$out/e" || fail "unprivileged: $(cat "$out/e")"
fi

"$TW" watch --netns "no-such-ns-$$" --count 1 >"$out/o" 2>"$out/e"
[ $? = 1 ] || fail "missing namespace: not exit 1"
grep -q "no-such-ns-$$" "$out/e" || fail "missing namespace: $(cat "$out/e")"

# Not a terminal: one plain line an interval, --count stops it.
"$TW" watch --interval 0.2 --count 3 >"$out/plain" 2>"$out/e" || fail "plain: exit $?"
cat "$out/plain"
[ "$(grep -c 'time_wait=[0-9]* opened/s=' "$out/plain")" = 3 ] || fail "not 3 plain lines"
grep -q "$(printf '\033')" "$out/plain" && fail "escape sequences in plain output"

# Its reader gone (`watch | head -n 1`): it stops by itself, exit 0.
timeout 10 sh -c "\"$TW\" watch --interval 0.1 | head -n 1 >/dev/null" ||
	fail "watch | head: did not stop on its own"

# A terminal: the screen, coloured; NO_COLOR: no colour.
if command -v script >/dev/null; then
	script -qec "$TW watch --interval 0.2 --count 2" /dev/null >"$out/term" </dev/null ||
		fail "terminal: exit $?"
	grep -q 'DESTINATION/SERVICE' "$out/term" || fail "terminal: no table"
	grep -q "$(printf '\033\\[1m')" "$out/term" || fail "terminal: no bold"
	NO_COLOR=1 script -qec "$TW watch --interval 0.2 --count 2" /dev/null >"$out/nc" </dev/null ||
		fail "NO_COLOR: exit $?"
	grep -q 'DESTINATION/SERVICE' "$out/nc" || fail "NO_COLOR: no table"
	grep -q "$(printf '\033\\[1m')" "$out/nc" && fail "NO_COLOR: still bold"
	grep -q "$(printf '\033\\[3[13]m')" "$out/nc" && fail "NO_COLOR: still coloured"
fi

# SIGTERM: a clean stop, its tracing instance gone.
"$TW" watch --interval 0.2 >"$out/t" 2>&1 &
wp=$!
i=0
while [ ! -s "$out/t" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -d "/sys/kernel/tracing/instances/tw-$wp-1-watch" ] || fail "no instance tw-$wp-1-watch while running"
kill -TERM $wp
wait $wp || fail "SIGTERM: exit $?"
[ ! -e "/sys/kernel/tracing/instances/tw-$wp-1-watch" ] || fail "SIGTERM: instance left"

# SIGKILL of watch and of its janitor (the tw-janitor whose socket is the
# peer of one of watch's): the instance stays; the next watch removes it.
"$TW" watch --interval 0.2 >"$out/k" 2>&1 &
wp=$!
i=0
while [ ! -s "$out/k" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
socks=$(ls -l "/proc/$wp/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
jp=$(ss -xpn 2>/dev/null | awk -v socks=" $socks " '/"tw-janitor"/ &&
    index(socks, " " $8 " ") { sub(/.*"tw-janitor",pid=/, ""); sub(/,.*/, ""); print; exit }')
[ -n "$jp" ] || { kill $wp; fail "SIGKILL: watch has no janitor"; }
kill -KILL "$jp"
kill -KILL $wp
wait $wp
[ -d "/sys/kernel/tracing/instances/tw-$wp-1-watch" ] || fail "SIGKILL: no instance to clean (test broken)"
"$TW" watch --interval 0.1 --count 1 >/dev/null || fail "watch after SIGKILL"
[ ! -e "/sys/kernel/tracing/instances/tw-$wp-1-watch" ] || fail "a killed watch's instance survived the next watch"
echo "command line, outputs and signals pass"
