/*
 * main.c - subcommand dispatch.
 *
 * One binary serves every role. The seed ran two programs, timewait_server
 * and timewait_client; links with those names run the matching subcommand,
 * so the seed's command lines work unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

struct command {
	const char *name;
	int (*main)(int, char **);
	const char *summary;
};

static const struct command commands[] = {
	{ "server", server_main, "TCP server with a numbered close behaviour" },
	{ "client", client_main, "TCP client with a numbered close behaviour" },
	{ "lab", lab_main, "isolated hosts: run the tests (scenario files), check the results" },
	{ "report", report_main, "redraw a run's timeline, diagrams and report from its files" },
	{ "bench", bench_main, "connection rates and the TIME_WAIT ceiling, directly or through a proxy" },
	{ "watch", watch_main, "a live namespace: TIME_WAIT, ports against their ceiling, failures, advice" },
	{ "completion", completion_main, "print the bash or zsh completion script" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: timewait COMMAND [ARGS...]\n"
	    "       timewait --version\n\n"
	    "A laboratory for how TCP connections end.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'timewait COMMAND --help' describes each; see also timewait(1).\n"
	    "Run as timewait_server or timewait_client, the binary is that program.\n");
}

static const struct command *
find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	static char name[64];
	const char *base = strrchr(argv[0], '/');
	const struct command *c;

	/* argv[0] becomes the prefix of every message: "timewait_server", or
	 * "timewait server" for a command (one error style). */
	base = base ? base + 1 : argv[0];
	argv[0] = (char *)base;
	if (strcmp(base, "timewait_server") == 0)
		return server_main(argc, argv);
	if (strcmp(base, "timewait_client") == 0)
		return client_main(argc, argv);

	if (argc < 2) {
		fprintf(stderr, "timewait: which command? (try 'timewait --help')\n");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("timewait %s\n", TIMEWAIT_VERSION);
		return 0;
	}
	c = find(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "timewait: unknown command '%s' (try 'timewait --help')\n",
		    argv[1]);
		return EXIT_USAGE;
	}
	snprintf(name, sizeof(name), "timewait %s", c->name);
	argv[1] = name;
	return c->main(argc - 1, argv + 1);
}
