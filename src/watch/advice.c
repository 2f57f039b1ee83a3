/*
 * advice.c - one line of advice for each thing an interval of `timewait
 * watch` shows going wrong, each naming the lab test or bench run where the
 * same thing can be seen and tried safely.
 *
 * Rules, in the order printed:
 *  - a destination this host closes first, at half its ceiling or more;
 *  - connect() failing with EADDRNOTAVAIL: its ports are gone;
 *  - bind() failing with EADDRINUSE, or sockets bound to a port and not
 *    yet connected (kernels from 6.5 list them): bind-before-connect
 *    without IP_BIND_ADDRESS_NO_PORT;
 *  - tcp_tw_reuse not 1 where a destination is near its ceiling;
 *  - the TIME_WAIT bucket table overflowing (TCPTimeWaitOverflow);
 *  - resets sent because of unread data or linger 0, resets received;
 *  - trace events lost.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "watch/watch.h"

/* How many failures of err the report holds (bind: 1 bind, 0 connect, -1 both). */
uint64_t
w_report_errno(const struct w_report *r, int err, int bind)
{
	uint64_t n = 0;

	for (size_t i = 0; i < r->nerr; i++)
		if (r->errs[i].err == err && (bind < 0 || r->errs[i].bind == bind))
			n += r->errs[i].count;
	return n;
}

static void
say(struct w_report *r, const char *f, ...)
{
	va_list ap;

	if (r->nadvice >= W_ADVICE_MAX)
		return;
	va_start(ap, f);
	vsnprintf(r->advice[r->nadvice++], sizeof(r->advice[0]), f, ap);
	va_end(ap);
}

static int
counter(const char *name)
{
	for (int i = 0; i < W_NCOUNTERS; i++)
		if (!strcmp(w_counter_names[i], name))
			return i;
	return 0;
}

/* The process with most errors of that kind, for the message. */
static const char *
top_process(const struct w_report *r, int err, int bind)
{
	for (size_t i = 0; i < r->nerr; i++)	/* sorted by count */
		if (r->errs[i].err == err && r->errs[i].bind == bind)
			return r->errs[i].comm;
	return "?";
}

static void
advise_ceilings(struct w_report *r, int *near)
{
	int shown = 0;

	for (size_t i = 0; i < r->ndest; i++) {
		const struct w_line *l = &r->lines[i];

		if (l->ceiling_share < 0.5)
			continue;
		*near = 1;
		if (shown++ >= 3)
			continue;
		if (l->fin_local / r->interval_s >= l->ceiling_per_s * l->ceiling_share * 0.99)
			say(r, "this host closes first towards %s (from %s) at %.1f/s, "
			    "%.0f%% of its ceiling (%.1f/s): let the server close first, "
			    "or keep connections alive (see `timewait lab run 003`, "
			    "`timewait bench compare`)", l->endpoint, l->local,
			    l->fin_local / r->interval_s,
			    100 * l->ceiling_share, l->ceiling_per_s);
		else
			say(r, "this host closed first towards %s and holds %u of the "
			    "%u ports of %s (%u in TIME_WAIT): %.0f%% of its ceiling "
			    "(%.1f/s); let the server close first, or keep connections "
			    "alive (see `timewait lab run 003`, `timewait bench compare`)",
			    l->endpoint, l->ports_in_use, l->ports_usable, l->local,
			    l->time_wait, 100 * l->ceiling_share, l->ceiling_per_s);
	}
}

void
w_advise(struct w_report *r)
{
	double iv = r->interval_s > 0 ? r->interval_s : 1, rate;
	uint64_t n;
	int near = 0, ov = counter("TCPTimeWaitOverflow");

	r->nadvice = 0;
	advise_ceilings(r, &near);
	if ((n = w_report_errno(r, EADDRNOTAVAIL, 0)))
		say(r, "connect() fails with EADDRNOTAVAIL at %.1f/s (%s): the "
		    "ephemeral ports (%d-%d) are used up towards %s (see `timewait "
		    "bench --close client --port-range 32768-33767`)", n / iv,
		    top_process(r, EADDRNOTAVAIL, 0), r->port_lo, r->port_hi,
		    r->ndest ? r->lines[0].endpoint : "a destination");
	if ((n = w_report_errno(r, EADDRINUSE, 1)))
		say(r, "bind() fails with EADDRINUSE at %.1f/s (%s): binding before "
		    "connect() without IP_BIND_ADDRESS_NO_PORT takes a port for every "
		    "destination at once; set that option (see `timewait bench "
		    "--src-addrs 4 --bind-no-port`, `timewait lab run 001`)", n / iv,
		    top_process(r, EADDRINUSE, 1));
	else if (r->snap.bound_idle >= 5)
		say(r, "%u sockets hold a port they were bound to but are neither "
		    "connected nor listening: bind() before connect() without "
		    "IP_BIND_ADDRESS_NO_PORT takes the port for every destination at "
		    "once; set that option (see `timewait bench --src-addrs 4 "
		    "--bind-no-port`)", r->snap.bound_idle);
	if (near && r->tw_reuse != 1)
		say(r, "tcp_tw_reuse is %ld in this namespace: with 1 (and TCP "
		    "timestamps) connect() takes over a TIME_WAIT older than 1 s, a "
		    "ceiling 60 times higher (see `timewait bench --tw-reuse`)",
		    r->tw_reuse);
	if ((rate = r->counter_rate[ov]) > 0)
		say(r, "the TIME_WAIT bucket table overflows at %.1f/s "
		    "(tcp_max_tw_buckets %ld): those connections end with no "
		    "TIME_WAIT, and late segments can reach a new one; close first "
		    "on the other side (see `timewait bench --close server`)", rate,
		    r->max_tw_buckets);
	for (size_t i = 0; i < r->n; i++) {
		const struct w_line *l = &r->lines[i];

		if (l->rst_reason[8] || l->rst_reason[16])	/* ABORT_ON_DATA, DISCONNECT_WITH_DATA */
			say(r, "%s: resets sent because data was left unread at "
			    "close (%.1f/s): read to the end before close() (see "
			    "`timewait lab run 007`)", l->endpoint,
			    (l->rst_reason[8] + l->rst_reason[16]) / iv);
		else if (l->rst_reason[12])	/* ABORT_ON_LINGER */
			say(r, "%s: resets sent by SO_LINGER 0 (%.1f/s): no TIME_WAIT, "
			    "but the peer sees an abort (see `timewait lab run "
			    "003-linger0`)", l->endpoint, l->rst_reason[12] / iv);
		if (l->rst_recv && l->rst_recv * 10 >= l->opened + 1)
			say(r, "%s: %.1f resets received a second: the peer aborts or "
			    "no longer knows the connection (see `timewait lab run "
			    "004`)", l->endpoint, l->rst_recv / iv);
	}
	if (r->lost)
		say(r, "the kernel dropped %llu trace events in this interval: the "
		    "rates above are low by that much", (unsigned long long)r->lost);
}
