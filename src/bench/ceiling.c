/*
 * ceiling.c - the TIME_WAIT ceiling of a bench run, in one place so that
 * it can be unit-tested: how many connections a second the client's local
 * ports allow when the client closes first, sustained and over a window as
 * long as the run (bench.h says what each figure is).
 *
 * Only the side that closes first holds TIME_WAIT, so only --close client
 * limits the client. Each TIME_WAIT pins one 4-tuple for 60 s (about 1 s
 * with tcp_tw_reuse). connect() may reuse a port towards another server
 * address or port, so the tuples multiply; bind() to an address with port 0
 * must pick a port free for every destination, so only the addresses
 * multiply, and tw_reuse does not help it, unless IP_BIND_ADDRESS_NO_PORT
 * leaves the choice to connect().
 */
#include <math.h>
#include <string.h>

#include "bench/bench.h"

void
bench_ceiling(const struct bench_opts *o, long ports, double seconds,
    struct bench_ceiling *c)
{
	int bound = o->src_addrs > 0 && !o->bind_no_port;

	memset(c, 0, sizeof(*c));
	c->ports = ports;
	c->seconds = seconds;
	c->tuples = bound ? o->src_addrs : (o->src_addrs > 0 ? o->src_addrs : 1) * o->dst_ports;
	c->period_s = (o->tw_reuse && !bound) ? TW_REUSE_SECONDS : TIME_WAIT_SECONDS;
	c->per_s = c->window_per_s = -1;
	if (o->close != CLOSE_CLIENT || ports <= 0)
		return;
	c->per_s = (double)ports * (double)c->tuples / (double)c->period_s;
	if (seconds <= 0)
		return;
	/*
	 * A period starts at 0 s, then one every period_s. One that starts in
	 * the run's last 100 ms (a sample; a 1.0003 s run of a 1 s period) is
	 * not counted: nothing could use the ports it frees.
	 */
	c->periods = (long)ceil((seconds - 0.1) / (double)c->period_s);
	if (c->periods < 1)
		c->periods = 1;
	c->allowed = (double)ports * (double)c->tuples * (double)c->periods;
	c->window_per_s = c->allowed / seconds;
	c->short_run = seconds < (double)c->period_s;
}

double
bench_ceiling_ratio(const struct bench_ceiling *c, double rate)
{
	return c->window_per_s > 0 ? rate / c->window_per_s : -1;
}
