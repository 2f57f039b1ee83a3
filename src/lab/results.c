/*
 * results.c - write what a test showed: result.json for machines (the
 * verdict and every check with what was expected and what was seen),
 * report.md for a person (drawn by render/reportmd.c), lab.json; and show
 * a test's packets on the terminal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fsafe.h"
#include "lab/delay.h"
#include "lab/results.h"
#include "model/outfile.h"
#include "render/render.h"
#include "render/reportmd.h"
#include "scen/knobs.h"
#include "util.h"

/* The files a run writes in a test's folder; results_clear removes them. */
static const char *const run_files[] = {
	".pcap", ".jsonl", ".log", ".json", ".md", ".svg", ".puml", ".mmd", ".txt", NULL,
};

void
outcome_add(struct outcome_count *o, int *n, int max, const char *name)
{
	int i;

	for (i = 0; i < *n; i++)
		if (strcmp(o[i].name, name) == 0) {
			o[i].count++;
			return;
		}
	if (*n == max)
		return;
	snprintf(o[*n].name, sizeof(o[*n].name), "%s", name);
	o[(*n)++].count = 1;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int
results_clear(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	int i;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		for (i = 0; run_files[i] != NULL; i++)
			if (has_suffix(e->d_name, run_files[i]) &&
			    fmt(path, sizeof(path), "%s/%s", dir, e->d_name) == 0) {
				unlink(path);
				break;
			}
	closedir(d);
	return 0;
}

/* Whole or not at all (fsafe.h): a full disk leaves no empty result.json. */
static int
write_json(const char *dir, const char *name, json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int dirfd, rc = -1, e;

	json_decref(j);
	if (text == NULL) {
		errno = ENOMEM;
		return -1;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd != -1) {
		rc = fs_write_file(dirfd, name, text, strlen(text), 0644);
		e = errno;
		close(dirfd);
		errno = e;
	}
	free(text);
	return rc;
}

int
results_merge_json(const char *dir, json_t *fields)
{
	char path[4096];
	json_t *j;
	int rc;

	if (fmt(path, sizeof(path), "%s/result.json", dir) == -1 ||
	    (j = json_load_file(path, 0, NULL)) == NULL) {
		json_decref(fields);
		errno = EINVAL;
		return -1;
	}
	rc = json_object_update(j, fields);
	json_decref(fields);
	if (rc == -1) {
		json_decref(j);
		errno = ENOMEM;
		return -1;
	}
	return write_json(dir, "result.json", j);
}

/* What each drop line was and dropped (-1: its counter could not be read). */
static json_t *
impair_json(const struct test_rec *r)
{
	json_t *a = json_array();

	for (int k = 0; k < CAT_MAX_DROPS && r->spec->drops[k].from != NULL; k++) {
		const struct drop_spec *d = &r->spec->drops[k];

		json_array_append_new(a, json_pack("{s:s,s:s,s:i,s:b,s:i,s:i,s:I}",
		    "from", d->from, "to", d->to, "flags", d->flags, "after_fin", d->after_fin,
		    "nth", d->nth, "count", d->count,
		    "dropped", (json_int_t)(r->drops_read ? r->dropped[k] : -1)));
	}
	if (json_array_size(a) == 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* Each impaired link: what it was told and what its delay engine did. */
static json_t *
links_json(const struct test_rec *r)
{
	json_t *a = json_array();

	for (int i = 0; i < CAT_MAX_LINKS && r->spec->links[i].a != NULL; i++) {
		const struct link_spec *l = &r->spec->links[i];

		json_t *o;

		if (!delay_dir_on(l, 0) && !delay_dir_on(l, 1))
			continue;
		o = json_pack("{s:s,s:s,s:[i,i],s:[i,i],s:[i,i],s:[I,I],s:[I,I]}",
		    "a", l->a, "b", l->b,
		    "delay_ms", (int)l->delay_ms[0], (int)l->delay_ms[1],
		    "jitter_ms", (int)l->jitter_ms[0], (int)l->jitter_ms[1],
		    "loss_pct", (int)l->loss_pct[0], (int)l->loss_pct[1],
		    "passed", (json_int_t)r->link_passed[i][0], (json_int_t)r->link_passed[i][1],
		    "lost", (json_int_t)r->link_lost[i][0], (json_int_t)r->link_lost[i][1]);
		/* rate, duplication, reordering: only on the links that have them,
		 * so that a delay's record reads as before */
		if (l->rate_bps[0] || l->rate_bps[1])
			json_object_set_new(o, "rate", json_pack("{s:[I,I],s:[I,I],s:[I,I]}",
			    "bps", (json_int_t)l->rate_bps[0], (json_int_t)l->rate_bps[1],
			    "queue_drops", (json_int_t)r->link_qdrop[i][0],
			    (json_int_t)r->link_qdrop[i][1],
			    "bytes", (json_int_t)r->link_bytes[i][0], (json_int_t)r->link_bytes[i][1]));
		if (l->dup_pct[0] || l->dup_pct[1])
			json_object_set_new(o, "duplicate", json_pack("{s:[i,i],s:[I,I]}",
			    "pct", (int)l->dup_pct[0], (int)l->dup_pct[1],
			    "copies", (json_int_t)r->link_dup[i][0], (json_int_t)r->link_dup[i][1]));
		if (l->reorder_pct[0] || l->reorder_pct[1])
			json_object_set_new(o, "reorder", json_pack("{s:[i,i],s:[I,I]}",
			    "pct", (int)l->reorder_pct[0], (int)l->reorder_pct[1],
			    "reordered", (json_int_t)r->link_reordered[i][0],
			    (json_int_t)r->link_reordered[i][1]));
		json_array_append_new(a, o);
	}
	if (json_array_size(a) == 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
netstat_json(const struct test_rec *r)
{
	json_t *o;

	if (r->nnetstat == 0)
		return NULL;
	o = json_object();
	for (int i = 0; i < r->nnetstat; i++) {
		const struct netstat_rec *x = &r->netstat[i];
		json_t *h = json_object_get(o, x->host);

		if (h == NULL)
			json_object_set_new(o, x->host, h = json_object());
		json_object_set_new(h, x->name, x->found ? json_integer((json_int_t)x->value) :
		    json_null());
	}
	return o;
}

/* How each command ended: its status, its signal, or the lab stopped it. */
static json_t *
commands_json(const struct test_rec *r)
{
	json_t *a = json_array();

	for (int i = 0; i < r->nprocs; i++) {
		const struct proc_rec *p = &r->procs[i];

		if (strcmp(p->spec->prog, "exec") != 0 || !p->started)
			continue;
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:b,s:o,s:o,s:b}",
		    "name", p->spec->name, "host", p->spec->host, "command", p->spec->cmd,
		    "as_root", p->spec->as_root,
		    "exit_code", p->exited && p->exit_code >= 0 ? json_integer(p->exit_code) : json_null(),
		    "signal", p->exited && p->exit_code < 0 ? json_integer(p->exit_signal) : json_null(),
		    "stopped_by_lab", !p->exited));
	}
	if (json_array_size(a) == 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
result_json(const struct test_rec *r, const struct check_result *res, int nres,
    int ok, const struct outcome_count *oc, int noc, int runs, int passed_runs,
    double seconds)
{
	json_t *j = json_object(), *checks = json_array(), *caps = json_object(), *knobs;
	int i;

	json_object_set_new(j, "test", json_string(r->spec->id));
	json_object_set_new(j, "title", json_string(r->spec->title));
	json_object_set_new(j, "verdict", json_string(ok ? "pass" : "fail"));
	json_object_set_new(j, "time_scale", json_real(r->scale));
	json_object_set_new(j, "full", json_boolean(r->full));
	json_object_set_new(j, "t0_ns", json_integer((json_int_t)r->t0_ns));
	json_object_set_new(j, "seconds", json_real(seconds));
	if (r->error[0] != '\0')
		json_object_set_new(j, "error", json_string(r->error));
	for (i = 0; i < nres; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "expected", json_string(res[i].spec->what));
		json_object_set_new(c, "seen", json_string(res[i].seen));
		json_object_set_new(c, "pass", res[i].judged ? json_boolean(res[i].pass) : json_null());
		json_array_append_new(checks, c);
	}
	json_object_set_new(j, "checks", checks);
	for (i = 0; i < r->nhosts; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "packets", json_integer((json_int_t)r->hosts[i].cs.packets));
		json_object_set_new(c, "dropped", json_integer((json_int_t)r->hosts[i].cs.dropped));
		json_object_set_new(c, "if_dropped", json_integer((json_int_t)r->hosts[i].cs.if_dropped));
		json_object_set_new(caps, r->hosts[i].name, c);
	}
	json_object_set_new(j, "capture", caps);
	if ((knobs = knobs_json(r->spec)) != NULL)	/* the test's sysctls, if any */
		json_object_set_new(j, "sysctls", knobs);
	if ((knobs = impair_json(r)) != NULL)		/* the lab's drops, if any */
		json_object_set_new(j, "drops", knobs);
	if ((knobs = netstat_json(r)) != NULL)		/* netstat counters the checks read */
		json_object_set_new(j, "netstat", knobs);
	if ((knobs = links_json(r)) != NULL)		/* delays and losses, if any */
		json_object_set_new(j, "links", knobs);
	if ((knobs = commands_json(r)) != NULL)		/* how the commands ended, if any */
		json_object_set_new(j, "commands", knobs);
	if (r->trace_error[0] != '\0') {
		json_object_set_new(j, "trace", json_pack("{s:s}", "error", r->trace_error));
	} else {
		json_object_set_new(j, "trace", json_pack("{s:I,s:I,s:I}",
		    "events", (json_int_t)r->trace.events,
		    "lost", (json_int_t)r->trace.lost,
		    "buffer_kb", (json_int_t)r->trace.buffer_kb));
	}
	if (oc != NULL) {
		json_t *o = json_object();

		for (i = 0; i < noc; i++)
			json_object_set_new(o, oc[i].name, json_integer(oc[i].count));
		json_object_set_new(j, "runs", json_integer(runs));
		json_object_set_new(j, "runs_passed", json_integer(passed_runs));
		json_object_set_new(j, "outcomes", o);
	}
	return j;
}

struct report_args {
	const struct test_rec *r;
	const struct check_result *res;
	int nres, ok;
	const struct outcome_count *oc;
	int noc, runs;
};

static int
report_fn(const void *ctx, FILE *f)
{
	const struct report_args *a = ctx;

	render_report_md(f, a->r, a->res, a->nres, a->ok, a->oc, a->noc, a->runs);
	return ferror(f) ? -1 : 0;
}

int
results_write(const char *dir, const struct test_rec *r,
    const struct check_result *res, int nres, int ok,
    const struct outcome_count *oc, int noc, int runs, int passed_runs,
    double seconds)
{
	struct report_args a = { r, res, nres, ok, oc, noc, runs };
	char err[512];

	if (write_json(dir, "result.json", result_json(r, res, nres, ok, oc, noc,
	    runs, passed_runs, seconds)) == -1)
		return -1;
	return outfile_write(dir, "report.md", report_fn, &a, err, sizeof(err));
}

int
results_append_drawings(const char *dir, const struct test_rec *r)
{
	char path[4096];
	FILE *f;
	int fd, rc;

	if (fmt(path, sizeof(path), "%s/report.md", dir) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || !(f = fdopen(fd, "a"))) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	render_report_md_drawings(f, r);
	rc = ferror(f) ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

void
results_show(const char *out, const char *id, FILE *f)
{
	char path[4096], line[1024];
	FILE *in;
	int in_packets = 0;

	fprintf(f, "\n== %s ==\n", id);
	if (fmt(path, sizeof(path), "%s/%s", out, id) == 0 &&
	    render_text(path, f, isatty(fileno(f))) == 0)
		return;
	/* No timeline: the report's packet list. */
	if (fmt(path, sizeof(path), "%s/%s/report.md", out, id) == -1 ||
	    (in = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "```", 3) == 0) {
			if (in_packets)
				break;
			in_packets = 1;
			continue;
		}
		if (in_packets)
			fputs(line, f);
	}
	fclose(in);
}
