# Bad command lines: a one-line message and exit status 2; an unknown host:
# a message and exit 1; --help: exit 0. Never a crash, never a hang.
set -u
: "${TW:?}"
T=$(mktemp -d /tmp/twt-input.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
bad=0

# expect STATUS ARGS...: runs timewait ARGS, checks status and a one-line stderr.
expect() {
	want=$1; shift
	timeout 5 "$TW" "$@" </dev/null >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: timewait $* exited $got, want $want"; cat "$T/err"; bad=1
	elif [ "$want" -ne 0 ] && [ "$(wc -l <"$T/err")" -ne 1 ]; then
		echo "FAIL: timewait $*: want one line on stderr:"; cat "$T/err"; bad=1
	fi
}

expect 2 server 10
expect 2 server -s 42
expect 2 server -p 0
expect 2 server -p 65536
expect 2 server -p abc
expect 2 server --port
expect 2 server --bogus
expect 2 server -t x
expect 2 client 11
expect 2 client -s x
expect 2 client -c 70000
expect 2 client -f -1
expect 2 client -t
expect 2 client --time-scale -3
expect 2 client 1 2
expect 1 client -t no-such-host.invalid -c 16699 --quit-when-done
expect 0 server --help
expect 0 client --help
grep -q -- '--bind-no-port' "$T/out" || { echo "FAIL: client --help lacks --bind-no-port"; bad=1; }
# The seed's names, through links.
ln -s "$TW" "$T/timewait_client"
timeout 5 "$T/timewait_client" 12 </dev/null >/dev/null 2>"$T/err"
[ $? -eq 2 ] && grep -q "unknown scenario code '12'" "$T/err" ||
    { echo "FAIL: timewait_client 12"; cat "$T/err"; bad=1; }
[ $bad -eq 0 ] && echo "ok: bad input handled"
exit $bad
