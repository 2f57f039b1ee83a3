#!/bin/sh
# The whole catalogue in the lab with --fast: every verdict must be pass,
# every pcap must read back in tshark (an independent reader), and nothing
# may be left behind: after a normal run, after two runners at once, and
# after the runner is killed with SIGKILL (then 'lab clean' removes it all).
set -u
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v tshark >/dev/null || { echo "tshark is not installed"; exit 77; }
out=$(mktemp -d /tmp/tw-lab-test.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Other runs may go on beside this one (another `lab run`, a `lab up`
# held in another shell): the test judges only what its own runs own.
# Its labs are known by the ids their lab.json files name (a test writes
# lab.json right after its lab is built, in its fresh folder); a lab leaves its namespaces
# (<id>-<host>) and its tracing instance (<id>). Its processes (programs,
# test processes of a killed runner) are those holding a file of this
# test's folder open (a program's event log, a test's pcap).
own_ids() {
	# a test being written is in OUT/.tw-PID.XXXXXX/TEST/ until it is done
	sed -n 's/^ *"id": "\(tw-[0-9]*-[0-9]*\)".*/\1/p' "$out"/*/*/lab.json \
	    "$out"/*/.tw-*/*/lab.json 2>/dev/null | sort -u
}
leftovers() {
	nl=0 ni=0 np=0
	ns=$(ip netns list 2>/dev/null | awk '{print $1}')
	for id in $(own_ids); do
		echo "$ns" | grep -q "^$id-" && nl=$((nl + 1))
		[ -e "/sys/kernel/tracing/instances/$id" ] && ni=$((ni + 1))
	done
	np=$(find /proc/[0-9]*/fd -maxdepth 1 -lname "$out/*" 2>/dev/null |
	    cut -d/ -f3 | sort -u | wc -l)
	echo "$nl labs, $ni trace instances, $np processes"
}
none="0 labs, 0 trace instances, 0 processes"

# The host namespace, as it must stay: links, addresses, routes, sysctls
# (no lab touches them, whoever runs it).
host_state() {
	ip -o link | sed 's/ qlen [0-9]*//' | awk '{print $2, $3}'
	ip -o addr | awk '{print $2, $3, $4}'
	ip route; ip -6 route
	sysctl -n net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse \
	    net.ipv4.tcp_fin_timeout net.ipv4.tcp_timestamps net.ipv4.ip_unprivileged_port_start
	# mounts, but /run/netns (the namespaces in it) and tracefs: labs
	# come and go there, ours and other runs' alike, and ours are judged
	# by leftovers above
	awk '$2 !~ "^/run/netns" && $3 != "tracefs" {print $1, $2, $3}' /proc/mounts | sort
}
host_state > "$out/host.before"

# 1. The catalogue, all of it. At most 10 tests at once (-j 10): as fast
# as all 40 at once here (7.2 s against 7.7 s: the longest tests decide),
# and the timing checks (a snapshot 250 ms into a 500 ms FIN_WAIT2) do not
# share two cores with 39 other labs starting together.
"$TW" lab run all --fast -j 10 --out "$out/a" >"$out/all.log" 2>&1 ||
	{ cat "$out/all.log"; fail "lab run all --fast failed"; }
cat "$out/all.log"
for r in "$out"/a/*/result.json; do
	grep -q '"verdict": "pass"' "$r" || fail "not pass: $r"
done
n=$(ls "$out"/a/*/result.json | wc -l)
[ "$n" -eq "$("$TW" lab list --json | jq length)" ] || fail "$n results, not one per test of lab list"
[ "$n" -ge 11 ] || fail "only $n results"
# The whole run's results.json holds every test's verdict.
[ "$(jq '.tests | length' "$out/a/results.json")" = "$n" ] || fail "results.json: not $n tests"
[ "$(jq -r '.verdict' "$out/a/results.json")" = pass ] || fail "results.json: not pass"
for p in "$out"/a/*/*.pcap; do
	# tshark's own exit status, then the count of what it read.
	tshark -r "$p" -T fields -e tcp.flags.str >"$out/tshark.txt" 2>/dev/null ||
		fail "tshark cannot read $p"
	c=$(wc -l <"$out/tshark.txt")
	[ "$c" -gt 0 ] || fail "tshark reads no TCP packet in $p"
done
# tshark agrees with our checks: test 007's client sends a RST, test 003's a FIN first.
tshark -r "$out/a/007/client.pcap" -Y 'tcp.flags.reset==1' 2>/dev/null | grep -q . ||
	fail "tshark sees no RST in 007"
[ "$(leftovers)" = "$none" ] || fail "left behind after a normal run: $(leftovers)"
# race-rtt: a race series per delay, 50 runs each, the first in the test's
# folder and each other in a folder of its own, with its runs and drawings;
# the delay on the wire (handshake RTT) and a line per delay on the terminal.
rr=$out/a/race-rtt
[ "$(jq '.variants | length' "$rr/result.json")" = 3 ] || fail "race-rtt: not 3 variants"
for i in 0 1 2; do
	v=$(jq -c ".variants[$i]" "$rr/result.json")
	runs=$(echo "$v" | jq .runs)
	sum=$(echo "$v" | jq '[.outcomes[]] | add')
	f=$(echo "$v" | jq -r .folder)
	[ "$runs" = 50 ] && [ "$sum" = 50 ] || fail "race-rtt variant $i: $runs runs, outcomes add up to $sum"
	[ -s "$rr/$f/runs.jsonl" ] && [ -s "$rr/$f/sequence.svg" ] || fail "race-rtt: no runs or drawing in $f"
	grep -Eq "^ +$(echo "$v" | jq .delay_ms)ms +50 runs, RTT [0-9.]+ ms +[a-z_]+ [0-9]+ \(" "$out/all.log" ||
		fail "race-rtt: no terminal line for variant $i"
done
jq -e '.variants[0].handshake_rtt_ms < 1 and .variants[2].handshake_rtt_ms >= 19' "$rr/result.json" >/dev/null ||
	fail "race-rtt: the 10 ms delay is not on the wire"

# The close race, 50 times: the counts of its outcomes add up to 50, and
# each run's outcome agreed with the TIME_WAIT sockets.
"$TW" lab run 005 --repeat 50 --fast --out "$out/race" >/dev/null || fail "lab run 005 --repeat 50 failed"
sum=$(awk '/"outcomes"/ {on = 1; next} on && /}/ {on = 0} on {gsub(/[^0-9]/, "", $2); s += $2} END {print s + 0}' \
    "$out/race/005/result.json")
[ "$sum" = 50 ] || fail "the outcomes of 50 races add up to $sum"
[ "$(grep -c '"sockets_agree":true' "$out/race/005/runs.jsonl")" = 50 ] ||
	fail "not every race's outcome agreed with the sockets"

# 2. Two runners at once.
"$TW" lab run 000 003 --fast --out "$out/b" >/dev/null & b=$!
"$TW" lab run 000 003 --fast --out "$out/c" >/dev/null & c=$!
wait $b || fail "first of two runners failed"
wait $c || fail "second of two runners failed"
[ "$(leftovers)" = "$none" ] || fail "left behind after two runners: $(leftovers)"

# 3. SIGKILL in the middle of test 002 (it lasts 2.5 s with --fast): first
# the runner alone (its test processes then tear their labs down), then the
# runner with every process of its group at once (nothing can clean up:
# 'lab clean' must find and remove it all).
# until_clean SECONDS: wait for the runner's test processes to tear down.
until_clean() {
	i=0
	while [ "$(leftovers)" != "$none" ]; do
		i=$((i + 1)); [ $i -gt $(($1 * 10)) ] && return 1
		sleep 0.1
	done
}
"$TW" lab run 002 006 --fast --out "$out/d" >/dev/null 2>&1 & k=$!
sleep 1
kill -9 $k
until_clean 10 || fail "left behind after SIGKILL of the runner: $(leftovers)"
setsid "$TW" lab run 002 006 --fast --out "$out/e" >/dev/null 2>&1 &
pg=$!	# setsid execs in place: the runner, leader of its own group
sleep 1
# Its labs are there before the kill (once the group is dead, any other
# run's lab_build may remove them before our 'lab clean' does).
case $(leftovers) in "0 labs"*) fail "no lab of the second runner is up: the test tests nothing" ;; esac
kill -9 "-$pg" || fail "the second runner is not running"
# A process killed with SIGKILL takes a moment to die (longer under ASan):
# until then it counts as alive and 'lab clean' rightly leaves its lab.
# Every thread (-L): a leader is a zombie while its other threads still
# exit and hold its files, tracing instances included (rmdir: EBUSY).
i=0
while ps -L -o stat= -g "$pg" 2>/dev/null | grep -qv Z; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "the killed group does not die"
	sleep 0.1
done
"$TW" lab clean || fail "lab clean failed"
[ "$(leftovers)" = "$none" ] || fail "left behind after SIGKILL + clean: $(leftovers)"

# A dead run's temporary folder (/run/timewait/tmp/<pid>-*, as bench makes)
# goes too; pid 4194304 is above any pid_max, so it is never alive. A folder
# of the old name in /tmp is anyone's and stays (docs/security.md); it is
# named after a process that dies just before the clean (older timewait
# builds still running on the machine would remove a dead pid's meanwhile).
mkdir -p /run/timewait/tmp/4194304-test.x/sub && touch /run/timewait/tmp/4194304-test.x/sub/f
sleep 60 & owner=$!
mkdir -p /tmp/tw-$owner-tmp-test.x
kill $owner; wait $owner 2>/dev/null
"$TW" lab clean -q || fail "lab clean failed"
[ -d /tmp/tw-$owner-tmp-test.x ] || fail "lab clean removed a folder in /tmp it did not make"
rmdir /tmp/tw-$owner-tmp-test.x
[ ! -e /run/timewait/tmp/4194304-test.x ] || { rm -rf /run/timewait/tmp/4194304-test.x; fail "lab clean left a dead run's temporary folder"; }

# 4. Bad input: a clear message and exit 2, before anything is built.
"$TW" lab run nosuchtest >/dev/null 2>&1; [ $? = 2 ] || fail "unknown test: not exit 2"
"$TW" lab run --repeat x 005 >/dev/null 2>&1; [ $? = 2 ] || fail "bad --repeat: not exit 2"
"$TW" lab run 006 --time-scale 0.01 >"$out/scale.err" 2>&1; [ $? = 2 ] || fail "006 at scale 0.01: not exit 2"
grep -q "delayed ACK" "$out/scale.err" || fail "006 at scale 0.01: no reason given: $(cat "$out/scale.err")"
"$TW" lab run 000 --out /proc/nope >/dev/null 2>&1; [ $? = 1 ] || fail "unwritable --out: not exit 1"
[ "$(leftovers)" = "$none" ] || fail "bad input left something: $(leftovers)"
# The killed runners' test processes end their teardown by themselves (a
# while under ASan). Once none is left, and after the 'lab clean' that the
# rule allows after a SIGKILL ("nothing remains once lab clean or the next
# run has passed"), the host must be as it was.
i=0
while pgrep -f "$TW lab run .*--out $out" >/dev/null; do
	i=$((i + 1)); [ $i -gt 600 ] && fail "runners of this test still running after 60 s"
	sleep 0.1
done
"$TW" lab clean -q || fail "lab clean failed"
host_state > "$out/host.after"
diff "$out/host.before" "$out/host.after" || fail "the host namespace changed"
echo "all lab tests pass, nothing left behind, the host namespace unchanged"
