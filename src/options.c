/*
 * options.c - one table of flags for the server and the client; getopt_long
 * tables and help are made from it, so a flag cannot be documented in one
 * place and missing in another.
 */
#include <getopt.h>
#include <string.h>

#include "options.h"
#include "scenario.h"
#include "util.h"

enum flag_id {
	FLAG_EVENTS = 256, FLAG_TIME_SCALE, FLAG_LINGER, FLAG_REUSEADDR,
	FLAG_NO_BIND, FLAG_BIND_NO_PORT, FLAG_REQUESTS, FLAG_QUIT_WHEN_DONE,
	FLAG_WORKERS,
};

struct flag {
	const char	*name;
	int		 id;		/* the letter, or a FLAG_ id */
	const char	*arg;		/* NULL: no value */
	unsigned	 progs;		/* PROG_SERVER | PROG_CLIENT */
	const char	*help;
};

#define BOTH (PROG_SERVER | PROG_CLIENT)

static const struct flag flags[] = {
	{ "port", 'p', "PORT", PROG_SERVER, "listening port, on every address (default 666)" },
	{ "dstport", 'c', "PORT", PROG_CLIENT, "port to connect to (default 666)" },
	{ "fromport", 'f', "PORT", PROG_CLIENT, "local port to bind before connecting (default 667)" },
	{ "target", 't', "HOST", PROG_CLIENT, "server name or address, IPv4 or IPv6 (default server)" },
	{ "scenario", 's', "CODE", BOTH, "behaviour code (server default 3, client default 0)" },
	{ "debug", 'd', NULL, BOTH, "verbose log (HTTP codes: one line per request)" },
	{ "events", FLAG_EVENTS, "FILE", BOTH, "also write every step as a JSON line to FILE (appended)" },
	{ "time-scale", FLAG_TIME_SCALE, "F", BOTH, "multiply every delay of the scenario by F (default 1)" },
	{ "linger", FLAG_LINGER, "SECONDS", BOTH, "SO_LINGER on each connection; 0 makes close send a RST" },
	{ "reuseaddr", FLAG_REUSEADDR, NULL, BOTH, "SO_REUSEADDR (the server's listener always has it)" },
	{ "no-bind", FLAG_NO_BIND, NULL, PROG_CLIENT, "do not bind: the kernel picks the source port" },
	{ "bind-no-port", FLAG_BIND_NO_PORT, NULL, PROG_CLIENT, "IP_BIND_ADDRESS_NO_PORT, bind port 0: the port is chosen at connect" },
	{ "requests", FLAG_REQUESTS, "N", PROG_CLIENT, "number of requests (default: the code's, 2 or 1)" },
	{ "quit-when-done", FLAG_QUIT_WHEN_DONE, NULL, PROG_CLIENT, "quit after the last request instead of waiting for Enter" },
	{ "workers", FLAG_WORKERS, "N", PROG_SERVER, "N processes share the listener, for the HTTP benchmarks (default 1)" },
	{ "help", 'h', NULL, BOTH, "this help" },
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

uint64_t
options_scale(const struct options *o, uint64_t ns)
{
	return (uint64_t)((double)ns * o->time_scale + 0.5);
}

void
options_usage(FILE *f, enum program prog, const char *argv0)
{
	const struct server_row *s;
	const struct client_row *c;
	char left[64];
	size_t i;
	int n;

	if (prog == PROG_SERVER)
		fprintf(f, "usage: %s [-d] [-p PORT] [-s CODE] [OPTIONS] [CODE]\n\n"
		    "A TCP server that ends its connections the way a behaviour code says.\n"
		    "Quits on Enter or end of input; SIGINT/SIGTERM end it at once.\n\n", argv0);
	else
		fprintf(f, "usage: %s [-d] [-c DSTPORT] [-f SRCPORT] [-t HOST] [-s CODE] [OPTIONS] [CODE]\n\n"
		    "A TCP client that ends its connections the way a behaviour code says.\n"
		    "Quits on Enter or end of input; SIGINT/SIGTERM end it at once.\n\n", argv0);
	fprintf(f, "options:\n");
	for (i = 0; i < NFLAGS; i++) {
		if ((flags[i].progs & prog) == 0)
			continue;
		if (flags[i].id < 256)
			n = snprintf(left, sizeof(left), "-%c, --%s%s%s", flags[i].id,
			    flags[i].name, flags[i].arg ? " " : "", flags[i].arg ? flags[i].arg : "");
		else
			n = snprintf(left, sizeof(left), "    --%s%s%s", flags[i].name,
			    flags[i].arg ? " " : "", flags[i].arg ? flags[i].arg : "");
		(void)n;
		fprintf(f, "  %-26s %s\n", left, flags[i].help);
	}
	fprintf(f, "\ncodes:\n");
	if (prog == PROG_SERVER)
		for (s = server_rows; s < server_rows + server_row_count; s++)
			fprintf(f, "  %2d  %s\n", s->code, s->summary);
	else
		for (c = client_rows; c < client_rows + client_row_count; c++)
			fprintf(f, "  %2d  %s\n", c->code, c->summary);
	fprintf(f, "\nSee timewait(1) and docs/scenarios.md.\n");
}

static void
defaults(struct options *o, enum program prog)
{
	memset(o, 0, sizeof(*o));
	o->prog = prog;
	o->code = prog == PROG_SERVER ? SERVER_DEFAULT_CODE : CLIENT_DEFAULT_CODE;
	o->port = 666;
	o->srcport = 667;
	o->target = "server";
	o->time_scale = 1.0;
	o->linger = -1;
	o->requests = -1;
	o->workers = 1;
}

static int
parse_code(struct options *o, const char *s, char *msg, size_t msgsize)
{
	long max = o->prog == PROG_SERVER ? server_row_count - 1 : client_row_count - 1;

	if (parse_long(s, 0, max, &o->code) == -1) {
		snprintf(msg, msgsize, "unknown scenario code '%s' (%s codes are 0-%ld)",
		    s, o->prog == PROG_SERVER ? "server" : "client", max);
		return -1;
	}
	return 0;
}

static int
parse_value(struct options *o, int id, const char *name, const char *v,
    char *msg, size_t msgsize)
{
	switch (id) {
	case 'p':
	case 'c':
		if (parse_port(v, &o->port) == -1)
			goto badport;
		return 0;
	case 'f':
		if (parse_port(v, &o->srcport) == -1)
			goto badport;
		return 0;
	case 't':
		if (*v == '\0') {
			snprintf(msg, msgsize, "--target needs a host name or address");
			return -1;
		}
		o->target = v;
		return 0;
	case 's':
		return parse_code(o, v, msg, msgsize);
	case 'd':
		o->debug = true;
		return 0;
	case FLAG_EVENTS:
		if (*v == '\0') {
			snprintf(msg, msgsize, "--events needs a file name");
			return -1;
		}
		o->events_path = v;
		return 0;
	case FLAG_TIME_SCALE:
		if (parse_double(v, 0.0, 1000.0, &o->time_scale) == -1) {
			snprintf(msg, msgsize, "bad --time-scale '%s' (a number from 0 to 1000)", v);
			return -1;
		}
		return 0;
	case FLAG_LINGER:
		if (parse_long(v, 0, 3600, &o->linger) == -1) {
			snprintf(msg, msgsize, "bad --linger '%s' (seconds, 0-3600)", v);
			return -1;
		}
		return 0;
	case FLAG_REUSEADDR:
		o->reuseaddr = true;
		return 0;
	case FLAG_NO_BIND:
		o->no_bind = true;
		return 0;
	case FLAG_BIND_NO_PORT:
		o->bind_no_port = true;
		return 0;
	case FLAG_REQUESTS:
		if (parse_long(v, 1, 1000000, &o->requests) == -1) {
			snprintf(msg, msgsize, "bad --requests '%s' (1-1000000)", v);
			return -1;
		}
		return 0;
	case FLAG_QUIT_WHEN_DONE:
		o->quit_when_done = true;
		return 0;
	case FLAG_WORKERS:
		if (parse_long(v, 1, 64, &o->workers) == -1) {
			snprintf(msg, msgsize, "bad --workers '%s' (1-64)", v);
			return -1;
		}
		return 0;
	}
	snprintf(msg, msgsize, "internal: flag %s not handled", name);
	return -1;
badport:
	snprintf(msg, msgsize, "bad port '%s' for --%s (a number from 1 to 65535)", v, name);
	return -1;
}

enum parse_result
options_parse(struct options *o, enum program prog, int argc, char **argv,
    char *msg, size_t msgsize)
{
	struct option longopts[NFLAGS + 1];
	char shortopts[2 * NFLAGS + 2];
	size_t i, nlong = 0, nshort = 0;
	int c, idx;

	defaults(o, prog);
	msg[0] = '\0';
	shortopts[nshort++] = ':';	/* report a missing value as ':' */
	for (i = 0; i < NFLAGS; i++) {
		if ((flags[i].progs & prog) == 0)
			continue;
		longopts[nlong].name = flags[i].name;
		longopts[nlong].has_arg = flags[i].arg ? required_argument : no_argument;
		longopts[nlong].flag = NULL;
		longopts[nlong].val = flags[i].id;
		nlong++;
		if (flags[i].id < 256) {
			shortopts[nshort++] = (char)flags[i].id;
			if (flags[i].arg)
				shortopts[nshort++] = ':';
		}
	}
	memset(&longopts[nlong], 0, sizeof(longopts[nlong]));
	shortopts[nshort] = '\0';

	optind = 0;	/* GNU: start afresh, so the tests can parse again */
	opterr = 0;
	for (;;) {
		idx = -1;
		c = getopt_long(argc, argv, shortopts, longopts, &idx);
		if (c == -1)
			break;
		if (c == '?') {
			if (optopt > 0 && optopt < 256)
				snprintf(msg, msgsize, "unknown flag '-%c'", optopt);
			else
				snprintf(msg, msgsize, "unknown flag '%s'", argv[optind - 1]);
			return PARSE_BAD;
		}
		if (c == ':') {
			if (optopt > 0 && optopt < 256)
				snprintf(msg, msgsize, "flag '-%c' needs a value", optopt);
			else
				snprintf(msg, msgsize, "flag '%s' needs a value", argv[optind - 1]);
			return PARSE_BAD;
		}
		if (c == 'h')
			return PARSE_HELP;
		for (i = 0; i < NFLAGS; i++)
			if (flags[i].id == c)
				break;
		if (parse_value(o, c, flags[i].name, optarg ? optarg : "",
		    msg, msgsize) == -1)
			return PARSE_BAD;
	}
	if (optind < argc - 1) {
		snprintf(msg, msgsize, "unexpected argument '%s' (only one CODE may follow the flags)",
		    argv[optind]);
		return PARSE_BAD;
	}
	if (optind == argc - 1 && parse_code(o, argv[optind], msg, msgsize) == -1)
		return PARSE_BAD;
	if (o->no_bind && o->bind_no_port) {
		snprintf(msg, msgsize, "--no-bind and --bind-no-port cannot go together");
		return PARSE_BAD;
	}
	return PARSE_OK;
}
