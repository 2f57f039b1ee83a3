/*
 * conns.c - stage 3 of the run model: connections. The packets of one
 * 4-tuple in time order; a SYN with a new initial sequence number starts
 * a new connection of that 4-tuple. Later stages (trace, events) add the
 * connections the packets did not show through new_conn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/work.h"
#include "pcapread.h"

static void
tuple_key(const char *x, const char *y, char *key, size_t len)
{
	const char *a = strcmp(x, y) < 0 ? x : y, *b = a == x ? y : x;

	snprintf(key, len, "%s|%s", a, b);
}

int
tuple_find(const struct work *w, const char *x, const char *y, size_t *tix)
{
	char key[140];

	tuple_key(x, y, key, sizeof(key));
	return strmap_get(&w->tmap, key, tix);
}

size_t
tuple_get(struct work *w, const char *x, const char *y)
{
	const char *a = strcmp(x, y) < 0 ? x : y, *b = a == x ? y : x;
	char key[140];
	size_t idx;
	struct tuple t;

	tuple_key(x, y, key, sizeof(key));
	if (!strmap_get(&w->tmap, key, &idx))
		return idx;
	memset(&t, 0, sizeof(t));
	snprintf(t.a, sizeof(t.a), "%s", a);
	snprintf(t.b, sizeof(t.b), "%s", b);
	if (VEC_PUSH(w->tuples, w->ntuples, w->tcap, t) ||
	    strmap_put(&w->tmap, key, w->ntuples - 1))
		return (size_t)-1;
	return w->ntuples - 1;
}

int64_t
t_on(const struct tl_pkt *p, int side)
{
	int64_t t = p->from == side ? p->t_sent : p->t_received;

	if (t == TL_UNKNOWN)
		t = p->from == side ? p->t_received : p->t_sent;
	return t;
}

static int64_t
wire_t(const struct wire *x)
{
	return x->ts != TL_UNKNOWN ? x->ts : x->tr != TL_UNKNOWN ? x->tr : x->td;
}

static int
cmp_wire_t(const void *a, const void *b)
{
	int64_t x = wire_t(a), y = wire_t(b);

	return (x > y) - (x < y);
}

int
new_conn(struct work *w, size_t tix, const char *client, const char *server,
    int64_t t)
{
	struct timeline *tl = w->tl;
	struct tuple *tp = &w->tuples[tix];
	struct tl_conn c;
	char a[46];
	int h;

	memset(&c, 0, sizeof(c));
	snprintf(c.client, sizeof(c.client), "%s", client);
	snprintf(c.server, sizeof(c.server), "%s", server);
	ep_addr(client, a, sizeof(a));
	h = host_of_addr(tl, a);
	scopy(c.host[0], sizeof(c.host[0]), h >= 0 ? tl->hosts[h].name : a);
	ep_addr(server, a, sizeof(a));
	h = host_of_addr(tl, a);
	scopy(c.host[1], sizeof(c.host[1]), h >= 0 ? tl->hosts[h].name : a);
	c.gen = (int)tp->nconns;
	c.t_start = c.t_end = t;
	if (VEC_PUSH(tl->conns, tl->nconns, w->conncap, c) ||
	    VEC_PUSH(tp->conns, tp->nconns, tp->cap, tl->nconns - 1))
		return -1;
	/* Keep the tuple's connections in time order (the trace or the
	 * events may add one that began before those the packets made). */
	for (size_t k = tp->nconns - 1; k > 0 &&
	    tl->conns[tp->conns[k - 1]].t_start > t; k--) {
		size_t x = tp->conns[k];

		tp->conns[k] = tp->conns[k - 1];
		tp->conns[k - 1] = x;
	}
	for (size_t k = 0; k < tp->nconns; k++)
		tl->conns[tp->conns[k]].gen = (int)k;
	return (int)tl->nconns - 1;
}

static int
add_pkt(struct tl_conn *c, const struct wire *x, size_t *cap)
{
	struct tl_pkt p;

	memset(&p, 0, sizeof(p));
	p.t_sent = x->ts;
	p.t_received = x->tr;
	p.from = strcmp(x->src, c->client) ? TL_SERVER : TL_CLIENT;
	p.flags = x->flags;
	p.lab = x->lab;
	p.seq = x->seq;
	p.ack = x->ack;
	p.len = x->len;
	p.dropped = x->dropped;
	p.why = x->why;
	p.t_dropped = x->dropped ? x->td : TL_UNKNOWN;
	if ((x->flags & TCPF_SYN) && !c->have_isn[p.from]) {
		c->isn[p.from] = x->seq;
		c->have_isn[p.from] = 1;
	}
	if (wire_t(x) > c->t_end)
		c->t_end = wire_t(x);
	return VEC_PUSH(c->pkts, c->npkts, *cap, p);
}

int
build_conns(struct work *w)
{
	struct timeline *tl = w->tl;
	size_t *pcap_of = NULL, pcap_cap = 0;	/* packet array capacity per conn */
	int *cur = NULL;
	int rc = -1;

	if (w->nwires > 0)
		qsort(w->wires, w->nwires, sizeof(*w->wires), cmp_wire_t);
	for (size_t i = 0; i < w->nwires; i++)
		if (tuple_get(w, w->wires[i].src, w->wires[i].dst) == (size_t)-1)
			goto out;
	cur = malloc((w->ntuples + 1) * sizeof(*cur));
	if (!cur)
		goto out;
	for (size_t i = 0; i < w->ntuples; i++)
		cur[i] = -1;
	for (size_t i = 0; i < w->nwires; i++) {
		struct wire *x = &w->wires[i];
		size_t tix = tuple_get(w, x->src, x->dst);
		int ci = cur[tix];
		struct tl_conn *c = ci >= 0 ? &tl->conns[ci] : NULL;

		/* A SYN with a new sequence number starts a new connection. */
		if ((x->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN && c &&
		    (strcmp(c->client, x->src) || !c->have_isn[TL_CLIENT] ||
		     c->isn[TL_CLIENT] != x->seq))
			c = NULL;
		if (!c) {
			const char *cl = x->src, *sv = x->dst;

			/* No SYN seen: the SYN-ACK's sender, else the lower
			 * port, is the server. */
			if ((x->flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK) ||
			    (!(x->flags & TCPF_SYN) && ep_port(x->src) < ep_port(x->dst)))
				cl = x->dst, sv = x->src;
			ci = new_conn(w, tix, cl, sv, wire_t(x));
			if (ci < 0 || vec_grow((void **)&pcap_of, &pcap_cap, tl->nconns,
			    sizeof(*pcap_of)))
				goto out;
			pcap_of[ci] = 0;
			cur[tix] = ci;
		}
		if (add_pkt(&tl->conns[ci], x, &pcap_of[ci]))
			goto out;
	}
	rc = 0;
out:
	free(cur);
	free(pcap_of);
	if (rc)
		snprintf(w->err, w->errlen, "out of memory building connections");
	return rc;
}
