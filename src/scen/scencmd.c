/*
 * scencmd.c - `timewait lab list [FILE...]` and `timewait lab check
 * [FILE|ID...]`.
 *
 * list: every shipped test, then the files given, one line each: the
 * server's and the client's behaviour codes and what the test shows.
 * check: parse each file (every shipped one without arguments) and try
 * its sysctls in a namespace of its own, building no lab: "FILE: ok" or
 * "FILE:LINE: what is wrong" and exit 2.
 */
#include <stdio.h>
#include <string.h>

#include "catalogue.h"
#include "commands.h"
#include "scen/knobs.h"
#include "scen/scencmd.h"
#include "scen/scenfile.h"

/* The behaviour code a program runs with: the word after -s. */
static const char *
code_of(const struct proc_spec *p)
{
	int i;

	for (i = 0; p != NULL && p->args[i] != NULL; i++)
		if (strcmp(p->args[i], "-s") == 0 && p->args[i + 1] != NULL)
			return p->args[i + 1];
	return "-";
}

static void
list_line(const struct test_spec *t)
{
	printf("%-17s %-7s %-8s %s\n", t->id, code_of(test_proc(t, "server")),
	    code_of(test_proc(t, "client")), t->shows);
}

static int
is_help(const char *s)
{
	return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0;
}

int
scen_list_main(int argc, char **argv)
{
	struct test_spec **all, *t;
	char err[1024], dir[4096];
	int i, n, malformed, rc = 0;

	if (argc > 1 && is_help(argv[1])) {
		printf("usage: timewait lab list [FILE.scen...]\n\n"
		    "The shipped tests 'timewait lab run' knows, then the scenario files given,\n"
		    "with what each shows.\n");
		return 0;
	}
	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-') {
			fprintf(stderr, "lab list: unknown option '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
	n = catalogue_load_all(&all, &malformed, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "%s%s\n", malformed ? "" : "lab list: ", err);
		return malformed ? EXIT_USAGE : 1;
	}
	printf("%-17s %-7s %s\n", "test", "server", "client   what it shows");
	for (i = 0; i < n; i++)
		list_line(all[i]);
	catalogue_free_all(all, n);
	if (catalogue_dir(dir, sizeof(dir), err, sizeof(err)) == 0)
		printf("\nseed: 000-007 (the user's eight); all: every test above (from %s).\n", dir);
	if (argc > 1)
		printf("\n");
	for (i = 1; i < argc; i++) {
		t = scen_load(argv[i], err, sizeof(err));
		if (t == NULL) {
			fprintf(stderr, "%s\n", err);
			rc = EXIT_USAGE;
			continue;
		}
		list_line(t);
		scen_free(t);
	}
	return rc;
}

static void
check_usage(FILE *f)
{
	fprintf(f, "usage: timewait lab check [FILE.scen|TEST...]\n\n"
	    "Read scenario files without running them: every line parsed, every name\n"
	    "resolved, every command found, every sysctl tried in a network namespace of\n"
	    "its own (as root). Without arguments: every shipped test. Prints 'FILE: ok'\n"
	    "or 'FILE:LINE: what is wrong'; exit status 2 if any file is wrong.\n"
	    "The format: docs/scenario-files.md.\n");
}

static int
count(const struct test_spec *t, int what)
{
	int n = 0;

	switch (what) {
	case 'a':
		while (n < CAT_MAX_ACTIONS && t->actions[n].kind != 0)
			n++;
		break;
	case 'c':
		while (n < CAT_MAX_CHECKS && t->checks[n].kind != 0)
			n++;
		break;
	default:
		while (n < CAT_MAX_SYSCTLS && t->sysctls[n].key != NULL)
			n++;
		break;
	}
	return n;
}

/* One test checked: 0 ok, else the exit status it calls for. */
static int
check_one(struct test_spec *t)
{
	const struct test_spec *one[1] = { t };
	char err[1024];
	int tried, ns = count(t, 's');

	if (knobs_probe(one, 1, &tried, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	printf("%s: ok: test %s, %d host%s, %d program%s, %d action%s, %d check%s", t->file,
	    t->id, test_nhosts(t), test_nhosts(t) == 1 ? "" : "s", test_nprocs(t),
	    test_nprocs(t) == 1 ? "" : "s", count(t, 'a'), count(t, 'a') == 1 ? "" : "s",
	    count(t, 'c'), count(t, 'c') == 1 ? "" : "s");
	if (ns > 0)
		printf(", %d sysctl%s%s", ns, ns == 1 ? "" : "s",
		    tried ? " tried in a namespace" : " (not tried: needs root)");
	printf("\n");
	if (catalogue_runnable(t, err, sizeof(err)) < 0)
		printf("  note: %s\n", err);
	return 0;
}

int
scen_check_main(int argc, char **argv)
{
	struct test_spec **all = NULL, *t;
	char err[1024];
	int i, n, malformed, rc = 0, r;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			check_usage(stdout);
			return 0;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "lab check: unknown option '%s' (try 'timewait lab check --help')\n",
			    argv[i]);
			return EXIT_USAGE;
		}
	}
	if (argc == 1) {
		n = catalogue_load_all(&all, &malformed, err, sizeof(err));
		if (n < 0) {
			fprintf(stderr, "%s%s\n", malformed ? "" : "lab check: ", err);
			return malformed ? EXIT_USAGE : 1;
		}
		for (i = 0; i < n; i++)
			if ((r = check_one(all[i])) != 0)
				rc = r;
		catalogue_free_all(all, n);
		return rc;
	}
	for (i = 1; i < argc; i++) {
		t = catalogue_load(argv[i], &malformed, err, sizeof(err));
		if (t == NULL) {
			fprintf(stderr, "%s%s\n", malformed ? "" : "lab check: ", err);
			rc = EXIT_USAGE;
			continue;
		}
		if ((r = check_one(t)) != 0)
			rc = r;
		scen_free(t);
	}
	return rc;
}
