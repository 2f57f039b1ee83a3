#!/bin/sh
# impair.sh - the lab's targeted drops (a scenario's `drop` lines, made
# with nftables in the sending host's namespace):
#   1. lost-last-ack drops exactly one segment, the client's last ACK, and
#      result.json says so (drops[0].dropped == 1); its rules are written
#      beside the captures; the server's capture shows the FIN twice.
#   2. The same file without its drop line fails its own checks: the
#      checks prove the loss, they do not pass whatever happens.
#   3. count 2: the client's last ACK and its answer to the first resent
#      FIN are dropped, exactly two, and the server sends its FIN three
#      times, without a RST.
#   4. A malformed drop line: FILE:LINE, exit 2, before any lab.
#   5. The machine's own ruleset is what it was: every rule lived in a lab
#      namespace and went with it.
set -u
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
command -v nft >/dev/null || { echo "nft is not installed (apt-get install nftables)"; exit 77; }
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d /tmp/tw-impair-test.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
ruleset() { nft list ruleset 2>/dev/null | md5sum; }
before=$(ruleset)

# 1. exactly one drop, recorded
"$TW" lab run lost-last-ack --fast --out "$out/a" >"$out/a.log" 2>&1 ||
	{ cat "$out/a.log"; fail "lost-last-ack did not pass"; }
r="$out/a/lost-last-ack/result.json"
[ "$(jq '.drops[0].dropped' "$r")" = 1 ] || fail "drops[0].dropped is not 1: $(jq -c .drops "$r")"
[ "$(jq -r '.drops[0].from + ">" + .drops[0].to' "$r")" = "client>server" ] || fail "drop not client>server"
grep -q 'tcp flags == 0x10' "$out/a/lost-last-ack/client.nft.txt" || fail "no rules written beside the captures"
n=$(tshark -r "$out/a/lost-last-ack/server.pcap" -Y 'tcp.flags.fin==1 && tcp.srcport==666' 2>/dev/null | wc -l)
[ "$n" = 2 ] || fail "tshark sees $n FINs from the server, not 2"

# 2. without the drop, the same checks fail
grep -v '^drop \|^check dropped' "$top/scenarios/lost-last-ack.scen" |
	sed 's/^test lost-last-ack$/test mine-no-drop/' > "$out/no-drop.scen"
"$TW" lab run "$out/no-drop.scen" --fast --out "$out/b" >/dev/null 2>&1 && fail "no drop, and still a pass"
[ "$(jq '[.checks[] | select(.pass == false)] | length' "$out/b/mine-no-drop/result.json")" -ge 3 ] ||
	fail "without the drop fewer than 3 checks fail"
jq -e '.drops' "$out/b/mine-no-drop/result.json" >/dev/null && fail "drops recorded for a test without any"

# 3. count 2: the last ACK and the answer to the first resent FIN
sed -e 's/^test lost-last-ack$/test mine-count2/' \
    -e 's/^drop from client to server flags A after FIN nth 1$/drop from client to server flags A after FIN nth 1 count 2/' \
    -e 's/^snapshot end settle 1000ms$/snapshot end settle 1500ms/' \
    -e '/^check /d' "$top/scenarios/lost-last-ack.scen" > "$out/count2.scen"
cat >> "$out/count2.scen" <<'EOF'
check dropped client server == 2: two of the client's ACKs are dropped
check sends server FIN == 3: so the server sends its FIN three times
check receives server RST == 0: and no RST
EOF
"$TW" lab run "$out/count2.scen" --fast --out "$out/c" >"$out/c.log" 2>&1 ||
	{ cat "$out/c.log"; jq -c '.checks[]' "$out/c/mine-count2/result.json"; fail "count 2 did not pass"; }

# 4. a malformed drop line
printf 'test x\ntitle t\nshows s\nhost client\nhost server\ndrop from client to server flags Q\n' > "$out/bad.scen"
"$TW" lab check "$out/bad.scen" 2>"$out/bad.err"
[ $? = 2 ] || fail "a bad drop line is not exit 2"
grep -q "bad.scen:6: bad flags 'Q'" "$out/bad.err" || fail "no FILE:LINE: $(cat "$out/bad.err")"

# 5. the machine's ruleset untouched
[ "$(ruleset)" = "$before" ] || fail "the machine's own nftables ruleset changed"
echo "ok"
