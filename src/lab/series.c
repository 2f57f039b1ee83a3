/*
 * series.c - one test, --repeat times, judged: the life of a test's child
 * process. Most tests run each time in a lab of their own (interp.c); a
 * test whose repeats share one lab (the close race: one server, a fresh
 * client from a port of its own each time) runs them all in one lab and
 * tells the runs apart by that port. Then the checks judge the files, the
 * folder gets its result.json and report.md, and the drawings are made.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "lab/runint.h"
#include "lab/variants.h"
#include "render/render.h"
#include "util.h"

static void judge_files(struct test_rec *r, const char *dir);

#define RACE_PORT_BASE 10000	/* the Nth repeat's client binds port 10000 + N */

static const char *race_label = "";	/* before "run N of M": which variant */

/*
 * The close race, repeated: one lab, one server, one capture per host for
 * the whole series, and the client started N times, each a fresh process
 * from a source port of its own (a client that ended in TIME_WAIT holds
 * its port for 60 s). Each connection is then classified by its 4-tuple.
 */
static int
run_race_repeat(struct test_rec *r, const struct run_opts *o, const char *dir,
    struct outcome_count *oc, int *noc, int maxoc, int *consistent_runs)
{
	struct run_env e;
	struct proc_rec *server = run_proc(r, "server"), *client = run_proc(r, "client");
	char port[16], path[PATH_MAX], (*details)[RACE_DETAIL];
	const char *extra[] = { "-f", port, "--quit-when-done", NULL };
	FILE *runs = NULL;
	const char **names;
	int i, rc, *agree, ran = 0;

	memset(&e, 0, sizeof(e));
	if (server == NULL || client == NULL) {
		snprintf(r->error, sizeof(r->error), "the race needs a server and a client");
		return -1;
	}
	rc = run_setup(r, dir, &e);
	if (rc == 0)
		rc = run_spawn(r, &e.lab, server, o, dir, NULL, 0);
	if (rc == 0)
		rc = run_wait_step(r, server, 0, "listen", 0, now_mono_ns() + 5 * NSEC_PER_SEC, NULL);
	r->t0_ns = now_realtime_ns();
	for (i = 0; rc == 0 && i < o->repeat && !run_stop_requested; i++) {
		size_t from = client->nev;
		int st;

		snprintf(port, sizeof(port), "%d", RACE_PORT_BASE + i);
		if (i % 25 == 0)
			progress("%srun %d of %ld", race_label, i + 1, o->repeat);
		rc = run_spawn(r, &e.lab, client, o, dir, extra, i > 0);
		if (rc == 0)
			rc = run_wait_step(r, client, from, "close", 1,
			    now_mono_ns() + 3 * NSEC_PER_SEC, NULL);
		if (client->pid > 0 && waitpid(client->pid, &st, 0) == client->pid)
			client->pid = 0;
		if (client->stdin_w != -1) {
			close(client->stdin_w);
			client->stdin_w = -1;
		}
		ran += rc == 0;
	}
	if (rc == 0)
		rc = run_snapshot(r, &e.lab, "end", 1);
	run_teardown(r, o, dir, &e);
	/* Judge every connection from the captures. */
	judge_files(r, dir);
	*consistent_runs = 0;
	names = calloc((size_t)ran + 1, sizeof(*names));
	agree = calloc((size_t)ran + 1, sizeof(*agree));
	details = calloc((size_t)ran + 1, sizeof(*details));
	if (names == NULL || agree == NULL || details == NULL ||
	    race_classify_ports(r, RACE_PORT_BASE, ran, names, agree, details) == -1) {
		snprintf(r->error, sizeof(r->error), "cannot classify the runs");
		ran = 0;
	}
	if (fmt(path, sizeof(path), "%s/runs.jsonl", dir) == 0)
		runs = fopen(path, "w");
	for (i = 0; i < ran; i++) {
		outcome_add(oc, noc, maxoc, names[i] ? names[i] : "unknown");
		*consistent_runs += names[i] != NULL && agree[i];
		if (runs != NULL) {
			json_t *j = json_pack("{s:i,s:i,s:s,s:b}", "run", i + 1,
			    "client_port", RACE_PORT_BASE + i, "outcome",
			    names[i] ? names[i] : "unknown", "sockets_agree", agree[i]);

			/* The rare outcomes say how they came about. */
			if (names[i] == NULL || strcmp(names[i], RACE_SERVER) != 0)
				json_object_set_new(j, "detail", json_string(details[i]));
			json_dumpf(j, runs, JSON_COMPACT);
			fputc('\n', runs);
			json_decref(j);
		}
	}
	if (runs != NULL && fclose(runs) != 0)
		snprintf(r->error, sizeof(r->error), "lab error: cannot write runs.jsonl: %s",
		    strerror(errno));
	free(names);
	free(agree);
	free(details);
	return ran;
}

/* The run is over: its folder, loaded once into the model the checks judge. */
static void
judge_files(struct test_rec *r, const char *dir)
{
	(void)rec_load_model(r, dir);
}

/* Judge a run from its files; 1 if every check passed. */
static int
judge(struct test_rec *r, const char *dir, struct check_result *res, int *nres)
{
	int i, passed = 0;

	judge_files(r, dir);
	r->dir = dir;
	*nres = checks_run(r, res);
	r->dir = NULL;
	for (i = 0; i < *nres; i++)
		passed += !res[i].judged || res[i].pass;
	return r->error[0] == '\0' && passed == *nres;
}

static void
rec_init(struct test_rec *r, const struct test_spec *t, const struct run_opts *o)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->spec = t;
	r->scale = o->scale;
	r->full = o->full;
	r->nprocs = test_nprocs(t);
	for (i = 0; i < r->nprocs; i++) {
		r->procs[i].spec = &t->procs[i];
		r->procs[i].stdin_w = -1;
	}
}

/* What a test's runs came to, over --repeat runs. */
struct series {
	struct check_result res[CAT_MAX_CHECKS];
	int nres;
	struct outcome_count outcomes[8];
	int noutcomes;
	int runs, passed_runs;
	int ok;
	/* A test with variants (vary): each one's series, and its spec. */
	struct variant_run vr[CAT_MAX_VARIANTS];
	int nvr;
	struct test_spec *vspec[CAT_MAX_VARIANTS];
};

/* The runs of a series: --repeat N if given, else the test's own
 * (`repeat in-one-lab runs N`), else one. */
static long
runs_of(const struct test_spec *t, const struct run_opts *o)
{
	if (!o->repeat_given && t->repeat_in_one_lab && t->default_runs > 0)
		return t->default_runs;
	return o->repeat;
}

/* The close race repeated: one lab, the runs told apart by client port. */
static void
race_series(struct test_rec *r, const struct run_opts *o, const char *dir,
    struct series *sr)
{
	struct run_opts ro = *o;
	int consistent = 0;

	ro.repeat = runs_of(r->spec, o);
	o = &ro;
	sr->runs = run_race_repeat(r, o, dir, sr->outcomes, &sr->noutcomes, 8, &consistent);
	sr->ok = r->error[0] == '\0' && sr->runs == o->repeat && consistent == sr->runs;
	sr->nres = 1;
	sr->res[0].spec = &r->spec->checks[0];
	sr->res[0].judged = 1;
	sr->res[0].pass = sr->ok;
	snprintf(sr->res[0].seen, sizeof(sr->res[0].seen),
	    "%d of %ld runs ended in a legitimate outcome that the TIME_WAIT sockets agree with",
	    consistent, o->repeat);
	sr->passed_runs = consistent;
}

/* The race check's result for one variant's own folder (its result.json). */
static int
variant_race_result(const struct test_spec *t, const struct variant_run *vr, long want,
    struct check_result *res)
{
	for (int i = 0; i < CAT_MAX_CHECKS && t->checks[i].kind != 0; i++)
		if (t->checks[i].kind == CK_RACE) {
			memset(res, 0, sizeof(*res));
			res->spec = &t->checks[i];
			res->judged = 1;
			res->pass = vr->error[0] == '\0' && vr->runs == want &&
			    vr->consistent == vr->runs;
			snprintf(res->seen, sizeof(res->seen), "%d of %ld runs ended in a legitimate "
			    "outcome that the TIME_WAIT sockets agree with", vr->consistent, want);
			return 1;
		}
	return 0;
}

/* A variant after the first: its folder in the test's, written whole (as a
 * race series' own: result.json, report.md, drawings of its runs). */
static void
variant_files(struct test_rec *rec, const struct variant_run *vr, long want,
    const char *vdir)
{
	struct check_result res;
	int nres = variant_race_result(rec->spec, vr, want, &res);

	if (results_write(vdir, rec, &res, nres, nres && res.pass, vr->oc, vr->noc, vr->runs,
	    vr->consistent, vr->seconds) == -1 && rec->error[0] == '\0')
		snprintf(rec->error, sizeof(rec->error), "lab error: cannot write the results "
		    "in %.120s: %s", vdir, strerror(errno));
	if (rec->tl != NULL && render_files(vdir, rec->tl, rec->draw_error,
	    sizeof(rec->draw_error)) == -1 && run_lab_write_error(errno) &&
	    rec->error[0] == '\0')
		snprintf(rec->error, sizeof(rec->error), "lab error: cannot write the drawings "
		    "in %.120s: %s", vdir, strerror(errno));
	(void)results_append_drawings(vdir, rec);
}

/*
 * A test with variants (vary link A B delay ...): the race series once per
 * delay, each in a lab of its own (lab/variants.h: the first in the test's
 * folder, each other in a folder inside it). r ends as the first
 * variant's record: the test's folder is its run. Then the race check
 * over every variant, and each outcome check over its own variant's runs.
 */
static void
vary_series(struct test_rec *r, const struct run_opts *o, const char *dir,
    struct series *sr)
{
	const struct test_spec *t = r->spec;
	struct run_opts vo = *o;
	char label[32];
	int v, i, all = 1;

	vo.repeat = runs_of(t, o);
	for (v = 0; v < t->vary.n && !run_stop_requested; v++) {
		struct variant_run *vr = &sr->vr[v];
		struct test_rec *rec = r;
		char vdir[PATH_MAX];
		uint64_t start = now_mono_ns();

		variant_init(t, v, vr);
		if ((sr->vspec[v] = variant_spec(t, v)) == NULL ||
		    (v > 0 && (rec = malloc(sizeof(*rec))) == NULL)) {
			snprintf(r->error, sizeof(r->error), "lab error: out of memory");
			break;
		}
		sr->nvr = v + 1;
		rec_init(rec, sr->vspec[v], o);
		if (v == 0) {
			snprintf(vdir, sizeof(vdir), "%s", dir);
		} else if (fmt(vdir, sizeof(vdir), "%s/%s", dir, vr->folder) == -1 ||
		    mkdir(vdir, 0755) == -1) {
			snprintf(r->error, sizeof(r->error), "lab error: cannot make %.120s/%s: %s",
			    dir, vr->folder, strerror(errno));
			free(rec);
			break;
		}
		snprintf(label, sizeof(label), "delay %s: ", vr->label);
		race_label = label;
		vr->runs = run_race_repeat(rec, &vo, vdir, vr->oc, &vr->noc, VARIANT_OUTCOMES,
		    &vr->consistent);
		race_label = "";
		vr->rtt_ms = variant_rtt_ms(rec->tl, RACE_PORT_BASE, vr->runs);
		vr->seconds = (double)(now_mono_ns() - start) / 1e9;
		if (v > 0)
			variant_files(rec, vr, vo.repeat, vdir);
		snprintf(vr->error, sizeof(vr->error), "%s", rec->error);
		all &= vr->error[0] == '\0' && vr->runs == vo.repeat && vr->consistent == vr->runs;
		sr->runs += vr->runs;
		sr->passed_runs += vr->consistent;
		if (v > 0) {
			/* The test's own error says which variant went wrong. */
			if (rec->error[0] != '\0' && r->error[0] == '\0')
				snprintf(r->error, sizeof(r->error), "delay %s: %.200s", vr->label,
				    rec->error);
			rec_free(rec);
			free(rec);
		}
	}
	sr->ok = r->error[0] == '\0' && sr->nvr == t->vary.n && !run_stop_requested;
	for (i = 0; i < CAT_MAX_CHECKS && t->checks[i].kind != 0; i++) {
		struct check_result *res = &sr->res[sr->nres++];
		size_t len = 0;

		memset(res, 0, sizeof(*res));
		res->spec = &t->checks[i];
		res->judged = 1;
		if (t->checks[i].kind == CK_OUTCOME) {
			res->pass = variant_judge(&t->checks[i], sr->vr, sr->nvr, res->seen,
			    sizeof(res->seen));
		} else {	/* race: every run of every variant */
			char seen[sizeof(res->seen)];	/* not res->seen: sr holds the labels too */

			res->pass = all && sr->nvr == t->vary.n;
			seen[0] = '\0';
			for (v = 0; v < sr->nvr && len < sizeof(seen); v++)
				len += (size_t)snprintf(seen + len, sizeof(seen) - len,
				    "%s%s: %d of %ld", v ? ", " : "", sr->vr[v].label,
				    sr->vr[v].consistent, vo.repeat);
			if (len < sizeof(seen))
				snprintf(seen + len, sizeof(seen) - len, " runs ended in a "
				    "legitimate outcome the TIME_WAIT sockets agree with");
			memcpy(res->seen, seen, sizeof(seen));
		}
		sr->ok &= res->pass;
	}
}

/* Any other test, run --repeat times, each in a lab of its own. */
static void
plain_series(struct test_rec *r, const struct run_opts *o, const char *dir,
    struct series *sr)
{
	const struct test_spec *t = r->spec;

	sr->ok = 1;
	for (sr->runs = 0; sr->runs < o->repeat && !run_stop_requested; sr->runs++) {
		int this_ok;

		if (sr->runs > 0)
			rec_free(r);
		rec_init(r, t, o);
		if (o->repeat > 1)
			progress("run %d of %ld", sr->runs + 1, o->repeat);
		run_once(r, o, dir);
		progress("checking");
		this_ok = judge(r, dir, sr->res, &sr->nres);
		sr->passed_runs += this_ok;
		sr->ok &= this_ok;
		if (r->error[0] != '\0') {
			sr->runs++;
			break;
		}
	}
}

/* The final live line: the verdict, the checks' count, what failed. */
static void
progress_verdict(const struct test_rec *r, const struct series *sr)
{
	int i, passed = 0, judged = 0;
	const char *first_failed = NULL;

	for (i = 0; i < sr->nres; i++) {
		judged += sr->res[i].judged;
		passed += sr->res[i].judged && sr->res[i].pass;
		if (sr->res[i].judged && !sr->res[i].pass && first_failed == NULL)
			first_failed = sr->res[i].spec->what;
	}
	if (run_stop_requested) {
		progress("stopped (Ctrl+C or a signal): not judged");
		return;
	}
	if (sr->noutcomes > 0 && sr->runs > 0) {	/* the race: its outcomes */
		char shares[256];
		size_t len = 0;

		shares[0] = '\0';
		for (i = 0; i < sr->noutcomes && len < sizeof(shares); i++)
			len += (size_t)snprintf(shares + len, sizeof(shares) - len, "%s%s %d (%.1f%%)",
			    i ? ", " : "", sr->outcomes[i].name, sr->outcomes[i].count,
			    100.0 * sr->outcomes[i].count / sr->runs);
		progress("%s  %d runs: %s%s%s", sr->ok ? "PASS" : "FAIL", sr->runs, shares,
		    r->error[0] || !sr->ok ? "; " : "",
		    r->error[0] ? r->error : !sr->ok && sr->nres ? sr->res[0].seen : "");
		return;
	}
	if (sr->nvr > 0) {	/* the variants: their lines come after the table */
		progress("%s  %d delays, %d runs; %d of %d checks%s%s", sr->ok ? "PASS" : "FAIL",
		    sr->nvr, sr->runs, passed, judged, r->error[0] ? "; " : first_failed ?
		    "; failed: " : "", r->error[0] ? r->error : first_failed ? first_failed : "");
		return;
	}
	progress("%s  %d of %d checks%s%s%s", sr->ok ? "PASS" : "FAIL", passed, judged,
	    judged < sr->nres ? " (more with --full)" : "",
	    r->error[0] ? "; " : first_failed ? "; failed: " : "",
	    r->error[0] ? r->error : first_failed ? first_failed : "");
}

/* The test ends as an error of the lab; the first such reason stays. */
static void
lab_error(struct test_rec *r, struct series *sr, const char *what,
    const struct test_spec *t, const struct run_opts *o, int e)
{
	sr->ok = 0;
	if (strncmp(r->error, "lab error", 9) == 0)
		return;
	snprintf(r->error, sizeof(r->error), "lab error: %s in %s/%s: %s", what, o->out,
	    t->id, strerror(e));
}

/* The child's whole life: one test, --repeat times. Returns its status. */
int
run_test(const struct test_spec *t, const struct run_opts *o)
{
	struct series sr;
	struct test_rec r;
	char dir[PATH_MAX], wrap[NAME_MAX + 1], err[PATH_MAX + 128];
	uint64_t start = now_mono_ns();
	int status, wfd;

	if (run_proxy_missing(t, err, sizeof(err))) {
		progress("skipped: %s", err);
		return STATUS_SKIP;
	}
	wfd = run_testdir_fresh(t, o, wrap, sizeof(wrap), dir, sizeof(dir));
	if (wfd == -1)
		return STATUS_ERROR;
	memset(&sr, 0, sizeof(sr));
	rec_init(&r, t, o);
	if (t->vary.n > 0)
		vary_series(&r, o, dir, &sr);
	else if (runs_of(t, o) > 1 && t->repeat_in_one_lab)
		race_series(&r, o, dir, &sr);
	else
		plain_series(&r, o, dir, &sr);
	if (results_write(dir, &r, sr.res, sr.nres, sr.ok, runs_of(t, o) > 1 && t->vary.n == 0 ?
	    sr.outcomes : NULL, sr.noutcomes, sr.runs, sr.passed_runs,
	    (double)(now_mono_ns() - start) / 1e9) == -1)
		lab_error(&r, &sr, "cannot write the results", t, o, errno);	/* a full disk */
	else if (t->vary.n > 0 && variants_write(dir, t, sr.vr, sr.nvr, runs_of(t, o),
	    sr.runs, sr.passed_runs) == -1)
		lab_error(&r, &sr, "cannot write the variants' results", t, o, errno);
	progress("drawing");
	/* The drawings from the model the checks judged: the folder read once. */
	errno = 0;
	if ((r.tl ? render_files(dir, r.tl, r.draw_error, sizeof(r.draw_error)) :
	    render_test(dir, 0, NULL, r.draw_error, sizeof(r.draw_error))) == -1) {
		int e = errno;

		if (r.draw_error[0] == '\0')
			snprintf(r.draw_error, sizeof(r.draw_error), "the drawings failed");
		if (run_lab_write_error(e))
			lab_error(&r, &sr, "cannot write the drawings", t, o, e);
	}
	if (results_append_drawings(dir, &r) == -1 && run_lab_write_error(errno))
		lab_error(&r, &sr, "cannot write report.md's drawings", t, o, errno);
	if (run_testdir_install(t, o, wfd, wrap, err, sizeof(err)) == -1) {
		snprintf(r.error, sizeof(r.error), "lab error: %.240s", err);
		sr.ok = 0;
	}
	progress_verdict(&r, &sr);
	status = run_stop_requested ? STATUS_STOPPED :
	    sr.ok ? STATUS_PASS : r.error[0] ? STATUS_ERROR : STATUS_FAIL;
	rec_free(&r);
	for (int v = 0; v < CAT_MAX_VARIANTS; v++)	/* NULL past the last made */
		free(sr.vspec[v]);
	return status;
}

