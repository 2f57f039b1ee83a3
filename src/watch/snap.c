/*
 * snap.c - what the watched namespace holds right now, from one sock_diag
 * snapshot (host/sockdiag.h): TIME_WAIT sockets and the age of the oldest,
 * and, for the connections this host opened, the ephemeral ports in use
 * for each (source address, destination), the figure its ceiling follows.
 *
 * A socket belongs to a listening service when its local port is one a
 * socket of the namespace listens on, to a destination otherwise; the same
 * rule the trace side uses (wtrace.c), so both land in the same rows.
 */
#include <stdlib.h>
#include <string.h>

#include "host/sockdiag.h"
#include "watch/watch.h"

int
w_snapshot(struct w_ns *ns, struct w_table *t, uint8_t *listening,
    int port_lo, int port_hi, struct w_snapstats *st, char *err, size_t errlen)
{
	struct sd_sock *socks = NULL;
	size_t n = 0;
	uint8_t *listen_now;

	memset(st, 0, sizeof(*st));
	if (sockdiag_snapshot(ns->nsfd, &socks, &n, err, errlen) < 0)
		return -1;
	listen_now = calloc(65536, 1);
	if (!listen_now) {
		free(socks);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t fam, a[16];
		uint16_t port;

		if (socks[i].state == TS_LISTEN &&
		    !w_parse_endpoint(socks[i].local, &fam, a, &port))
			listen_now[port] = 1;
	}
	st->sockets = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		const struct sd_sock *s = &socks[i];
		struct w_key k;
		uint16_t lport, rport;
		uint8_t fam, rfam;
		struct w_row *r;
		uint32_t age = 0;

		if (s->state == TS_CLOSE && !w_parse_endpoint(s->local, &fam, k.local,
		    &lport) && lport != 0)
			st->bound_idle++;	/* bind() done, connect() not yet */
		if (s->state == TS_LISTEN || s->state == TS_CLOSE)
			continue;
		memset(&k, 0, sizeof(k));
		if (w_parse_endpoint(s->local, &fam, k.local, &lport) ||
		    w_parse_endpoint(s->remote, &rfam, k.remote, &rport))
			continue;
		k.family = fam;
		if (s->state == TS_ESTABLISHED)
			st->established++;
		if (s->state == TS_TIME_WAIT) {
			st->time_wait++;
			age = s->expires_ms < W_TW_LEN_MS ? W_TW_LEN_MS - s->expires_ms : 0;
			if (age > st->tw_oldest_ms)
				st->tw_oldest_ms = age;
		}
		if (w_guess_kind(listen_now, port_lo, port_hi, lport, rport) == W_SERVICE) {
			k.kind = W_SERVICE;
			k.port = lport;
			memset(k.remote, 0, sizeof(k.remote));
		} else {
			k.kind = W_DEST;
			k.port = rport;
		}
		if (!(r = w_table_get(t, &k)))
			continue;
		r->sockets++;
		if (k.kind == W_DEST && lport >= port_lo && lport <= port_hi)
			r->ports_in_use++;
		if (s->state == TS_TIME_WAIT) {
			r->time_wait++;
			if (age > r->tw_oldest_ms)
				r->tw_oldest_ms = age;
		}
	}
	/* Byte by byte: the trace thread never sees a port vanish and come back. */
	for (size_t p = 0; p < 65536; p++)
		if (listening[p] != listen_now[p])
			__atomic_store_n(&listening[p], listen_now[p], __ATOMIC_RELAXED);
	free(listen_now);
	free(socks);
	return 0;
}
