#!/bin/sh
# report_html.sh - `timewait report DIR --html` on the fixture run, opened in
# headless Chromium: the page must load on its own and hold the verdict
# table, the inline sequence diagram and the links to the pcaps. Skips (77)
# when Chromium is not installed.
top=$(cd "$(dirname "$0")/../.." && pwd)
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
[ -n "$browser" ] || { echo "needs chromium"; exit 77; }
out=$(mktemp -d)
prof=$(mktemp -d)
trap 'rm -rf "$out" "$prof"' EXIT
set -e
cp -r "$top/tests/fixtures/run-000" "$out/run"
"$TW" report "$out/run" --html
test -s "$out/run/report.html"
test -s "$out/run/000/sequence.svg"
timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
	--no-first-run --user-data-dir="$prof" --dump-dom "file://$out/run/report.html" \
	>"$out/dom.html" 2>"$out/chromium.log" || { tail "$out/chromium.log"; exit 1; }
for want in 'id="verdicts"' '<svg' 'TIME_WAIT' 'href="000/client.pcap"' 'href="000/server.pcap"' \
	'class="pass"' 'connect() = 0'; do
	grep -q -F "$want" "$out/dom.html" || { echo "FAIL: page lacks $want"; exit 1; }
done
timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
	--no-first-run --user-data-dir="$prof" --window-size=1200,1600 \
	--screenshot="$out/shot.png" "file://$out/run/report.html" >/dev/null 2>&1
test -s "$out/shot.png" || { echo "FAIL: no screenshot"; exit 1; }
echo ok
