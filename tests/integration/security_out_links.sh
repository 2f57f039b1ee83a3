#!/bin/sh
# security_out_links.sh - issue 12, reproducer 2: root must not write or
# delete through links planted in an output folder, and result files belong
# to the user who ran sudo, never to nobody.
#
#   a. nobody's folder as 'lab run --out', with 000 -> root's folder and
#      004/hosts -> root's file: refused (exit 1), nothing written there.
#   b. a root folder as --out while nobody loops trying to plant
#      000/server.server.events.jsonl -> victim: the run passes, no file of
#      the run is nobody's; with SUDO_UID/SUDO_GID every file is that user's.
#   c. 'report DIR' on nobody's copy of a run with sequence.svg -> victim,
#      and 'report DIR --html FILE' with FILE a link of nobody's: refused.
#   d. 'lab down --out' into nobody's folder, or onto nobody's link in /tmp:
#      refused, the lab stays up; then written safely elsewhere.
#   e. 'bench --json/--plot' into nobody's folder or onto nobody's link:
#      refused before the benchmark runs.
# The victim ($V, root's) must be exactly as it was after each.
. "$(dirname "$0")/lib/attacker.sh"

victim_make

# a. nobody's output folder, links planted as in the issue.
R=$(as_nobody mktemp -d /tmp/twt-res.XXXXXX) || fail "nobody cannot mktemp"
CLEANUP="rm -rf '$R'"
as_nobody ln -s "$V/secretdir" "$R/000"
as_nobody mkdir "$R/004"
as_nobody ln -s "$V/secret_file" "$R/004/hosts"
"$TW" lab run 000 004 --fast --out "$R" >"$W/a.log" 2>&1; rc=$?
[ $rc = 1 ] || { cat "$W/a.log"; fail "lab run into nobody's folder: exit $rc, not 1"; }
grep -q "belongs to uid $(id -u nobody)" "$W/a.log" || { cat "$W/a.log"; fail "no clear message"; }
ok "lab run --out nobody's folder: $(head -n 1 "$W/a.log")"
victim_check "lab run --out nobody's folder"
[ -z "$(find "$R" -user root)" ] || fail "root wrote into nobody's folder: $(find "$R" -user root)"

# A folder others may write (even root's): refused as well.
mkdir -m 777 "$W/open" && chmod 777 "$W/open"
"$TW" lab run 000 --fast --out "$W/open" >"$W/a2.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "writable by others" "$W/a2.log" || { cat "$W/a2.log"; fail "world-writable --out: exit $rc"; }
ok "lab run --out a world-writable folder is refused"

# b. root's folder; nobody keeps trying to plant the events file link.
O=$W/out
mkdir -m 755 "$O"
as_nobody sh -c 'end=$(($(date +%s) + 6)); while [ $(date +%s) -lt $end ]; do
	mkdir -p "$1/000" 2>/dev/null; ln -sf "$2" "$1/000/server.server.events.jsonl" 2>/dev/null
	for d in "$1"/.tw-*; do ln -sf "$2" "$d/000/server.server.events.jsonl" 2>/dev/null; done
done' sh "$O" "$V/secret_file" & planter=$!
CLEANUP="rm -rf '$R'; kill $planter 2>/dev/null"
SUDO_UID=4242 SUDO_GID=4243 "$TW" lab run 000 004 --fast --out "$O" >"$W/b.log" 2>&1 ||
	{ cat "$W/b.log"; fail "lab run into root's folder"; }
wait $planter
victim_check "lab run while nobody plants links"
[ -z "$(find "$O" -user nobody)" ] || fail "files of nobody's in the run: $(find "$O" -user nobody)"
bad=$(find "$O/000" "$O/004" \( ! -uid 4242 -o ! -gid 4243 \) -print)
[ -z "$bad" ] || fail "result files not the sudo user's (4242:4243): $bad"
[ "$(stat -c %u:%g "$O/report.html")" = 4242:4243 ] || fail "report.html is not the sudo user's"
ok "every result file belongs to SUDO_UID:SUDO_GID, none to nobody"
# The programs ran as nobody and still wrote their logs (through the
# runner's descriptor): the events file is whole and not nobody's.
grep -q '"step":"listen"' "$O/000/server.server.events.jsonl" || fail "no listen in the server's log"
[ -z "$(ls -a "$O" | grep '^\.tw-')" ] || fail "a fresh folder was left in $O"
# A run again by the same user: the old folder is replaced as a whole.
# (Root alone would refuse to replace 4242's folder.)
touch "$O/000/left.by.hand"
"$TW" lab run 000 --fast --out "$O" >"$W/b1.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "belongs to uid 4242" "$W/b1.log" || { cat "$W/b1.log"; fail "root replaced uid 4242's folder"; }
SUDO_UID=4242 SUDO_GID=4243 "$TW" lab run 000 --fast --out "$O" >"$W/b2.log" 2>&1 || { cat "$W/b2.log"; fail "second lab run"; }
[ ! -e "$O/000/left.by.hand" ] || fail "the earlier test folder was not replaced whole"
mkdir "$O/001" && echo mine > "$O/001/notes.txt"
"$TW" lab run 001 --fast --out "$O" >"$W/b3.log" 2>&1; rc=$?
[ $rc != 0 ] && grep -q "not a run folder" "$W/b3.log" && [ -f "$O/001/notes.txt" ] ||
	{ cat "$W/b3.log"; fail "a folder that is not a run's was replaced (exit $rc)"; }
ok "test folders are replaced whole; a folder of something else is kept"

# c. report on nobody's copy of a run, sequence.svg a link to the victim.
C=$(as_nobody mktemp -d /tmp/twt-rep.XXXXXX) || fail "mktemp"
CLEANUP="rm -rf '$R' '$C'"
as_nobody cp -r "$O/000" "$C/000"
as_nobody ln -sf "$V/secret_file" "$C/000/sequence.svg"
"$TW" report "$C" >"$W/c.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "belongs to uid" "$W/c.log" || { cat "$W/c.log"; fail "report on nobody's folder: exit $rc"; }
"$TW" report "$C/000" >"$W/c2.log" 2>&1; rc=$?
[ $rc = 1 ] || { cat "$W/c2.log"; fail "report on nobody's test folder: exit $rc"; }
as_nobody ln -s "$V/secret_file" "$C/page.html"
"$TW" report --html "$C/page.html" "$O" >"$W/c3.log" 2>&1; rc=$?
[ $rc = 1 ] || { cat "$W/c3.log"; fail "report --html into nobody's folder: exit $rc"; }
victim_check "report on nobody's folder"
ok "report refuses nobody's folders: $(head -n 1 "$W/c.log")"

# d. lab down.
"$TW" lab up client server >"$W/up.log" 2>&1 || { cat "$W/up.log"; fail "lab up"; }
id=$(sed -n 's/^lab \(tw-[0-9-]*\) is up.*/\1/p' "$W/up.log")
CLEANUP="rm -rf '$R' '$C'; '$TW' lab down --lab '$id' --out '$W/down-final' >/dev/null 2>&1"
as_nobody ln -s "$V/secretdir" "$C/run1"
as_nobody ln -s "$V/secret_file" "$C/lab.json.tmp"
"$TW" lab down --lab "$id" --out "$C/run1" >"$W/d.log" 2>&1; rc=$?
[ $rc = 1 ] || { cat "$W/d.log"; fail "lab down --out into nobody's folder: exit $rc"; }
L=/tmp/twt-link.$$
as_nobody ln -s "$V/secretdir" "$L"
CLEANUP="rm -rf '$R' '$C' '$L'; '$TW' lab down --lab '$id' --out '$W/down-final' >/dev/null 2>&1"
"$TW" lab down --lab "$id" --out "$L" >"$W/d2.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "symbolic link" "$W/d2.log" || { cat "$W/d2.log"; fail "lab down --out onto nobody's link: exit $rc"; }
victim_check "lab down --out nobody's folder or link"
"$TW" lab down --lab "$id" --out "$W/down" >"$W/d3.log" 2>&1 || { cat "$W/d3.log"; fail "lab down"; }
CLEANUP="rm -rf '$R' '$C' '$L'"
for f in client.pcap server.pcap hosts lab.json; do
	[ -f "$W/down/$f" ] && [ ! -L "$W/down/$f" ] || fail "lab down: no $f"
done
ok "lab down refuses nobody's folders and links, then writes a folder of root's"

# e. bench output files (refused before anything runs).
"$TW" bench --json "$C/b.json" >"$W/e.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "another user" "$W/e.log" || { cat "$W/e.log"; fail "bench --json into nobody's folder: exit $rc"; }
P=/tmp/twt-plot.$$.svg
as_nobody ln -s "$V/secret_file" "$P"
CLEANUP="rm -rf '$R' '$C' '$L' '$P'"
"$TW" bench --plot "$P" >"$W/e2.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "belongs to uid" "$W/e2.log" || { cat "$W/e2.log"; fail "bench --plot onto nobody's link: exit $rc"; }
victim_check "bench --json/--plot"
ok "bench refuses: $(head -n 1 "$W/e.log")"
