/*
 * compareout.c - what `bench compare` (and `compare --via`) leaves once
 * its runs are done: the JSON of every run (summary and 100 ms series)
 * and one plot of them all.
 */
#include <stdio.h>

#include <jansson.h>

#include "bench/bench.h"

int
compare_write_outputs(const struct bench_opts *o, struct run_result *r, int done,
    double nginx_rate, double nginx_us)
{
	struct plot_line lines[COMPARE_MAX];
	int i, rc = 0;

	if (o->json) {
		json_t *root = json_object(), *runs = json_array();

		for (i = 0; i < done; i++)
			json_array_append_new(runs, json_pack("{s:o, s:o}", "summary",
			    bench_json_summary(&r[i]), "series", bench_json_series(&r[i])));
		json_object_set_new(root, "runs", runs);
		json_object_set_new(root, "nginx_wrk_rate_per_s",
		    nginx_rate >= 0 ? json_real(nginx_rate) : json_null());
		json_object_set_new(root, "nginx_wrk_cpu_us_per_conn",
		    nginx_us >= 0 ? json_real(nginx_us) : json_null());
		if (bench_write_json(o->json, root) == -1)
			rc = 1;
		json_decref(root);
	}
	if (o->plot && done > 0) {
		for (i = 0; i < done; i++) {
			lines[i].label = r[i].mode;
			lines[i].series = &r[i].series;
			lines[i].ceiling = r[i].o.via && !r[i].via.proxy_holds_tw ? -1 :
			    r[i].ceil.per_s;
			lines[i].via = r[i].o.via != VIA_NONE;
		}
		if (plot_svg(o->plot, o->via ? "timewait bench compare --via" : "timewait bench compare",
		    lines, done) == -1) {
			fprintf(stderr, "timewait bench: cannot write %s\n", o->plot);
			rc = 1;
		}
	}
	return rc;
}
