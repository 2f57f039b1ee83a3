/*
 * run.c - `timewait lab run` and `timewait lab list`: the options, the
 * choice of tests, and the whole run's combined results.json. The work is
 * in supervise.c (one child per test), series.c (one test, --repeat
 * times) and interp.c (one run of a test); runint.h says how they talk.
 */
#include <errno.h>
#include <grp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/flags.h"
#include "lab/run.h"
#include "lab/runint.h"
#include "render/render.h"
#include "util.h"

#define OFF(f) offsetof(struct run_opts, f)

static int
set_fast(void *opts, const char *v, char *msg, size_t len)
{
	(void)v; (void)msg; (void)len;
	((struct run_opts *)opts)->scale = 0.1;
	((struct run_opts *)opts)->fast = 1;
	return 0;
}

/* --draw RUN: which run of a --repeat race the drawings show. */
static int
set_draw(void *opts, const char *v, char *msg, size_t len)
{
	long run;

	(void)opts;
	if (parse_long(v, 1, 50000, &run) == -1) {
		snprintf(msg, len, "--draw wants a run number from 1 to 50000, not '%s'", v);
		return -1;
	}
	render_set_draw_run((int)run);
	return 0;
}

static const struct flag_row run_flags[] = {
	FLAG("fast", 0, FLAG_ACTION, 0, NULL, NULL, "every scenario delay times 0.1", .fn = set_fast),
	FLAG("time-scale", 0, FLAG_DOUBLE, OFF(scale), "F", "1",
	    "every scenario delay times F (a test may ask for more: see lab list)",
	    .min = 0.01, .max = 10),
	FLAG("full", 0, FLAG_BOOL, OFF(full), NULL, NULL,
	    "wait out TIME_WAIT (60 s, with a countdown) where a test shows it"),
	FLAG("out", 'o', FLAG_STRING, OFF(out), "DIR", "runs", "where results go: DIR/<test>/",
	    .complete = COMPLETE_DIR),
	FLAG("keep", 0, FLAG_BOOL, OFF(keep), NULL, NULL,
	    "leave each lab up for a look; 'timewait lab clean' removes it"),
	FLAG("show", 0, FLAG_BOOL, OFF(show), NULL, NULL, "print each test's text timeline at the end"),
	FLAG("repeat", 0, FLAG_LONG, OFF(repeat), "N", "1",
	    "run each test N times (the close race: counts its outcomes)", .min = 1, .max = 50000),
	FLAG("jobs", 'j', FLAG_LONG, OFF(jobs), "N", NULL, "at most N tests at once (default: all)",
	    .min = 1, .max = 64),
	FLAG("draw", 0, FLAG_FUNC, 0, "RUN", NULL,
	    "with --repeat: draw this run (default: one run per outcome seen)", .fn = set_draw),
	FLAG("no-color", 0, FLAG_BOOL, OFF(no_color), NULL, NULL,
	    "no colours in the live lines (also when NO_COLOR is set)"),
	FLAG_LAYER_END,
};

static void
test_words(FILE *f)
{
	int i;

	fprintf(f, "all seed");
	for (i = 0; i < catalogue_len; i++)
		fprintf(f, " %s", catalogue[i].id);
}

const struct flag_cmd lab_run_cmd = {
	.name = "lab run",
	.synopsis = "[OPTIONS] TEST... | all | seed",
	.about = "Run tests in labs of their own, in parallel; check every result.",
	.layers = { flags_common, run_flags, NULL },
	.epilog = "'timewait lab list' lists the tests. The whole run's verdicts are in\n"
	    "DIR/results.json. Exit status 0 only if every check passed.",
	.complete_words = test_words,
};

struct list_opts {
	int json;
};

static const struct flag_row list_flags[] = {
	FLAG("json", 0, FLAG_BOOL, offsetof(struct list_opts, json), NULL, NULL,
	    "the catalogue as JSON on standard output"),
	FLAG_LAYER_END,
};

const struct flag_cmd lab_list_cmd = {
	.name = "lab list",
	.synopsis = "[--json]",
	.about = "The tests 'timewait lab run' knows, with what each shows.",
	.layers = { flags_common, list_flags, NULL },
};

/* Can user nobody execute our binary? If not, the programs run as root. */
static int
nobody_can_exec(const char *exe)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (setgroups(0, NULL) == -1 || setgid(65534) == -1 || setuid(65534) == -1)
			_exit(1);
		_exit(access(exe, X_OK) == 0 ? 0 : 1);
	}
	if (pid == -1 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int
add_test(const struct test_spec **tests, int *n, const struct test_spec *t)
{
	int i;

	for (i = 0; i < *n; i++)
		if (tests[i] == t)
			return 0;
	tests[(*n)++] = t;
	return 0;
}

/* Every test asked for, or -1 (said) if a word names none. */
static int
choose_tests(struct flags_result *fr, const struct test_spec **tests, int *n, char **argv)
{
	int i, j;

	for (i = 0; i < fr->npos; i++) {
		const struct test_spec *t = catalogue_find(fr->pos[i]);

		if (strcmp(fr->pos[i], "all") == 0 || strcmp(fr->pos[i], "seed") == 0) {
			for (j = 0; j < catalogue_len; j++)
				if (catalogue[j].seed || strcmp(fr->pos[i], "all") == 0)
					add_test(tests, n, &catalogue[j]);
		} else if (t != NULL) {
			add_test(tests, n, t);
		} else {
			flags_usage_error(&lab_run_cmd, argv[0], "no test '%s' (see 'timewait lab list')",
			    fr->pos[i]);
			return -1;
		}
	}
	return 0;
}

/* A test that cannot honour the time scale is refused, with the reason. */
static int
check_scale(const struct test_spec **tests, int n, const struct run_opts *o, char **argv)
{
	int i;

	for (i = 0; i < n; i++)
		if (tests[i]->min_scale > 0 && o->scale < tests[i]->min_scale - 1e-9) {
			flags_usage_error(&lab_run_cmd, argv[0], "test %s needs a time scale of at "
			    "least %g, not %g: %s", tests[i]->id, tests[i]->min_scale, o->scale,
			    tests[i]->min_scale_why);
			return -1;
		}
	return 0;
}

/* DIR/results.json: every test's result.json of this run, in one array. */
static int
write_combined(const struct test_spec **tests, int n, const struct run_opts *o)
{
	json_t *root = json_object(), *arr = json_array();
	char path[PATH_MAX];
	int i, passed = 0, rc;

	for (i = 0; i < n; i++) {
		json_t *one = NULL;
		const char *verdict;

		if (fmt(path, sizeof(path), "%s/%s/result.json", o->out, tests[i]->id) == 0)
			one = json_load_file(path, 0, NULL);
		if (one == NULL)
			one = json_pack("{s:s, s:s, s:s}", "test", tests[i]->id, "verdict", "error",
			    "error", "no result.json (the run was stopped or failed early)");
		verdict = json_string_value(json_object_get(one, "verdict"));
		passed += verdict != NULL && strcmp(verdict, "pass") == 0;
		json_array_append_new(arr, one);
	}
	json_object_set_new(root, "time_scale", json_real(o->scale));
	json_object_set_new(root, "full", json_boolean(o->full));
	json_object_set_new(root, "repeat", json_integer(o->repeat));
	json_object_set_new(root, "tests_run", json_integer(n));
	json_object_set_new(root, "tests_passed", json_integer(passed));
	json_object_set_new(root, "verdict", json_string(passed == n ? "pass" : "fail"));
	json_object_set_new(root, "tests", arr);
	rc = fmt(path, sizeof(path), "%s/results.json", o->out) == 0 ?
	    json_dump_file(root, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : -1;
	json_decref(root);
	return rc;
}

int
lab_run_main(int argc, char **argv)
{
	const struct test_spec *tests[64];
	struct flags_result fr;
	struct run_opts o;
	int n = 0, i, j, rc;
	ssize_t len;

	memset(&o, 0, sizeof(o));
	o.jobs = 64;
	if ((rc = flags_run(&lab_run_cmd, &o, argc, argv, &fr)) != -1)
		return rc;
	if (fr.npos == 0)
		return flags_usage_error(&lab_run_cmd, argv[0],
		    "name the tests to run, or 'all' (see 'timewait lab list')");
	if (choose_tests(&fr, tests, &n, argv) == -1 || check_scale(tests, n, &o, argv) == -1)
		return EXIT_USAGE;
	o.color = !o.no_color && getenv("NO_COLOR") == NULL;
	if (lab_check_privileges() == -1)
		return 1;
	if (mkdir(o.out, 0755) == -1 && errno != EEXIST)
		return flags_error(&lab_run_cmd, argv[0], "cannot create %s: %s", o.out, strerror(errno));
	if (access(o.out, W_OK | X_OK) == -1)
		return flags_error(&lab_run_cmd, argv[0], "cannot write into %s: %s", o.out,
		    strerror(errno));
	len = readlink("/proc/self/exe", o.exe, sizeof(o.exe) - 1);
	if (len <= 0)
		return flags_error(&lab_run_cmd, argv[0], "cannot find the timewait binary: %s",
		    strerror(errno));
	o.exe[len] = '\0';
	o.unprivileged = nobody_can_exec(o.exe);
	if (!o.unprivileged)
		fprintf(stderr, "timewait lab run: user nobody cannot run %s (a folder on its path is "
		    "closed); the programs run as root instead\n", o.exe);
	lab_clean(0, 0);
	(void)ktrace_mount();	/* once, before the tests trace in parallel */
	i = run_all(tests, n, &o);
	ktrace_unmount();	/* ours, or a dead run's, once nobody traces */
	if (write_combined(tests, n, &o) == -1)
		fprintf(stderr, "timewait lab run: cannot write %s/results.json\n", o.out);
	if (!run_stop_requested) {
		char err[256], page[PATH_MAX + 16];

		if (report_html(o.out, NULL, err, sizeof(err)) == 0 &&
		    fmt(page, sizeof(page), "%s/report.html", o.out) == 0)
			printf("the whole run on one page: %s\n", page);
		else
			fprintf(stderr, "timewait lab run: no report.html: %s\n", err);
	}
	if (o.show)
		for (j = 0; j < n; j++)
			results_show(o.out, tests[j]->id, stdout);
	return i;
}

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
list_json(void)
{
	json_t *arr = json_array();
	int i, h;

	for (i = 0; i < catalogue_len; i++) {
		const struct test_spec *t = &catalogue[i];
		const struct proc_spec *s = test_proc(t, "server"), *c = test_proc(t, "client");
		json_t *hosts = json_array();

		for (h = 0; h < test_nhosts(t); h++)
			json_array_append_new(hosts, json_string(t->hosts[h]));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:o, s:f}",
		    "id", t->id, "title", t->title, "shows", t->shows, "seed", t->seed,
		    "server_code", code_of(s), "client_code", code_of(c), "hosts", hosts,
		    "min_time_scale", t->min_scale > 0 ? t->min_scale : 0.01));
	}
	json_dumpf(arr, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(arr);
}

int
lab_list_main(int argc, char **argv)
{
	struct flags_result fr;
	struct list_opts o = { 0 };
	int i, rc;

	if ((rc = flags_run(&lab_list_cmd, &o, argc, argv, &fr)) != -1)
		return rc;
	if (fr.npos > 0)
		return flags_usage_error(&lab_list_cmd, argv[0], "unexpected argument '%s'", fr.pos[0]);
	if (o.json) {
		list_json();
		return 0;
	}
	printf("%-17s %-7s %s\n", "test", "server", "client   what it shows");
	for (i = 0; i < catalogue_len; i++) {
		const struct test_spec *t = &catalogue[i];
		const struct proc_spec *s = test_proc(t, "server"), *c = test_proc(t, "client");

		printf("%-17s %-7s %-8s %s\n", t->id, code_of(s), code_of(c), t->shows);
	}
	printf("\nseed: 000-007 (the user's eight); all: every test above.\n");
	for (i = 0; i < catalogue_len; i++)
		if (catalogue[i].min_scale > 0)
			printf("%s needs --time-scale %g or more.\n", catalogue[i].id,
			    catalogue[i].min_scale);
	return 0;
}
