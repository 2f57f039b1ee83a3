#!/bin/sh
# scenario_files.sh - a test is a file a person changes and runs without a
# rebuild, and the change really shows in what the lab sees:
#   1. 003 copied with the server closing first (code 0): 003's own checks
#      now fail because the TIME_WAIT moved to the server; with the checks
#      turned round the copy passes.
#   2. 003 copied with tcp_max_tw_buckets=0 on the client (a sysctl line),
#      and 003 itself with the same knob from --sysctl: no TIME_WAIT can
#      exist on the client, its TIME_WAIT check fails, so does the second
#      bind's EADDRINUSE (the bind succeeds), result.json records the knob,
#      and the machine's own value is untouched. 003-reuseaddr copied with
#      tcp_timestamps=0: the bind still succeeds, the connect fails (99).
#   3. A shipped test changed in a copy of the shipped folder, found by id
#      through $TIMEWAIT_SCENARIOS.
#   4. Malformed files: FILE:LINE on stderr, exit 2, no lab built (no
#      namespace named after the runner, no run folder).
#   5. race-rtt copied with a server that closes late (code 2: 0.5 s
#      after its write, scaled): every client's FIN reaches the server
#      before its close, even at 10 ms, and the outcome check fails.
set -u
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d /tmp/tw-scen-test.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# pass FILE EXPECTED: the named check's verdict in a result.json
check_pass() {
	jq -r --arg e "$2" '.checks[] | select(.expected == $e) | .pass' "$1"
}

cp "$top/scenarios/003.scen" "$out/server-first.scen"
sed -i -e 's/^test 003$/test mine-server-first/' \
    -e 's/^program server on server: timewait server -s 3$/program server on server: timewait server -s 0/' \
    -e 's/^program client on client: timewait client -t server -s 6 --next-on-enter$/program client on client: timewait client -t server -s 0 --requests 1/' \
    -e 's/^wait client bind 2$/wait client close 1/' \
    "$out/server-first.scen"
# (one request: a second one from port 667 would land in the server's
# TIME_WAIT and take it over, and the snapshot could catch that moment)
grep -q 'timewait server -s 0' "$out/server-first.scen" && grep -q 'timewait client -t server -s 0 --requests 1$' "$out/server-first.scen" ||
	fail "the copy was not changed"
# the same copy, its checks turned round to what the server-first close shows
sed -e 's/^test mine-server-first$/test mine-server-first-ok/' \
    -e '/^check /d' "$out/server-first.scen" > "$out/server-first-ok.scen"
cat >> "$out/server-first-ok.scen" <<'EOF'
check first-fin server: the server sends the first FIN
check timewait server at end >= 1: the server holds TIME_WAIT
check timewait client at end == 0: the client does not
check call client bind 1 ok: the request's bind succeeds
EOF
cp "$top/scenarios/003.scen" "$out/no-tw.scen"
sed -i -e 's/^test 003$/test mine-no-tw/' \
    -e 's/^host client$/host client\nsysctl client net.ipv4.tcp_max_tw_buckets=0/' "$out/no-tw.scen"
# 003-reuseaddr without timestamps: the TIME_WAIT of the 4-tuple no longer
# gives way to the new connect (EADDRNOTAVAIL)
sed -e 's/^test 003-reuseaddr$/test mine-reuse-nots/' \
    -e 's/^host client$/host client\nsysctl client net.ipv4.tcp_timestamps=0/' \
    "$top/scenarios/003-reuseaddr.scen" > "$out/reuse-nots.scen"

"$TW" lab check "$out/server-first.scen" "$out/server-first-ok.scen" "$out/no-tw.scen" ||
	fail "lab check refuses the changed copies"
"$TW" lab list "$out/no-tw.scen" | grep -q '^mine-no-tw ' || fail "lab list does not list a given file"

before=$(sysctl -n net.ipv4.tcp_max_tw_buckets)
"$TW" lab run "$out/server-first.scen" "$out/server-first-ok.scen" "$out/no-tw.scen" \
    "$out/reuse-nots.scen" --fast --out "$out/a" >"$out/a.log" 2>&1
[ $? = 1 ] || { cat "$out/a.log"; fail "three of four copies must fail, the run exit 1"; }

# 1. The code changed: the TIME_WAIT is the server's now.
r=$out/a/mine-server-first/result.json
[ "$(jq -r .verdict "$r")" = fail ] || fail "003 with the server closing first still passes its checks"
[ "$(check_pass "$r" 'the client sends the first FIN')" = false ] || fail "the client still closes first"
[ "$(check_pass "$r" 'the client holds TIME_WAIT')" = false ] || fail "the client still holds TIME_WAIT"
[ "$(check_pass "$r" 'the server does not')" = false ] || fail "the server holds no TIME_WAIT"
r=$out/a/mine-server-first-ok/result.json
[ "$(jq -r .verdict "$r")" = pass ] || { jq .checks "$r"; fail "the server-first copy with its own checks fails"; }

# 2. The sysctl changed: no TIME_WAIT on the client at all.
r=$out/a/mine-no-tw/result.json
[ "$(check_pass "$r" 'the client sends the first FIN')" = true ] || fail "no-tw: the client did not close first"
[ "$(check_pass "$r" 'the client holds TIME_WAIT')" = false ] ||
	fail "tcp_max_tw_buckets=0 on the client, yet it holds TIME_WAIT"
[ "$(jq -r '.sysctls.client["net.ipv4.tcp_max_tw_buckets"]' "$r")" = 0 ] ||
	fail "result.json does not record the sysctl"
# 003's claim: with no TIME_WAIT the second bind, made once the first
# socket has closed, succeeds; so its EADDRINUSE came from the TIME_WAIT
[ "$(check_pass "$r" "the second request's bind fails with EADDRINUSE (98)")" = false ] ||
	fail "no-tw: the second bind still fails without any TIME_WAIT"
[ "$(check_pass "$r" 'and when that bind began, port 667 was held in TIME_WAIT')" = false ] ||
	fail "no-tw: port-state still finds a TIME_WAIT"
r=$out/a/mine-reuse-nots/result.json
[ "$(check_pass "$r" 'while the TIME_WAIT held that port')" = true ] ||
	fail "reuse-nots: the bind did not come while the TIME_WAIT held the port"
jq -r '.checks[] | select(.expected == "and its connect succeeds") | .seen' "$r" | grep -q '(99)' ||
	fail "reuse-nots: the connect did not fail with EADDRNOTAVAIL: $(jq -c .checks "$r")"
[ "$(jq -r '.sysctls // "none"' "$out/a/mine-server-first/result.json")" = none ] ||
	fail "a test without sysctls records some"

# The same knob from the command line, on the shipped 003.
"$TW" lab run 003 --sysctl client:net.ipv4.tcp_max_tw_buckets=0 --fast --out "$out/b" >"$out/b.log" 2>&1
[ $? = 1 ] || { cat "$out/b.log"; fail "003 with --sysctl client:net.ipv4.tcp_max_tw_buckets=0 must fail"; }
r=$out/b/003/result.json
[ "$(check_pass "$r" 'the client holds TIME_WAIT')" = false ] || fail "--sysctl did not reach the client"
[ "$(check_pass "$r" "the second request's bind fails with EADDRINUSE (98)")" = false ] ||
	fail "003 --sysctl tcp_max_tw_buckets=0: the second bind still fails"
[ "$(jq -r '.sysctls.client["net.ipv4.tcp_max_tw_buckets"]' "$r")" = 0 ] || fail "--sysctl not recorded"
[ "$(sysctl -n net.ipv4.tcp_max_tw_buckets)" = "$before" ] || fail "the machine's own tcp_max_tw_buckets changed"

# 3. A shipped test changed where the binary looks for them.
cp -r "$top/scenarios" "$out/shipped"
sed -i 's/^check same-port client: both requests use the same source port$/check same-port client: one source port for both (changed)/' \
    "$out/shipped/000.scen"
TIMEWAIT_SCENARIOS=$out/shipped "$TW" lab run 000 --fast --out "$out/c" >"$out/c.log" 2>&1 ||
	{ cat "$out/c.log"; fail "the changed shipped 000 fails"; }
[ "$(check_pass "$out/c/000/result.json" 'one source port for both (changed)')" = true ] ||
	fail "the changed shipped 000 was not the one run"

# 4. Malformed: FILE:LINE, exit 2, nothing built.
printf 'test bad\ntitle t\nshows s\nhost client\nprogram c on client: timewait client\nstart c\nwait c clsoe\nend\n' > "$out/bad.scen"
cp "$top/scenarios/000.scen" "$out/global.scen"
sed -i 's/^host client$/host client\nsysctl client net.core.rmem_max=100000/' "$out/global.scen"
for f in bad.scen global.scen; do
	"$TW" lab run "$out/$f" --fast --out "$out/d" >"$out/d.log" 2>&1 & pid=$!
	wait $pid; rc=$?
	[ $rc = 2 ] || { cat "$out/d.log"; fail "$f: exit $rc, not 2"; }
	grep -Eq "^$out/$f:[0-9]+: " "$out/d.log" || { cat "$out/d.log"; fail "$f: no FILE:LINE message"; }
	ls /run/netns 2>/dev/null | grep -q "^tw-$pid-" && fail "$f: a lab was built"
	[ ! -e "$out/d" ] || fail "$f: a run folder was made"
done
"$TW" lab check "$out/bad.scen" 2>&1 | grep -q "^$out/bad.scen:7: 'clsoe' is not a step" ||
	fail "the wrong line or message for bad.scen"
"$TW" lab check "$out/global.scen" >/dev/null 2>&1; [ $? = 2 ] || fail "lab check passes a global sysctl"
"$TW" lab run 000 --sysctl client:kernel.pid_max=5 --fast --out "$out/d" >/dev/null 2>&1
[ $? = 2 ] || fail "--sysctl of a non-network knob: not exit 2"
"$TW" lab run 000 --sysctl nohost:net.ipv4.tcp_fin_timeout=5 --fast --out "$out/d" >/dev/null 2>&1
[ $? = 2 ] || fail "--sysctl of a host the test does not have: not exit 2"
cp "$top/scenarios/000.scen" "$out/dup.scen"
"$TW" lab run 000 "$out/dup.scen" --fast --out "$out/e" >"$out/e.log" 2>&1
[ $? = 2 ] && grep -q "two tests named '000'" "$out/e.log" || fail "two tests of one id in one run are not refused"
"$TW" lab check >/dev/null || fail "lab check refuses a shipped file"

# 5. race-rtt's claim broken: the server closes late, the client's FIN
# arrives first at every delay (--repeat 2: two runs per delay).
sed -e 's/^test race-rtt$/test mine-late-close/' \
    -e 's/timewait server -s 1$/timewait server -s 2/' "$top/scenarios/race-rtt.scen" >"$out/late.scen"
grep -q 'timewait server -s 2' "$out/late.scen" || fail "the race-rtt copy was not changed"
"$TW" lab run "$out/late.scen" --repeat 2 --fast --out "$out/f" >"$out/f.log" 2>&1
[ $? = 1 ] || { cat "$out/f.log"; fail "race-rtt with a late close: not exit 1"; }
r=$out/f/mine-late-close/result.json
[ "$(jq '.variants | length' "$r")" = 3 ] && [ "$(jq .runs_per_variant "$r")" = 2 ] ||
	fail "race-rtt copy: not 3 variants of 2 runs"
[ "$(jq '.variants[2].outcomes.client_time_wait' "$r")" = 2 ] || fail "late close: not 2 of 2 client_time_wait at 10 ms"
[ "$(jq '.checks[1].pass' "$r")" = false ] ||
	fail "late close: the outcome check does not fail: $(jq -c '.checks' "$r")"
grep -Eq '^ +10ms +2 runs, RTT' "$out/f.log" || fail "late close: no terminal line for 10 ms"
echo "changed copies run without a rebuild and show their change; malformed files exit 2 before any lab"
