#!/bin/sh
# The command lines of every command, as a user types them: each bad form
# exits 2 with one line `timewait <command>: message (try ...)` on stderr
# and nothing built; --help exits 0 on stdout; --version on timewait and
# both programs; report's --html FILE and --html=FILE; bench refuses a
# plot that is not .svg; the completion script is valid bash and is made
# from the same flags as --help. No root needed (nothing here builds a lab).
set -u
T=$(mktemp -d /tmp/tw-cli-test.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)

# usage_error PREFIX WORDS...: exit 2, one line on stderr with the prefix
# and the hint, nothing on stdout.
usage_error() {
	prefix=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 2 ] || fail "'$*': exit $rc, not 2 ($(cat "$T/err"))"
	[ ! -s "$T/out" ] || fail "'$*': wrote on stdout: $(cat "$T/out")"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "'$*': not one line: $(cat "$T/err")"
	grep -q "^$prefix: .* (try '$prefix --help')\$" "$T/err" ||
		fail "'$*': not '$prefix: ... (try ...)': $(cat "$T/err")"
}
TWS=$(dirname "$TW")/timewait_server
TWC=$(dirname "$TW")/timewait_client

usage_error "timewait" "$TW"
usage_error "timewait" "$TW" nosuchcommand
usage_error "timewait server" "$TW" server --bogus
usage_error "timewait server" "$TW" server -p
usage_error "timewait server" "$TW" server --port=0
usage_error "timewait server" "$TW" server 10
usage_error "timewait server" "$TW" server --debug=1
usage_error "timewait client" "$TW" client 1 2
usage_error "timewait client" "$TW" client --no-bind --bind-no-port
usage_error "timewait_server" "$TWS" --workers 0
usage_error "timewait_client" "$TWC" -t
usage_error "timewait lab" "$TW" lab
usage_error "timewait lab" "$TW" lab nosuch
usage_error "timewait lab run" "$TW" lab run
usage_error "timewait lab run" "$TW" lab run nosuchtest
usage_error "timewait lab run" "$TW" lab run 000 --repeat 0
usage_error "timewait lab run" "$TW" lab run 000 --time-scale
usage_error "timewait lab run" "$TW" lab run 000 --time-scale=0.001
usage_error "timewait lab run" "$TW" lab run 000 --fast=1
usage_error "timewait lab run" "$TW" lab run 006 --time-scale 0.02
grep -q 'delayed ACK' "$T/err" || fail "006 at 0.02: no reason: $(cat "$T/err")"
usage_error "timewait lab list" "$TW" lab list extra
usage_error "timewait lab up" "$TW" lab up
usage_error "timewait lab up" "$TW" lab up Bad!
usage_error "timewait lab up" "$TW" lab up client client
usage_error "timewait lab exec" "$TW" lab exec
usage_error "timewait lab exec" "$TW" lab exec client
usage_error "timewait lab exec" "$TW" lab exec --user bob client -- true
usage_error "timewait lab down" "$TW" lab down extra
usage_error "timewait lab down" "$TW" lab down --out
usage_error "timewait lab status" "$TW" lab status --bogus
usage_error "timewait lab clean" "$TW" lab clean --every
usage_error "timewait bench" "$TW" bench --close nope
usage_error "timewait bench" "$TW" bench --duration x
usage_error "timewait bench" "$TW" bench --plot "$T/x.png"
[ ! -e "$T/x.png" ] || fail "bench --plot x.png wrote x.png"
usage_error "timewait bench" "$TW" bench --json
usage_error "timewait bench" "$TW" bench compare extra
usage_error "timewait report" "$TW" report
usage_error "timewait report" "$TW" report "$T/nope"
usage_error "timewait report" "$TW" report "$T" "$T"
usage_error "timewait report" "$TW" report "$T" --bogus

# A failure (not a usage error): exit 1, the same prefix, no hint.
"$TW" server --events "$T/no/such/dir" 1 </dev/null >/dev/null 2>"$T/err"
[ $? = 1 ] || fail "server with an unwritable --events: not exit 1"
grep -q "^timewait server: cannot open $T/no/such/dir" "$T/err" || fail "server failure: $(cat "$T/err")"
"$TWC" --events "$T/no/such/dir" </dev/null >/dev/null 2>"$T/err"
[ $? = 1 ] || fail "timewait_client with an unwritable --events: not exit 1"
grep -q "^timewait_client: cannot open" "$T/err" || fail "client failure: $(cat "$T/err")"

# --help: exit 0, the usage on stdout.
for c in "server" "client" "lab" "lab run" "lab list" "lab up" "lab exec" "lab down" \
    "lab status" "lab clean" "bench" "report" "completion"; do
	# shellcheck disable=SC2086
	"$TW" $c --help >"$T/out" 2>"$T/err" || fail "'$c --help': exit $?"
	grep -q '^usage: ' "$T/out" || fail "'$c --help': no usage line"
	[ ! -s "$T/err" ] || fail "'$c --help': wrote on stderr"
done
# --version: timewait and both programs, by either name.
v=$("$TW" --version) || fail "timewait --version"
echo "$v" | grep -Eq '^timewait [0-9]+\.[0-9]+' || fail "timewait --version: $v"
for p in "$TWS" "$TWC" "$TW server" "$TW client"; do
	# shellcheck disable=SC2086
	[ "$($p --version)" = "$v" ] || fail "'$p --version' is not '$v'"
done

# report: --html FILE (as --help shows) and --html=FILE, DIR first or last.
cp -r "$top/tests/fixtures/run-000" "$T/run"
"$TW" report "$T/run" --html "$T/a.html" >/dev/null || fail "report DIR --html FILE: exit $?"
[ -s "$T/a.html" ] || fail "report DIR --html FILE wrote no FILE"
"$TW" report --html "$T/b.html" "$T/run" >/dev/null || fail "report --html FILE DIR: exit $?"
[ -s "$T/b.html" ] || fail "report --html FILE DIR wrote no FILE"
"$TW" report --html="$T/c.html" "$T/run" >/dev/null || fail "report --html=FILE DIR: exit $?"
[ -s "$T/c.html" ] || fail "report --html=FILE wrote no FILE"
"$TW" report "$T/run" --html >/dev/null || fail "report DIR --html: exit $?"
[ -s "$T/run/report.html" ] || fail "report DIR --html wrote no DIR/report.html"
grep -q '</html>' "$T/a.html" || fail "a.html is not a page"

# Completion: valid bash, every flag of every --help offered.
"$TW" completion bash >"$T/comp.bash" || fail "completion bash"
bash -n "$T/comp.bash" || fail "the bash completion is not valid bash"
"$TW" completion zsh | head -1 | grep -q '^#compdef timewait' || fail "completion zsh"
complete_words() { # words... -> what bash completes for the last one
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _timewait; echo "${COMPREPLY[*]}"' \
	    sh "$T/comp.bash" "$@"
}
for c in "server" "client" "lab run" "bench" "report"; do
	# shellcheck disable=SC2086
	for f in $("$TW" $c --help | grep -oE '^  (-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
		# shellcheck disable=SC2086
		complete_words timewait $c -- | tr ' ' '\n' | grep -qx -- "$f=\\?" ||
			fail "completion of '$c' lacks $f"
	done
done
complete_words timewait lab run 00 | grep -qw 005 || fail "completion of lab run's tests"
complete_words timewait bench --close '' | grep -q 'client server rst' || fail "completion of --close"
complete_words timewait_server --p | grep -qw -- --port || fail "completion as timewait_server"
echo "every bad form exits 2 in one style; help, version, report forms and completion work"
