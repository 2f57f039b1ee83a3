/*
 * catalogue.c - the tests: the seed's eight (000-007) as SCENARIOS.md
 * defines them, then one variant for each seed test whose point is a
 * failure, showing the way around it.
 *
 * Times (at_ms) are the seed's real ones; the runner scales them. Every
 * check's `what` is the sentence a person reads in the report.
 */
#include <errno.h>
#include <string.h>

#include "catalogue.h"

#define START(p)		{ .kind = ACT_START, .proc = (p) }
#define WAIT(p, s, r, ms)	{ .kind = ACT_WAIT, .proc = (p), .step = (s), .req = (r), .timeout_ms = (ms) }
#define MARK(p, s, r)		{ .kind = ACT_WAIT, .proc = (p), .step = (s), .req = (r), .timeout_ms = 3000, .mark = 1 }
#define SNAP(name, at, settle)	{ .kind = ACT_SNAPSHOT, .snap = (name), .at_ms = (at), .settle_ms = (settle) }
#define SNAP_END		{ .kind = ACT_SNAPSHOT, .snap = "end", .settled = 1 }

const struct test_spec catalogue[] = {
{
	.id = "000", .seed = 1,
	.title = "Server writes a bip and closes the connection",
	.shows = "server closes first: TIME_WAIT on the server, the client reuses port 667 at once",
	.hosts = { "client", "server" },
	.procs = {
		{ "server", "server", "server", { "-s", "1" } },
		{ "client", "client", "client", { "-t", "server", "-s", "0" } },
	},
	.actions = {
		START("server"), START("client"),
		WAIT("client", "close", 2, 3000),
		SNAP_END,
		{ .kind = ACT_END },
	},
	.checks = {
		{ CK_FIRST_FIN, "the server sends the first FIN of each connection", .who = "server" },
		{ CK_TIMEWAIT, "the server holds the connection in TIME_WAIT", .who = "server", .snap = "end", .n = 1, .atleast = 1 },
		{ CK_TIMEWAIT, "the client never enters TIME_WAIT", .who = "client", .snap = "end", .n = 0 },
		{ CK_CALL, "the second request binds source port 667 again", .who = "client", .step = "bind", .req = 2 },
		{ CK_CALL, "and its connect succeeds despite the server's TIME_WAIT", .who = "client", .step = "connect", .req = 2 },
		{ CK_SAME_PORT, "both requests use the same source port", .who = "client" },
		{ CK_SENDS, "no RST from the client", .who = "client", .flag = 'R', .n = 0 },
		{ CK_SENDS, "nor from the server", .who = "server", .flag = 'R', .n = 0 },
	},
},
{
	.id = "001", .seed = 1,
	.title = "Use the same source port twice simultaneously",
	.shows = "bind knows only the source: a second bind of port 667 fails while the first is in use",
	.hosts = { "client", "server", "server2" },
	.procs = {
		{ "server", "server", "server", { "-s", "3" } },
		{ "server2", "server2", "server", { "-s", "3" } },
		{ "client", "client", "client", { "-t", "server", "-s", "0" } },
		{ "client2", "client", "client", { "-c", "666", "-f", "667", "-t", "server2", "-s", "0" } },
		{ "client3", "client", "client", { "--no-bind", "-t", "server2", "-s", "0", "--requests", "1" } },
	},
	.actions = {
		START("server"), START("server2"), START("client"),
		WAIT("client", "connect", 1, 2000),
		{ .kind = ACT_START, .proc = "client2", .at_ms = 1000 },
		WAIT("client2", "bind", 2, 2000),
		START("client3"),
		WAIT("client3", "connect", 1, 2000),
		SNAP_END,
		{ .kind = ACT_END },
	},
	.checks = {
		{ CK_CALL, "the first client connects from port 667 to server", .who = "client", .step = "connect", .req = 1 },
		{ CK_CALL, "the second client's bind of port 667 fails with EADDRINUSE (98)", .who = "client2", .step = "bind", .req = 1, .err = EADDRINUSE },
		{ CK_STATE, "the first connection stays ESTABLISHED", .who = "client", .snap = "end", .state = "ESTABLISHED", .n = 1, .port = 667 },
		{ CK_CALL, "without bind the kernel picks a source port and connect works", .who = "client3", .step = "connect", .req = 1 },
		{ CK_ESTABLISHED, "two connections open at once from the client host", .who = "client", .n = 2 },
	},
},
{
	.id = "002", .seed = 1,
	.title = "Stopping the program could close the connection",
	.shows = "Ctrl+C: the kernel closes the socket properly, a FIN at 13 s and another at 25 s (x0.1 with --fast)",
	.hosts = { "client", "server" },
	.procs = {
		{ "server", "server", "server", { "-s", "4" } },
		{ "client", "client", "client", { "-t", "server", "-s", "0" } },
	},
	.actions = {
		START("server"), START("client"),
		MARK("client", "connect", 1),
		{ .kind = ACT_SIGINT, .proc = "client", .at_ms = 13000 },
		{ .kind = ACT_SIGINT, .proc = "server", .at_ms = 25000 },
		{ .kind = ACT_SNAPSHOT, .snap = "end", .at_ms = 25000, .settled = 1 },
		{ .kind = ACT_END },
	},
	.checks = {
		{ CK_FIN_AFTER, "Ctrl+C on the client at 13 s (x0.1 with --fast): its kernel sends a FIN at once", .who = "client", .n = 3, .lo = 0, .hi = 300 },
		{ CK_FIN_AFTER, "Ctrl+C on the server at 25 s (x0.1 with --fast): its kernel sends a FIN at once", .who = "server", .n = 4, .lo = 0, .hi = 300 },
		{ CK_SENDS, "no RST from the client: its close is orderly", .who = "client", .flag = 'R', .n = 0 },
		{ CK_SENDS, "nor from the server", .who = "server", .flag = 'R', .n = 0 },
		{ CK_TIMEWAIT, "the client, which closed first, ends in TIME_WAIT", .who = "client", .snap = "end", .n = 1, .atleast = 1 },
		{ CK_TIMEWAIT, "the server does not", .who = "server", .snap = "end", .n = 0 },
	},
},
{
	.id = "003", .seed = 1,
	.title = "Close initiated by the client",
	.shows = "client closes first: TIME_WAIT on the client for 60 s, the second bind fails (98)",
	.hosts = { "client", "server" },
	.procs = {
		{ "server", "server", "server", { "-s", "3" } },
		{ "client", "client", "client", { "-t", "server", "-s", "6" } },
		{ "client-later", "client", "client", { "-t", "server", "-s", "6", "--requests", "1" } },
	},
	.actions = {
		START("server"), START("client"),
		WAIT("client", "bind", 2, 2000),
		SNAP_END,
		{ .kind = ACT_WAIT_TW, .proc = "client" },
		START("client-later"),
		WAIT("client-later", "close", 1, 2000),
		{ .kind = ACT_END },
	},
	.checks = {
		{ CK_FIRST_FIN, "the client sends the first FIN", .who = "client" },
		{ CK_TIMEWAIT, "the client holds TIME_WAIT", .who = "client", .snap = "end", .n = 1, .atleast = 1 },
		{ CK_TW_TIMER, "with about 60 s on its timer", .who = "client", .snap = "end", .lo = 55000, .hi = 60000 },
		{ CK_TIMEWAIT, "the server does not", .who = "server", .snap = "end", .n = 0 },
		{ CK_CALL, "the second request's bind fails with EADDRINUSE (98)", .who = "client", .step = "bind", .req = 2, .err = EADDRINUSE },
		{ CK_CALL, "after TIME_WAIT has expired the same bind succeeds (--full)", .who = "client-later", .step = "bind", .req = 1, .full = 1 },
	},
},
{
	.id = "004", .seed = 1,
	.title = "Sending data on a socket closed by the other end",
	.shows = "data sent to a closed socket is answered with a RST: no TIME_WAIT anywhere",
	.hosts = { "client", "server" },
	.procs = {
		{ "server", "server", "server", { "-s", "5" } },
		{ "client", "client", "client", { "-t", "server", "-s", "6", "--requests", "1" } },
	},
	.actions = {
		START("server"), START("client"),
		WAIT("server", "write", 1, 2000),
		SNAP_END,
		{ .kind = ACT_END },
	},
	.checks = {
		{ CK_FIRST_FIN, "the client closes first", .who = "client" },
		{ CK_CALL, "the server sees the close and writes a bip", .who = "server", .step = "write", .req = 1 },
		{ CK_SENDS, "the client's kernel answers that data with a RST", .who = "client", .flag = 'R', .n = 1, .atleast = 1 },
		{ CK_TIMEWAIT, "no TIME_WAIT on the client", .who = "client", .snap = "end", .n = 0 },
		{ CK_TIMEWAIT, "no TIME_WAIT on the server", .who = "server", .snap = "end", .n = 0 },
	},
},
{
	.id = "005", .seed = 1,
	.title = "The close race",
	.shows = "both sides close after their own work: the outcome changes from run to run",
	.hosts = { "client", "server" },
	.procs = {
		{ "server", "server", "server", { "-s", "1" } },
		{ "client", "client", "client", { "-t", "server", "-s", "7", "--requests", "1" } },
	},
	.actions = {
		START("server"), START("client"),
		WAIT("client", "close", 1, 2000),
		SNAP_END,
		{ .kind = ACT_END },
	},
	.checks = {
		{ CK_RACE, "one of the legitimate outcomes: server TIME_WAIT, client TIME_WAIT, both (crossing FINs), or a RST" },
	},
	.repeat_in_one_lab = 1,
},
{
	.id = "006", .seed = 1,
	.title = "Delay the close (server 2, client 5)",
	.shows = "the intermediate states: server FIN_WAIT2 and client CLOSE_WAIT for about 5 s",
	.hosts = { "client", "server" },
	.procs = {
		{ "server", "server", "server", { "-s", "2" } },
		/* One request: a second one would reuse the 4-tuple at once, and
		 * the server's kernel would recycle its TIME_WAIT socket for it. */
		{ "client", "client", "client", { "-t", "server", "-s", "5", "--requests", "1" } },
	},
	.actions = {
		START("server"), START("client"),
		MARK("server", "write", 1),	/* the bip: 5 s to the server's close, 10 s to the client's read */
		SNAP("mid", 7500, 0),
		{ .kind = ACT_WAIT, .proc = "client", .step = "close", .req = 1, .at_ms = 10000, .timeout_ms = 3000 },
		SNAP_END,
		{ .kind = ACT_END },
	},
	.checks = {
		{ CK_FIRST_FIN, "the server closes first, 5 s after its bip", .who = "server" },
		{ CK_STATE, "between 5 s and 10 s the server is in FIN_WAIT2", .who = "server", .snap = "mid", .state = "FIN_WAIT2", .n = 1 },
		{ CK_STATE, "and the client in CLOSE_WAIT", .who = "client", .snap = "mid", .state = "CLOSE_WAIT", .n = 1 },
		{ CK_FIN_GAP, "the client's FIN follows the server's by about 5 s", .who = "client", .peer = "server", .lo = 4000, .hi = 6000 },
		{ CK_TIMEWAIT, "then the server holds TIME_WAIT", .who = "server", .snap = "end", .n = 1, .atleast = 1 },
		{ CK_TIMEWAIT, "and the client does not", .who = "client", .snap = "end", .n = 0 },
	},
	/* The mid snapshot comes 2.5 s x scale after the server's FIN; the
	 * client's kernel may delay the ACK of that FIN by up to 40 ms, and
	 * until it comes the server is in FIN_WAIT1, not FIN_WAIT2. */
	.min_scale = 0.04,
	.min_scale_why = "its FIN_WAIT2 snapshot comes 2.5 s x scale after the server's FIN, "
	    "and the client's delayed ACK (up to 40 ms) keeps the server in FIN_WAIT1 until then",
},
{
	.id = "007", .seed = 1,
	.title = "Client delays the read",
	.shows = "closing with unread data sends a RST instead of a FIN: no TIME_WAIT, the data is lost",
	.hosts = { "client", "server" },
	.procs = {
		{ "server", "server", "server", { "-s", "1" } },
		{ "client", "client", "client", { "-t", "server", "-s", "1" } },
	},
	.actions = {
		START("server"), START("client"),
		{ .kind = ACT_WAIT, .proc = "client", .step = "read", .req = 1, .at_ms = 10000, .timeout_ms = 3000 },
		SNAP_END,
		{ .kind = ACT_END },
	},
	.checks = {
		{ CK_FIRST_FIN, "the server closes first", .who = "server" },
		{ CK_SENDS, "the client's kernel sends a RST (unread data)", .who = "client", .flag = 'R', .n = 1, .atleast = 1 },
		{ CK_SENDS, "and no FIN", .who = "client", .flag = 'F', .n = 0 },
		{ CK_TIMEWAIT, "no TIME_WAIT on the client", .who = "client", .snap = "end", .n = 0 },
		{ CK_TIMEWAIT, "no TIME_WAIT on the server", .who = "server", .snap = "end", .n = 0 },
		{ CK_CALL_FAILS, "the delayed read fails: the data is gone", .who = "client", .step = "read", .req = 1 },
	},
},
{
	.id = "001-reuseaddr", .seed = 0,
	.title = "001, the way around: SO_REUSEADDR on both clients",
	.shows = "with SO_REUSEADDR one source port 667 serves two servers at once",
	.hosts = { "client", "server", "server2" },
	.procs = {
		{ "server", "server", "server", { "-s", "3" } },
		{ "server2", "server2", "server", { "-s", "3" } },
		{ "client", "client", "client", { "--reuseaddr", "-t", "server", "-s", "0", "--requests", "1" } },
		{ "client2", "client", "client", { "--reuseaddr", "-c", "666", "-f", "667", "-t", "server2", "-s", "0", "--requests", "1" } },
	},
	.actions = {
		START("server"), START("server2"), START("client"),
		WAIT("client", "connect", 1, 2000),
		{ .kind = ACT_START, .proc = "client2", .at_ms = 1000 },
		WAIT("client2", "connect", 1, 2000),
		SNAP_END,
		{ .kind = ACT_END },
	},
	.checks = {
		{ CK_CALL, "the second client's bind of port 667 succeeds", .who = "client2", .step = "bind", .req = 1 },
		{ CK_CALL, "and its connect to server2 too", .who = "client2", .step = "connect", .req = 1 },
		{ CK_STATE, "two ESTABLISHED connections share source port 667", .who = "client", .snap = "end", .state = "ESTABLISHED", .n = 2, .port = 667 },
	},
},
{
	.id = "003-linger0", .seed = 0,
	.title = "003, the way around: SO_LINGER 0 on the client",
	.shows = "close with linger 0 sends a RST: no TIME_WAIT, the second bind succeeds",
	.hosts = { "client", "server" },
	.procs = {
		{ "server", "server", "server", { "-s", "3" } },
		{ "client", "client", "client", { "--linger", "0", "-t", "server", "-s", "6" } },
	},
	.actions = {
		START("server"), START("client"),
		WAIT("client", "close", 2, 2000),
		SNAP_END,
		{ .kind = ACT_END },
	},
	.checks = {
		{ CK_SENDS, "the client's close sends a RST", .who = "client", .flag = 'R', .n = 1, .atleast = 1 },
		{ CK_SENDS, "and no FIN", .who = "client", .flag = 'F', .n = 0 },
		{ CK_TIMEWAIT, "no TIME_WAIT on the client", .who = "client", .snap = "end", .n = 0 },
		{ CK_CALL, "the second request's bind succeeds", .who = "client", .step = "bind", .req = 2 },
	},
},
{
	.id = "003-server-first", .seed = 0,
	.title = "003, the way around: the server closes first",
	.shows = "when the server closes first the client can reuse its port at once",
	.hosts = { "client", "server" },
	.procs = {
		{ "server", "server", "server", { "-s", "0" } },
		{ "client", "client", "client", { "-t", "server", "-s", "0" } },
	},
	.actions = {
		START("server"), START("client"),
		WAIT("client", "close", 2, 2000),
		SNAP_END,
		{ .kind = ACT_END },
	},
	.checks = {
		{ CK_FIRST_FIN, "the server sends the first FIN", .who = "server" },
		{ CK_TIMEWAIT, "the server holds TIME_WAIT", .who = "server", .snap = "end", .n = 1, .atleast = 1 },
		{ CK_TIMEWAIT, "the client does not", .who = "client", .snap = "end", .n = 0 },
		{ CK_CALL, "the second request's bind of port 667 succeeds", .who = "client", .step = "bind", .req = 2 },
	},
},
};

const int catalogue_len = (int)(sizeof(catalogue) / sizeof(catalogue[0]));

const struct test_spec *
catalogue_find(const char *id)
{
	int i;

	for (i = 0; i < catalogue_len; i++)
		if (strcmp(catalogue[i].id, id) == 0)
			return &catalogue[i];
	return NULL;
}

const struct proc_spec *
test_proc(const struct test_spec *t, const char *name)
{
	int i;

	for (i = 0; i < CAT_MAX_PROCS && t->procs[i].name != NULL; i++)
		if (strcmp(t->procs[i].name, name) == 0)
			return &t->procs[i];
	return NULL;
}

int
test_nprocs(const struct test_spec *t)
{
	int n = 0;

	while (n < CAT_MAX_PROCS && t->procs[n].name != NULL)
		n++;
	return n;
}

int
test_nhosts(const struct test_spec *t)
{
	int n = 0;

	while (n < CAT_MAX_HOSTS && t->hosts[n] != NULL)
		n++;
	return n;
}
