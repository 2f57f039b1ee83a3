/*
 * options.c - the flag rows of the server and the client, read by the flags
 * helper (cli/flags.c): getopt tables, parsing, help and completion come
 * from these rows, so a flag cannot be documented in one place and missing
 * in another. The behaviour code is a flag (-s) and the last plain word.
 */
#include <stddef.h>
#include <string.h>

#include "options.h"
#include "scenario.h"
#include "util.h"

#define OFF(f) offsetof(struct options, f)

static int
parse_code(void *opts, const char *s, char *msg, size_t msgsize)
{
	struct options *o = opts;
	long max = o->prog == PROG_SERVER ? server_row_count - 1 : client_row_count - 1;

	if (parse_long(s, 0, max, &o->code) == -1) {
		snprintf(msg, msgsize, "unknown scenario code '%s' (%s codes are 0-%ld)",
		    s, o->prog == PROG_SERVER ? "server" : "client", max);
		return -1;
	}
	return 0;
}

static const struct flag_row server_flags[] = {
	FLAG("port", 'p', FLAG_PORT, OFF(port), "PORT", "666", "listening port, on every address"),
	FLAG("scenario", 's', FLAG_FUNC, OFF(code), "CODE", "3", "behaviour code (see the codes below)",
	    .fn = parse_code),
	FLAG("workers", 0, FLAG_LONG, OFF(workers), "N", "1",
	    "N processes share the listener, for the HTTP benchmarks", .min = 1, .max = 64),
	FLAG("no-accept", 0, FLAG_BOOL, OFF(no_accept), NULL, NULL,
	    "never accept: connections wait in the queue until the program quits and the listener closes"),
	FLAG("rst-after-close", 0, FLAG_LONG, OFF(rst_after_close), "MS", NULL,
	    "MS ms (scaled) after closing a connection, send the peer a RST of our own "
	    "making (raw socket, the sequence number it expects), as if from that "
	    "connection: TIME_WAIT assassination (RFC 1337); needs CAP_NET_ADMIN and CAP_NET_RAW",
	    .min = 0, .max = 3600000),
	FLAG_LAYER_END,
};

static const struct flag_row client_flags[] = {
	FLAG("dstport", 'c', FLAG_PORT, OFF(port), "PORT", "666", "port to connect to"),
	FLAG("fromport", 'f', FLAG_PORT, OFF(srcport), "PORT", "667", "local port to bind before connecting"),
	FLAG("target", 't', FLAG_STRING, OFF(target), "HOST", "server",
	    "server name or address, IPv4 or IPv6"),
	FLAG("scenario", 's', FLAG_FUNC, OFF(code), "CODE", "0", "behaviour code (see the codes below)",
	    .fn = parse_code),
	FLAG("no-bind", 0, FLAG_BOOL, OFF(no_bind), NULL, NULL, "do not bind: the kernel picks the source port"),
	FLAG("bind-no-port", 0, FLAG_BOOL, OFF(bind_no_port), NULL, NULL,
	    "IP_BIND_ADDRESS_NO_PORT, bind port 0: the port is chosen at connect"),
	FLAG("requests", 0, FLAG_LONG, OFF(requests), "N", NULL,
	    "number of requests (default: the code's, 2 or 1)", .min = 1, .max = 1000000),
	FLAG("quit-when-done", 0, FLAG_BOOL, OFF(quit_when_done), NULL, NULL,
	    "quit after the last request instead of waiting for Enter"),
	FLAG("close-connecting", 0, FLAG_BOOL, OFF(close_connecting), NULL, NULL,
	    "close right after connect() returns EINPROGRESS, in SYN_SENT"),
	FLAG("isn", 0, FLAG_LONG, OFF(isn), "N", NULL,
	    "every connection's initial sequence number is N, not the kernel's (set in "
	    "TCP_REPAIR mode before connect; needs CAP_NET_ADMIN): a SYN on the 4-tuple of a "
	    "TIME_WAIT then falls behind that TIME_WAIT's sequence numbers (syn-to-timewait)",
	    .min = 0, .max = 4294967295.0),
	FLAG("half-close", 0, FLAG_BOOL, OFF(half_close), NULL, NULL,
	    "shutdown(SHUT_WR) once connected (after the HTTP request), then go on reading"),
	FLAG("shut-rd", 0, FLAG_BOOL, OFF(shut_rd), NULL, NULL,
	    "shutdown(SHUT_RD) once connected (before the HTTP request): sends nothing; "
	    "reads then return what has come, or 0 at once"),
	FLAG("shut-rdwr", 0, FLAG_BOOL, OFF(shut_rdwr), NULL, NULL,
	    "shutdown(SHUT_RDWR) once connected (after the HTTP request): a FIN, and data "
	    "that comes after it is answered with a RST"),
	FLAG("next-on-enter", 0, FLAG_BOOL, OFF(next_on_enter), NULL, NULL,
	    "start each next request on Enter (a line on standard input) instead of at once; "
	    "end of input still quits"),
	FLAG_LAYER_END,
};

static const struct flag_row shared_flags[] = {
	FLAG("debug", 'd', FLAG_BOOL, OFF(debug), NULL, NULL, "verbose log (HTTP codes: one line per request)"),
	FLAG("events", 0, FLAG_STRING, OFF(events_path), "FILE", NULL,
	    "also write every step as a JSON line to FILE (appended)", .complete = COMPLETE_FILE),
	FLAG("time-scale", 0, FLAG_DOUBLE, OFF(time_scale), "F", "1",
	    "multiply every delay of the scenario by F", .min = 0, .max = 1000),
	FLAG("linger", 0, FLAG_LONG, OFF(linger), "SECONDS", NULL,
	    "SO_LINGER on each connection; 0 makes close send a RST, N > 0 makes close block up to N s (not scaled)", .min = 0, .max = 3600),
	FLAG("reuseaddr", 0, FLAG_BOOL, OFF(reuseaddr), NULL, NULL,
	    "SO_REUSEADDR (the server's listener always has it)"),
	FLAG_LAYER_END,
};

static void
server_codes(FILE *f)
{
	const struct server_row *s;

	fprintf(f, "\ncodes:\n");
	for (s = server_rows; s < server_rows + server_row_count; s++)
		fprintf(f, "  %2d  %s\n", s->code, s->summary);
}

static void
client_codes(FILE *f)
{
	const struct client_row *c;

	fprintf(f, "\ncodes:\n");
	for (c = client_rows; c < client_rows + client_row_count; c++)
		fprintf(f, "  %2d  %s\n", c->code, c->summary);
}

#define EPILOG "Quits on Enter or end of input; SIGINT/SIGTERM end it at once.\n" \
	"See timewait(1) and docs/scenarios.md."

const struct flag_cmd options_server_cmd = {
	.name = "server",
	.synopsis = "[-d] [-p PORT] [-s CODE] [OPTIONS] [CODE]",
	.about = "A TCP server that ends its connections the way a behaviour code says.",
	.layers = { flags_common, server_flags, shared_flags, NULL },
	.epilog = EPILOG,
	.more_help = server_codes,
	.words = "0 1 2 3 4 5 6 7 8 9",
};

const struct flag_cmd options_client_cmd = {
	.name = "client",
	.synopsis = "[-d] [-c DSTPORT] [-f SRCPORT] [-t HOST] [-s CODE] [OPTIONS] [CODE]",
	.about = "A TCP client that ends its connections the way a behaviour code says.",
	.layers = { flags_common, client_flags, shared_flags, NULL },
	.epilog = EPILOG,
	.more_help = client_codes,
	.words = "0 1 2 3 4 5 6 7 8 9 10",
};

static const struct flag_cmd *
cmd_of(enum program prog)
{
	return prog == PROG_SERVER ? &options_server_cmd : &options_client_cmd;
}

uint64_t
options_scale(const struct options *o, uint64_t ns)
{
	return (uint64_t)((double)ns * o->time_scale + 0.5);
}

void
options_usage(FILE *f, enum program prog, const char *argv0)
{
	flags_usage(cmd_of(prog), argv0, f);
}

int
options_need_net_caps(enum program prog, int argc, char **argv)
{
	struct options o;
	char msg[256];

	if (options_parse(&o, prog, argc, argv, msg, sizeof(msg)) != PARSE_OK)
		return 0;
	return o.rst_after_close >= 0 || o.isn >= 0;
}

enum parse_result
options_parse(struct options *o, enum program prog, int argc, char **argv,
    char *msg, size_t msgsize)
{
	struct flags_result r;

	memset(o, 0, sizeof(*o));
	o->prog = prog;
	o->linger = -1;
	o->requests = -1;
	o->rst_after_close = -1;
	o->isn = -1;
	msg[0] = '\0';
	switch (flags_parse(cmd_of(prog), o, argc, argv, &r)) {
	case FLAGS_HELP:
		return PARSE_HELP;
	case FLAGS_VERSION:
		return PARSE_VERSION;
	case FLAGS_BAD:
		snprintf(msg, msgsize, "%s", r.msg);
		return PARSE_BAD;
	case FLAGS_OK:
		break;
	}
	if (r.npos > 1) {
		snprintf(msg, msgsize, "unexpected argument '%s' (only one CODE may follow the flags)",
		    r.pos[1]);
		return PARSE_BAD;
	}
	if (r.npos == 1 && parse_code(o, r.pos[0], msg, msgsize) == -1)
		return PARSE_BAD;
	if (o->no_bind && o->bind_no_port) {
		snprintf(msg, msgsize, "--no-bind and --bind-no-port cannot go together");
		return PARSE_BAD;
	}
	if (o->half_close + o->shut_rd + o->shut_rdwr > 1) {
		snprintf(msg, msgsize, "--half-close, --shut-rd and --shut-rdwr cannot go together "
		    "(one shutdown once connected)");
		return PARSE_BAD;
	}
	return PARSE_OK;
}

int
options_cli(struct options *o, enum program prog, int argc, char **argv)
{
	char msg[256];

	switch (options_parse(o, prog, argc, argv, msg, sizeof(msg))) {
	case PARSE_OK:
		return -1;
	case PARSE_HELP:
		options_usage(stdout, prog, argv[0]);
		return 0;
	case PARSE_VERSION:
		printf("timewait %s\n", TIMEWAIT_VERSION);
		return 0;
	case PARSE_BAD:
		break;
	}
	return flags_usage_error(cmd_of(prog), argv[0], "%s", msg);
}
