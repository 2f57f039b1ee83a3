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
#   5. A link delay of 10 ms (NFQUEUE on the lab's bridge): each packet
#      captured leaving one host is captured arriving at the other 10 ms
#      later, +-1 ms (the median, and 90% of packets on a busy machine);
#      without the delay, well under 1 ms.
#   6. duplicated-fin (duplicate 100% from client): result.json counts the
#      copies, links.jsonl names each copied segment, the server's capture
#      has the client's FIN twice and the client's once; with
#      tcp_rfc1337=1 on the server its last check fails (the RST no longer
#      ends TIME_WAIT).
#   7. fin-overtakes-data without its reorder fails its out-of-order check.
#   8. rate 256kbit, three clients at once: the packets arrive when an
#      ideal 256 kbit/s link would deliver them, 90% within 1 ms (median
#      under 0.3 ms), and the packets that queued behind another arrive at
#      256 kbit/s +-5% (bits over the gaps between arrivals, in the
#      captures; -0.08% on a quiet machine, a held softirq costs more).
#   9. Malformed rate, duplicate and reorder values: FILE:LINE, exit 2.
#  10. The machine's own ruleset is what it was: every rule lived in a lab
#      namespace and went with it.
# And every drop is marked (lab/droplog.c, HOST.drops.jsonl): lost-last-ack's
# timeline.json and SVG hold exactly one dropped segment, the client's last
# ACK (flags A, the seq and ack of the ACK the server only receives after
# its resent FIN), and the run without the drop holds none (1, 2); count 2
# marks two (3); a link's random loss writes down as many packets as its
# counters say, and each TCP one is a dropped packet of the timeline (7);
# the 10 ms delay is in the drawing's labels (5).
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

# dropmark DIR: the test folder's drawings hold exactly one dropped segment,
# the client's last ACK, which the server only received once, later
dropmark() {
	t="$1/timeline.json"
	[ "$(jq .dropped "$t")" = 1 ] || { echo "timeline.json: $(jq .dropped "$t") dropped, not 1"; return 1; }
	jq -e '[.connections[].packets[] | select(.dropped)] | length == 1' "$t" >/dev/null ||
		{ echo "not one packet marked dropped"; return 1; }
	# the dropped one: from the client, a bare ACK of the server's FIN,
	# never captured; the same ACK is received once, after it
	jq -e '.connections[0].packets as $p | ($p | map(select(.dropped)) | .[0]) as $d |
	    ($p | map(select(.from == "server" and (.flags | test("F")))) | .[0]) as $sf |
	    ($p | map(select(.from == "client" and (.flags | test("F")))) | .[0]) as $cf |
	    $d.from == "client" and $d.flags == "A" and $d.t_sent == null and
	    $d.t_received == null and $d.dropped.where == "sender" and
	    $d.ack == (($sf.seq + 1) % 4294967296) and $d.seq == (($cf.seq + 1) % 4294967296) and
	    ([$p[] | select(.from == "client" and .flags == "A" and .seq == $d.seq and
	      .ack == $d.ack and .t_received != null and .t_received > $d.dropped.t)] | length) == 1' \
	    "$t" >/dev/null || { echo "the dropped packet is not the client's last ACK"; return 1; }
	[ "$(grep -c '<g class="dropped">' "$1/sequence.svg")" = 1 ] || { echo "the SVG marks $(grep -c '<g class="dropped">' "$1/sequence.svg") drops, not 1"; return 1; }
	grep -q 'dropped by the lab (drop from client to server flags A after FIN nth 1)' "$1/sequence.svg" ||
		{ echo "the SVG does not say which drop line"; return 1; }
	grep -q -- '--xK1: A seq=2 ack=2 ✕ dropped by the lab' "$1/sequence.mmd" || { echo "mermaid: no lost message"; return 1; }
	grep -q -- '>x K1 : A seq=2 ack=2  ✕ dropped by the lab' "$1/sequence.puml" || { echo "plantuml: no lost message"; return 1; }
	grep -q 'A .*seq=2 .*✕ dropped by the lab' "$1/report.md" || { echo "report.md: no dropped segment"; return 1; }
}

# 1. exactly one drop, recorded
"$TW" lab run lost-last-ack --fast --out "$out/a" >"$out/a.log" 2>&1 ||
	{ cat "$out/a.log"; fail "lost-last-ack did not pass"; }
r="$out/a/lost-last-ack/result.json"
[ "$(jq '.drops[0].dropped' "$r")" = 1 ] || fail "drops[0].dropped is not 1: $(jq -c .drops "$r")"
[ "$(jq -r '.drops[0].from + ">" + .drops[0].to' "$r")" = "client>server" ] || fail "drop not client>server"
grep -q 'tcp flags == 0x10' "$out/a/lost-last-ack/client.nft.txt" || fail "no rules written beside the captures"
n=$(tshark -r "$out/a/lost-last-ack/server.pcap" -Y 'tcp.flags.fin==1 && tcp.srcport==666' 2>/dev/null | wc -l)
[ "$n" = 2 ] || fail "tshark sees $n FINs from the server, not 2"
[ "$(wc -l < "$out/a/lost-last-ack/client.drops.jsonl")" = 1 ] || fail "client.drops.jsonl has not one line"
dropmark "$out/a/lost-last-ack" || fail "lost-last-ack's drawings do not mark its drop"
"$TW" report --text "$out/a/lost-last-ack" 2>/dev/null | grep -q 'sends ▶ A seq=2 ack=2  ✕ dropped by the lab' ||
	fail "the text timeline does not mark the drop"

# 2. without the drop, the same checks fail
grep -v '^drop \|^check dropped' "$top/scenarios/lost-last-ack.scen" |
	sed 's/^test lost-last-ack$/test mine-no-drop/' > "$out/no-drop.scen"
"$TW" lab run "$out/no-drop.scen" --fast --out "$out/b" >/dev/null 2>&1 && fail "no drop, and still a pass"
[ "$(jq '[.checks[] | select(.pass == false)] | length' "$out/b/mine-no-drop/result.json")" -ge 3 ] ||
	fail "without the drop fewer than 3 checks fail"
jq -e '.drops' "$out/b/mine-no-drop/result.json" >/dev/null && fail "drops recorded for a test without any"
dropmark "$out/b/mine-no-drop" >/dev/null && fail "a drop drawn where the lab dropped nothing"
[ "$(jq '.dropped // 0' "$out/b/mine-no-drop/timeline.json")" = 0 ] || fail "a dropped packet in a run without drops"

# 3. count 2: the last ACK and the answer to the first resent FIN
sed -e 's/^test lost-last-ack$/test mine-count2/' \
    -e 's/^drop from client to server flags A after FIN nth 1$/drop from client to server flags A after FIN nth 1 count 2/' \
    -e 's/^snapshot end settle 1500ms$/snapshot end settle 3500ms/' \
    -e '/^check /d' "$top/scenarios/lost-last-ack.scen" > "$out/count2.scen"
cat >> "$out/count2.scen" <<'EOF'
check dropped client server == 2: two of the client's ACKs are dropped
check sends server FIN == 3: so the server sends its FIN three times
check receives server RST == 0: and no RST
EOF
"$TW" lab run "$out/count2.scen" --fast --out "$out/c" >"$out/c.log" 2>&1 ||
	{ cat "$out/c.log"; jq -c '.checks[]' "$out/c/mine-count2/result.json"; fail "count 2 did not pass"; }
jq -e '[.connections[].packets[] | select(.dropped and .from == "client" and .flags == "A")] | length == 2' \
    "$out/c/mine-count2/timeline.json" >/dev/null || fail "count 2: not two dropped ACKs in timeline.json"
[ "$(grep -c '<g class="dropped">' "$out/c/mine-count2/sequence.svg")" = 2 ] || fail "count 2: not two drops drawn"

# 4. a malformed drop line
printf 'test x\ntitle t\nshows s\nhost client\nhost server\ndrop from client to server flags Q\n' > "$out/bad.scen"
"$TW" lab check "$out/bad.scen" 2>"$out/bad.err"
[ $? = 2 ] || fail "a bad drop line is not exit 2"
grep -q "bad.scen:6: bad flags 'Q'" "$out/bad.err" || fail "no FILE:LINE: $(cat "$out/bad.err")"

# 5. a 10 ms delay, measured in the captures
command -v tshark >/dev/null || { echo "tshark is not installed"; exit 77; }
[ -x /usr/sbin/iptables ] || { echo "iptables is not installed (the delays need it)"; exit 77; }
# one_way DIR: each TCP packet's arrival on one capture minus its leaving
# on the other, in ms, sorted (a packet is its source, ports, seq, ack, flags)
one_way() {
	for h in client server; do
		tshark -r "$1/$h.pcap" -Y tcp -T fields -e frame.time_epoch -e ip.src \
		    -e tcp.srcport -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags 2>/dev/null
	done | awk -F'\t' '{k = $2" "$3" "$4" "$5" "$6; if (k in t) {d = ($1 - t[k]) * 1000;
	    print d < 0 ? -d : d} else t[k] = $1}' | sort -n
}
for delay in 10ms 0; do
	{
		printf 'test mine-delay\ntitle t\nshows s\nhost client\nhost server\n'
		[ "$delay" = 0 ] || printf 'link client server delay %s\n' "$delay"
		printf 'program server on server: timewait server -s 1\n'
		printf 'program client on client: timewait client -t server -s 0 --no-bind --requests 20\n'
		printf 'start server\nstart client\nwait client close 20 within 10s\nend\n'
		printf 'check sends client RST == 0: no RST\n'
	} > "$out/delay.scen"
	rm -rf "$out/d"
	"$TW" lab run "$out/delay.scen" --fast --out "$out/d" >"$out/d.log" 2>&1 ||
		{ cat "$out/d.log"; fail "the delay test did not pass with delay $delay"; }
	one_way "$out/d/mine-delay" > "$out/lat.txt"
	n=$(wc -l < "$out/lat.txt")
	[ "$n" -ge 100 ] || fail "only $n packets seen on both captures"
	med=$(awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}' "$out/lat.txt")
	if [ "$delay" = 10ms ]; then
		ok=$(awk '$1 >= 9 && $1 <= 11' "$out/lat.txt" | wc -l)
		echo "delay 10 ms: $n packets, median $med ms, $ok within 9-11 ms"
		awk -v m="$med" 'BEGIN {exit !(m >= 9 && m <= 11)}' || fail "median $med ms, not 10 +- 1"
		[ $((ok * 10)) -ge $((n * 9)) ] || fail "only $ok of $n packets within 10 +- 1 ms"
		[ "$(jq '.links[0].passed[0]' "$out/d/mine-delay/result.json")" -ge 50 ] ||
			fail "result.json: fewer than 50 packets delayed from the client"
		# the drawing says it: "FA seq=.. ack=.. · 10.050 ms on the wire"
		w=$(grep -c '· [0-9.]* ms on the wire' "$out/d/mine-delay/sequence.svg")
		[ $((w * 10)) -ge $((n * 9)) ] || fail "only $w of $n packets labelled with their time on the wire"
	else
		echo "no delay: $n packets, median $med ms"
		awk -v m="$med" 'BEGIN {exit !(m < 1)}' || fail "without a delay the median is $med ms"
		jq -e '.links' "$out/d/mine-delay/result.json" >/dev/null && fail "links recorded without a delay"
	fi
done

# 6. duplicates, counted and seen twice on the wire; the check that fails
# when the server keeps TIME_WAIT (tcp_rfc1337=1)
"$TW" lab run duplicated-fin --fast --out "$out/e" >"$out/e.log" 2>&1 ||
	{ cat "$out/e.log"; fail "duplicated-fin did not pass"; }
r="$out/e/duplicated-fin/result.json"
[ "$(jq '.links[0].duplicate.copies[0]' "$r")" -ge 5 ] || fail "fewer than 5 copies: $(jq -c .links "$r")"
[ "$(jq '.links[0].duplicate.copies[1]' "$r")" = 0 ] || fail "copies the other way"
[ "$(grep -c '"what":"duplicate"' "$out/e/duplicated-fin/links.jsonl")" = "$(jq '.links[0].duplicate.copies[0]' "$r")" ] ||
	fail "links.jsonl does not name each copy"
fins() { tshark -r "$1" -Y 'tcp.flags.fin==1 && tcp.dstport==666' 2>/dev/null | wc -l; }
[ "$(fins "$out/e/duplicated-fin/client.pcap")" = 1 ] || fail "the client's capture has not 1 FIN of its own"
[ "$(fins "$out/e/duplicated-fin/server.pcap")" = 2 ] || fail "the server's capture has not the client's FIN twice"
"$TW" lab run duplicated-fin --fast --sysctl server:net.ipv4.tcp_rfc1337=1 --out "$out/f" >/dev/null 2>&1 &&
	fail "duplicated-fin passes with tcp_rfc1337=1"
jq -e '[.checks[] | select(.pass == false)] | length == 1 and (.[0].seen | test("1 socket in TIME_WAIT"))' \
    "$out/f/duplicated-fin/result.json" >/dev/null ||
	fail "with tcp_rfc1337=1 not exactly the TIME_WAIT check failed: $(jq -c '.checks' "$out/f/duplicated-fin/result.json")"

# 7. reordering: without it, the out-of-order check fails
sed -e 's/ reorder 100%//' -e '/^check reordered/d' -e 's/^test fin-overtakes-data$/test mine-no-reorder/' \
    "$top/scenarios/fin-overtakes-data.scen" > "$out/noreo.scen"
"$TW" lab run "$out/noreo.scen" --fast --out "$out/g" >/dev/null 2>&1 && fail "no reordering, and still a pass"
jq -e '.checks[] | select(.pass == false) | select(.seen == "0 packets reached client after one sent later")' \
    "$out/g/mine-no-reorder/result.json" >/dev/null || fail "without reordering the out-of-order check did not fail"

# 8. a rate, measured in the captures against an ideal link
# rate_errors DIR SENDER RECEIVER BPS: for each packet from SENDER found in
# RECEIVER's capture, "e US": |arrival - ideal arrival| in microseconds,
# the ideal link starting a frame once the one ahead is through and taking
# len * 8 / BPS; sorted; last, "rate B": the bits of the packets that
# queued behind another over the gaps between their arrivals.
rate_errors() {
	src=$(jq -r ".hosts[] | select(.name == \"$2\") | .addr" "$1/lab.json")
	for h in "$2" "$3"; do
		tshark -r "$1/$h.pcap" -Y "tcp && ip.src == $src" -T fields -e frame.time_epoch \
		    -e tcp.srcport -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags -e frame.len 2>/dev/null |
		    sed "s/^/$h\t/"
	done | awk -F'\t' -v s="$2" '{k = $3" "$4" "$5" "$6}
	    $1 == s {ts[k] = $2; len[k] = $7; next}
	    (k in ts) && !(k in tr) {tr[k] = $2}
	    END {for (k in tr) print ts[k], tr[k], len[k]}' | sort -n |
	awk -v bps="$4" '{b = $3 * 8; q = NR > 1 && fin > $1
	    fin = (q ? fin : $1) + b / bps; e = ($2 - fin) * 1e6; print "e", (e < 0 ? -e : e)
	    if (q) {bits += b; gap += $2 - pr}; pr = $2}
	    END {printf "rate %.0f\n", (gap > 0 ? bits / gap : 0)}' | sort -k1,1 -k2n
}
{
	printf 'test mine-rate\ntitle t\nshows s\nhost client\nhost server\n'
	printf 'link client server rate 256kbit\n'
	printf 'program server on server: timewait server -s 1\n'
	for c in client client2 client3; do
		printf 'program %s on client: timewait client -t server -s 0 --no-bind --requests 15\n' $c
	done
	printf 'start server\nstart client\nstart client2\nstart client3\n'
	printf 'wait client close 15 within 20s\nwait client2 close 15 within 20s\n'
	printf 'wait client3 close 15 within 20s\nend\ncheck sends client RST == 0: no RST\n'
} > "$out/rate.scen"
"$TW" lab run "$out/rate.scen" --fast --out "$out/h" >"$out/h.log" 2>&1 ||
	{ cat "$out/h.log"; fail "the rate test did not pass"; }
jq -e '.links[0].rate.bps == [256000, 256000] and .links[0].rate.queue_drops == [0, 0]' \
    "$out/h/mine-rate/result.json" >/dev/null || fail "result.json: $(jq -c .links "$out/h/mine-rate/result.json")"
for way in "client server" "server client"; do
	# shellcheck disable=SC2086
	rate_errors "$out/h/mine-rate" $way 256000 > "$out/rate.txt"
	n=$(grep -c '^e' "$out/rate.txt")
	med=$(awk -v n="$n" '$1 == "e" && ++i == int((n + 1) / 2) {print $2}' "$out/rate.txt")
	max=$(awk '$1 == "e" {m = $2} END {print m}' "$out/rate.txt")
	ok=$(awk '$1 == "e" && $2 < 1000' "$out/rate.txt" | wc -l)
	bps=$(awk '$1 == "rate" {print $2}' "$out/rate.txt")
	echo "rate 256kbit $way: $n packets, off the ideal link by median $med us, max $max us," \
	    "$ok within 1 ms; $bps bit/s queued"
	[ "$n" -ge 150 ] || fail "only $n packets matched ($way)"
	# a loaded machine may hold the softirq that delivers a packet for
	# some ms (as for the delay): the median and 90%, not every packet
	awk -v m="$med" 'BEGIN {exit !(m < 300)}' || fail "$way: median $med us off the ideal link"
	[ $((ok * 10)) -ge $((n * 9)) ] || fail "$way: only $ok of $n packets within 1 ms of the ideal link"
	awk -v b="$bps" 'BEGIN {exit !(b > 243200 && b < 268800)}' || fail "$way: $bps bit/s, not 256k +-5%"
done

# 9. malformed link values
for bad in 'rate 1mbps:rate '"'"'1mbps'"'"': a number and a unit' 'duplicate 5:duplicate '"'"'5'"'"': a percentage' \
    'reorder 101%:'"'"'101'"'"' is not a number from 0 to 100'; do
	printf 'test x\ntitle t\nshows s\nhost client\nhost server\nlink client server %s\n' "${bad%%:*}" > "$out/bad.scen"
	"$TW" lab check "$out/bad.scen" 2>"$out/bad.err"
	[ $? = 2 ] || fail "'${bad%%:*}' is not exit 2"
	grep -qF "bad.scen:6: ${bad#*:}" "$out/bad.err" || fail "no FILE:LINE for '${bad%%:*}': $(cat "$out/bad.err")"
done

# 10. a link's random loss: every packet it drops written down and drawn
{
	printf 'test mine-loss\ntitle t\nshows s\nhost client\nhost server\n'
	printf 'link client server loss 25%%\n'
	printf 'program server on server: timewait server -s 1\n'
	printf 'program client on client: timewait client -t server -s 0 --no-bind --requests 5\n'
	printf 'start server\nstart client\nwait client close 5 within 3s\nend\n'
	printf 'check sends client RST == 0: no RST\n'
} > "$out/loss.scen"
# it may fail (a lost SYN takes a second): what matters is what it recorded
"$TW" lab run "$out/loss.scen" --fast --out "$out/l" >"$out/l.log" 2>&1
d="$out/l/mine-loss"
[ -f "$d/result.json" ] || { cat "$out/l.log"; fail "the loss run wrote no result"; }
lost=$(jq '.links[0].lost | add' "$d/result.json")
lines=$(cat "$d"/*.drops.jsonl 2>/dev/null | wc -l)
tcp=$(cat "$d"/*.drops.jsonl 2>/dev/null | grep -c '"proto":6,')
echo "loss 25%: the engine lost $lost packets, $lines written down ($tcp TCP), $(jq ".dropped // 0" "$d/timeline.json") dropped in the timeline"
[ "$lost" -ge 1 ] || fail "the loss dropped nothing"
[ "$lines" = "$lost" ] || fail "$lost packets lost, $lines written down"
[ "$(jq ".dropped // 0" "$d/timeline.json")" = "$tcp" ] || fail "timeline.json: $(jq ".dropped // 0" "$d/timeline.json") dropped, not $tcp"
jq -e --argjson n "$tcp" '[.connections[].packets[] | select(.dropped.where == "link" and .t_received == null)] | length == $n' \
    "$d/timeline.json" >/dev/null || fail "the lost packets are not marked lost on the link"
[ "$(grep -c 'lost on the link (loss 25% on the link from' "$d/sequence.svg")" = "$tcp" ] ||
	fail "the SVG does not mark each lost packet"

# 11. the machine's ruleset untouched
[ "$(ruleset)" = "$before" ] || fail "the machine's own nftables ruleset changed"
echo "ok"
