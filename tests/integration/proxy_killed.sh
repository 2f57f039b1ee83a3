#!/bin/sh
# proxy_killed.sh - `lab run` of a proxy test killed in the middle leaves
# nothing behind. A copy of haproxy-keepalive-10-8 whose client would
# quit only after 600 s is run; once its HAProxy serves (seen as a process
# of user nobody whose configuration is in this test's output folder, in
# the lab's proxy host), `lab run` gets SIGTERM. Then, within 10 s: the
# runner has ended, no process of the run is left (no HAProxy, no program),
# none of the lab's namespaces, no half-written folder (out/.tw-*), and
# the configuration exists only in the stopped test's own folder, kept as
# its record (out/ID/proxy/haproxy.cfg). The same with SIGINT (Ctrl+C).
# Exit 77 without root or without haproxy.
set -u
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
[ -x /usr/sbin/haproxy ] || [ -x /usr/local/sbin/haproxy ] ||
	{ echo "haproxy is not installed (make deps)"; exit 77; }
TW=${TW:-build/timewait}
case "$TW" in /*) ;; *) TW="$(pwd)/$TW" ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d /tmp/tw-proxykilled.XXXXXX) || exit 1
RUNNER=
cleanup() {
	[ -n "$RUNNER" ] && kill "$RUNNER" 2>/dev/null && wait "$RUNNER" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "FAIL: $*"; [ -f "$W/run.log" ] && tail -n 20 "$W/run.log"; exit 1; }

sed -e 's/^test haproxy-keepalive-10-8$/test mine-proxy-killed/' \
    -e 's/^at 5s enter client as quit$/at 600s enter client as quit/' \
    -e 's/^wait client quit within 3s$/wait client quit within 700s/' \
    -e 's/^at 5s snapshot end settled settle 300ms$/at 600s snapshot end settled/' \
    "$top/scenarios/haproxy-keepalive-10-8.scen" >"$W/slow.scen"
grep -q 'at 600s enter client' "$W/slow.scen" || fail "the copy was not changed"
"$TW" lab check "$W/slow.scen" >/dev/null || fail "the copy does not parse"

# pids of processes whose command line names this test's output folder
ours() {
	for p in /proc/[0-9]*; do
		cat "$p/cmdline" 2>/dev/null | tr '\0' ' ' | grep -q -- "$W/out" && echo "${p#/proc/}"
	done
}

for sig in TERM INT; do
	rm -rf "$W/out"
	"$TW" lab run "$W/slow.scen" --out "$W/out" >"$W/run.log" 2>&1 &
	RUNNER=$!
	# the proxy: HAProxy of user nobody, in a namespace of the run's lab
	hap=
	i=0
	while [ -z "$hap" ] && [ $i -lt 200 ]; do
		for p in $(pgrep -u nobody -x haproxy); do
			[ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = /tmp ] || continue
			ns=$(ip netns identify "$p" 2>/dev/null)
			case $ns in tw-*-proxy) ;; *) continue ;; esac
			# its folder is this run's (bound at /tmp in its own mount namespace)
			grep -q " /tmp " "/proc/$p/mountinfo" 2>/dev/null &&
			    grep " /tmp " "/proc/$p/mountinfo" | grep -q "$(basename "$W")" &&
			    hap=$p lab=${ns%-proxy}
		done
		[ -n "$hap" ] || sleep 0.05
		i=$((i + 1))
	done
	[ -n "$hap" ] || fail "no HAProxy of this run after 10 s"
	ls "$W"/out/.tw-*/mine-proxy-killed/proxy/haproxy.cfg >/dev/null 2>&1 ||
		fail "no configuration in the run folder while HAProxy runs"
	ip netns list | grep -q "^$lab-client" || fail "no client host of $lab while it runs"
	sleep 0.3
	kill -"$sig" "$RUNNER"
	i=0
	while kill -0 "$RUNNER" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -0 "$RUNNER" 2>/dev/null && fail "lab run did not end within 10 s of SIG$sig"
	wait "$RUNNER"
	RUNNER=
	kill -0 "$hap" 2>/dev/null && fail "HAProxy ($hap) left running after SIG$sig"
	left=$(ours)
	[ -z "$left" ] || fail "processes of the run left after SIG$sig: $left"
	ip netns list | grep -q "^$lab-" && fail "namespaces of $lab left after SIG$sig"
	ls -d "$W"/out/.tw-* >/dev/null 2>&1 && fail "a half-written folder left after SIG$sig"
	n=$(find "$W/out" -name haproxy.cfg | wc -l)
	[ "$n" -eq 1 ] && [ -f "$W/out/mine-proxy-killed/proxy/haproxy.cfg" ] ||
		fail "the configuration is not (only) in the stopped test's folder: $(find "$W/out" -name haproxy.cfg)"
	grep -q 'stopped' "$W/run.log" || fail "lab run does not say the test was stopped"
	echo "ok: SIG$sig in the middle: no HAProxy, no program, no namespace of $lab, nothing half-written"
done
echo "ok: proxy_killed"
