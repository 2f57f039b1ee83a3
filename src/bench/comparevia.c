/*
 * comparevia.c - `timewait bench compare --via`: the original project's
 * table through real proxies, and each way out of the proxy's port
 * ceiling, measured in one go with the same settings (duration,
 * concurrency, --port-range on the proxy host, --load):
 *
 *   direct (no proxy; a code-9 backend: it closes, the client needs no
 *   Content-Length), HAProxy httpclose, nginx default, nginx default with
 *   2 backends (also the "more backend addresses" fix; once as shipped,
 *   where nginx marks a failed server down for 10 s, and once with
 *   max_fails=0), HAProxy http-server-close with 2 backends; then the
 *   fixes: nginx upstream keepalive (the shipped pool of 64; 256, more
 *   than the requests in flight; and 256 with keepalive_requests raised
 *   from 1,000 to 100,000), HAProxy keep-alive (server connections reused),
 *   tcp_tw_reuse on the proxy host, a bound source address with
 *   IP_BIND_ADDRESS_NO_PORT (nginx proxy_bind, HAProxy source), and the
 *   backend closing first (code 9). Backends answer as code 8 (the proxy
 *   closes first) unless said.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"

struct variant {
	const char *label;
	int via;
	const char *mode;
	long backends, code;
	int tw_reuse;
};

static const struct variant variants[] = {
	{ "direct, no proxy (code 9)", VIA_DIRECT, NULL, 1, 9, 0 },
	{ "haproxy httpclose", VIA_HAPROXY, "httpclose", 1, 8, 0 },
	{ "nginx default", VIA_NGINX, "default", 1, 8, 0 },
	{ "nginx default, 2 backends", VIA_NGINX, "default", 2, 8, 0 },
	{ "nginx max_fails=0, 2 backends", VIA_NGINX, "default-nofail", 2, 8, 0 },
	{ "haproxy server-close, 2 backends", VIA_HAPROXY, "server-close", 2, 8, 0 },
	{ "fix: nginx upstream keepalive 64", VIA_NGINX, "keepalive", 1, 8, 0 },
	{ "fix: nginx upstream keepalive 256", VIA_NGINX, "keepalive256", 1, 8, 0 },
	{ "fix: nginx keepalive 256, 100k requests", VIA_NGINX, "keepalive-tuned", 1, 8, 0 },
	{ "fix: haproxy keep-alive (reuse)", VIA_HAPROXY, "keepalive", 1, 8, 0 },
	{ "fix: nginx default + tcp_tw_reuse", VIA_NGINX, "default", 1, 8, 1 },
	{ "fix: nginx proxy_bind (NO_PORT)", VIA_NGINX, "default-bind", 1, 8, 0 },
	{ "fix: haproxy source (NO_PORT)", VIA_HAPROXY, "httpclose-bind", 1, 8, 0 },
	{ "fix: nginx default, backend closes (9)", VIA_NGINX, "default", 1, 9, 0 },
};

#define NV ((int)(sizeof(variants) / sizeof(variants[0])))

static void
print_table(FILE *f, const struct run_result *r, int n)
{
	char ceil[32], tw[48], fails[48];
	int i;

	fprintf(f, "\n%-40s %8s %9s %9s %6s %16s %8s %27s\n", "run", "done", "rate/s",
	    "allowed/s", "ratio", "failed 5xx/conn", "EADDRNA", "TW cli|prx-cli/prx-be|be");
	for (i = 0; i < n; i++) {
		const struct via_result *x = &r[i].via;
		double ratio = x->proxy_holds_tw ? bench_ceiling_ratio(&r[i].ceil, r[i].rate) : -1;
		long ea = 0;
		int k;

		for (k = 0; k < x->nupstream; k++)
			if (strcmp(x->upstream_names[k], "EADDRNOTAVAIL") == 0)
				ea = x->upstream_by_errno[k];
		if (x->proxy_holds_tw && r[i].ceil.window_per_s >= 0)
			snprintf(ceil, sizeof(ceil), "%.1f", r[i].ceil.window_per_s);
		else
			snprintf(ceil, sizeof(ceil), "-");
		snprintf(fails, sizeof(fails), "%llu/%llu", (unsigned long long)x->http5xx,
		    (unsigned long long)(r[i].failed - x->http5xx));
		snprintf(tw, sizeof(tw), "%ld|%ld/%ld|%ld", r[i].tw_client_end,
		    x->tw_proxy_client_end, x->tw_proxy_backend_end, x->tw_backends_end);
		fprintf(f, "%-40s %8llu %9.1f %9s ", r[i].mode, (unsigned long long)r[i].completed,
		    r[i].rate, ceil);
		if (ratio >= 0)
			fprintf(f, "%6.2f ", ratio);
		else
			fprintf(f, "%6s ", "-");
		fprintf(f, "%16s %8ld %27s\n", fails, ea, tw);
	}
	fprintf(f, "\nallowed/s: what the proxy host's ports allow in the run's window where the proxy\n"
	    "closes its backend hop first with a FIN (ports x backends x TIME_WAIT periods\n"
	    "started, over the run's length); '-': no ceiling in that mode. EADDRNA: the\n"
	    "proxy's own log. TW: client | proxy towards the client / towards the backends |\n"
	    "backends, at the end (sock_diag).\n");
}

int
bench_compare_via(const struct bench_opts *o)
{
	struct run_result *r;
	int i, done = 0, rc = 0, live = !o->quiet && isatty(STDERR_FILENO);
	FILE *text = o->json && strcmp(o->json, "-") == 0 ? stderr : stdout;

	r = calloc(NV, sizeof(*r));
	if (r == NULL)
		return 1;
	for (i = 0; i < NV && !bench_interrupted; i++) {
		struct bench_opts v = *o;

		v.via = variants[i].via;
		v.proxy_mode = variants[i].mode;
		v.backends = variants[i].backends;
		v.backend_code = variants[i].code;
		v.tw_reuse = o->tw_reuse || variants[i].tw_reuse;
		if (bench_run_via(&v, &r[done], live) == -1) {
			rc = 1;
			series_free(&r[done].series);
			fprintf(stderr, "timewait bench: %s: skipped\n", variants[i].label);
			continue;
		}
		snprintf(r[done].mode, sizeof(r[done].mode), "%s", variants[i].label);
		via_print_line(stderr, &r[done]);
		done++;
	}
	print_table(text, r, done);
	if (compare_write_outputs(o, r, done, -1, -1) != 0)
		rc = 1;
	for (i = 0; i < NV; i++)
		series_free(&r[i].series);
	free(r);
	return rc;
}
