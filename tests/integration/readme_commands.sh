#!/bin/sh
# readme_commands.sh - README.md's by-hand commands work as written: takes
# the indented `sudo build/timewait lab ...` lines of README.md's by-hand
# paragraph from the README's own text and runs them, verbatim but for the
# leading `sudo` (we are root), from a scratch folder whose build/ is this
# build: lab up, the server in the background (its input held open so it
# runs until the client is done), the client, ss, lab down. Checks the
# client connected and read the server's bip, and that lab down wrote the
# pcaps; the lab it made is removed even when a step fails. A decoy
# timewait_server and timewait_client early in PATH must not be the ones
# lab exec runs: the project's own, next to build/timewait, come first.
# Needs root (the lab).
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
lab=""
cleanup() {
	[ -n "$lab" ] && "$TW" lab down --lab "$lab" --out "$out/left" >/dev/null 2>&1
	rm -rf "$out"
}
trap cleanup EXIT
sed -n '/^- The seed.s by-hand way/,/^- /p' "$top/README.md" |
	sed -n 's/^ *sudo \(build\/timewait lab .*\)$/\1/p' >"$out/cmds"
[ "$(grep -c . "$out/cmds")" -ge 4 ] || { cat "$out/cmds"; echo "FAIL: README's by-hand commands not found"; exit 1; }
cat "$out/cmds"
mkdir "$out/cwd" "$out/decoy"
ln -s "$BUILD" "$out/cwd/build"
for p in timewait_server timewait_client; do
	printf '#!/bin/sh\necho decoy %s; exit 3\n' "$p" >"$out/decoy/$p"
	chmod +x "$out/decoy/$p"
done
PATH="$out/decoy:$PATH"
export PATH
cd "$out/cwd" || exit 1
while IFS= read -r cmd; do
	echo "+ $cmd"
	case "$cmd" in
	*" lab up "*)
		sh -c "$cmd" >up.log 2>&1 || { cat up.log; echo "FAIL: $cmd"; exit 1; }
		lab=$(sed -n 's/^lab \([^ ]*\) is up.*/\1/p' up.log)
		[ -n "$lab" ] || { cat up.log; echo "FAIL: no lab id"; exit 1; }
		# Only this test's lab, whatever else is up on the machine.
		TIMEWAIT_LAB=$lab
		export TIMEWAIT_LAB ;;
	*timewait_server*)
		(sleep 4 | timeout 20 sh -c "$cmd" >server.log 2>&1) &
		sleep 1 ;;
	*timewait_client*)
		sleep 1 | timeout 20 sh -c "$cmd" >client.log 2>&1 ||
			{ cat client.log; echo "FAIL: $cmd"; exit 1; }
		grep -q 'connect .*connected' client.log || { cat client.log; echo "FAIL: the client did not connect"; exit 1; }
		grep -q 'read fd [0-9]* 17 bytes "BIP' client.log || { cat client.log; echo "FAIL: no bip read"; exit 1; }
		;;
	*" lab down"*)
		wait
		sh -c "$cmd" >down.log 2>&1 || { cat down.log; echo "FAIL: $cmd"; exit 1; }
		ls runs/"$lab"/*.pcap >/dev/null 2>&1 || { cat down.log; echo "FAIL: no pcaps in runs/$lab"; exit 1; }
		lab="" ;;
	*)
		timeout 20 sh -c "$cmd" || { echo "FAIL: $cmd"; exit 1; } ;;
	esac
done <"$out/cmds"
[ -z "$lab" ] || { echo "FAIL: the README never takes its lab down"; exit 1; }
grep -q 'listen' server.log || { cat server.log; echo "FAIL: the server did not listen"; exit 1; }
! grep -q decoy server.log client.log || { echo "FAIL: lab exec ran a timewait_* from PATH, not the project's"; exit 1; }
echo "PASS"
