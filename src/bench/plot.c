/*
 * plot.c - a bench run drawn as SVG, like a load test's profile.
 *
 * Three panels share the time axis: connections per second (each 100 ms
 * sample, with the theoretical ceiling as a dashed line and the failed
 * connects per second dotted), connections completed so far (where the
 * ports run out this climbs in steps, one per 60 s TIME_WAIT period), and
 * TIME_WAIT sockets on each host (client solid, server dashed; through a
 * proxy, the proxy's: towards its backends solid, towards the client
 * dashed, the hop that runs out of ports being the first). Several
 * runs (bench compare) share the picture, one colour each, the legend
 * above the panels. The rate is drawn on a log scale, so that a ceiling of
 * 16.7/s shows beside bursts of 10,000/s; with several runs the other
 * panels are logarithmic too, so a run of 3,000 connections is not
 * flattened by one of 170,000. Plain SVG 1.1 written by hand: no library,
 * opens in any browser.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fsafe.h"
#include "bench/bench.h"

#define W 1100
#define LEFT 90
#define RIGHT 30
#define TOP 50		/* the legend's first row */
#define LEGEND_ROW 18
#define PANEL_H 170
#define GAP 55
#define NPANELS 3

static const char *const colours[] = {
	"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
};

/* A round step so that max / step gives about 5 ticks. */
static double
nice_step(double max)
{
	double raw = max / 5, p, f;

	if (raw <= 0)
		return 1;
	p = pow(10, floor(log10(raw)));
	f = raw / p;
	return p * (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10);
}

/* Failed connects per second over the interval before sample k. */
static double
fail_rate(const struct bench_series *s, size_t k)
{
	double dt = k ? s->v[k].t - s->v[k - 1].t : s->v[k].t;
	uint64_t df = s->v[k].failed - (k ? s->v[k - 1].failed : 0);

	return dt > 0 && s->v[k].failed >= (k ? s->v[k - 1].failed : 0) ? (double)df / dt : 0;
}

static double
sample_value(const struct bench_sample *s, int panel, int host, int via)
{
	if (panel == 0)
		return s->rate;
	if (panel == 1)
		return (double)s->completed;
	if (via)
		return (double)(host == 0 ? s->tw_proxy_backend : s->tw_proxy_client);
	return (double)(host == 0 ? s->tw_client : s->tw_server);
}

struct frame {
	double tmax, ymax;
	int y0;			/* top of the panel */
	int log;		/* log10 scale from 1 to ymax (a power of ten) */
};

static double
px(const struct frame *f, double t)
{
	return LEFT + t / f->tmax * (W - LEFT - RIGHT);
}

static double
py(const struct frame *f, double v)
{
	if (f->log) {	/* below 1 (0 included) sits on the axis */
		double top = log10(f->ymax);

		if (v < 1)
			v = 1;
		return f->y0 + PANEL_H - log10(v) / top * PANEL_H;
	}
	if (v < 0)
		v = 0;
	return f->y0 + PANEL_H - v / f->ymax * PANEL_H;
}

/* "1", "10", "1k", "100k", "1M" */
static void
tick_label(double v, char *buf, size_t len)
{
	if (v >= 1e6)
		snprintf(buf, len, "%gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%gk", v / 1e3);
	else
		snprintf(buf, len, "%g", v);
}

static void
axes(FILE *out, const struct frame *f, const char *label)
{
	double step = nice_step(f->ymax), v, tstep = nice_step(f->tmax);
	char tl[16];

	fprintf(out, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#888'/>\n",
	    LEFT, f->y0, W - LEFT - RIGHT, PANEL_H);
	for (v = f->log ? 1 : 0; v <= f->ymax * 1.0001; v = f->log ? v * 10 : v + step) {
		tick_label(v, tl, sizeof(tl));
		fprintf(out, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#eee'/>"
		    "<text x='%d' y='%.1f' text-anchor='end' font-size='11'>%s</text>\n",
		    LEFT, W - RIGHT, py(f, v), py(f, v), LEFT - 6, py(f, v) + 4, tl);
	}
	for (v = 0; v <= f->tmax * 1.0001; v += tstep)
		fprintf(out, "<text x='%.1f' y='%d' text-anchor='middle' font-size='11'>%g</text>\n",
		    px(f, v), f->y0 + PANEL_H + 14, v);
	fprintf(out, "<text x='%d' y='%d' font-size='13' font-weight='bold'>%s</text>\n",
	    LEFT, f->y0 - 8, label);
}

/* host 0 client, 1 server; panel 0 with host 2: the failed connects. */
static void
polyline(FILE *out, const struct frame *f, const struct plot_line *l, int panel,
    int host, const char *colour, int dashed)
{
	const struct bench_series *s = l->series;
	size_t i;

	if (s->n == 0)
		return;
	fprintf(out, "<polyline fill='none' stroke='%s' stroke-width='%s'%s points='",
	    colour, dashed == 2 ? "1.2" : "1.5",
	    dashed == 2 ? " stroke-dasharray='1.5,2.5'" : dashed ? " stroke-dasharray='5,3'" : "");
	fprintf(out, "%.1f,%.1f ", px(f, 0), py(f, 0));
	for (i = 0; i < s->n; i++)
		fprintf(out, "%.1f,%.1f ", px(f, s->v[i].t), py(f, panel == 0 && host == 2 ?
		    fail_rate(s, i) : sample_value(&s->v[i], panel, host, l->via)));
	fprintf(out, "'/>\n");
}

/* Any failed connect in the series? */
static int
has_failures(const struct bench_series *s)
{
	return s->n > 0 && s->v[s->n - 1].failed > 0;
}

static void
xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '\'')
			fputs("&apos;", out);
		else
			fputc(*s, out);
	}
}

int
plot_svg(const char *path, const char *title, const struct plot_line *lines, int nlines)
{
	static const char *const labels[NPANELS] = {
		"connections per second (100 ms samples, log scale; dashed: ceiling; dotted: failed connects)",
		"connections completed",
		"TIME_WAIT sockets (client solid, server dashed)",
	};
	struct frame f[NPANELS];
	double tmax = 1, ymax[NPANELS] = { 1, 1, 1 }, lx = LEFT;
	int p, i, h, rows = 1, top, logs = nlines > 1, via = nlines > 0 && lines[0].via;
	size_t k;
	char err[512];
	FILE *out;

	/* The legend's rows, above the panels, as wide as the picture. */
	for (i = 0; i < nlines; i++) {
		double wl = 30 + 6.6 * (double)(strlen(lines[i].label) + (lines[i].ceiling >= 0 ? 20 : 0)) + 24;

		if (lx + wl > W - RIGHT && lx > LEFT) {
			rows++;
			lx = LEFT;
		}
		lx += wl;
	}
	top = TOP + rows * LEGEND_ROW + 16;
	h = top + NPANELS * (PANEL_H + GAP);
	if ((out = fs_fopen_out(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "timewait bench: %s\n", err);
		return -1;
	}
	for (i = 0; i < nlines; i++) {
		const struct bench_series *s = lines[i].series;

		for (k = 0; k < s->n; k++) {
			if (s->v[k].t > tmax)
				tmax = s->v[k].t;
			for (p = 0; p < NPANELS; p++) {
				double a = sample_value(&s->v[k], p, 0, lines[i].via);
				double b = sample_value(&s->v[k], p, 1, lines[i].via);

				if (a > ymax[p])
					ymax[p] = a;
				if (p == 2 && b > ymax[p])
					ymax[p] = b;
			}
			if (fail_rate(s, k) > ymax[0])
				ymax[0] = fail_rate(s, k);
		}
		if (lines[i].ceiling > ymax[0])
			ymax[0] = lines[i].ceiling;
	}
	fprintf(out, "<?xml version='1.0' encoding='UTF-8'?>\n"
	    "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
	    "font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='white'/>\n"
	    "<text x='%d' y='24' font-size='16' font-weight='bold'>", W, h, LEFT);
	xml_text(out, title);
	fprintf(out, "</text>\n");
	for (p = 0; p < NPANELS; p++) {
		f[p].tmax = tmax;
		f[p].log = p == 0 || logs;
		if (f[p].log) {
			f[p].ymax = pow(10, ceil(log10(ymax[p] * 1.05)));
		} else {
			f[p].ymax = ymax[p] * 1.08;
			f[p].ymax = ceil(f[p].ymax / nice_step(f[p].ymax)) * nice_step(f[p].ymax);
		}
		f[p].y0 = top + p * (PANEL_H + GAP) + 14;
		axes(out, &f[p], p == 2 && via ? (f[p].log ? "TIME_WAIT on the proxy (log scale; "
		    "towards the backends solid, towards the client dashed)" : "TIME_WAIT on the "
		    "proxy (towards the backends solid, towards the client dashed)") :
		    p > 0 && f[p].log ? (p == 1 ? "connections completed (log scale)" :
		    "TIME_WAIT sockets (log scale; client solid, server dashed)") : labels[p]);
	}
	fprintf(out, "<text x='%d' y='%d' text-anchor='middle' font-size='12'>seconds</text>\n",
	    (W - RIGHT + LEFT) / 2, h - 8);
	lx = LEFT;
	rows = 0;
	for (i = 0; i < nlines; i++) {
		const char *c = colours[i % (int)(sizeof(colours) / sizeof(colours[0]))];
		double wl = 30 + 6.6 * (double)(strlen(lines[i].label) + (lines[i].ceiling >= 0 ? 20 : 0)) + 24;

		polyline(out, &f[0], &lines[i], 0, 0, c, 0);
		if (has_failures(lines[i].series))
			polyline(out, &f[0], &lines[i], 0, 2, c, 2);
		if (lines[i].ceiling >= 0)
			fprintf(out, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='%s' "
			    "stroke-width='2' stroke-dasharray='8,4'/>\n", LEFT, W - RIGHT,
			    py(&f[0], lines[i].ceiling), py(&f[0], lines[i].ceiling), c);
		polyline(out, &f[1], &lines[i], 1, 0, c, 0);
		polyline(out, &f[2], &lines[i], 2, 0, c, 0);
		polyline(out, &f[2], &lines[i], 2, 1, c, 1);
		if (lx + wl > W - RIGHT && lx > LEFT) {
			rows++;
			lx = LEFT;
		}
		fprintf(out, "<rect x='%.0f' y='%d' width='12' height='12' fill='%s'/>"
		    "<text x='%.0f' y='%d' font-size='11'>", lx, TOP + rows * LEGEND_ROW, c,
		    lx + 18, TOP + rows * LEGEND_ROW + 11);
		xml_text(out, lines[i].label);
		if (lines[i].ceiling >= 0)
			fprintf(out, " (ceiling %.1f/s)", lines[i].ceiling);
		fprintf(out, "</text>\n");
		lx += wl;
	}
	fprintf(out, "</svg>\n");
	return fclose(out) == 0 ? 0 : -1;
}
