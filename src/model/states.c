/*
 * states.c - stage 4b of the run model: each side's TCP states.
 *
 * The trace shows the full socket only: where it went FIN_WAIT2/CLOSING ->
 * CLOSE without a reset, the kernel swapped it for a time-wait socket, and
 * its TIME_WAIT and 60 s are put back here. A side with no trace gets its
 * states rebuilt from the packets by a small state machine (next_state).
 * A RST ends a rebuilt TIME_WAIT only as the kernel would let it
 * (rst_ends_tw: the expected sequence number, tcp_rfc1337=0 on its host).
 * Then socket snapshots confirm the TIME_WAIT they saw (snaps.c), and
 * keep one a RST was wrongly taken to end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/work.h"
#include "pcapread.h"

static int
push_state(struct tl_conn *c, int side, int64_t t, enum tcp_st st,
    int inferred, size_t *cap)
{
	struct tl_state s;

	memset(&s, 0, sizeof(s));
	s.t = t;
	s.inferred = (uint8_t)inferred;
	s.state = (uint8_t)st;
	return VEC_PUSH(c->states[side], c->nstates[side], *cap, s);
}

/* When the next connection on this 4-tuple reaches side's host: a SYN
 * arriving at a time-wait socket takes its place. */
static int64_t
next_syn_on(const struct work *w, const struct tl_conn *c, int side)
{
	const struct tuple *tp;
	size_t tix;

	if (tuple_find(w, c->client, c->server, &tix))
		return TL_UNKNOWN;
	tp = &w->tuples[tix];
	for (size_t k = 0; k + 1 < tp->nconns; k++) {
		const struct tl_conn *n = &w->tl->conns[tp->conns[k + 1]];

		if (&w->tl->conns[tp->conns[k]] != c)
			continue;
		for (size_t i = 0; i < n->npkts; i++)
			if (n->pkts[i].flags & TCPF_SYN)
				return t_on(&n->pkts[i], side);
	}
	return TL_UNKNOWN;
}

/* The sequence number side expects next from its peer at t: the furthest
 * end of the peer's segments that reached side's host by then (a SYN and a
 * FIN count one each; a RST none). 0 when none is known to have arrived. */
static int
rcv_nxt_at(const struct tl_conn *c, int side, int64_t t, uint32_t *nxt)
{
	int known = 0;

	for (size_t i = 0; i < c->npkts; i++) {
		const struct tl_pkt *p = &c->pkts[i];
		int64_t tp = t_on(p, side);
		uint32_t end;

		if (p->from == side || (p->flags & TCPF_RST) || tp == TL_UNKNOWN || tp > t)
			continue;
		end = p->seq + p->len + !!(p->flags & TCPF_SYN) + !!(p->flags & TCPF_FIN);
		if (!known || (int32_t)(end - *nxt) > 0)
			*nxt = end;
		known = 1;
	}
	return known;
}

/*
 * Whether the RST p, which side's time-wait socket got at tp, ends it: the
 * rules of the kernel's tcp_timewait_state_process. In TIME_WAIT only a RST
 * with the very sequence number expected next counts, and only on a host
 * with net.ipv4.tcp_rfc1337=0 (RFC 1337 asks to ignore it: with 1 the
 * socket stays); an older RST of the stream is ignored either way. An
 * orphaned FIN_WAIT2 (no FIN from the peer yet) ends at any RST in its
 * window, whatever the setting; the window is not captured, so there "at or
 * after the expected number" stands for it. A setting not recorded (a run
 * from before lab.json had it, or a real machine's) is taken as Linux's
 * default, 0; a sequence number not known to expect, as matching.
 */
static int
rst_ends_tw(const struct work *w, const struct tl_conn *c, int side,
    const struct tl_pkt *p, int64_t tp, int in_time_wait)
{
	int h = host_by_name(w->tl, c->host[side]);
	uint32_t nxt = 0;

	if (!rcv_nxt_at(c, side, tp, &nxt))
		return in_time_wait ? h < 0 || w->tl->hosts[h].rfc1337 != 1 : 1;
	if (!in_time_wait)
		return (int32_t)(p->seq - nxt) >= 0;
	return p->seq == nxt && (h < 0 || w->tl->hosts[h].rfc1337 != 1);
}

/*
 * Put back what the time-wait socket did: TIME_WAIT once a FIN came in (at
 * once, or later for an orphaned FIN_WAIT2), for 60 s, or until a RST that
 * ends it (it sent one, or got one rst_ends_tw takes), or until the next
 * SYN on the same 4-tuple takes its place.
 */
static int
rebuild_time_wait(struct work *w, struct tl_conn *c, int side, int64_t t_rst,
    int64_t t_rst_full)
{
	struct tl_state *st = c->states[side];
	size_t n = c->nstates[side], cap = n, i;
	int64_t t, t_fin = TL_UNKNOWN, t_end = TL_UNKNOWN, t_syn;
	int64_t t_peer_fin = TL_UNKNOWN;
	enum tcp_st old;

	if (n < 2 || st[n - 1].state != TS_CLOSE)
		return 0;
	old = st[n - 2].state;
	if (old != TS_FIN_WAIT2 && old != TS_CLOSING)
		return 0;
	t = st[n - 1].t;
	/* A reset of the full socket around the CLOSE (received, or sent by
	 * it: an orphan getting data aborts, closes, then sends its RST) means
	 * the CLOSE is real; one from a time-wait socket after it ends that. */
	if (t_rst_full != TL_UNKNOWN && t_rst_full <= t + 1000000)
		return 0;
	if (t_rst != TL_UNKNOWN && t_rst >= t)
		t_end = t_rst;
	/* The peer sends its FIN as it enters FIN_WAIT1 or LAST_ACK: when
	 * the capture ended before that FIN, the peer's trace still tells. */
	for (i = 0; i < c->nstates[!side] && t_peer_fin == TL_UNKNOWN; i++) {
		enum tcp_st s = c->states[!side][i].state;

		if (s == TS_FIN_WAIT1 || s == TS_LAST_ACK)
			t_peer_fin = c->states[!side][i].t;
	}
	for (i = 0; i < c->npkts && t_fin == TL_UNKNOWN; i++) {
		const struct tl_pkt *p = &c->pkts[i];

		if (p->from != side && (p->flags & TCPF_FIN))
			t_fin = t_on(p, side);
	}
	if (t_fin == TL_UNKNOWN && old == TS_CLOSING)
		t_fin = t;
	if (t_fin == TL_UNKNOWN)
		t_fin = t_peer_fin;
	if (t_fin != TL_UNKNOWN && t_fin < t)
		t_fin = t;
	/* The first RST that ends it: one it sent, or one it got and takes
	 * (in TIME_WAIT from the FIN on, in FIN_WAIT2 before). */
	for (i = 0; i < c->npkts; i++) {
		const struct tl_pkt *p = &c->pkts[i];
		int64_t tp = t_on(p, side);

		if (!(p->flags & TCPF_RST) || tp == TL_UNKNOWN || tp < t ||
		    (t_end != TL_UNKNOWN && tp >= t_end))
			continue;
		if (p->from == side || rst_ends_tw(w, c, side, p, tp,
		    t_fin != TL_UNKNOWN && tp >= t_fin))
			t_end = tp;
	}
	c->nstates[side]--;	/* the CLOSE the swap showed */
	if (t_fin != TL_UNKNOWN && (t_end == TL_UNKNOWN || t_fin < t_end)) {
		if (push_state(c, side, t_fin, TS_TIME_WAIT, 1, &cap))
			return -1;
		t_syn = side == TL_SERVER ? next_syn_on(w, c, side) : TL_UNKNOWN;
		if (t_end == TL_UNKNOWN || t_end > t_fin + TIME_WAIT_NS)
			t_end = t_fin + TIME_WAIT_NS;
		if (t_syn != TL_UNKNOWN && t_syn > t_fin && t_syn < t_end)
			t_end = t_syn;
	} else if (t_end == TL_UNKNOWN) {
		t_end = t + TIME_WAIT_NS;	/* orphaned FIN_WAIT2: tcp_fin_timeout */
	}
	return push_state(c, side, t_end, TS_CLOSE, 1, &cap);
}

/* The state machine of one side, seen from its packets. */
struct pkt_sm {
	enum tcp_st cur;
	int our_fin;
	uint32_t our_fin_seq;
};

/* What a packet this side sends moves it to (TS_UNKNOWN: no change). */
static enum tcp_st
on_send(struct pkt_sm *m, const struct tl_pkt *p)
{
	enum tcp_st next = TS_UNKNOWN;

	if ((p->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN)
		next = TS_SYN_SENT;
	else if (p->flags & TCPF_SYN)
		next = TS_SYN_RECV;
	else if (m->cur == TS_SYN_SENT)
		next = TS_ESTABLISHED;
	if (p->flags & TCPF_FIN) {
		m->our_fin = 1;
		m->our_fin_seq = p->seq + p->len + 1;
		switch (m->cur) {
		case TS_ESTABLISHED:
		case TS_SYN_RECV:
			next = TS_FIN_WAIT1;
			break;
		case TS_CLOSE_WAIT:
			next = TS_LAST_ACK;
			break;
		default:
			break;
		}
	}
	return next;
}

/* The state an ACK of our FIN moves cur to (TS_UNKNOWN: none). */
static enum tcp_st
on_fin_acked(enum tcp_st cur)
{
	switch (cur) {
	case TS_FIN_WAIT1: return TS_FIN_WAIT2;
	case TS_CLOSING: return TS_TIME_WAIT;
	case TS_LAST_ACK: return TS_CLOSE;
	default: return TS_UNKNOWN;
	}
}

/* The state the peer's FIN moves after to (TS_UNKNOWN: none). */
static enum tcp_st
on_peer_fin(enum tcp_st after)
{
	switch (after) {
	case TS_ESTABLISHED: return TS_CLOSE_WAIT;
	case TS_FIN_WAIT1: return TS_CLOSING;
	case TS_FIN_WAIT2: return TS_TIME_WAIT;
	default: return TS_UNKNOWN;
	}
}

static int sm_step(const struct work *w, struct tl_conn *c, int side,
    struct pkt_sm *mp, const struct tl_pkt *p, int64_t t, size_t *capp);

static int
cmp_seen(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	if (x[0] != y[0])
		return (x[0] > y[0]) - (x[0] < y[0]);
	return (x[1] > y[1]) - (x[1] < y[1]);
}

/* No trace for this side: rebuild its states from the packets alone, in
 * the order its own capture saw them (two FINs that cross are sent in one
 * order and seen by each side in the other). */
static int
states_from_packets(const struct work *w, struct tl_conn *c, int side)
{
	struct pkt_sm m = { TS_UNKNOWN, 0, 0 };
	size_t cap = 0, n = 0;
	int64_t (*seen)[2];
	int rc = 0;

	if (!c->npkts)
		return 0;
	if (!(seen = malloc(c->npkts * sizeof(*seen))))
		return -1;
	for (size_t i = 0; i < c->npkts; i++) {
		const struct tl_pkt *p = &c->pkts[i];
		int64_t t = p->from == side ? p->t_sent : p->t_received;

		if (t != TL_UNKNOWN) {
			seen[n][0] = t;
			seen[n++][1] = (int64_t)i;
		}
	}
	qsort(seen, n, sizeof(*seen), cmp_seen);
	for (size_t k = 0; k < n && !rc; k++)
		rc = sm_step(w, c, side, &m, &c->pkts[seen[k][1]], seen[k][0], &cap);
	free(seen);
	return rc;
}

/* One packet seen by side at t through its state machine. 0 or -1. */
static int
sm_step(const struct work *w, struct tl_conn *c, int side, struct pkt_sm *mp,
    const struct tl_pkt *p, int64_t t, size_t *capp)
{
	struct pkt_sm m = *mp;
	size_t cap = *capp;
	enum tcp_st next = TS_UNKNOWN;
	int rc = -1;

	if (m.cur == TS_TIME_WAIT) {
		/* Its end is drawn already (60 s, or the next SYN): a RST it
		 * sends or takes brings it forward; any other is ignored. */
		struct tl_state *end = &c->states[side][c->nstates[side] - 1];

		if ((p->flags & TCPF_RST) && end->state == TS_CLOSE && t < end->t &&
		    (p->from == side || rst_ends_tw(w, c, side, p, t, 1)))
			end->t = t;
		return 0;
	}
	if (p->flags & TCPF_RST) {
		next = TS_CLOSE;
	} else if (p->from == side) {	/* we send */
		next = on_send(&m, p);
	} else {			/* we receive */
		int acks_fin = m.our_fin && (p->flags & TCPF_ACK) &&
		    (int32_t)(p->ack - m.our_fin_seq) >= 0;

		if (m.cur == TS_SYN_RECV && (p->flags & TCPF_ACK)) {
			m.cur = TS_ESTABLISHED;
			if (push_state(c, side, t, m.cur, 2, &cap))
				goto out;
		}
		if (acks_fin)
			next = on_fin_acked(m.cur);
		if (p->flags & TCPF_FIN) {
			enum tcp_st after = next != TS_UNKNOWN ? next : m.cur;
			enum tcp_st fin = on_peer_fin(after);

			/* One segment acks our FIN and brings theirs:
			 * FIN_WAIT2, then TIME_WAIT. */
			if (after == TS_FIN_WAIT2 && next != TS_UNKNOWN &&
			    m.cur != TS_FIN_WAIT2) {
				m.cur = TS_FIN_WAIT2;
				if (push_state(c, side, t, m.cur, 2, &cap))
					goto out;
			}
			if (fin != TS_UNKNOWN)
				next = fin;
		}
	}
	if (next != TS_UNKNOWN && next != m.cur) {
		m.cur = next;
		if (push_state(c, side, t, m.cur, 2, &cap))
			goto out;
		if (m.cur == TS_TIME_WAIT) {
			int64_t end = t + TIME_WAIT_NS, syn = next_syn_on(w, c, side);

			if (syn != TL_UNKNOWN && syn > t && syn < end)
				end = syn;	/* the next SYN takes its place */
			if (push_state(c, side, end, TS_CLOSE, 2, &cap))
				goto out;
		}
	}
	rc = 0;
out:
	*mp = m;
	*capp = cap;
	return rc;
}

int
build_states(struct work *w)
{
	struct timeline *tl = w->tl;

	for (size_t i = 0; i < w->nruns; i++) {
		struct trun *r = &w->runs[i];
		struct tl_conn *c;
		int side;

		if (r->conn < 0)
			continue;
		c = &tl->conns[r->conn];
		side = strcmp(c->client, r->local) ? TL_SERVER : TL_CLIENT;
		if (rebuild_time_wait(w, c, side, r->t_rst, r->t_rst_full))
			return -1;
	}
	for (size_t i = 0; i < tl->nconns; i++)
		for (int side = 0; side < 2; side++) {
			struct tl_conn *c = &tl->conns[i];

			if (!c->nstates[side] && states_from_packets(w, c, side))
				return -1;
			confirm_with_snaps(w, c, side);
		}
	return 0;
}
