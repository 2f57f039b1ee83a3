/*
 * test_rows.c - the rows every drawing shares (rows.c) and which
 * connections go in which file (pick.c), on timelines made here by hand:
 * a call drawn where it began, before the FIN it caused; a call that
 * blocked while packets passed gets a return row; one lane per host (three
 * hosts, three lanes, not four lifelines); a TIME_WAIT end after the run's
 * last event is predicted; SYN_RECV goes to its SYN's arrival; a drawing
 * taller than 32,767 px is split into sequence.svg and sequence-2.svg,
 * each under the limit, and the split parts vanish when no longer needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "pcapread.h"
#include "render/render.h"

#define MS 1000000LL
#define T0 1700000000000000000LL

static struct tl_state st_client[4], st_server[8], st2_server[2];
static struct tl_pkt pkts[6], pkts2[1];
static struct tl_event evs[3];

static void
state(struct tl_state *s, int64_t t, const char *name, int inferred)
{
	memset(s, 0, sizeof(*s));
	s->t = t;
	s->state = tcp_state_parse(name);
	s->inferred = (uint8_t)inferred;
}

static void
pkt(struct tl_pkt *p, int from, uint8_t flags, int64_t ts, int64_t tr)
{
	memset(p, 0, sizeof(*p));
	p->from = (uint8_t)from;
	p->flags = flags;
	p->t_sent = ts;
	p->t_received = tr;
}

static void
ev(struct tl_event *e, const char *host, const char *step, int64_t t_call,
    int64_t t, int conn)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->host, sizeof(e->host), "%s", host);
	snprintf(e->prog, sizeof(e->prog), "%s", host);
	snprintf(e->step, sizeof(e->step), "%s", step);
	e->t_call = t_call;
	e->t = t;
	e->side = !strcmp(host, "client") ? TL_CLIENT : TL_SERVER;
	e->conn = conn;
}

/* Two connections: client -> server (closed by the client, TIME_WAIT on
 * the server rebuilt to end 60 s on), client -> server2 (a SYN only). */
static struct timeline *
two_hosts_three(void)
{
	struct timeline *tl = calloc(1, sizeof(*tl));
	struct tl_conn *c = calloc(2, sizeof(*c));

	assert_non_null(tl);
	assert_non_null(c);
	snprintf(tl->test, sizeof(tl->test), "rows");
	/* the client's connect() called at 1 ms, returned at 3 ms: the handshake between */
	pkt(&pkts[0], TL_CLIENT, TCPF_SYN, T0 + 1 * MS + 100000, T0 + 1 * MS + 200000);
	pkt(&pkts[1], TL_SERVER, TCPF_SYN | TCPF_ACK, T0 + 2 * MS, T0 + 2 * MS + 100000);
	pkt(&pkts[2], TL_CLIENT, TCPF_ACK, T0 + 2 * MS + 200000, T0 + 2 * MS + 300000);
	/* close() called at 10 ms, returned at 10.2 ms, its FIN sent at 10.1 ms */
	pkt(&pkts[3], TL_CLIENT, TCPF_FIN | TCPF_ACK, T0 + 10 * MS + 100000, T0 + 10 * MS + 150000);
	pkt(&pkts[4], TL_SERVER, TCPF_FIN | TCPF_ACK, T0 + 11 * MS, T0 + 11 * MS + 50000);
	pkt(&pkts[5], TL_CLIENT, TCPF_ACK, T0 + 11 * MS + 100000, T0 + 11 * MS + 150000);
	state(&st_client[0], T0 + 1 * MS + 50000, "SYN_SENT", 0);
	state(&st_client[1], T0 + 2 * MS + 150000, "ESTABLISHED", 0);
	state(&st_client[2], T0 + 10 * MS + 50000, "FIN_WAIT1", 0);
	state(&st_client[3], T0 + 11 * MS + 120000, "CLOSED", 0);
	/* the kernel's SYN_RECV comes with the last ACK, after the SYN-ACK */
	state(&st_server[0], T0 + 2 * MS + 300000, "SYN_RECV", 0);
	state(&st_server[1], T0 + 2 * MS + 310000, "ESTABLISHED", 0);
	state(&st_server[2], T0 + 10 * MS + 200000, "CLOSE_WAIT", 0);
	state(&st_server[3], T0 + 11 * MS + 10000, "TIME_WAIT", 1);
	state(&st_server[4], T0 + 11 * MS + 10000 + TIME_WAIT_NS, "CLOSED", 1);
	snprintf(c[0].client, sizeof(c[0].client), "10.0.0.2:667");
	snprintf(c[0].server, sizeof(c[0].server), "10.0.0.3:666");
	snprintf(c[0].host[0], sizeof(c[0].host[0]), "client");
	snprintf(c[0].host[1], sizeof(c[0].host[1]), "server");
	c[0].t_start = T0 + 1 * MS;
	c[0].t_end = T0 + 12 * MS;
	c[0].states[0] = st_client;
	c[0].nstates[0] = 4;
	c[0].states[1] = st_server;
	c[0].nstates[1] = 5;
	c[0].pkts = pkts;
	c[0].npkts = 6;
	pkt(&pkts2[0], TL_CLIENT, TCPF_SYN, T0 + 20 * MS, T0 + 20 * MS + 100000);
	state(&st2_server[0], T0 + 20 * MS + 200000, "SYN_RECV", 0);
	snprintf(c[1].client, sizeof(c[1].client), "10.0.0.2:668");
	snprintf(c[1].server, sizeof(c[1].server), "10.0.0.4:666");
	snprintf(c[1].host[0], sizeof(c[1].host[0]), "client");
	snprintf(c[1].host[1], sizeof(c[1].host[1]), "server2");
	c[1].t_start = T0 + 20 * MS;
	c[1].t_end = T0 + 21 * MS;
	c[1].states[1] = st2_server;
	c[1].nstates[1] = 1;
	c[1].pkts = pkts2;
	c[1].npkts = 1;
	ev(&evs[0], "client", "connect", T0 + 1 * MS, T0 + 3 * MS, 0);
	ev(&evs[1], "client", "close", T0 + 10 * MS, T0 + 10 * MS + 200000, 0);
	ev(&evs[2], "server2", "quit", 0, T0 + 30 * MS, -1);
	tl->conns = c;
	tl->nconns = 2;
	tl->events = evs;
	tl->nevents = 3;
	tl->t0 = T0 + 1 * MS;
	return tl;
}

static void
free_tl(struct timeline *tl)
{
	free(tl->conns);
	free(tl);
}

/* Index of the first row of a kind (and idx, side; -1: any). */
static long
find(const struct rd_row *r, size_t n, int kind, long idx, int side, int conn)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].kind == kind && (idx < 0 || (long)r[i].idx == idx) &&
		    (side < 0 || r[i].side == side) && (conn < 0 || r[i].conn == conn))
			return (long)i;
	return -1;
}

static void
causes_before_effects(void **state)
{
	struct timeline *tl = two_hosts_three();
	struct rd_row *r;
	size_t n;
	long close_row, fin_row, fw1_row, ret_row, syn_row;

	(void)state;
	assert_int_equal(rd_rows(tl, RD_MAX_CONNS, &r, &n), 0);
	close_row = find(r, n, RD_EVENT, 1, -1, 0);
	fin_row = find(r, n, RD_SEND, 3, -1, 0);
	fw1_row = find(r, n, RD_STATE, 2, TL_CLIENT, 0);
	assert_true(close_row >= 0 && fin_row >= 0 && fw1_row >= 0);
	assert_true(close_row < fw1_row);
	assert_true(close_row < fin_row);
	/* close() took 200 µs, sending its own FIN: it did not wait for the
	 * peer, one row. connect() waited for the SYN-ACK: a return row after it. */
	assert_int_equal(find(r, n, RD_RETURN, 1, -1, 0), -1);
	ret_row = find(r, n, RD_RETURN, 0, -1, 0);
	syn_row = find(r, n, RD_RECV, 1, -1, 0);
	assert_true(ret_row >= 0 && syn_row >= 0 && ret_row > syn_row);
	assert_true(r[find(r, n, RD_EVENT, 0, -1, 0)].blocked);
	free(r);
	free_tl(tl);
}

static void
lanes_per_host(void **state)
{
	struct timeline *tl = two_hosts_three();
	struct rd_lanes l;
	struct rd_row *r;
	size_t n;

	(void)state;
	rd_lanes(tl, RD_MAX_CONNS, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.host[0], "client");
	assert_int_equal(l.side[0], TL_CLIENT);
	assert_string_equal(l.host[1], "server");
	assert_string_equal(l.host[2], "server2");
	assert_int_equal(rd_conn_lane(tl, &l, 1, TL_SERVER), 2);
	assert_int_equal(rd_conn_lane(tl, &l, 0, TL_SERVER), 1);
	assert_int_equal(rd_rows(tl, RD_MAX_CONNS, &r, &n), 0);
	/* server2's quit sits in server2's lane, not under server's header */
	assert_int_equal(rd_row_lane(tl, &l, &r[find(r, n, RD_EVENT, 2, -1, -1)]), 2);
	free(r);
	free_tl(tl);
}

static void
predicted_and_moved(void **state)
{
	struct timeline *tl = two_hosts_three();
	struct rd_row *r;
	size_t n;
	long tw_end, syn_recv, syn_arrival, synack;

	(void)state;
	assert_int_equal(rd_rows(tl, RD_MAX_CONNS, &r, &n), 0);
	tw_end = find(r, n, RD_STATE, 4, TL_SERVER, 0);
	assert_true(tw_end >= 0);
	assert_true(r[tw_end].predicted);	/* 60 s on; the run ended at +30 ms */
	assert_false(r[find(r, n, RD_STATE, 3, TL_CLIENT, 0)].predicted);
	syn_recv = find(r, n, RD_STATE, 0, TL_SERVER, 0);
	syn_arrival = find(r, n, RD_RECV, 0, -1, 0);
	synack = find(r, n, RD_SEND, 1, -1, 0);
	assert_true(r[syn_recv].moved);
	assert_true(syn_arrival < syn_recv && syn_recv < synack);
	free(r);
	free_tl(tl);
}

static void
labels_and_times(void **state)
{
	char buf[200];

	(void)state;
	rd_reltime(T0 + 10 * 1000 * MS + 7123, T0, buf, sizeof(buf));
	assert_string_equal(buf, "+10.000007 s");	/* µs: rows stay ordered */
	assert_string_not_equal(rd_state_color("FIN_WAIT1"), rd_state_color("FIN_WAIT2"));
	{
		struct tl_event e;

		ev(&e, "client", "signal", 0, T0, -1);
		snprintf(e.detail, sizeof(e.detail), "SIGINT: exiting now, the kernel closes "
		    "every socket still open and sends its FIN");
		rd_event_label(&e, buf, sizeof(buf));
		assert_non_null(strstr(buf, "sends its FIN"));	/* not cut */
	}
}

/* 24 connections of 60 program steps each: ~35,000 px in one SVG. */
static void
split_when_too_tall(void **state)
{
	struct timeline *tl = calloc(1, sizeof(*tl));
	struct tl_conn *c = calloc(24, sizeof(*c));
	struct tl_event *e = calloc(24 * 60, sizeof(*e));
	char dir[] = "/tmp/twt-rows-XXXXXX", path[200], err[256], *buf;
	FILE *f;
	long len;
	int parts = 0;

	(void)state;
	assert_non_null(tl);
	assert_non_null(c);
	assert_non_null(e);
	assert_non_null(mkdtemp(dir));
	snprintf(tl->test, sizeof(tl->test), "tall");
	for (int i = 0; i < 24; i++) {
		snprintf(c[i].client, sizeof(c[i].client), "10.0.0.2:%d", 10000 + i);
		snprintf(c[i].server, sizeof(c[i].server), "10.0.0.3:666");
		snprintf(c[i].host[0], sizeof(c[i].host[0]), "client");
		snprintf(c[i].host[1], sizeof(c[i].host[1]), "server");
		c[i].t_start = T0 + i * MS;
		c[i].t_end = T0 + i * MS + 60 * 1000;
		for (int k = 0; k < 60; k++)
			ev(&e[i * 60 + k], "client", "write", 0, T0 + i * MS + k * 1000, i);
	}
	tl->conns = c;
	tl->nconns = 24;
	tl->events = e;
	tl->nevents = 24 * 60;
	tl->t0 = T0;
	/* a leftover of an earlier, longer drawing */
	snprintf(path, sizeof(path), "%s/sequence-9.svg", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(render_drawings(dir, tl, err, sizeof(err)), 0);
	for (int p = 1; p < 12; p++) {
		if (p == 1)
			snprintf(path, sizeof(path), "%s/sequence.svg", dir);
		else
			snprintf(path, sizeof(path), "%s/sequence-%d.svg", dir, p);
		if (!(f = fopen(path, "r")))
			break;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		buf = calloc(1, (size_t)len + 1);
		assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		assert_true(atof(strstr(buf, "height=\"") + 8) < RD_SVG_MAX_H);
		free(buf);
		parts++;
	}
	assert_true(parts >= 2);
	snprintf(path, sizeof(path), "%s/sequence-9.svg", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	free(e);
	free(c);
	free(tl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(causes_before_effects),
		cmocka_unit_test(lanes_per_host),
		cmocka_unit_test(predicted_and_moved),
		cmocka_unit_test(labels_and_times),
		cmocka_unit_test(split_when_too_tall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
