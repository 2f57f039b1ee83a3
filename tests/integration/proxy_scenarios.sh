#!/bin/sh
# proxy_scenarios.sh - the shipped proxy tests as `lab run` runs them
# (scenarios/haproxy-*.scen, nginx-*.scen, apache-*.scen):
#   1. each whose proxy is installed passes alone with --fast in at most 5 s,
#      every check of its result.json true, the checks of one hop among
#      them ("towards"), its drawing with the lifelines of client, proxy
#      and backend, the proxy's rendered configuration and log kept in the
#      run folder (proxy/) with the lab's addresses in it, and the proxy's
#      own log naming the request; its log lines on the drawing: in
#      timeline.json an event of the proxy host for the request, tied to
#      the client's connection (its 4-tuple) and to the backend connection
#      it names (HAProxy: by the 4-tuple it logs, its source port the one
#      in the label; nginx and Apache: by time), a note on the proxy's
#      lifeline in the Mermaid and SVG drawings;
#   1b. nginx-no-ports, apache-no-ports (one source port on the proxy
#      host): the first request's log line names the backend connection
#      from port 40000, the second's connect() error (EADDRNOTAVAIL) and
#      its 502 / 503 are tied to the second client connection and name no
#      backend connection, drawn in order: the error after the request's
#      data, the 5xx after the answer; and the error listed in report.md's
#      "The proxy's log" with that client connection;
#   2. the checks can fail: nginx-keepalive's checks on a copy that runs
#      nginx's default upstream fail on the backend hop (a FIN from the
#      proxy, a TIME_WAIT towards the backend, no connection kept open);
#   3. a test whose proxy is not installed is reported as skipped, neither
#      passed nor failed (the binary hidden in a mount namespace of this
#      test's own): exit 0, "skipped" in the table with the reason, and in
#      results.json.
# Exit 77 without root, without jq, or when no proxy at all is installed.
set -u
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
TW=${TW:-build/timewait}
case "$TW" in /*) ;; *) TW="$(pwd)/$TW" ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d /tmp/tw-proxyscen.XXXXXX) || exit 1
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

installed() { # haproxy | nginx | apache
	case $1 in
	haproxy) [ -x /usr/sbin/haproxy ] || [ -x /usr/local/sbin/haproxy ] ;;
	nginx) [ -x /usr/sbin/nginx ] || [ -x /usr/local/sbin/nginx ] ;;
	apache) [ -x /usr/sbin/apache2 ] || [ -x /usr/sbin/httpd ] ;;
	esac
}

ids=""
for id in haproxy-keepalive haproxy-keepalive-10-8 haproxy-httpclose haproxy-server-close \
    haproxy-close haproxy-tunnel nginx-default nginx-keepalive apache-default nginx-no-ports \
    apache-no-ports; do
	[ -f "$top/scenarios/$id.scen" ] || fail "no shipped scenario $id"
	if installed "${id%%-*}"; then
		ids="$ids $id"
	else
		echo "not run: $id (${id%%-*} is not installed)"
	fi
done
[ -n "$ids" ] || { echo "no proxy is installed (make deps)"; exit 77; }

# 1. Each passes, fast, alone (as `timewait lab run ID --fast`), with what
# it is about in its folder.
for id in $ids; do
	d="$out/runs/$id"
	"$TW" lab run "$id" --fast --out "$out/runs" >"$out/run.log" 2>&1 ||
		{ cat "$out/run.log"; fail "lab run $id --fast failed"; }
	line=$(grep "^$id " "$out/run.log" | tail -n 1)
	secs=$(echo "$line" | awk '{ print $3 }')
	echo "$line" | awk '{ exit !($2 == "pass") }' || fail "$id: $line"
	awk -v s="$secs" 'BEGIN { exit !(s > 0 && s <= 5) }' || fail "$id took $secs s (at most 5)"
	[ "$(jq -r .verdict "$d/result.json")" = pass ] || fail "$id: verdict not pass"
	n=$(jq '[.checks[] | select(.pass != true)] | length' "$d/result.json")
	[ "$n" -eq 0 ] || fail "$id: $n checks not passed"
	jq -r '.checks[].seen' "$d/result.json" | grep -q ' towards ' ||
		fail "$id: no check of one hop"
	for h in client proxy backend; do
		grep -q "participant .* as $h kernel" "$d/sequence.mmd" ||
			fail "$id: no lifeline of $h in the drawing"
	done
	conf=$(ls "$d"/proxy/haproxy.cfg "$d"/proxy/nginx.conf "$d"/proxy/apache2.conf 2>/dev/null | head -n 1)
	[ -n "$conf" ] || fail "$id: no rendered configuration in proxy/"
	backend=$(jq -r '.hosts[] | select(.name == "backend") | .addr' "$d/lab.json" 2>/dev/null)
	[ -n "$backend" ] || backend=$(awk '$2 == "backend" { print $1 }' "$d/hosts")
	[ -n "$backend" ] && grep -q "$backend" "$conf" ||
		fail "$id: the backend's address ($backend) is not in $conf"
	grep -q -e '{proxy}' -e '{backend}' -e '{client}' -e '{dir}' "$conf" &&
		fail "$id: a placeholder left in $conf"
	# the client's address in the proxy's log line, HAProxy's source port
	# towards the backend, the request and its status in the others'
	client=$(awk '$2 == "client" { print $1 }' "$d/hosts")
	proxy=$(awk '$2 == "proxy" { print $1 }' "$d/hosts")
	case $id in
	haproxy-*) want="client=$client:[0-9]* front=$proxy:666 src=$proxy:[0-9]* upstream=$backend:666" ;;
	apache-*) want="client=$client:[0-9]* front=$proxy:666 status=200 " ;;
	*) want="client=$client:[0-9]* front=$proxy:666 upstream=$backend:666 status=200 " ;;
	esac
	grep -qs -e "$want" "$d"/proxy/*.log || fail "$id: the proxy's log has no line '$want'"
	# ... and on the drawing: the first request's line as an event of the
	# proxy host tied to the client's connection and to the backend's
	kind=${id%%-*}
	ev=$(jq -c --arg k "$kind" --arg c "$client:" --arg p "$proxy:666" '
	    [.connections[] as $x | $x.events[] |
	     select(.step == $k and .host == "proxy" and .t_precision_ns > 0 and .conn == $x.id and
	         ($x.client | startswith($c)) and $x.server == $p)] | first // empty' "$d/timeline.json")
	[ -n "$ev" ] || fail "$id: no $kind log event tied to the client's connection in timeline.json"
	up=$(echo "$ev" | jq -r '.backend_conn // empty')
	[ -n "$up" ] || fail "$id: the log event names no backend connection: $ev"
	upc=$(jq -r --argjson i "$up" '.connections[] | select(.id == $i) | "\(.client) \(.server)"' "$d/timeline.json")
	case "$upc" in
	"$proxy":*" $backend:666") ;;
	*) fail "$id: the log event's backend connection is $upc, not proxy -> backend:666" ;;
	esac
	how=$(echo "$ev" | jq -r .backend_match)
	port=${upc%% *}
	port=${port##*:}
	case $kind in
	haproxy)
		[ "$how" = 4-tuple ] || fail "$id: HAProxy's backend connection found by '$how', not its 4-tuple"
		grep -qs "src=$proxy:$port upstream=$backend:666" "$d/proxy/stdout.log" ||
			fail "$id: HAProxy logged no source port $port" ;;
	*)
		case "$how" in time*) ;; *) fail "$id: backend connection found by '$how'" ;; esac ;;
	esac
	echo "$ev" | jq -r .detail | grep -q "from :$port" ||
		fail "$id: the label does not name the source port $port: $ev"
	grep -q "^    Note over P[0-9]: $kind: .* from :$port" "$d/sequence.mmd" ||
		fail "$id: no note of the $kind log line in sequence.mmd"
	grep -q 'class="plog"' "$d/sequence.svg" || fail "$id: no log line drawn in sequence.svg"
	echo "ok: $id passes in $secs s, per hop, three lifelines, its config and log kept," \
	    "its log line on the drawing ($(echo "$ev" | jq -r .detail), $how)"
done

# 1b. Out of ports: the failed connect and the 5xx on the second client
# connection, no backend connection named.
for id in nginx-no-ports apache-no-ports; do
	case " $ids " in *" $id "*) ;; *) continue ;; esac
	kind=${id%%-*}
	t="$out/runs/$id/timeline.json"
	proxy=$(awk '$2 == "proxy" { print $1 }' "$out/runs/$id/hosts")
	n=$(jq '.connections | length' "$t")
	[ "$n" -eq 3 ] || fail "$id: $n connections, not 3 (two requests, one backend connection)"
	second=$(jq -c --arg p "$proxy:666" '[.connections[] | select(.server == $p)] | .[1]' "$t")
	echo "$second" | jq -e --arg k "$kind" '[.events[] | select(.step == $k and .errname == "EADDRNOTAVAIL" and .backend_conn == null)] | length == 1' >/dev/null ||
		fail "$id: no EADDRNOTAVAIL log event on the second client connection: $second"
	echo "$second" | jq -e --arg k "$kind" '[.events[] | select(.step == $k and .ret >= 500 and .backend_conn == null)] | length == 1' >/dev/null ||
		fail "$id: no 5xx log event on the second client connection"
	# on the timeline: the error after the request's data came in, the
	# 5xx after the answer left (nginx's $msec is a truncated ms before it).
	# jq reads numbers as doubles (a quarter of a us at these times): "just
	# after" (1 ns) reads as equal here; the unit test checks it exactly.
	echo "$second" | jq -e --arg k "$kind" '
	    ([.packets[] | select(.from == "client" and .len > 0) | .t_received] | max) as $req |
	    ([.packets[] | select(.from == "server" and .len > 0) | .t_sent] | max) as $ans |
	    ([.events[] | select(.step == $k and .errname == "EADDRNOTAVAIL")][0].t) as $err |
	    ([.events[] | select(.step == $k and .ret >= 500)][0].t) as $five |
	    $err >= $req and $err < $ans and $five >= $ans' >/dev/null ||
		fail "$id: the error is not drawn between the request and the answer, or the 5xx before the answer: $second"
	jq -e --arg k "$kind" '[.connections[].events[] | select(.step == $k and .ret == 200 and (.detail | test("from :40000")))] | length == 1' "$t" >/dev/null ||
		fail "$id: the first request's log event does not name port 40000"
	grep -q "Note over P[0-9]: $kind: connect.* to .* failed (99: Cannot assign requested address)" \
	    "$out/runs/$id/sequence.mmd" || fail "$id: the error is not drawn"
	grep -q 'class="plogerr"' "$out/runs/$id/sequence.svg" ||
		fail "$id: the error is not drawn in red in sequence.svg"
	# and listed in report.md, on the second client connection
	sc=$(echo "$second" | jq -r '.client + " -> " + .server')
	sed -n "/^## The proxy's log/,/^## /p" "$out/runs/$id/report.md" |
	    grep -F "(99: Cannot assign requested address) [EADDRNOTAVAIL]; client: $sc (client -> proxy); backend: none" >/dev/null ||
		fail "$id: report.md's proxy log has no 99 line on the second client connection"
	echo "ok: $id: connect() failed (99) and the $(echo "$second" | jq --arg k "$kind" '.events[] | select(.step == $k and .ret >= 500) | .ret')" \
	    "on the second client connection, no backend connection"
done

# 2. The checks can fail: nginx-keepalive's checks against nginx's default.
if installed nginx; then
	sed -e 's/^test nginx-keepalive$/test mine-nginx-swapped/' \
	    -e 's/^program proxy on proxy: proxy nginx-keepalive$/program proxy on proxy: proxy nginx-default/' \
	    "$top/scenarios/nginx-keepalive.scen" >"$out/swapped.scen"
	grep -q 'proxy nginx-default' "$out/swapped.scen" || fail "the copy was not changed"
	"$TW" lab run "$out/swapped.scen" --fast --out "$out/runs" >"$out/swapped.log" 2>&1 &&
		fail "nginx-keepalive's checks passed on nginx's default upstream"
	r="$out/runs/mine-nginx-swapped/result.json"
	[ "$(jq -r .verdict "$r")" = fail ] || fail "the swapped run's verdict is not fail"
	n=$(jq '[.checks[] | select(.pass == false)] | length' "$r")
	[ "$n" -ge 3 ] || fail "only $n checks failed on the swapped proxy: $(jq -c '.checks' "$r")"
	jq -r '.checks[] | select(.pass == false) | .seen' "$r" | grep -q 'towards backend' ||
		fail "the failed checks are not the backend hop's"
	echo "ok: nginx-keepalive's checks fail on nginx default ($n checks, on the backend hop)"
fi

# 3. A proxy that is not installed: skipped, with the reason.
if installed haproxy && command -v unshare >/dev/null; then
	hide=$(ls /usr/sbin/haproxy /usr/local/sbin/haproxy 2>/dev/null)
	: >"$out/empty"
	chmod 644 "$out/empty"
	cmd=""
	for b in $hide; do cmd="$cmd mount --bind $out/empty $b &&"; done
	unshare -m --propagation private sh -c "$cmd \"$TW\" lab run haproxy-tunnel --fast --out \"$out/skip\"" \
	    >"$out/skip.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] || { cat "$out/skip.log"; fail "a skipped test made lab run exit $rc"; }
	grep -q '^haproxy-tunnel  *skipped .*haproxy is not installed' "$out/skip.log" ||
		{ cat "$out/skip.log"; fail "no 'skipped' line with the reason"; }
	grep -q '0 passed, 0 failed, 1 skipped' "$out/skip.log" ||
		{ cat "$out/skip.log"; fail "the skipped test counted as passed or failed"; }
	[ "$(jq -r '.tests[0].verdict' "$out/skip/results.json")" = skipped ] ||
		fail "results.json does not say skipped"
	[ -e "$out/skip/haproxy-tunnel" ] && fail "a skipped test left a run folder"
	[ -x /usr/sbin/haproxy ] || [ -x /usr/local/sbin/haproxy ] || fail "haproxy hidden outside the test"
	echo "ok: without haproxy, haproxy-tunnel is skipped with the reason, exit 0"
fi
echo "ok: proxy scenarios"
