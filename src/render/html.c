/*
 * html.c - report.html: one self-contained page for a whole catalogue run.
 *
 * At the top the verdict table (one row per test folder, from its
 * result.json); then, for each test, its sequence diagram (the SVG inline,
 * not linked, so the page stands alone), its checks, the timeline's own
 * consistency checks, the text timeline, and links to its pcaps and other
 * files (relative links: the page lives in the run folder). No script, no
 * outside style sheet or font.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "model/input.h"
#include "model/outfile.h"
#include "pcapread.h"
#include "render/render.h"



struct test {
	char name[256];		/* folder name; "" for the run folder itself */
	char dir[4200];
	json_t *result;		/* result.json, or NULL */
	struct timeline *tl;
	char err[256];
};

static const char *
verdict_of(const struct test *t)
{
	const char *v = t->result ?
	    json_string_value(json_object_get(t->result, "verdict")) : NULL;

	return v ? v : "no result";
}

static const char *
verdict_class(const char *v)
{
	if (!strcmp(v, "pass"))
		return "pass";
	if (!strcmp(v, "fail"))
		return "fail";
	return "other";
}

static void
checks_count(const struct test *t, int *pass, int *all)
{
	json_t *checks = t->result ? json_object_get(t->result, "checks") : NULL, *c;
	size_t i;

	*pass = *all = 0;
	json_array_foreach(checks, i, c) {
		(*all)++;
		*pass += json_is_true(json_object_get(c, "pass"));
	}
}

static void
style(FILE *f)
{
	fputs("<style>\n"
	    "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1120px}\n"
	    "h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;margin-top:40px;border-bottom:2px solid #ddd;padding-bottom:4px}\n"
	    "h3{font-size:15px;margin:18px 0 6px}\n"
	    "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;text-align:left;vertical-align:top}\n"
	    "th{background:#f2f2f2}.pass{background:#d9f2d0;color:#1d5e14;font-weight:bold}"
	    ".fail{background:#f9d0d0;color:#8e1010;font-weight:bold}.other{background:#eee}\n"
	    "pre{background:#f7f7f7;border:1px solid #e2e2e2;padding:8px;font-size:11.5px;overflow-x:auto}\n"
	    ".svg{border:1px solid #ddd;overflow-x:auto}.svg svg{max-width:100%;height:auto}\n"
	    ".muted{color:#666;font-size:13px}a{color:#1f5fbf}\n"
	    "</style>\n", f);
}

/* How the test's connections ended (FIN, RST) and which hosts held
 * TIME_WAIT; "as the programs quit" when every TIME_WAIT began after the
 * first program had quit (the lesson was over, the ending made it). */
static void
summary(FILE *f, const struct timeline *tl)
{
	char hosts[4][16];
	int fin = 0, rst = 0, nh = 0, after_quit = 1;
	int64_t quit = INT64_MAX;

	if (!tl) {
		fputs("</td><td>", f);
		return;
	}
	for (size_t i = 0; i < tl->nevents; i++)
		if ((!strcmp(tl->events[i].step, "quit") || !strcmp(tl->events[i].step, "signal")) &&
		    tl->events[i].t < quit)
			quit = tl->events[i].t;
	for (size_t i = 0; i < tl->nconns; i++) {
		const struct tl_conn *c = &tl->conns[i];

		for (size_t k = 0; k < c->npkts; k++) {
			fin |= (c->pkts[k].flags & TCPF_FIN) != 0;
			rst |= (c->pkts[k].flags & TCPF_RST) != 0;
		}
		for (int side = 0; side < 2; side++)
			for (size_t k = 0; k < c->nstates[side]; k++) {
				enum tcp_st n = c->states[side][k].state;
				int h;

				/* a FIN the capture missed, as the kernel saw it */
				fin |= n == TS_FIN_WAIT1 || n == TS_LAST_ACK;
				if (n != TS_TIME_WAIT)
					continue;
				after_quit &= c->states[side][k].t >= quit;
				for (h = 0; h < nh; h++)
					if (!strcmp(hosts[h], c->host[side]))
						break;
				if (h == nh && nh < 4)
					snprintf(hosts[nh++], sizeof(hosts[0]), "%s",
					    c->host[side][0] ? c->host[side] : side ? "server" : "client");
			}
	}
	fprintf(f, "%s%s%s</td><td>", fin ? "FIN" : "", fin && rst ? " + " : "",
	    rst ? "<b style=\"color:#d01c1c\">RST</b>" : fin ? "" : "-");
	if (nh == 0)
		fputs("none", f);
	for (int h = 0; h < nh; h++) {
		fputs(h ? ", " : "", f);
		rd_xml_escape(f, hosts[h]);
	}
	if (nh > 0 && after_quit)
		fputs(" <span class=\"muted\">(as the programs quit)</span>", f);
}

static void
verdict_table(FILE *f, struct test *tests, size_t n)
{
	fputs("<table id=\"verdicts\"><tr><th>test</th><th>title</th><th>verdict</th>"
	    "<th>checks</th><th>connections</th><th>ended by</th><th>TIME_WAIT on</th>"
	    "<th>timeline</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		struct test *t = &tests[i];
		const char *v = verdict_of(t);
		const char *title = t->result ?
		    json_string_value(json_object_get(t->result, "title")) : NULL;
		int pass, all;

		checks_count(t, &pass, &all);
		fprintf(f, "<tr><td><a href=\"#t-%zu\">", i);
		rd_xml_escape(f, t->name[0] ? t->name : t->tl ? t->tl->test : "test");
		fputs("</a></td><td>", f);
		rd_xml_escape(f, title ? title : "");
		fprintf(f, "</td><td class=\"%s\">", verdict_class(v));
		rd_xml_escape(f, v);
		fprintf(f, "</td><td>%d / %d</td><td>%zu</td><td>", pass, all,
		    t->tl ? t->tl->nconns : 0);
		summary(f, t->tl);
		fprintf(f, "</td><td>%s</td></tr>\n",
		    !t->tl ? "not built" : t->tl->problems ? "inconsistent" : "consistent");
	}
	fputs("</table>\n", f);
}

static void
links(FILE *f, const struct test *t)
{
	DIR *d = opendir(t->dir);
	struct dirent **names;
	int n;

	if (!d)
		return;
	closedir(d);
	n = scandir(t->dir, &names, NULL, alphasort);
	fputs("<p class=\"muted\">files: ", f);
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		size_t l = strlen(nm);

		if (nm[0] != '.' && ((l > 5 && !strcmp(nm + l - 5, ".pcap")) ||
		    (l > 5 && !strcmp(nm + l - 5, ".json")) ||
		    (l > 6 && !strcmp(nm + l - 6, ".jsonl")) ||
		    (l > 4 && !strcmp(nm + l - 4, ".svg")) ||
		    (l > 5 && !strcmp(nm + l - 5, ".puml")) ||
		    (l > 4 && !strcmp(nm + l - 4, ".mmd")) ||
		    (l > 4 && !strcmp(nm + l - 4, ".log")))) {
			fputs("<a href=\"", f);
			if (t->name[0]) {
				rd_xml_escape(f, t->name);
				fputc('/', f);
			}
			rd_xml_escape(f, nm);
			fputs("\">", f);
			rd_xml_escape(f, nm);
			fputs("</a> ", f);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	fputs("</p>\n", f);
}

/* A JSON value as a person reads it: strings bare, the rest as JSON. */
static void
put_value(FILE *f, json_t *v)
{
	char *d;

	if (!v)
		return;
	if (json_is_string(v)) {
		rd_xml_escape(f, json_string_value(v));
		return;
	}
	d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	rd_xml_escape(f, d ? d : "");
	free(d);
}

static void
result_checks(FILE *f, const struct test *t)
{
	json_t *checks = t->result ? json_object_get(t->result, "checks") : NULL, *c;
	json_t *caps = t->result ? json_object_get(t->result, "capture") : NULL, *cap;
	const char *host;
	size_t i;

	if (json_object_size(caps)) {
		fputs("<p class=\"muted\">captures:", f);
		json_object_foreach(caps, host, cap) {
			json_int_t drop = json_integer_value(json_object_get(cap, "dropped"));

			fputs(" ", f);
			rd_xml_escape(f, host);
			fprintf(f, " %lld packets, <span class=\"%s\">%lld dropped</span>;",
			    (long long)json_integer_value(json_object_get(cap, "packets")),
			    drop ? "fail" : "pass", (long long)drop);
		}
		fputs("</p>\n", f);
	}
	if (!json_array_size(checks))
		return;
	fputs("<h3>Checks</h3>\n<table><tr><th>expected</th><th>seen</th>"
	    "<th></th></tr>\n", f);
	json_array_foreach(checks, i, c) {
		int ok = json_is_true(json_object_get(c, "pass"));
		const char *nm = json_string_value(json_object_get(c, "name"));

		fputs("<tr><td>", f);
		if (nm && *nm) {
			rd_xml_escape(f, nm);
			fputs(": ", f);
		}
		put_value(f, json_object_get(c, "expected"));
		fputs("</td><td>", f);
		put_value(f, json_object_get(c, "seen"));
		fprintf(f, "</td><td class=\"%s\">%s</td></tr>\n", ok ? "pass" : "fail",
		    ok ? "pass" : "FAIL");
	}
	fputs("</table>\n", f);
}

static void
timeline_checks(FILE *f, const struct timeline *tl)
{
	size_t shown = 0;

	fputs("<h3>Timeline consistency</h3>\n", f);
	if (!tl->nconns) {
		fputs("<p class=\"muted\">no connection seen</p>\n", f);
		return;
	}
	fprintf(f, "<p class=\"muted\">%zu connection%s, %zu inconsistent; pcaps %s; kernel trace ",
	    tl->nconns, tl->nconns == 1 ? "" : "s", tl->problems,
	    tl->have_pcap ? "read" : "absent");
	if (tl->trace_events >= 0)
		fprintf(f, "%lld events, <span class=\"%s\">&nbsp;%lld lost&nbsp;</span>",
		    tl->trace_events, tl->trace_lost ? "fail" : "pass", tl->trace_lost);
	else
		fputs(tl->have_trace ? "read" : "absent", f);
	if (tl->clock_estimated)
		fprintf(f, "; clocks aligned from the handshakes: %s is %+.1f µs off",
		    tl->clock_host, tl->clock_offset_ns / 1e3);
	fputs("</p>\n", f);
	fputs("<table><tr><th>connection</th><th>check</th><th>detail</th><th></th></tr>\n", f);
	for (size_t i = 0; i < tl->nconns && shown < 60; i++)
		for (size_t k = 0; k < tl->conns[i].nchecks && shown < 60; k++) {
			const struct tl_check *c = &tl->conns[i].checks[k];

			if (c->ok && i >= 4)
				continue;	/* past the first few, only the failures */
			fprintf(f, "<tr><td>%zu</td><td>", i + 1);
			rd_xml_escape(f, c->name);
			fputs("</td><td>", f);
			rd_xml_escape(f, c->detail);
			fprintf(f, "</td><td class=\"%s\">%s</td></tr>\n", c->ok ? "pass" : "fail",
			    c->ok ? "ok" : "NO");
			shown++;
		}
	fputs("</table>\n", f);
}

static void
text_timeline(FILE *f, const char *dir, const struct timeline *tl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	render_text_picked(dir, tl, m, 0, RD_MAX_CONNS);	/* a race: its chosen runs */
	fclose(m);
	fputs("<details><summary>Text timeline</summary>\n<pre>", f);
	rd_xml_escape(f, buf);
	fputs("</pre></details>\n", f);
	free(buf);
}

static void
one_test(FILE *f, struct test *t, size_t i)
{
	const char *title = t->result ?
	    json_string_value(json_object_get(t->result, "title")) : NULL;
	const char *v = verdict_of(t);

	fprintf(f, "<h2 id=\"t-%zu\">Test ", i);
	rd_xml_escape(f, t->name[0] ? t->name : t->tl ? t->tl->test : "");
	if (title) {
		fputs(": ", f);
		rd_xml_escape(f, title);
	}
	fprintf(f, " <span class=\"%s\">&nbsp;", verdict_class(v));
	rd_xml_escape(f, v);
	fputs("&nbsp;</span></h2>\n", f);
	links(f, t);
	if (!t->tl) {
		fputs("<p class=\"fail\">timeline not built: ", f);
		rd_xml_escape(f, t->err);
		fputs("</p>\n", f);
		result_checks(f, t);
		return;
	}
	render_svg_inline(t->dir, t->tl, f);	/* pick.c: the race's runs, split */
	result_checks(f, t);
	timeline_checks(f, t->tl);
	text_timeline(f, t->dir, t->tl);
}

static int
collect(const char *rundir, struct test **out, size_t *n)
{
	struct test *v = NULL;
	size_t cnt = 0;
	struct dirent **names = NULL;
	int k;

	*out = NULL;
	*n = 0;
	if (rd_is_test_dir(rundir)) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return -1;
		snprintf(v->dir, sizeof(v->dir), "%s", rundir);
		*out = v;
		*n = 1;
		return 0;
	}
	k = scandir(rundir, &names, NULL, alphasort);
	if (k < 0)
		return -1;
	v = calloc(k + 1, sizeof(*v));
	for (int i = 0; i < k; i++) {
		char sub[4200];

		snprintf(sub, sizeof(sub), "%s/%s", rundir, names[i]->d_name);
		if (v && names[i]->d_name[0] != '.' && rd_is_test_dir(sub)) {
			snprintf(v[cnt].name, sizeof(v[cnt].name), "%s", names[i]->d_name);
			snprintf(v[cnt].dir, sizeof(v[cnt].dir), "%s", sub);
			cnt++;
		}
		free(names[i]);
	}
	free(names);
	if (!v)
		return -1;
	*out = v;
	*n = cnt;
	return 0;
}

int
report_html(const char *rundir, const char *out_path, char *err, size_t errlen)
{
	return report_html_ex(rundir, out_path, 0, err, errlen);
}

struct page {
	const char *rundir;
	struct test *tests;
	size_t n;
};

static int
write_page(const void *ctx, FILE *f)
{
	const struct page *p = ctx;
	time_t now = time(NULL);
	char when[64];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<title>timewait report</title>\n", f);
	style(f);
	fputs("</head><body>\n<h1>timewait report</h1>\n<p class=\"muted\">", f);
	rd_xml_escape(f, p->rundir);
	fprintf(f, " &middot; %zu test%s &middot; made %s</p>\n", p->n,
	    p->n == 1 ? "" : "s", when);
	verdict_table(f, p->tests, p->n);
	for (size_t i = 0; i < p->n; i++)
		one_test(f, &p->tests[i], i);
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}

/* The page's folder and file name from out_path (NULL: rundir/report.html). */
static void
page_path(const char *rundir, const char *out_path, char *dir, size_t dlen,
    const char **name)
{
	const char *slash;

	if (!out_path) {
		snprintf(dir, dlen, "%s", rundir);
		*name = "report.html";
		return;
	}
	slash = strrchr(out_path, '/');
	if (!slash) {
		snprintf(dir, dlen, ".");
		*name = out_path;
	} else {
		snprintf(dir, dlen, "%.*s", slash == out_path ? 1 : (int)(slash - out_path),
		    out_path);
		*name = slash + 1;
	}
}

/*
 * With write_files (`timewait report --html`), each test's timeline.json
 * and drawings are written on the way, from the timeline loaded once for
 * the page, and a test whose files cannot be read makes the whole call
 * fail (after the page is written, showing why). Without (`lab run`), such
 * a test only shows its error on the page.
 */
int
report_html_ex(const char *rundir, const char *out_path, int write_files,
    char *err, size_t errlen)
{
	struct test *tests;
	struct page pg;
	size_t n;
	char dir[4200], werr[512];
	const char *name;
	int rc = 0, nbad = 0;
	size_t loaded = 0;

	if (collect(rundir, &tests, &n)) {
		snprintf(err, errlen, "%s: %s", rundir, strerror(errno));
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s: not a run (no test folder with a pcap, an "
		    "event log, a kernel trace or a result)", rundir);
		free(tests);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char rp[4300], jerr[256];
		int bad = 0;

		snprintf(rp, sizeof(rp), "%s/result.json", tests[i].dir);
		tests[i].result = in_load_json(rp, jerr, sizeof(jerr));
		if (!tests[i].result && errno != ENOENT && write_files) {
			fprintf(stderr, "timewait report: %s\n", jerr);
			bad = 1;
		}
		if (render_load(tests[i].dir, 0, &tests[i].tl, tests[i].err,
		    sizeof(tests[i].err))) {
			tests[i].tl = NULL;
			bad = 1;
		} else if (write_files) {
			if (render_files(tests[i].dir, tests[i].tl, tests[i].err,
			    sizeof(tests[i].err)))
				bad = 1;
			else
				render_say(stderr, tests[i].dir, tests[i].tl);
		}
		loaded += tests[i].tl != NULL;
		if (write_files && bad) {
			if (tests[i].err[0])
				fprintf(stderr, "timewait report: %s\n", tests[i].err);
			nbad++;
		}
	}
	if (nbad) {
		snprintf(err, errlen, "%d of %zu test%s could not be read", nbad, n,
		    n == 1 ? "" : "s");
		rc = -1;
	}
	if (!loaded) {	/* no page of nothing over a good one */
		snprintf(err, errlen, "%s: no test could be read: no report.html", rundir);
		goto out;
	}
	pg.rundir = rundir;
	pg.tests = tests;
	pg.n = n;
	page_path(rundir, out_path, dir, sizeof(dir), &name);
	if (outfile_write(dir, name, write_page, &pg, werr, sizeof(werr))) {
		snprintf(err, errlen, "%s", werr);
		rc = -1;
	} else if (write_files) {
		fprintf(stderr, "%s/%s: the whole run on one page\n", dir, name);
	}
out:
	for (size_t i = 0; i < n; i++) {
		json_decref(tests[i].result);
		timeline_free(tests[i].tl);
	}
	free(tests);
	return rc;
}
