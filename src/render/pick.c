/*
 * pick.c - which connections the drawings show, and in how many files.
 *
 * A run of the close race (`lab run 005 --repeat 1000`) has a thousand
 * connections; a drawing of them all helps nobody and no viewer opens it.
 * When the test's folder has runs.jsonl (one line per run with its outcome
 * and the client's port), the drawings show one run per outcome seen
 * (server TIME_WAIT, client TIME_WAIT, both, ...), or the one run asked for
 * with `--draw RUN`. Whatever is drawn, each file stays within what the
 * viewers take: an SVG under 32,767 px tall (librsvg's limit, and
 * browsers') and a Mermaid file under 50 KB (Mermaid's default maxTextSize,
 * which GitHub keeps); a drawing over either is split in two, and again,
 * into sequence.svg, sequence-2.svg, ... (the same for .puml and .mmd).
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/jsonl.h"
#include "model/outfile.h"
#include "render/render.h"

#define OUTCOMES_MAX 8

static int draw_run;	/* --draw RUN; 0: one run per outcome */

void
render_set_draw_run(int run)
{
	draw_run = run;
}

/* runs.jsonl: "run", "client_port", "outcome"; found: the chosen runs'
 * client ports and a few words on each. */
struct chosen {
	int n;
	int run[OUTCOMES_MAX], port[OUTCOMES_MAX];
	char outcome[OUTCOMES_MAX][32];
	int runs;	/* lines read */
	int nseen;	/* every outcome seen, and how often */
	char seen[OUTCOMES_MAX][32];
	int count[OUTCOMES_MAX];
};

/* 0: chosen filled (maybe empty), -1: no runs.jsonl or a bad line in it. */
static int
read_runs(const char *dir, struct chosen *ch)
{
	char path[4200], err[512];
	const struct jrec *o;
	struct jsonl r;
	int k;

	memset(ch, 0, sizeof(*ch));
	snprintf(path, sizeof(path), "%s/runs.jsonl", dir);
	if (jsonl_open(&r, path, 0, 0, err, sizeof(err)))
		return -1;
	while ((k = jsonl_next(&r, &o, err, sizeof(err))) == 1) {
		char outcome[32];
		int64_t run = jr_int(o, "run", -1), port = jr_int(o, "client_port", -1);
		int i;

		ch->runs++;
		snprintf(outcome, sizeof(outcome), "%s", jr_str(o, "outcome"));
		for (i = 0; i < ch->nseen; i++)
			if (!strcmp(ch->seen[i], outcome))
				break;
		if (i == ch->nseen && ch->nseen < OUTCOMES_MAX)
			snprintf(ch->seen[ch->nseen++], sizeof(ch->seen[0]), "%s", outcome);
		if (i < ch->nseen)
			ch->count[i]++;
		if (run < 0 || run > INT32_MAX || port <= 0 || port > 65535)
			continue;
		if (draw_run > 0 && run != draw_run)
			continue;
		for (i = 0; i < ch->n; i++)
			if (!strcmp(ch->outcome[i], outcome))
				break;
		if (i < ch->n || ch->n == OUTCOMES_MAX)
			continue;
		ch->run[ch->n] = (int)run;
		ch->port[ch->n] = (int)port;
		snprintf(ch->outcome[ch->n], sizeof(ch->outcome[0]), "%s", outcome);
		ch->n++;
	}
	jsonl_close(&r);
	return k < 0 ? -1 : 0;
}

/* "server_time_wait" -> "server TW" */
static const char *
outcome_short(const char *o)
{
	if (!strcmp(o, "server_time_wait"))
		return "server TW";
	if (!strcmp(o, "client_time_wait"))
		return "client TW";
	if (!strcmp(o, "both_time_wait"))
		return "both TW";
	if (!strcmp(o, "rst"))
		return "RST";
	return o;
}

static int
client_port(const struct tl_conn *c)
{
	const char *colon = strrchr(c->client, ':');

	return colon ? atoi(colon + 1) : -1;
}

/* The timeline of the connections sel[0..n) only, and of the events tied
 * to none that happened within 2 ms of them. Shares the connections'
 * arrays with tl: free with sub_free. */
static struct timeline *
sub_timeline(const struct timeline *tl, const size_t *sel, size_t n)
{
	struct timeline *s = malloc(sizeof(*s));
	int *map = malloc((tl->nconns + 1) * sizeof(*map));
	size_t k = 0;

	if (!s || !map || !(s->conns = calloc(n ? n : 1, sizeof(*s->conns))) ||
	    !(s->events = calloc(tl->nevents ? tl->nevents : 1, sizeof(*s->events)))) {
		if (s && map)
			free(s->conns);
		free(s);
		free(map);
		return NULL;
	}
	memcpy(s, tl, offsetof(struct timeline, conns));
	for (size_t i = 0; i < tl->nconns; i++)
		map[i] = -1;
	for (size_t i = 0; i < n; i++) {
		s->conns[i] = tl->conns[sel[i]];
		map[sel[i]] = (int)i;
	}
	s->nconns = n;
	for (size_t i = 0; i < tl->nevents; i++) {
		const struct tl_event *e = &tl->events[i];
		int keep = n == tl->nconns ||
		    (e->conn >= 0 && (size_t)e->conn < tl->nconns && map[e->conn] >= 0);

		for (size_t j = 0; !keep && e->conn < 0 && j < n; j++) {
			const struct tl_conn *c = &tl->conns[sel[j]];

			keep = e->t >= c->t_start - 2000000 && e->t <= c->t_end + 2000000;
		}
		if (!keep)
			continue;
		s->events[k] = *e;
		s->events[k].conn = e->conn >= 0 ? map[e->conn] : -1;
		/* a proxy's log line: its backend connection, if drawn too */
		s->events[k].upconn = e->upconn > 0 && (size_t)e->upconn <= tl->nconns &&
		    map[e->upconn - 1] >= 0 ? map[e->upconn - 1] + 1 : 0;
		k++;
	}
	s->nevents = k;
	s->t0 = n == tl->nconns ? tl->t0 : INT64_MAX;
	for (size_t i = 0; i < n; i++)
		if (s->conns[i].t_start < s->t0)
			s->t0 = s->conns[i].t_start;
	for (size_t i = 0; i < k; i++)
		if (rd_event_start(&s->events[i]) < s->t0)
			s->t0 = rd_event_start(&s->events[i]);
	if (s->t0 == INT64_MAX)
		s->t0 = tl->t0;
	s->clock_offset_ns = tl->clock_offset_ns;
	memcpy(s->clock_host, tl->clock_host, sizeof(s->clock_host));
	s->clock_estimated = tl->clock_estimated;
	s->have_trace = tl->have_trace;
	s->have_pcap = tl->have_pcap;
	s->trace_events = tl->trace_events;
	s->trace_lost = tl->trace_lost;
	s->problems = tl->problems;
	free(map);
	return s;
}

static void
sub_free(struct timeline *s)
{
	if (!s)
		return;
	free(s->conns);
	free(s->events);
	free(s);
}

/* A drawing in memory; its size, and for an SVG its height. */
static char *
draw(const struct timeline *tl, int (*fn)(const struct timeline *, FILE *),
    size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);

	if (!m)
		return NULL;
	if (fn(tl, m)) {
		fclose(m);
		free(buf);
		return NULL;
	}
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static double
svg_height(const char *svg)
{
	const char *p = strstr(svg, "height=\"");

	return p ? atof(p + 8) : 0;
}

struct bytes {
	const char *buf;
	size_t len;
};

static int
put_bytes(const void *ctx, FILE *f)
{
	const struct bytes *b = ctx;

	return fwrite(b->buf, 1, b->len, f) == b->len ? 0 : -1;
}

/* dir/name.ext, or dir/name-part.ext from the second part on. */
static int
save(const char *dir, const char *name, int part, const char *ext,
    const char *buf, size_t len, char *err, size_t errlen)
{
	struct bytes b = { buf, len };
	char file[256];

	if (part > 1)
		snprintf(file, sizeof(file), "%s-%d.%s", name, part, ext);
	else
		snprintf(file, sizeof(file), "%s.%s", name, ext);
	return outfile_write(dir, file, put_bytes, &b, err, errlen);
}

/* Where the drawings go: files in dir, or SVGs inline in an HTML page. */
struct sink {
	const char *dir;
	FILE *html;	/* non-NULL: the SVGs only, without their XML declaration */
	int part;	/* the next part's number, from 1 */
};

static int
put_part(struct sink *k, const char *svg, size_t lsvg, const char *mmd, size_t lmmd,
    const char *puml, size_t lpuml, char *err, size_t errlen)
{
	if (k->html) {
		const char *start = strstr(svg, "<svg");

		fputs("<div class=\"svg\">\n", k->html);
		fputs(start ? start : "", k->html);
		fputs("</div>\n", k->html);
		k->part++;
		return 0;
	}
	if (save(k->dir, "sequence", k->part, "svg", svg, lsvg, err, errlen) ||
	    save(k->dir, "sequence", k->part, "mmd", mmd, lmmd, err, errlen) ||
	    save(k->dir, "sequence", k->part, "puml", puml, lpuml, err, errlen))
		return -1;
	k->part++;
	return 0;
}

/* Draw sel[0..n) as the next part and on; split while a file is too big. */
static int
draw_parts(struct sink *k, const struct timeline *tl, const char *title,
    const size_t *sel, size_t n, char *err, size_t errlen)
{
	struct timeline *s = sub_timeline(tl, sel, n);
	char *svg = NULL, *mmd = NULL, *puml = NULL;
	size_t lsvg = 0, lmmd = 0, lpuml = 0;
	int rc = -1;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (title)
		snprintf(s->test, sizeof(s->test), "%s", title);
	if (!(svg = draw(s, render_svg, &lsvg)) || !(mmd = draw(s, render_mermaid, &lmmd)) ||
	    (!k->html && !(puml = draw(s, render_puml, &lpuml)))) {
		snprintf(err, errlen, "the drawings failed");
		goto out;
	}
	if (n > 1 && (svg_height(svg) >= RD_SVG_MAX_H || lmmd >= RD_MMD_MAX)) {
		rc = draw_parts(k, tl, title, sel, n / 2, err, errlen);
		if (rc == 0)
			rc = draw_parts(k, tl, title, sel + n / 2, n - n / 2, err, errlen);
		goto out;
	}
	rc = put_part(k, svg, lsvg, mmd, lmmd, puml, lpuml, err, errlen);
out:
	free(svg);
	free(mmd);
	free(puml);
	sub_free(s);
	return rc;
}

/* Remove sequence-N.* (N >= from) an earlier drawing of this folder left. */
static void
remove_parts(const char *dir, int from)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4400];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long part;

		if (strncmp(e->d_name, "sequence-", 9))
			continue;
		part = strtol(e->d_name + 9, &end, 10);
		if (part < from || (strcmp(end, ".svg") && strcmp(end, ".mmd") && strcmp(end, ".puml")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		remove(path);
	}
	closedir(d);
}

/* The connections to draw (sel, *n) and the title naming the runs (NULL:
 * the test's own). 0, or -1 with err. */
static int
choose(const char *dir, const struct timeline *tl, size_t *sel, size_t *n,
    char *title, size_t tlen, const char **t, char *err, size_t errlen)
{
	struct chosen ch;

	*n = 0;
	*t = NULL;
	if (read_runs(dir, &ch) == 0 && ch.runs > 0) {
		size_t len;

		if (draw_run > 0 && ch.n == 0) {
			snprintf(err, errlen, "--draw %d: no such run (1 to %d)", draw_run, ch.runs);
			return -1;
		}
		for (int i = 0; i < ch.n; i++)
			for (size_t c = 0; c < tl->nconns && *n < RD_MAX_CONNS; c++)
				if (client_port(&tl->conns[c]) == ch.port[i]) {
					sel[(*n)++] = c;
					break;
				}
		/* "005: run 1 (client TW), 2 (server TW) of 1000", or without
		 * the outcomes when that is too long for a title */
		for (int with = 1; with >= 0; with--) {
			char full[256];

			snprintf(full, sizeof(full), "%s: run%s", tl->test, ch.n > 1 ? "s" : "");
			for (int i = 0; i < ch.n; i++) {
				len = strlen(full);
				snprintf(full + len, sizeof(full) - len, "%s %d", i ? "," : "", ch.run[i]);
				if (with) {
					len = strlen(full);
					snprintf(full + len, sizeof(full) - len, " (%s)", outcome_short(ch.outcome[i]));
				}
			}
			len = strlen(full);
			snprintf(full + len, sizeof(full) - len, " of %d", ch.runs);
			if (strlen(full) < tlen || !with) {
				snprintf(title, tlen, "%s", full);
				break;
			}
		}
		*t = title;
		return 0;
	}
	for (size_t c = 0; c < tl->nconns && *n < RD_MAX_CONNS; c++)
		sel[(*n)++] = c;
	if (tl->nconns > RD_MAX_CONNS) {	/* say what is left out */
		snprintf(title, tlen, "%.40s (the first %d of %zu connections)", tl->test,
		    RD_MAX_CONNS, tl->nconns);
		*t = title;
	}
	return 0;
}

int
render_drawings(const char *dir, const struct timeline *tl, char *err,
    size_t errlen)
{
	size_t sel[RD_MAX_CONNS], n;
	struct sink k = { .dir = dir, .part = 1 };
	char title[128];
	const char *t;
	int rc;

	if (choose(dir, tl, sel, &n, title, sizeof(title), &t, err, errlen))
		return -1;
	rc = draw_parts(&k, tl, t, sel, n, err, errlen);
	remove_parts(dir, k.part);
	return rc;
}

int
render_svg_inline(const char *dir, const struct timeline *tl, FILE *html)
{
	size_t sel[RD_MAX_CONNS], n;
	struct sink k = { .dir = dir, .html = html, .part = 1 };
	char title[128], err[256];
	const char *t;

	if (choose(dir, tl, sel, &n, title, sizeof(title), &t, err, sizeof(err)))
		return -1;
	return draw_parts(&k, tl, t, sel, n, err, sizeof(err));
}

int
render_text_picked(const char *dir, const struct timeline *tl, FILE *out,
    int color, size_t max_conns)
{
	size_t sel[RD_MAX_CONNS], n;
	struct timeline *s;
	struct chosen ch;
	char title[128], err[256];
	const char *t;
	int rc;

	if (read_runs(dir, &ch) != 0 || ch.runs == 0)
		return render_text_tl_n(tl, out, color, max_conns);
	fprintf(out, "%s: %d runs:", tl->test, ch.runs);
	for (int i = 0; i < ch.nseen; i++)
		fprintf(out, "%s %s %d (%.1f%%)", i ? "," : "", ch.seen[i], ch.count[i],
		    100.0 * ch.count[i] / ch.runs);
	fputc('\n', out);
	if (choose(dir, tl, sel, &n, title, sizeof(title), &t, err, sizeof(err))) {
		fprintf(out, "%s\n", err);
		return -1;
	}
	if (!(s = sub_timeline(tl, sel, n)))
		return -1;
	snprintf(s->test, sizeof(s->test), "%s", t ? t : tl->test);
	rc = render_text_tl(s, out, color);
	sub_free(s);
	return rc;
}
