/*
 * options.h - the command lines of the server and the client.
 *
 * Every flag is one row of a table in options.c, read by the flags helper
 * (cli/flags.h), from which the getopt tables, the parsing, the --help text
 * and the shell completion are all made. Parsing never prints and never
 * exits, so the unit tests can call it.
 */
#ifndef TIMEWAIT_OPTIONS_H
#define TIMEWAIT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/flags.h"

enum program { PROG_SERVER = 1, PROG_CLIENT = 2 };

struct options {
	enum program	 prog;
	long		 code;
	uint16_t	 port;		/* server: listen; client: destination */
	uint16_t	 srcport;	/* client: bind */
	const char	*target;	/* client */
	int		 debug;
	const char	*events_path;
	double		 time_scale;
	long		 linger;	/* -1: not set */
	int		 reuseaddr;
	int		 no_bind;
	int		 bind_no_port;
	long		 requests;	/* -1: the row's */
	int		 quit_when_done;
	long		 workers;	/* server processes sharing the listener */
	int		 no_accept;	/* server: listen, never accept (quitting closes the listener) */
	int		 close_connecting; /* client: close(2) while the connect is in progress */
	int		 half_close;	/* client: shutdown(SHUT_WR) once connected (and after its write) */
	int		 shut_rd;	/* client: shutdown(SHUT_RD) once connected (before its write) */
	int		 shut_rdwr;	/* client: shutdown(SHUT_RDWR) once connected (after its write) */
	long		 rst_after_close; /* server: ms (scaled) after each close, a forged RST; -1: none */
	long		 isn;		/* client: every connection's initial sequence number; -1: the kernel's */
	int		 next_on_enter;	/* client: each next request waits for a line on stdin */
};

enum parse_result { PARSE_OK, PARSE_HELP, PARSE_BAD, PARSE_VERSION };

/* The flag tables of the two programs (for completion). */
extern const struct flag_cmd options_server_cmd, options_client_cmd;

/* Fills o from argv; on PARSE_BAD msg says why in one line. */
/* Whether the program prog with these arguments (argv[0] its name) needs
 * CAP_NET_ADMIN and CAP_NET_RAW: --rst-after-close (TCP_REPAIR, a raw
 * socket) or --isn (TCP_REPAIR). 0 for arguments it would refuse. */
int options_need_net_caps(enum program prog, int argc, char **argv);

enum parse_result options_parse(struct options *o, enum program prog,
    int argc, char **argv, char *msg, size_t msgsize);

/* Parse and print help, version or the error: -1 to go on, else the exit status. */
int options_cli(struct options *o, enum program prog, int argc, char **argv);

void options_usage(FILE *f, enum program prog, const char *argv0);

/* A delay of the scenario table at the chosen time scale. */
uint64_t options_scale(const struct options *o, uint64_t ns);

#endif
