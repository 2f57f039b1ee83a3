/*
 * hview.c - a connection as one host saw it (struct hview, checkint.h):
 * the packets its own capture saw, in its own order and on its own clock,
 * for the checks (checks.c) and the close race's judge (race.c).
 */
#include <stdlib.h>
#include <string.h>

#include "checkint.h"

/* A packet's time on side's host, NONE when its capture did not see it
 * or saw it after until (0: no limit), when the test was over. */
int64_t
ck_seen_on(const struct tl_pkt *p, int side, int64_t until)
{
	int64_t t = p->from == side ? p->t_sent : p->t_received;

	return until != 0 && t != NONE && t > until ? NONE : t;
}

/* The side of c that host is, or -1. */
int
ck_side_of(const struct tl_conn *c, const char *host)
{
	if (host == NULL)
		return -1;
	if (strcmp(c->host[TL_CLIENT], host) == 0)
		return TL_CLIENT;
	if (strcmp(c->host[TL_SERVER], host) == 0)
		return TL_SERVER;
	return -1;
}

static int
cmp_time(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	if (x[0] != y[0])
		return (x[0] > y[0]) - (x[0] < y[0]);
	return (x[1] > y[1]) - (x[1] < y[1]);
}

/* What side's capture saw of c, its packets in the order it saw them.
 * 0, or -1 when it saw none. */
int
ck_host_view(const struct tl_conn *c, int side, int64_t until, struct hview *v)
{
	int64_t (*order)[2];
	size_t n = 0;

	memset(v, 0, sizeof(*v));
	v->c = c;
	v->side = side;
	v->t_my_fin = v->t_peer_fin = v->t_rst = NONE;
	v->lport = port_of(side == TL_CLIENT ? c->client : c->server);
	v->rport = port_of(side == TL_CLIENT ? c->server : c->client);
	if (c->npkts == 0 || !(order = malloc(c->npkts * sizeof(*order))))
		return -1;
	for (size_t i = 0; i < c->npkts; i++)
		if (ck_seen_on(&c->pkts[i], side, until) != NONE) {
			order[n][0] = ck_seen_on(&c->pkts[i], side, until);
			order[n++][1] = (int64_t)i;
		}
	qsort(order, n, sizeof(*order), cmp_time);
	for (size_t k = 0; k < n; k++) {
		const struct tl_pkt *p = &c->pkts[order[k][1]];
		int64_t t = order[k][0];
		int mine = p->from == side;

		if ((p->flags & (TCPF_SYN | TCPF_RST | TCPF_FIN)) == 0 &&
		    (p->flags & TCPF_ACK) && !v->closed)
			v->established = 1;
		if (p->flags & TCPF_FIN) {
			if (mine && v->t_my_fin == NONE) {
				v->t_my_fin = t;
				v->my_fin_ack = p->ack;
			}
			if (!mine && v->t_peer_fin == NONE) {
				v->t_peer_fin = t;
				v->peer_fin_seq = p->seq + p->len;
			}
			v->closed = 1;
		}
		if (p->flags & TCPF_RST) {
			if (v->t_rst == NONE)
				v->t_rst = t;
			if (mine)
				v->rst_mine = 1;
			else
				v->rst_peer = 1;
			v->closed = 1;
		}
	}
	free(order);
	return n ? 0 : -1;
}

int
ck_host_index(const struct test_rec *r, const char *name)
{
	int i;

	for (i = 0; name && i < r->nhosts; i++)
		if (strcmp(r->hosts[i].name, name) == 0)
			return i;
	return -1;
}
