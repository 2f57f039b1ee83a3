/*
 * verify.c - stage 6 of the run model: put the connections in time order
 * with their events, give sequence numbers relative to each side's first,
 * and check that the pieces agree: a SYN lies between SYN_SENT and
 * ESTABLISHED, connect() returns once ESTABLISHED, packets arrive after
 * they leave, TIME_WAIT follows the peer's FIN, states run forward.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/work.h"
#include "pcapread.h"

static int
cmp_event_t(const void *a, const void *b)
{
	const struct tl_event *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

static int
cmp_conn_start(const void *a, const void *b)
{
	const struct tl_conn *x = a, *y = b;

	if (x->t_start != y->t_start)
		return (x->t_start > y->t_start) - (x->t_start < y->t_start);
	return x->gen - y->gen;
}

int
finish_conns(struct timeline *tl)
{
	size_t *perm = NULL, *caps = NULL;
	int rc = -1;

	/* Sort the connections by start, keeping the events' links. */
	for (size_t i = 0; i < tl->nconns; i++) {
		struct tl_conn *c = &tl->conns[i];
		int64_t s = c->t_start;

		for (int side = 0; side < 2; side++)
			if (c->nstates[side] && c->states[side][0].t < s)
				s = c->states[side][0].t;
		c->t_start = s;
		c->nev = (size_t)i;	/* old index, for the remap below */
	}
	if (tl->nconns > 0)
		qsort(tl->conns, tl->nconns, sizeof(*tl->conns), cmp_conn_start);
	perm = malloc((tl->nconns + 1) * sizeof(*perm));
	caps = calloc(tl->nconns + 1, sizeof(*caps));
	if (!perm || !caps)
		goto out;
	for (size_t i = 0; i < tl->nconns; i++) {
		perm[tl->conns[i].nev] = i;
		tl->conns[i].nev = 0;
	}
	if (tl->nevents > 0)
		qsort(tl->events, tl->nevents, sizeof(*tl->events), cmp_event_t);
	for (size_t i = 0; i < tl->nevents; i++) {
		struct tl_event *e = &tl->events[i];
		struct tl_conn *c;

		if (e->upconn > 0)
			e->upconn = (int)perm[e->upconn - 1] + 1;
		if (e->conn < 0)
			continue;
		e->conn = (int)perm[e->conn];
		c = &tl->conns[e->conn];
		if (VEC_PUSH(c->ev, c->nev, caps[e->conn], i))
			goto out;
	}
	tl->t0 = INT64_MAX;
	for (size_t i = 0; i < tl->nconns; i++) {
		struct tl_conn *c = &tl->conns[i];

		for (size_t k = 0; k < c->nev; k++) {
			int64_t t = tl->events[c->ev[k]].t;

			if (t < c->t_start)
				c->t_start = t;
			if (t > c->t_end)
				c->t_end = t;
		}
		for (int side = 0; side < 2; side++)
			for (size_t k = 0; k < c->nstates[side]; k++)
				if (!c->states[side][k].inferred && c->states[side][k].t > c->t_end)
					c->t_end = c->states[side][k].t;
		if (c->t_start != TL_UNKNOWN && c->t_start < tl->t0)
			tl->t0 = c->t_start;
	}
	for (size_t i = 0; i < tl->nevents; i++) {
		if (tl->events[i].t < tl->t0)
			tl->t0 = tl->events[i].t;
		if (tl->events[i].t_call && tl->events[i].t_call < tl->t0)
			tl->t0 = tl->events[i].t_call;
	}
	if (tl->t0 == INT64_MAX)
		tl->t0 = 0;
	rc = 0;
out:
	free(perm);
	free(caps);
	return rc;
}

static int
add_check(struct tl_conn *c, size_t *cap, const char *name, int ok,
    const char *detail)
{
	struct tl_check k;

	memset(&k, 0, sizeof(k));
	snprintf(k.name, sizeof(k.name), "%s", name);
	snprintf(k.detail, sizeof(k.detail), "%s", detail);
	k.ok = ok;
	if (!ok)
		c->consistent = 0;
	return VEC_PUSH(c->checks, c->nchecks, *cap, k);
}

static const struct tl_state *
first_state(const struct tl_conn *c, int side, enum tcp_st st)
{
	for (size_t i = 0; i < c->nstates[side]; i++)
		if (c->states[side][i].state == st)
			return &c->states[side][i];
	return NULL;
}

/* a - b in microseconds; a time not known counts as 0 rather than overflow. */
static double
us(int64_t a, int64_t b)
{
	if (a == TL_UNKNOWN || b == TL_UNKNOWN)
		return 0;
	return (double)(a - b) / 1000.0;	/* both in [0, 2^62] (model/input.h) */
}

/* TIME_WAIT follows the peer's FIN; states run forward in time. */
static int
check_side(struct tl_conn *c, int side, size_t *cap)
{
	char d[120];
	int ok = 1;

	for (size_t i = 1; i < c->nstates[side]; i++)
		if (c->states[side][i].t < c->states[side][i - 1].t)
			ok = 0;
	for (size_t i = 0; i < c->nstates[side]; i++) {
		int fin = 0, said = 0;

		if (c->states[side][i].state != TS_TIME_WAIT)
			continue;
		for (size_t k = 0; k < c->npkts; k++)
			fin |= c->pkts[k].from != side && (c->pkts[k].flags & TCPF_FIN);
		/* the capture may have ended first: the peer's kernel says */
		for (size_t k = 0; !fin && k < c->nstates[!side]; k++) {
			const struct tl_state *ps = &c->states[!side][k];

			said |= ps->t <= c->states[side][i].t &&
			    (ps->state == TS_FIN_WAIT1 || ps->state == TS_LAST_ACK ||
			     ps->state == TS_CLOSING);
		}
		snprintf(d, sizeof(d), "%s enters TIME_WAIT %s", side ? "server" : "client",
		    fin ? "after a FIN from its peer" : said ?
		    "after its peer sent a FIN (peer's trace; not captured)" :
		    "WITHOUT a FIN from its peer");
		fin |= said;
		if (add_check(c, cap, "TIME_WAIT follows the peer's FIN", fin, d))
			return -1;
	}
	if (!ok) {
		snprintf(d, sizeof(d), "%s states go back in time", side ? "server" : "client");
		if (add_check(c, cap, "states in time order", 0, d))
			return -1;
	}
	return 0;
}

static int
check_conn(struct timeline *tl, struct tl_conn *c)
{
	const struct tl_state *ss = first_state(c, TL_CLIENT, TS_SYN_SENT),
	    *es = first_state(c, TL_CLIENT, TS_ESTABLISHED);
	const struct tl_pkt *syn = NULL;
	size_t cap = 0, late = 0;
	int64_t tol = tl->clock_estimated ? 50000 : 0;
	char d[120];

	c->consistent = 1;
	for (size_t i = 0; i < c->npkts && !syn; i++)
		if ((c->pkts[i].flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN &&
		    c->pkts[i].from == TL_CLIENT && c->pkts[i].t_sent != TL_UNKNOWN)
			syn = &c->pkts[i];
	if (syn && ss && es) {
		int ok = ss->t <= syn->t_sent && syn->t_sent <= es->t;

		snprintf(d, sizeof(d), "SYN_SENT %+.1f us, SYN sent %+.1f us, ESTABLISHED %+.1f us",
		    us(ss->t, tl->t0), us(syn->t_sent, tl->t0), us(es->t, tl->t0));
		if (add_check(c, &cap, "SYN between SYN_SENT and ESTABLISHED", ok, d))
			return -1;
	}
	for (size_t i = 0; es && i < c->nev; i++) {
		const struct tl_event *e = &tl->events[c->ev[i]];

		if (strcmp(e->step, "connect") || e->ret != 0)
			continue;
		snprintf(d, sizeof(d), "ESTABLISHED %+.1f us, connect returned %+.1f us",
		    us(es->t, tl->t0), us(e->t, tl->t0));
		if (add_check(c, &cap, "connect returns once ESTABLISHED", es->t <= e->t, d))
			return -1;
		break;
	}
	for (size_t i = 0; i < c->npkts; i++)
		if (c->pkts[i].t_sent != TL_UNKNOWN && c->pkts[i].t_received != TL_UNKNOWN &&
		    c->pkts[i].t_received + tol < c->pkts[i].t_sent)
			late++;
	if (c->npkts) {
		snprintf(d, sizeof(d), "%zu of %zu packets arrive before they are sent",
		    late, c->npkts);
		if (add_check(c, &cap, "packets arrive after they are sent", late == 0, d))
			return -1;
	}
	for (int side = 0; side < 2; side++)
		if (check_side(c, side, &cap))
			return -1;
	if (!c->consistent)
		tl->problems++;
	return 0;
}

static void
relative_seqs(struct tl_conn *c)
{
	for (size_t i = 0; i < c->npkts; i++) {
		struct tl_pkt *p = &c->pkts[i];

		p->rseq = c->have_isn[p->from] ? p->seq - c->isn[p->from] : p->seq;
		p->rack = (p->flags & TCPF_ACK) && c->have_isn[!p->from] ?
		    p->ack - c->isn[!p->from] : 0;
	}
}

int
verify_conns(struct timeline *tl)
{
	for (size_t i = 0; i < tl->nconns; i++) {
		relative_seqs(&tl->conns[i]);
		if (check_conn(tl, &tl->conns[i]))
			return -1;
	}
	return 0;
}
