#!/bin/sh
# security_lab_id.sh - issue 12, reproducer 3: an identifier that becomes
# part of a path (--lab ID, TIMEWAIT_LAB) must be a plain identifier:
# [A-Za-z0-9][A-Za-z0-9._-]{0,39} without "..". Anything else is refused with
# exit 2 and a message, before any file is opened or made; the planted
# state file outside /run/timewait is never read, no file is made beside it.
. "$(dirname "$0")/lib/attacker.sh"

# A "state file" nobody planted where ../ would lead, and a victim beside it.
P=$(as_nobody mktemp -d /tmp/twt-id.XXXXXX) || fail mktemp
CLEANUP="rm -rf '$P'"
printf '{"id":"x","keeper":1,"hosts":[{"name":"client","netns":"x"}]}' | as_nobody tee "$P/evil.json" >/dev/null
victim_make
before=$(ls -la "$P" | md5sum)
rel=../..$P/evil
for args in "exec --lab $rel client -- true" "down --lab $rel --out $W/d" \
    "exec --lab ../../etc/passwd client -- true" "down --lab a/b" "down --lab .." \
    "exec --lab -x client -- true" "down --lab 01234567890123456789012345678901234567890"; do
	# shellcheck disable=SC2086
	"$TW" lab $args >"$W/o.log" 2>&1; rc=$?
	[ $rc = 2 ] || { cat "$W/o.log"; fail "lab $args: exit $rc, not 2"; }
	grep -q "bad lab id" "$W/o.log" || { cat "$W/o.log"; fail "lab $args: no clear message"; }
done
ok "bad --lab ids: exit 2 ($(head -n 1 "$W/o.log"))"
for id in "$rel" "../x" "a b" ""; do
	TIMEWAIT_LAB=$id "$TW" lab down --out "$W/d" >"$W/o.log" 2>&1; rc=$?
	if [ -n "$id" ]; then
		[ $rc = 2 ] && grep -q "bad lab id" "$W/o.log" || { cat "$W/o.log"; fail "TIMEWAIT_LAB='$id': exit $rc"; }
	fi
done
ok "bad TIMEWAIT_LAB: exit 2"
[ "$(ls -la "$P" | md5sum)" = "$before" ] || { ls -la "$P"; fail "a file was made or changed beside the planted state"; }
[ ! -e "$W/d" ] || fail "a run folder was written"
victim_check "bad lab ids"
# A good id that names no lab: exit 1, "no lab".
"$TW" lab exec --lab tw-4194304-1 client -- true >"$W/o.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "no lab 'tw-4194304-1'" "$W/o.log" || { cat "$W/o.log"; fail "unknown lab: exit $rc"; }
ok "a well-formed id of no lab: exit 1"

# A state file in /run/timewait that root did not write alone is not read.
S=/run/timewait/tw-4194304-7.json
CLEANUP="rm -rf '$P' '$S'"
cp "$P/evil.json" "$S" && chown nobody "$S"
"$TW" lab exec --lab tw-4194304-7 client -- true >"$W/o.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "not written by root alone" "$W/o.log" || { cat "$W/o.log"; fail "nobody's state file: exit $rc"; }
ok "a state file not root's alone is ignored"
