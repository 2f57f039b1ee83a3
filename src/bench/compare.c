/*
 * compare.c - `timewait bench compare`: one run per variant (the three
 * close modes and every way around the ceiling) with the same settings,
 * a line on screen as each ends, then one table, the JSON and the plot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bench/bench.h"

#define NVARIANTS 7

static void
variants(const struct bench_opts *base, struct bench_opts *v, int *n)
{
	int k = 0;

	v[k] = *base; v[k].close = CLOSE_CLIENT; v[k].tw_reuse = 0;
	v[k].dst_ports = 1; v[k].src_addrs = 0; v[k].bind_no_port = 0; k++;
	v[k] = v[0]; v[k].close = CLOSE_SERVER; k++;
	v[k] = v[0]; v[k].close = CLOSE_RST; k++;
	v[k] = v[0]; v[k].tw_reuse = 1; k++;
	v[k] = v[0]; v[k].dst_ports = 4; k++;
	v[k] = v[0]; v[k].src_addrs = 4; k++;
	v[k] = v[0]; v[k].src_addrs = 4; v[k].bind_no_port = 1; v[k].dst_ports = 4; k++;
	*n = k;
}

static void
print_table(FILE *f, const struct run_result *r, int n)
{
	char ceil[32], tw[32];
	int i, short_run = 0;

	fprintf(f, "\n%-46s %11s %11s %6s %15s %8s  %s\n", "mode", "rate/s", "allowed/s", "ratio",
	    "TW client/srv", "us/conn", "errors");
	for (i = 0; i < n; i++) {
		double ratio = bench_ceiling_ratio(&r[i].ceil, r[i].rate);

		if (r[i].ceil.window_per_s >= 0)
			snprintf(ceil, sizeof(ceil), "%.1f", r[i].ceil.window_per_s);
		else
			snprintf(ceil, sizeof(ceil), "-");
		short_run |= r[i].ceil.short_run;
		snprintf(tw, sizeof(tw), "%ld/%ld", r[i].tw_client_end, r[i].tw_server_end);
		fprintf(f, "%-46s %11.1f %11s ", r[i].mode, r[i].rate, ceil);
		if (ratio >= 0)
			fprintf(f, "%6.2f ", ratio);
		else
			fprintf(f, "%6s ", "-");
		fprintf(f, "%15s %8.1f  ", tw, r[i].completed ?
		    r[i].cpu_s * 1e6 / (double)r[i].completed : 0);
		bench_print_errors(f, &r[i]);
		fprintf(f, "\n");
	}
	fprintf(f, "\nallowed/s: what the client's ports allow in the run's window when the client\n"
	    "closes first (ports x tuples x TIME_WAIT periods started, over the run's length)%s.\n",
	    short_run ? ";\nthese runs are shorter than one TIME_WAIT period, so that is one period's worth"
	    : "");
}

int
bench_compare(const struct bench_opts *o)
{
	struct bench_opts v[NVARIANTS];
	struct run_result *r;
	double nginx_rate = -1, nginx_us = -1;
	int n, i, done = 0, rc = 0, live = !o->quiet && isatty(STDERR_FILENO);
	/* With the JSON on standard output, the words go to standard error. */
	FILE *text = o->json && strcmp(o->json, "-") == 0 ? stderr : stdout;

	if (o->via)
		return bench_compare_via(o);
	variants(o, v, &n);
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return 1;
	if (o->nginx && (nginx_rate = bench_run_nginx(o, &nginx_us)) < 0)
		rc = 1;
	for (i = 0; i < n && !bench_interrupted; i++) {
		if (bench_run(&v[i], &r[i], live) == -1) {
			rc = 1;
			break;
		}
		bench_print_line(stderr, &r[i]);
		done++;
	}
	print_table(text, r, done);
	if (nginx_rate >= 0)
		fprintf(text, "%-46s %11.1f %11s %6s %15s %8.1f  (wrk's count)\n",
		    "nginx+wrk (nginx closes first)", nginx_rate, "-", "-", "-", nginx_us);
	if (compare_write_outputs(o, r, done, nginx_rate, nginx_us) != 0)
		rc = 1;
	for (i = 0; i < n; i++)
		series_free(&r[i].series);
	free(r);
	return rc;
}
