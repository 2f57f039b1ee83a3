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
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "catalogue.h"
#include "cli/flags.h"
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

/* The program named role ("server"), else the first timewait ROLE (the
 * proxy tests' "backend" is a timewait server). */
static const struct proc_spec *
role_proc(const struct test_spec *t, const char *role)
{
	const struct proc_spec *p = test_proc(t, role);
	int i;

	for (i = 0; p == NULL && i < test_nprocs(t); i++)
		if (strcmp(t->procs[i].prog, role) == 0)
			p = &t->procs[i];
	return p;
}

/* The ids as one column: 17 wide, or as wide as the longest. */
static int id_width = 17;

static void
list_line(const struct test_spec *t)
{
	printf("%-*s %-7s %-8s %s\n", id_width, t->id, code_of(role_proc(t, "server")),
	    code_of(role_proc(t, "client")), t->shows);
}

static json_t *
list_json_one(const struct test_spec *t)
{
	json_t *hosts = json_array();

	for (int h = 0; h < test_nhosts(t); h++)
		json_array_append_new(hosts, json_string(t->hosts[h]));
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:o, s:f}",
	    "id", t->id, "file", t->file ? t->file : "", "title", t->title, "shows", t->shows,
	    "seed", t->seed, "server_code", code_of(role_proc(t, "server")),
	    "client_code", code_of(role_proc(t, "client")), "hosts", hosts,
	    "min_time_scale", t->min_scale > 0 ? t->min_scale : 0.01);
}

struct list_opts {
	int json;
};

static const struct flag_row list_flags[] = {
	FLAG("json", 0, FLAG_BOOL, offsetof(struct list_opts, json), NULL, NULL,
	    "the tests as a JSON array on standard output"),
	FLAG_LAYER_END,
};

const struct flag_cmd lab_list_cmd = {
	.name = "lab list",
	.synopsis = "[--json] [FILE.scen...]",
	.about = "The shipped tests 'timewait lab run' knows, then the scenario files given,\n"
	    "with what each shows.",
	.layers = { flags_common, list_flags, NULL },
};

int
scen_list_main(int argc, char **argv)
{
	struct test_spec **all, *given[FLAGS_MAX_POS];
	struct flags_result fr;
	struct list_opts o = { 0 };
	json_t *arr = NULL;
	char err[1024], dir[4096];
	int i, n, ng = 0, malformed, rc;

	if ((rc = flags_run(&lab_list_cmd, &o, argc, argv, &fr)) != -1)
		return rc;
	/* The files given first: a wrong one is said before anything is listed. */
	for (i = 0; i < fr.npos; i++) {
		if ((given[ng] = catalogue_load(fr.pos[i], &malformed, err, sizeof(err))) == NULL) {
			if (malformed)	/* FILE:LINE: what is wrong */
				fprintf(stderr, "%s\n", err);
			else
				flags_usage_error(&lab_list_cmd, argv[0], "%s", err);
			while (ng > 0)
				scen_free(given[--ng]);
			return EXIT_USAGE;
		}
		ng++;
	}
	n = catalogue_load_all(&all, &malformed, err, sizeof(err));
	if (n < 0) {
		if (malformed)
			fprintf(stderr, "%s\n", err);
		else
			flags_error(&lab_list_cmd, argv[0], "%s", err);
		while (ng > 0)
			scen_free(given[--ng]);
		return malformed ? EXIT_USAGE : 1;
	}
	for (i = 0; i < n + ng; i++) {
		const char *id = (i < n ? all[i] : given[i - n])->id;

		if ((int)strlen(id) > id_width)
			id_width = (int)strlen(id);
	}
	if (o.json)
		arr = json_array();
	else
		printf("%-*s %-7s %s\n", id_width, "test", "server", "client   what it shows");
	for (i = 0; i < n + ng; i++) {
		const struct test_spec *t = i < n ? all[i] : given[i - n];

		if (!arr && i == n)
			printf("\n");
		if (arr)
			json_array_append_new(arr, list_json_one(t));
		else
			list_line(t);
	}
	if (!arr && catalogue_dir(dir, sizeof(dir), err, sizeof(err)) == 0)
		printf("\nseed: 000-007 (the user's eight); all: every shipped test (from %s).\n", dir);
	for (i = 0; !arr && i < n + ng; i++) {
		const struct test_spec *t = i < n ? all[i] : given[i - n];

		if (t->min_scale > 0)
			printf("%s needs --time-scale %g or more.\n", t->id, t->min_scale);
	}
	catalogue_free_all(all, n);
	while (ng > 0)
		scen_free(given[--ng]);
	if (arr) {
		json_dumpf(arr, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(arr);
	}
	return 0;
}

const struct flag_cmd lab_check_cmd = {
	.name = "lab check",
	.synopsis = "[FILE.scen|TEST...]",
	.about = "Read scenario files without running them: every line parsed, every name\n"
	    "resolved, every command found, every sysctl tried in a network namespace of\n"
	    "its own (as root). Without arguments: every shipped test. Prints 'FILE: ok'\n"
	    "or 'FILE:LINE: what is wrong'; exit status 2 if any file is wrong.",
	.layers = { flags_common, NULL },
	.epilog = "The format: docs/scenario-files.md.",
};

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
	struct flags_result fr;
	char err[1024];
	int i, n, malformed, rc, r, none = 0;

	if ((rc = flags_run(&lab_check_cmd, &none, argc, argv, &fr)) != -1)
		return rc;
	if (fr.npos == 0) {
		n = catalogue_load_all(&all, &malformed, err, sizeof(err));
		if (n < 0) {
			if (malformed)
				fprintf(stderr, "%s\n", err);
			else
				flags_error(&lab_check_cmd, argv[0], "%s", err);
			return malformed ? EXIT_USAGE : 1;
		}
		for (i = 0; i < n; i++)
			if ((r = check_one(all[i])) != 0)
				rc = r;
		catalogue_free_all(all, n);
		return rc < 0 ? 0 : rc;
	}
	rc = 0;
	for (i = 0; i < fr.npos; i++) {
		t = catalogue_load(fr.pos[i], &malformed, err, sizeof(err));
		if (t == NULL) {
			if (malformed)
				fprintf(stderr, "%s\n", err);
			else
				flags_usage_error(&lab_check_cmd, argv[0], "%s", err);
			rc = EXIT_USAGE;
			continue;
		}
		if ((r = check_one(t)) != 0)
			rc = r;
		scen_free(t);
	}
	return rc;
}
