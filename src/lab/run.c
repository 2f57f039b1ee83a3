/*
 * run.c - `timewait lab run` and `timewait lab list`: the options, the
 * choice of tests, and the whole run's combined results.json. The work is
 * in supervise.c (one child per test), series.c (one test, --repeat
 * times) and interp.c (one run of a test); runint.h says how they talk.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "fsafe.h"
#include "lab/run.h"
#include "lab/runint.h"
#include "lab/variants.h"
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

/* --sysctl HOST:KEY=VALUE, repeatable: checked with the tests' own. */
static int
add_knob(void *opts, const char *v, char *msg, size_t len)
{
	struct run_opts *o = opts;

	if (o->nknobs == CAT_MAX_SYSCTLS) {
		snprintf(msg, len, "too many --sysctl (at most %d)", CAT_MAX_SYSCTLS);
		return -1;
	}
	o->knobs[o->nknobs++] = v;
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
	FLAG("repeat", 0, FLAG_LONG, OFF(repeat), "N", NULL,
	    "run each test N times (the close race: counts its outcomes);\n"
	    "                             default 1, or the test's own (race-rtt: 50 per delay)",
	    .min = 1, .max = 50000),
	FLAG("jobs", 'j', FLAG_LONG, OFF(jobs), "N", NULL, "at most N tests at once (default: all)",
	    .min = 1, .max = 64),
	FLAG("sysctl", 0, FLAG_FUNC, 0, "HOST:KEY=VALUE", NULL,
	    "a network sysctl set in that lab host only, e.g.\n"
	    "                             client:net.ipv4.tcp_fin_timeout=5 (repeatable; over the file's)",
	    .fn = add_knob),
	FLAG("draw", 0, FLAG_FUNC, 0, "RUN", NULL,
	    "with --repeat: draw this run (default: one run per outcome seen)", .fn = set_draw),
	FLAG("no-color", 0, FLAG_BOOL, OFF(no_color), NULL, NULL,
	    "no colours in the live lines (also when NO_COLOR is set)"),
	FLAG_LAYER_END,
};

static void
test_words(FILE *f)
{
	struct test_spec **all;
	char err[256];
	int i, n, malformed;

	fprintf(f, "all seed");
	n = catalogue_load_all(&all, &malformed, err, sizeof(err));
	for (i = 0; i < n; i++)
		fprintf(f, " %s", all[i]->id);
	if (n > 0)
		catalogue_free_all(all, n);
}

const struct flag_cmd lab_run_cmd = {
	.name = "lab run",
	.synopsis = "[OPTIONS] TEST|FILE.scen... | all | seed",
	.about = "Run tests in labs of their own, in parallel; check every result.",
	.layers = { flags_common, run_flags, NULL },
	.epilog = "TEST: a shipped test's id, or the path of a scenario file\n"
	    "(docs/scenario-files.md). 'timewait lab list' lists the tests. The whole\n"
	    "run's verdicts are in "
	    "DIR/results.json. Exit status 0 only if every check passed.",
	.complete_words = test_words,
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

/* Every test asked for (ids, all, seed, files), or -1 (said) if one is wrong. */
static int
choose_tests(struct flags_result *fr, const struct test_spec **tests, int *n,
    const struct run_opts *o, char **argv)
{
	char err[1024];
	int malformed;

	*n = catalogue_select(fr->pos, fr->npos, o->knobs, o->nknobs, tests, 64, &malformed,
	    err, sizeof(err));
	if (*n >= 0)
		return 0;
	if (malformed)	/* FILE:LINE: what is wrong */
		fprintf(stderr, "%s\n", err);
	else
		flags_usage_error(&lab_run_cmd, argv[0], "%s", err);
	return -1;
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

/* A file of the run folder, to the user who ran sudo (not through a link). */
static void
give_to_caller(int outfd, const char *name)
{
	uid_t uid;
	gid_t gid;

	fs_result_owner(&uid, &gid);
	(void)fchownat(outfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
}

/* DIR/results.json: every test's result.json of this run, in one array. */
static int
write_combined(const struct test_spec **tests, int n, const struct run_opts *o)
{
	json_t *root = json_object(), *arr = json_array();
	char path[PATH_MAX], *text;
	int i, passed = 0, skipped = 0, rc;

	for (i = 0; i < n; i++) {
		json_t *one = NULL;
		const char *verdict;
		char why[256];

		if (run_proxy_missing(tests[i], why, sizeof(why))) {
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "test", tests[i]->id,
			    "verdict", "skipped", "reason", why));
			skipped++;
			continue;
		}
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
	json_object_set_new(root, "tests_skipped", json_integer(skipped));
	json_object_set_new(root, "verdict", json_string(passed + skipped == n ? "pass" : "fail"));
	json_object_set_new(root, "tests", arr);
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	rc = text ? fs_write_file(o->outfd, "results.json", text, strlen(text), 0644) : -1;
	free(text);
	if (rc == 0)
		give_to_caller(o->outfd, "results.json");
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
	o.repeat_given = o.repeat > 0;
	if (!o.repeat_given)
		o.repeat = 1;
	if (fr.npos == 0)
		return flags_usage_error(&lab_run_cmd, argv[0],
		    "name the tests to run, or 'all' (see 'timewait lab list')");
	if (choose_tests(&fr, tests, &n, &o, argv) == -1 || check_scale(tests, n, &o, argv) == -1)
		return EXIT_USAGE;
	o.color = !o.no_color && getenv("NO_COLOR") == NULL;
	if (lab_check_privileges() == -1)
		return 1;
	{	/* Root writes there: a folder only root or the caller can change. */
		char err[PATH_MAX + 256];

		o.outfd = fs_open_outdir(o.out, 1, err, sizeof(err));
		if (o.outfd == -1)
			return flags_error(&lab_run_cmd, argv[0], "--out %s", err);
		fs_remove_dead(o.outfd, RUN_FRESH_PREFIX);	/* of runs killed outright */
	}
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
		    fmt(page, sizeof(page), "%s/report.html", o.out) == 0) {
			give_to_caller(o.outfd, "report.html");
			printf("the whole run on one page: %s\n", page);
		}
		else
			fprintf(stderr, "timewait lab run: no report.html: %s\n", err);
	}
	for (j = 0; j < n && !run_stop_requested; j++)	/* a line per variant */
		if (tests[j]->vary.n > 0)
			variants_show(o.out, tests[j]->id, stdout);
	if (o.show)
		for (j = 0; j < n; j++)
			results_show(o.out, tests[j]->id, stdout);
	return i;
}
