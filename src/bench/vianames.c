/*
 * vianames.c - what a run through a proxy is called: the proxy's name, its
 * mode (the template's), the run's name, and whether that mode leaves
 * TIME_WAIT on the proxy's backend side (what the ceiling applies to).
 * Shared by the run (via.c), its sampler (viasample.c) and its output.
 */
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"

static const char *const via_names[] = { "", "nginx", "haproxy", "apache", "all", "direct" };
static const char *const default_modes[] = { "", "default", "httpclose", "default", "", "" };

const char *
via_name(int via)
{
	return via > 0 && via <= VIA_DIRECT ? via_names[via] : "";
}

const char *
via_mode(const struct bench_opts *o)
{
	return o->proxy_mode ? o->proxy_mode : default_modes[o->via];
}

/* "nginx-default+2backends+code8+tw-reuse+ab": what a run was. */
void
via_run_name(const struct bench_opts *o, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s+code%ld%s%s", via_name(o->via), o->via == VIA_DIRECT ? "" : "-",
	    via_mode(o),
	    o->backends > 1 ? "+2backends" : "", o->backend_code, o->tw_reuse ? "+tw-reuse" : "",
	    o->load_ab ? "+ab" : "");
}

/* Does the proxy close its backend connections first with a FIN, one
 * per request (so that it holds a TIME_WAIT per request)? Measured, in
 * docs/proxies.md: nginx's default upstream does; its keepalive pool,
 * HAProxy (a RST) and Apache (reuse) do not; a code-9 backend closes first. */
int
via_proxy_holds_tw(const struct bench_opts *o)
{
	return o->via == VIA_NGINX && strncmp(via_mode(o), "default", 7) == 0 &&
	    o->backend_code == 8;
}
