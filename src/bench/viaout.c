/*
 * viaout.c - what a run through a proxy (bench --via) leaves: its summary
 * for a person, its line in compare, and the JSON "proxy" object
 * (docs/bench.md lists the fields).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "bench/bench.h"
#include "util.h"

static void
print_upstream(FILE *f, const struct via_result *x)
{
	int i;

	if (x->nupstream == 0)
		fprintf(f, "none");
	for (i = 0; i < x->nupstream; i++)
		fprintf(f, "%s%s %ld", i ? ", " : "", x->upstream_names[i], x->upstream_by_errno[i]);
	if (x->upstream_unavailable)
		fprintf(f, ", no live upstreams %ld", x->upstream_unavailable);
}

void
via_print_summary(FILE *f, const struct run_result *r)
{
	const struct via_result *x = &r->via;
	const struct bench_ceiling *c = &r->ceil;

	fprintf(f, "timewait bench --via: %s (%s), %.1f s%s, concurrency %ld, %ld local ports "
	    "on the proxy\n", r->mode, x->template, r->seconds,
	    r->interrupted ? " (interrupted)" : "", r->o.concurrency, r->ports);
	fprintf(f, "  completed       %llu requests, %.1f/s\n", (unsigned long long)r->completed,
	    r->rate);
	fprintf(f, "  failed          %llu: HTTP 5xx from the proxy %llu, connect errors ",
	    (unsigned long long)r->failed, (unsigned long long)x->http5xx);
	bench_print_errors(f, r);
	fprintf(f, "\n  proxy's log     upstream connect errors: ");
	print_upstream(f, x);
	fprintf(f, "\n  ceiling         %.1f/s per backend address (%ld ports / %ld s)",
	    x->per_backend_s, r->ports, c->period_s);
	if (x->proxy_holds_tw && c->window_per_s >= 0)
		fprintf(f, "; this run: %.0f requests allowed in %.1f s (%ld backend%s x %ld "
		    "period%s started) = %.1f/s, rate/that %.2f\n", c->allowed, c->seconds,
		    c->tuples, c->tuples == 1 ? "" : "s", c->periods, c->periods == 1 ? "" : "s",
		    c->window_per_s, bench_ceiling_ratio(c, r->rate));
	else
		fprintf(f, "; not binding: the proxy does not close its backend hop first with "
		    "a FIN in this mode\n");
	fprintf(f, "  TIME_WAIT end   client %ld | proxy: client side %ld, backend side %ld | "
	    "backends %ld (sock_diag)\n", r->tw_client_end, x->tw_proxy_client_end,
	    x->tw_proxy_backend_end, x->tw_backends_end);
	if (r->o.backends > 1)
		fprintf(f, "  same port       up to %ld proxy ports towards both backends at once%s%s\n",
		    x->shared_ports_max, x->shared_example[0] ? ", e.g. " : "", x->shared_example);
	fprintf(f, "  backends        %llu accepted, %llu answered, %llu errors\n",
	    (unsigned long long)r->accepted, (unsigned long long)r->answered,
	    (unsigned long long)r->srv_errors);
	if (r->o.load_ab)
		fprintf(f, "  ab              Complete requests %ld, Failed requests %ld, Non-2xx "
		    "responses %ld\n", x->ab_complete, x->ab_failed, x->ab_non2xx);
}

void
via_print_line(FILE *f, const struct run_result *r)
{
	fprintf(f, "%s: %llu done, %.1f/s over %.1f s, failed %llu (5xx %llu), proxy's log ",
	    r->mode, (unsigned long long)r->completed, r->rate, r->seconds,
	    (unsigned long long)r->failed, (unsigned long long)r->via.http5xx);
	print_upstream(f, &r->via);
	fprintf(f, ", TIME_WAIT %ld|%ld/%ld|%ld\n", r->tw_client_end, r->via.tw_proxy_client_end,
	    r->via.tw_proxy_backend_end, r->via.tw_backends_end);
}

json_t *
via_json_proxy(const struct run_result *r)
{
	const struct via_result *x = &r->via;
	json_t *p = json_object(), *up = json_object(), *tw = json_object();
	int i;

	for (i = 0; i < x->nupstream; i++)
		json_object_set_new(up, x->upstream_names[i], json_integer(x->upstream_by_errno[i]));
	json_object_set_new(p, "proxy", json_string(via_name(r->o.via)));
	json_object_set_new(p, "mode", json_string(via_mode(&r->o)));
	json_object_set_new(p, "template", json_string(x->template));
	json_object_set_new(p, "backends", json_integer(r->o.backends));
	json_object_set_new(p, "backend_code", json_integer(r->o.backend_code));
	json_object_set_new(p, "load", json_string(r->o.load_ab ? "ab" : "gen"));
	json_object_set_new(p, "upstream_errors", up);
	json_object_set_new(p, "upstream_errors_total", json_integer(x->upstream_total));
	json_object_set_new(p, "no_live_upstreams", json_integer(x->upstream_unavailable));
	json_object_set_new(p, "http_5xx", json_integer((json_int_t)x->http5xx));
	json_object_set_new(tw, "client", json_integer(r->tw_client_end));
	json_object_set_new(tw, "proxy_client_side", json_integer(x->tw_proxy_client_end));
	json_object_set_new(tw, "proxy_backend_side", json_integer(x->tw_proxy_backend_end));
	json_object_set_new(tw, "backends", json_integer(x->tw_backends_end));
	json_object_set_new(p, "time_wait_end", tw);
	json_object_set_new(p, "ports", json_integer(r->ports));
	json_object_set_new(p, "ceiling_per_backend_per_s",
	    x->per_backend_s >= 0 ? json_real(x->per_backend_s) : json_null());
	json_object_set_new(p, "ceiling_binding", json_boolean(x->proxy_holds_tw));
	json_object_set_new(p, "shared_source_ports_max", json_integer(x->shared_ports_max));
	json_object_set_new(p, "shared_source_port_example",
	    x->shared_example[0] ? json_string(x->shared_example) : json_null());
	if (r->o.load_ab)
		json_object_set_new(p, "ab", json_pack("{s:I, s:I, s:I}",
		    "complete_requests", (json_int_t)x->ab_complete,
		    "failed_requests", (json_int_t)x->ab_failed,
		    "non_2xx_responses", (json_int_t)x->ab_non2xx));
	return p;
}
