#!/bin/sh
# security_full_disk.sh - issue 12, reproducer 7: on a full disk the run
# says so. A small tmpfs (mounted here, always unmounted) as --out: the
# test must end as an error of the lab naming the disk, never blame the
# programs ("server never logged 'listen' in time"), and leave no empty or
# half result.json. Then 'lab down' onto a full disk: exit 1, the reason.
. "$(dirname "$0")/lib/attacker.sh"
command -v jq >/dev/null || { echo "needs jq"; exit 77; }

# The program side: a log line that cannot be written ends the program
# with status 74 and says why (here /dev/full, handed over as fd 3).
"$TW" server -p 40998 --time-scale 0.1 --events /dev/fd/3 1 3>/dev/full </dev/null >"$W/srv.log" 2>&1; rc=$?
[ $rc = 74 ] && grep -q "cannot write the event log: No space left on device" "$W/srv.log" ||
	{ cat "$W/srv.log"; fail "server with a full event log: exit $rc, not 74"; }
ok "a program whose event log is full stops with 74: $(cat "$W/srv.log" | tail -n 1)"

M=$W/mnt
mkdir "$M"
for size in 12k 40k 64k; do
	mount -t tmpfs -o size=$size,mode=755 tmpfs "$M" || { echo "cannot mount a tmpfs"; exit 77; }
	CLEANUP="umount '$M' 2>/dev/null"
	"$TW" lab run 000 --fast --out "$M/res" >"$W/run.log" 2>&1; rc=$?
	r=$M/res/000/result.json
	if [ $rc = 0 ]; then
		# Everything fitted: then every file is whole.
		jq -e .verdict "$r" >/dev/null || fail "size $size: passed, but result.json is not whole"
		for f in "$M"/res/000/*.json; do jq . "$f" >/dev/null || fail "size $size: $f is not whole"; done
		ok "size $size: everything fitted, every JSON file whole"
	else
		grep -q "lab error" "$W/run.log" || { cat "$W/run.log"; fail "size $size: exit $rc without 'lab error'"; }
		grep -q "never logged" "$W/run.log" && { cat "$W/run.log"; fail "size $size: the programs are blamed"; }
		grep -q "ERROR" "$W/run.log" || fail "size $size: the verdict is not ERROR"
		if [ -e "$r" ]; then
			jq -e .verdict "$r" >/dev/null || fail "size $size: result.json is $(stat -c %s "$r") bytes and not whole"
		fi
		ok "size $size: exit $rc, $(grep -o 'lab error[^[]*' "$W/run.log" | head -n 1)"
	fi
	umount "$M" || fail "cannot unmount $M"
	CLEANUP=
done

# lab down onto a disk with no room.
"$TW" lab up client server >"$W/up.log" 2>&1 || { cat "$W/up.log"; fail "lab up"; }
id=$(sed -n 's/^lab \(tw-[0-9-]*\) is up.*/\1/p' "$W/up.log")
mount -t tmpfs -o size=4k,mode=755 tmpfs "$M" || fail "cannot mount a tmpfs"
CLEANUP="umount '$M' 2>/dev/null; '$TW' lab down --lab '$id' --out '$W/junk' >/dev/null 2>&1"
head -c 8192 /dev/zero > "$M/fill" 2>/dev/null
"$TW" lab exec --lab "$id" client -- ping -c 1 -W 1 server >/dev/null 2>&1
"$TW" lab down --lab "$id" --out "$M/down" >"$W/down.log" 2>&1; rc=$?
CLEANUP="umount '$M' 2>/dev/null"
[ $rc = 1 ] && grep -q "No space left on device" "$W/down.log" ||
	{ cat "$W/down.log"; fail "lab down onto a full disk: exit $rc"; }
ok "lab down onto a full disk: $(cat "$W/down.log")"
[ ! -e "$M/down" ] || fail "lab down left a half run folder"
"$TW" lab status | grep -q "$id" && fail "the lab is still up"
umount "$M" || fail "cannot unmount $M"
CLEANUP=
