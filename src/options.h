/*
 * options.h - the command lines of the server and the client.
 *
 * Every flag is one row of a table in options.c (name, letter, which program,
 * help), from which the getopt tables and the --help text are both made.
 * Parsing never prints and never exits, so the unit tests can call it.
 */
#ifndef TIMEWAIT_OPTIONS_H
#define TIMEWAIT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum program { PROG_SERVER = 1, PROG_CLIENT = 2 };

struct options {
	enum program	 prog;
	long		 code;
	uint16_t	 port;		/* server: listen; client: destination */
	uint16_t	 srcport;	/* client: bind */
	const char	*target;	/* client */
	bool		 debug;
	const char	*events_path;
	double		 time_scale;
	long		 linger;	/* -1: not set */
	bool		 reuseaddr;
	bool		 no_bind;
	bool		 bind_no_port;
	long		 requests;	/* -1: the row's */
	bool		 quit_when_done;
	long		 workers;	/* server processes sharing the listener */
};

enum parse_result { PARSE_OK, PARSE_HELP, PARSE_BAD };

/* Fills o from argv; on PARSE_BAD msg says why in one line. */
enum parse_result options_parse(struct options *o, enum program prog,
    int argc, char **argv, char *msg, size_t msgsize);

void options_usage(FILE *f, enum program prog, const char *argv0);

/* A delay of the scenario table at the chosen time scale. */
uint64_t options_scale(const struct options *o, uint64_t ns);

#endif
