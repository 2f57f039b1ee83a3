#!/bin/sh
# security_tmp_swap.sh - issue 12, reproducer 1: root must not delete files
# of an attacker's choosing while it cleans temporary folders.
#
# The attacker (nobody) makes /tmp/tw-<dead pid>-tmp-x, the name old runs
# used, with a subfolder of files, and swaps that subfolder with a link to
# root's folder as fast as it can (renameat2 RENAME_EXCHANGE) while root
# runs 'lab clean' and 'lab run'. The old nftw walk deleted most of the
# victim's files. Now: nothing in /tmp is ever looked at (the attacker's
# folder stays, the victim is untouched), and the tool's own temporary
# folders, in root's /run/timewait/tmp, are removed by a descriptor walk
# that the same swap cannot redirect either.
. "$(dirname "$0")/lib/attacker.sh"

victim_make
# The folder is named after a process that lives while it is set up and
# dies right before root cleans: then it is "a dead run's" to the old code
# (and other timewait runs on this machine leave it alone meanwhile).
sleep 120 & owner=$!
A=/tmp/tw-$owner-tmp-x.$$
CLEANUP="kill $owner 2>/dev/null; rm -rf '$A'"
as_nobody mkdir -p "$A/sub" || fail "nobody cannot make $A"
# The same names as the victim's files (an attacker can guess names): a
# removal that follows the swapped link deletes the victim's.
as_nobody sh -c 'i=0; while [ $i -lt $2 ]; do for e in json log md txt; do : > "$1/sub/f$i.$e"; done
	i=$((i+1)); done' sh "$A" "$VICTIM_FILES"
as_nobody ln -s "$V/secretdir" "$A/lnk"
swapper "$A" sub lnk 1.5
kill $owner; wait $owner 2>/dev/null
# Checked right after each clean: older timewait builds still running on
# this machine (until every branch is merged) would remove a dead pid's
# folder themselves, given a longer while.
"$TW" lab clean -q || fail "lab clean failed"
[ -d "$A" ]; kept1=$?
"$TW" lab clean -q || fail "lab clean failed"
[ -d "$A" ]; kept2=$?
# Alive again (a new owner's name) for the rest.
sleep 120 & owner=$!
as_nobody mv "$A" "/tmp/tw-$owner-tmp-x.$$" 2>/dev/null && A=/tmp/tw-$owner-tmp-x.$$
CLEANUP="kill $owner 2>/dev/null; rm -rf '$A'"
swapper_wait
echo "the attacker swapped $SWAPS times"
[ "${SWAPS:-0}" -gt 0 ] || fail "the attacker's swap loop never swapped"
victim_check "lab clean beside a swapping /tmp/tw-* folder"
[ $kept1 = 0 ] && [ $kept2 = 0 ] || fail "$A (nobody's) was removed by lab clean"
[ "$(stat -c %U "$A")" = nobody ] || fail "$A is no longer nobody's"
ok "nobody's /tmp/tw-* folder was left alone"
"$TW" lab run 000 --fast --out "$W/out" >"$W/run.log" 2>&1 || { cat "$W/run.log"; fail "lab run"; }
victim_check "lab run beside it"

# The tool's own area: a dead run's folder there goes, by descriptors, even
# with a link to the victim inside and a folder swapped under the walk
# (root plays the swap here: nobody cannot enter /run/timewait/tmp).
T=/run/timewait/tmp
dead=4194304	# above any pid_max: never alive
"$TW" lab clean -q
[ "$(stat -c '%U %a' "$T")" = "root 700" ] || fail "$T is not root's alone: $(stat -c '%U %a' "$T")"
D=$T/$dead-test.$$
CLEANUP="rm -rf '$A' '$D'"
mkdir -p "$D/sub"
i=0; while [ $i -lt "$VICTIM_FILES" ]; do for e in json log md txt; do : > "$D/sub/f$i.$e"; done; i=$((i + 1)); done
ln -s "$V/secretdir" "$D/lnk"
swapper "$D" sub lnk 3 root
"$TW" lab clean -q || fail "lab clean failed"
swapper_wait
echo "swapped $SWAPS times under the walk"
[ ! -e "$D" ] || fail "lab clean left a dead run's folder $D"
ok "a dead run's folder in $T is removed"
victim_check "removal walk in $T racing a swap"

# A live process's folder stays (bench and nginx make them while they run).
L=$T/$$-live.x
mkdir -p "$L"
CLEANUP="rm -rf '$A' '$L'"
"$TW" lab clean -q
[ -d "$L" ] || fail "lab clean removed a live process's folder"
ok "a live process's folder stays"
