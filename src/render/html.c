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

#include "fsafe.h"
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

/* How the test's connections ended (FIN, RST) and who held TIME_WAIT. */
static void
summary(FILE *f, const struct timeline *tl)
{
	int fin = 0, rst = 0, tw[2] = { 0, 0 };

	if (!tl) {
		fputs("</td><td>", f);
		return;
	}
	for (size_t i = 0; i < tl->nconns; i++) {
		const struct tl_conn *c = &tl->conns[i];

		for (size_t k = 0; k < c->npkts; k++) {
			fin |= (c->pkts[k].flags & TCPF_FIN) != 0;
			rst |= (c->pkts[k].flags & TCPF_RST) != 0;
		}
		for (int side = 0; side < 2; side++)
			for (size_t k = 0; k < c->nstates[side]; k++) {
				const char *n = c->states[side][k].name;

				tw[side] |= !strcmp(n, "TIME_WAIT");
				/* a FIN the capture missed, as the kernel saw it */
				fin |= !strcmp(n, "FIN_WAIT1") || !strcmp(n, "LAST_ACK");
			}
	}
	fprintf(f, "%s%s%s</td><td>", fin ? "FIN" : "", fin && rst ? " + " : "",
	    rst ? "<b style=\"color:#d01c1c\">RST</b>" : fin ? "" : "-");
	fputs(tw[0] && tw[1] ? "both" : tw[0] ? "client" : tw[1] ? "server" : "none", f);
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

/* The test's SVG, drawn now, without its XML declaration. */
static void
inline_svg(FILE *f, const struct timeline *tl)
{
	char *buf = NULL, *start;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	render_svg(tl, m);
	fclose(m);
	start = strstr(buf, "<svg");
	fputs("<div class=\"svg\">\n", f);
	fputs(start ? start : "", f);
	fputs("</div>\n", f);
	free(buf);
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
text_timeline(FILE *f, const struct timeline *tl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	render_text_tl_n(tl, m, 0, RD_MAX_CONNS);
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
	inline_svg(f, t->tl);
	result_checks(f, t);
	timeline_checks(f, t->tl);
	text_timeline(f, t->tl);
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

/* With write_files, each test's timeline.json and drawings are written on
 * the way, from the timeline loaded once for the page. */
int
report_html_ex(const char *rundir, const char *out_path, int write_files,
    char *err, size_t errlen)
{
	struct test *tests;
	size_t n;
	char path[4200], tmp[4300], when[64];
	FILE *f;
	time_t now = time(NULL);
	int rc = 0;

	if (collect(rundir, &tests, &n)) {
		snprintf(err, errlen, "%s: %s", rundir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char rp[4300];

		snprintf(rp, sizeof(rp), "%s/result.json", tests[i].dir);
		tests[i].result = json_load_file(rp, 0, NULL);
		snprintf(rp, sizeof(rp), "%s/lab.json", tests[i].dir);
		if ((access(rp, F_OK) ? timeline_load_remote : timeline_load)(tests[i].dir,
		    &tests[i].tl, tests[i].err, sizeof(tests[i].err)))
			tests[i].tl = NULL;
		else if (write_files && render_files(tests[i].dir, tests[i].tl,
		    tests[i].err, sizeof(tests[i].err)))
			rc = -1;
	}
	snprintf(path, sizeof(path), "%s", out_path ? out_path : "");
	if (!out_path)
		snprintf(path, sizeof(path), "%s/report.html", rundir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fs_fopen_out(tmp, err, errlen))) {
		rc = -1;
		goto out;
	}
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<title>timewait report</title>\n", f);
	style(f);
	fputs("</head><body>\n<h1>timewait report</h1>\n<p class=\"muted\">", f);
	rd_xml_escape(f, rundir);
	fprintf(f, " &middot; %zu test%s &middot; made %s</p>\n", n, n == 1 ? "" : "s", when);
	verdict_table(f, tests, n);
	for (size_t i = 0; i < n; i++)
		one_test(f, &tests[i], i);
	fputs("</body></html>\n", f);
	if (fclose(f) || rename(tmp, path)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		rc = -1;
	}
out:
	for (size_t i = 0; i < n; i++) {
		json_decref(tests[i].result);
		timeline_free(tests[i].tl);
	}
	free(tests);
	return rc;
}
