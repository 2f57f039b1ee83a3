/*
 * benchout.c - what a bench run leaves: the summary for a person, the one
 * line per mode of compare, and the JSON (summary and the 100 ms series;
 * docs/bench.md lists the fields).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "bench/bench.h"
#include "fsafe.h"
#include "util.h"

/* The ceiling lines of the summary: sustained, then this run's window. */
static void
print_ceiling(FILE *f, const struct run_result *r)
{
	const struct bench_ceiling *c = &r->ceil;

	if (c->per_s < 0) {
		fprintf(f, "  ceiling         none (the client does not close first)\n");
		return;
	}
	fprintf(f, "  ceiling         %.1f/s sustained = %ld ports x %ld tuple%s / %ld s TIME_WAIT\n",
	    c->per_s, c->ports, c->tuples, c->tuples == 1 ? "" : "s", c->period_s);
	if (c->window_per_s < 0)
		return;
	if (c->short_run)
		fprintf(f, "  in this run     %.1f s is shorter than one TIME_WAIT period: the ports allow "
		    "%.0f connections (ports x tuples x 1 period started) = %.1f/s; rate/that %.2f\n",
		    c->seconds, c->allowed, c->window_per_s, bench_ceiling_ratio(c, r->rate));
	else
		fprintf(f, "  in this run     %.1f s = %ld TIME_WAIT period%s started: the ports allow %.0f "
		    "connections = %.1f/s; rate/that %.2f\n", c->seconds, c->periods,
		    c->periods == 1 ? "" : "s", c->allowed, c->window_per_s,
		    bench_ceiling_ratio(c, r->rate));
}

void
bench_print_summary(FILE *f, const struct run_result *r)
{
	const struct bench_opts *o = &r->o;

	if (o->via) {
		via_print_summary(f, r);
		return;
	}
	fprintf(f, "timewait bench: %s, %.1f s%s, concurrency %ld (%ld thread%s), %ld local ports\n",
	    r->mode, r->seconds, r->interrupted ? " (interrupted)" : "", o->concurrency,
	    o->threads, o->threads == 1 ? "" : "s", r->ports);
	fprintf(f, "  completed       %llu connections, %.1f/s sustained\n",
	    (unsigned long long)r->completed, r->rate);
	print_ceiling(f, r);
	fprintf(f, "  TIME_WAIT end   client %ld, server %ld (sock_diag)\n",
	    r->tw_client_end, r->tw_server_end);
	fprintf(f, "  errors          ");
	bench_print_errors(f, r);
	fprintf(f, " (%llu connect attempts)\n", (unsigned long long)r->attempts);
	fprintf(f, "  server          %llu accepted, %llu answered, %llu errors",
	    (unsigned long long)r->accepted, (unsigned long long)r->answered,
	    (unsigned long long)r->srv_errors);
	if (r->srv_cut)
		fprintf(f, " (and %llu cut by the generator's stop)", (unsigned long long)r->srv_cut);
	fprintf(f, "\n");
	if (r->completed > 0)
		fprintf(f, "  CPU             %.1f s (generator + server), %.1f us per connection\n",
		    r->cpu_s, r->cpu_s * 1e6 / (double)r->completed);
	if (r->nginx_rate >= 0)
		fprintf(f, "  nginx + wrk     %.1f/s, %.1f us CPU per connection, same exchange (nginx "
		    "closes first); bench/nginx %.2f\n", r->nginx_rate, r->nginx_us,
		    r->nginx_rate > 0 ? r->rate / r->nginx_rate : 0);
	fprintf(f, "  memory          generator VmHWM %.1f MiB, VmRSS max %.1f MiB; server VmHWM %.1f MiB\n",
	    (double)r->hwm_kib / 1024, (double)r->rss_max_kib / 1024, (double)r->srv_hwm_kib / 1024);
}

void
bench_print_line(FILE *f, const struct run_result *r)
{
	double ratio = bench_ceiling_ratio(&r->ceil, r->rate);

	if (r->o.via) {
		via_print_line(f, r);
		return;
	}
	fprintf(f, "%s: %.1f/s over %.1f s", r->mode, r->rate, r->seconds);
	if (ratio >= 0)
		fprintf(f, ", %.2f of what the ports allow in that time%s", ratio,
		    r->ceil.short_run ? " (less than one TIME_WAIT period)" : "");
	fprintf(f, ", TIME_WAIT %ld/%ld, errors ", r->tw_client_end, r->tw_server_end);
	bench_print_errors(f, r);
	fputc('\n', f);
}

json_t *
bench_json_summary(const struct run_result *r)
{
	json_t *s = json_object(), *errs = json_object(), *tw = json_object();
	int i;

	for (i = 0; i <= BENCH_ERRNO_MAX; i++)
		if (r->errors[i])
			json_object_set_new(errs, i == BENCH_ERR_EOF ? "EOF" : errno_name(i),
			    json_integer((json_int_t)r->errors[i]));
	json_object_set_new(tw, "client", json_integer(r->tw_client_end));
	json_object_set_new(tw, "server", json_integer(r->tw_server_end));
	json_object_set_new(s, "mode", json_string(r->mode));
	json_object_set_new(s, "close", json_string(bench_close_name(r->o.close)));
	json_object_set_new(s, "completed", json_integer((json_int_t)r->completed));
	json_object_set_new(s, "seconds", json_real(r->seconds));
	json_object_set_new(s, "rate_per_s", json_real(r->rate));
	json_object_set_new(s, "ceiling_per_s", r->ceil.per_s >= 0 ? json_real(r->ceil.per_s) : json_null());
	json_object_set_new(s, "window_allowed",
	    r->ceil.window_per_s >= 0 ? json_real(r->ceil.allowed) : json_null());
	json_object_set_new(s, "window_ceiling_per_s",
	    r->ceil.window_per_s >= 0 ? json_real(r->ceil.window_per_s) : json_null());
	json_object_set_new(s, "time_wait_periods_started", json_integer(r->ceil.periods));
	json_object_set_new(s, "shorter_than_time_wait", json_boolean(r->ceil.short_run));
	json_object_set_new(s, "rate_over_ceiling",
	    r->ceil.window_per_s > 0 ? json_real(bench_ceiling_ratio(&r->ceil, r->rate)) : json_null());
	json_object_set_new(s, "errors", errs);
	json_object_set_new(s, "failed", json_integer((json_int_t)r->failed));
	json_object_set_new(s, "attempts", json_integer((json_int_t)r->attempts));
	json_object_set_new(s, "time_wait_end", tw);
	json_object_set_new(s, "concurrency", json_integer(r->o.concurrency));
	json_object_set_new(s, "threads", json_integer(r->o.threads));
	json_object_set_new(s, "ports", json_integer(r->ports));
	json_object_set_new(s, "tuples", json_integer(r->ceil.tuples));
	json_object_set_new(s, "time_wait_period_s", json_integer(r->ceil.period_s));
	json_object_set_new(s, "tw_reuse", json_boolean(r->o.tw_reuse));
	json_object_set_new(s, "dst_ports", json_integer(r->o.dst_ports));
	json_object_set_new(s, "src_addrs", json_integer(r->o.src_addrs));
	json_object_set_new(s, "bind_no_port", json_boolean(r->o.bind_no_port));
	json_object_set_new(s, "server_accepted", json_integer((json_int_t)r->accepted));
	json_object_set_new(s, "server_answered", json_integer((json_int_t)r->answered));
	json_object_set_new(s, "server_errors", json_integer((json_int_t)r->srv_errors));
	json_object_set_new(s, "server_cut_at_stop", json_integer((json_int_t)r->srv_cut));
	json_object_set_new(s, "vm_hwm_kib", json_integer(r->hwm_kib));
	json_object_set_new(s, "vm_rss_max_kib", json_integer(r->rss_max_kib));
	json_object_set_new(s, "server_vm_hwm_kib", json_integer(r->srv_hwm_kib));
	json_object_set_new(s, "cpu_s", json_real(r->cpu_s));
	json_object_set_new(s, "cpu_us_per_conn",
	    r->completed ? json_real(r->cpu_s * 1e6 / (double)r->completed) : json_null());
	json_object_set_new(s, "interrupted", json_boolean(r->interrupted));
	json_object_set_new(s, "nginx_wrk_rate_per_s",
	    r->nginx_rate >= 0 ? json_real(r->nginx_rate) : json_null());
	json_object_set_new(s, "nginx_wrk_cpu_us_per_conn",
	    r->nginx_rate >= 0 && r->nginx_us >= 0 ? json_real(r->nginx_us) : json_null());
	if (r->o.via)
		json_object_set_new(s, "proxy", via_json_proxy(r));
	return s;
}

json_t *
bench_json_series(const struct run_result *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->series.n; i++) {
		const struct bench_sample *s = &r->series.v[i];

		json_t *o = json_pack("{s:f, s:I, s:f, s:I, s:I, s:I, s:I}",
		    "t", s->t, "completed", (json_int_t)s->completed, "rate_per_s", s->rate,
		    "failed", (json_int_t)s->failed, "tw_client", (json_int_t)s->tw_client,
		    "tw_server", (json_int_t)s->tw_server, "in_flight", (json_int_t)s->inflight);

		/* Through a proxy, tw_server is the backends' (summed). */
		if (r->o.via)
			json_object_update_new(o, json_pack("{s:I, s:I, s:I, s:I, s:I}",
			    "tw_proxy_client_side", (json_int_t)s->tw_proxy_client,
			    "tw_proxy_backend_side", (json_int_t)s->tw_proxy_backend,
			    "http_5xx", (json_int_t)s->http5xx,
			    "upstream_eaddrnotavail", (json_int_t)s->upstream_eaddrnotavail,
			    "upstream_errors", (json_int_t)s->upstream_errors));
		json_array_append_new(a, o);
	}
	return a;
}

int
bench_write_json(const char *path, json_t *root)
{
	int r;

	if (strcmp(path, "-") == 0) {
		r = json_dumpf(root, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		fflush(stdout);
	} else {
		char err[512];
		FILE *f = fs_fopen_out(path, err, sizeof(err));

		r = f == NULL ? -1 : json_dumpf(root, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		if (f != NULL && fclose(f) != 0)
			r = -1;
		if (r == -1) {
			fprintf(stderr, "timewait bench: cannot write %s: %s\n", path,
			    f == NULL ? err : strerror(errno));
			return -1;
		}
	}
	if (r == -1)
		fprintf(stderr, "timewait bench: cannot write %s\n", path);
	return r;
}
