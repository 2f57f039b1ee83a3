/*
 * race.c - the close race's judge (test 005, race-rtt): per connection,
 * who closed first (from the packets each host saw) and who held
 * TIME_WAIT (from the kernel's states), the end snapshot only a
 * cross-check for sockets still within their 60 s; the outcome's name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkint.h"

/* The first connection from the "client" host to the "server" host whose
 * client port is cport (0: the first one). */
static const struct tl_conn *
race_conn(const struct timeline *tl, int cport)
{
	for (size_t i = 0; tl && i < tl->nconns; i++) {
		const struct tl_conn *c = &tl->conns[i];

		if (ck_side_of(c, "client") == TL_CLIENT && ck_side_of(c, "server") == TL_SERVER &&
		    (cport == 0 || port_of(c->client) == cport))
			return c;
	}
	return NULL;
}

/* Slack between the model's TIME_WAIT times and a snapshot's: its start
 * is a time the trace or a capture took (the snapshot comes after it), its
 * end a 60 s timer the kernel runs on its own clock ticks. */
#define START_SLACK_NS (1000000LL)
#define END_SLACK_NS (1000LL * 1000000LL)

/* What the model says of side's TIME_WAIT: *held when it ran its course
 * (not cut short by a reset); *alive: 1 surely alive through the snapshot
 * (taken from t to t_end), 0 surely not, -1 too close to tell. */
static void
tw_of(const struct tl_conn *c, int side, int64_t t, int64_t t_end, int *held, int *alive)
{
	int rst = 0;

	*held = 0;
	*alive = 0;
	for (size_t k = 0; k < c->npkts; k++)
		rst |= (c->pkts[k].flags & TCPF_RST) != 0;
	for (size_t k = 0; k < c->nstates[side]; k++) {
		const struct tl_state *s = &c->states[side][k];
		int64_t end = k + 1 < c->nstates[side] ? c->states[side][k + 1].t : INT64_MAX;

		if (s->state != TS_TIME_WAIT)
			continue;
		if (!rst || end == INT64_MAX || end - s->t >= TIME_WAIT_NS - END_SLACK_NS)
			*held = 1;
		if (t == NONE || *alive == 1)
			continue;
		if (s->t <= t - START_SLACK_NS && (end == INT64_MAX || end >= t_end + END_SLACK_NS))
			*alive = 1;
		else if (s->t < t_end + START_SLACK_NS && end > t - END_SLACK_NS)
			*alive = -1;
	}
}

/* TIME_WAIT sockets of a host at a snapshot on the connection of client port cport. */
static size_t
tw_on(const struct snap_rec *s, int hi, int cport, int client_side)
{
	size_t k, n = 0;

	for (k = 0; k < s->n[hi]; k++) {
		const struct sd_sock *x = &s->s[hi][k];

		if (x->state == TS_TIME_WAIT &&
		    port_of(client_side ? x->local : x->remote) == cport)
			n++;
	}
	return n;
}

/*
 * Whether who held TIME_WAIT agrees with the outcome: the kernel trace of
 * that connection says (the model's states), and the end snapshot, where
 * it was taken while a TIME_WAIT of it was surely alive or surely over,
 * must say the same. A series longer than 60 s thus judges its first runs
 * by their own trace, not by a snapshot taken after they expired.
 */
static int
tw_agree(const struct test_rec *r, const struct tl_conn *c, int want_c, int want_s)
{
	const struct snap_rec *snap = rec_snap(r, "end");
	int ci = ck_host_index(r, "client"), si = ck_host_index(r, "server");
	int want[2] = { want_c, want_s }, hi[2] = { ci, si };
	int cport = port_of(c->client);

	for (int side = 0; side < 2; side++) {
		int held, alive;

		tw_of(c, side, snap ? (int64_t)snap->t_ns : NONE, snap == NULL ? NONE :
		    (int64_t)(snap->t_end_ns > snap->t_ns ? snap->t_end_ns : snap->t_ns), &held,
		    &alive);
		if (held != want[side])
			return 0;
		if (snap == NULL || hi[side] < 0 || alive < 0)
			continue;
		if ((tw_on(snap, hi[side], cport, side == TL_CLIENT) > 0) != alive)
			return 0;
	}
	return 1;
}

/*
 * Did this host close before its TCP had taken in the peer's FIN? Its FIN
 * tells: a FIN sent after the peer's was processed acknowledges it. The
 * capture's clock cannot tell this apart when the two FINs pass within
 * microseconds: a packet is captured on the interface before TCP sees it.
 */
static int
closed_first(const struct hview *v)
{
	if (v->t_peer_fin == NONE)
		return 1;
	return (int32_t)(v->my_fin_ack - (v->peer_fin_seq + 1)) < 0;
}

/*
 * The close race for one connection, from the client's capture and the
 * server's: a side that closed before it had taken in the peer's FIN is
 * an active closer and ends in TIME_WAIT; both are when the FINs cross.
 * *consistent says whether who held TIME_WAIT agrees (tw_agree).
 */
static const char *
race_of(const struct test_rec *r, const struct tl_conn *conn, char *detail,
    size_t len, int *consistent)
{
	struct hview c, s;
	int client_first, server_first;

	*consistent = 0;
	if (conn == NULL || ck_host_view(conn, TL_CLIENT, r->tl->judge_until, &c) ||
	    ck_host_view(conn, TL_SERVER, r->tl->judge_until, &s)) {
		snprintf(detail, len, "no connection captured");
		return NULL;
	}
	if (c.rst_mine || c.rst_peer || s.rst_mine || s.rst_peer) {
		if (c.t_my_fin != NONE && c.t_peer_fin != NONE && c.t_rst > c.t_my_fin &&
		    c.t_rst > c.t_peer_fin)
			snprintf(detail, len, "after both FINs a RST from the %s ended the TIME_WAIT "
			    "early (TIME-WAIT assassination, RFC 1337: tcp_rfc1337 is 0)",
			    c.rst_peer ? "server" : "client");
		else
			snprintf(detail, len, "a RST ended the connection");
		*consistent = tw_agree(r, conn, 0, 0);
		return RACE_RST;
	}
	if (c.t_my_fin == NONE || s.t_my_fin == NONE) {
		snprintf(detail, len, "a side sent no FIN");
		return NULL;
	}
	client_first = closed_first(&c);
	server_first = closed_first(&s);
	if (client_first && server_first) {
		snprintf(detail, len, "the FINs crossed: neither FIN acknowledges the other");
		*consistent = tw_agree(r, conn, 1, 1);
		return RACE_BOTH;
	}
	if (server_first) {
		snprintf(detail, len, "the client's FIN acknowledges the server's: the server closed first");
		*consistent = tw_agree(r, conn, 0, 1);
		return RACE_SERVER;
	}
	snprintf(detail, len, "the server's FIN acknowledges the client's: the client closed first");
	*consistent = tw_agree(r, conn, 1, 0);
	return RACE_CLIENT;
}

int
race_classify_ports(const struct test_rec *r, int port_base, int n,
    const char **names, int *consistent, char (*details)[RACE_DETAIL])
{
	char detail[RACE_DETAIL];
	int i;

	if (rec_host(r, "client") == NULL || rec_host(r, "server") == NULL || r->tl == NULL)
		return -1;
	for (i = 0; i < n; i++)
		names[i] = race_of(r, race_conn(r->tl, port_base + i),
		    details ? details[i] : detail, RACE_DETAIL, &consistent[i]);
	return 0;
}

const char *
race_classify(const struct test_rec *r, int cport, char *detail, size_t len,
    int *consistent)
{
	*consistent = 0;
	if (rec_host(r, "client") == NULL || rec_host(r, "server") == NULL) {
		snprintf(detail, len, "no client or server host");
		return NULL;
	}
	return race_of(r, race_conn(r->tl, cport), detail, len, consistent);
}

const char *
race_outcome(const struct test_rec *r, char *detail, size_t len)
{
	int consistent;

	return race_classify(r, 0, detail, len, &consistent);
}

int
ck_check_race(const struct test_rec *r, char *seen, size_t len)
{
	char detail[160];
	int consistent;
	const char *o = race_classify(r, 0, detail, sizeof(detail), &consistent);

	if (o == NULL) {
		snprintf(seen, len, "no outcome: %s", detail);
		return 0;
	}
	snprintf(seen, len, "%s: %s%s", o, detail,
	    consistent ? "; the TIME_WAIT sockets agree" :
	    "; but the TIME_WAIT sockets do not agree");
	return consistent;
}
