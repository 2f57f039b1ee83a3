/*
 * test_timeline.c - the timeline on a real recorded run (tests/fixtures/
 * run-000: the seed's test 000, made by tests/fixtures/mkrun.sh): one
 * 4-tuple used twice is two connections, the server's TIME_WAIT is rebuilt
 * behind the kernel's FIN_WAIT2 -> CLOSE, the first one cut short by the
 * second connection's SYN, and the pieces agree. Also the same run as if
 * brought back from two machines whose clocks are 2.5 s apart
 * (tests/fixtures/remote-000, made by mkremote.py): the offset is found
 * from the handshakes and taken off.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "model/timeline.h"
#include "pcapread.h"

static char dir[512];

/* A private copy of the fixture, so timeline.json lands outside the tree. */
static int
setup(void **state)
{
	(void)state;
	return fixture_copy(dir, sizeof(dir));
}

static int
teardown(void **state)
{
	(void)state;
	return fixture_remove(dir);
}

static const char *
last_state(const struct tl_conn *c, int side)
{
	return c->nstates[side] ?
	    tl_state_name(c->states[side][c->nstates[side] - 1].state) : "";
}

static int
has_state(const struct tl_conn *c, int side, const char *name)
{
	for (size_t i = 0; i < c->nstates[side]; i++)
		if (c->states[side][i].state == tcp_state_parse(name))
			return 1;
	return 0;
}

static void
test_two_connections_one_tuple(void **state)
{
	struct timeline *tl;
	char err[256];

	(void)state;
	assert_int_equal(timeline_load(dir, &tl, err, sizeof(err)), 0);
	assert_int_equal(tl->nconns, 2);
	assert_string_equal(tl->conns[0].client, tl->conns[1].client);
	assert_string_equal(tl->conns[0].server, tl->conns[1].server);
	assert_int_equal(tl->conns[0].gen, 0);
	assert_int_equal(tl->conns[1].gen, 1);
	assert_string_equal(tl->conns[0].host[TL_CLIENT], "client");
	assert_string_equal(tl->conns[0].host[TL_SERVER], "server");
	assert_true(tl->conns[0].t_start < tl->conns[1].t_start);
	for (int i = 0; i < 2; i++) {
		const struct tl_conn *c = &tl->conns[i];

		assert_int_equal(c->npkts, 8);
		assert_int_equal(c->pkts[0].flags, TCPF_SYN);
		assert_int_equal(c->pkts[0].from, TL_CLIENT);
		assert_true(c->pkts[0].t_sent != TL_UNKNOWN);
		assert_true(c->pkts[0].t_received >= c->pkts[0].t_sent);
		assert_true(c->nev >= 8);	/* socket bind connect epoll read ... close */
		assert_true(c->consistent);
		assert_true(c->nchecks >= 3);
	}
	timeline_free(tl);
}

static void
test_time_wait_rebuilt(void **state)
{
	struct timeline *tl;
	char err[256];
	const struct tl_conn *c0, *c1;

	(void)state;
	assert_int_equal(timeline_load(dir, &tl, err, sizeof(err)), 0);
	c0 = &tl->conns[0];
	c1 = &tl->conns[1];
	/* The client closes second: LAST_ACK, never TIME_WAIT. */
	assert_true(has_state(c0, TL_CLIENT, "LAST_ACK"));
	assert_false(has_state(c0, TL_CLIENT, "TIME_WAIT"));
	assert_string_equal(last_state(c0, TL_CLIENT), "CLOSED");
	/* The server closes first: FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT. */
	assert_true(has_state(c0, TL_SERVER, "FIN_WAIT1"));
	assert_true(has_state(c0, TL_SERVER, "FIN_WAIT2"));
	assert_true(has_state(c1, TL_SERVER, "TIME_WAIT"));
	/* The last one lasts its 60 s and sock_diag saw it. */
	{
		const struct tl_state *tw = NULL, *end;

		for (size_t i = 0; i < c1->nstates[TL_SERVER]; i++)
			if (c1->states[TL_SERVER][i].state == TS_TIME_WAIT)
				tw = &c1->states[TL_SERVER][i];
		assert_non_null(tw);
		assert_true(tw->confirmed);
		end = tw + 1;
		assert_int_equal(end->state, TS_CLOSE);
		assert_true(end->t - tw->t == TIME_WAIT_NS);
	}
	/* The first one ends early: the second connection's SYN takes it. */
	assert_true(has_state(c0, TL_SERVER, "TIME_WAIT"));
	assert_true(c0->states[TL_SERVER][c0->nstates[TL_SERVER] - 1].t <
	    c1->pkts[0].t_received + 1);
	timeline_free(tl);
}

static void
test_json_written(void **state)
{
	char err[256], path[600], buf[65536];
	FILE *f;
	size_t n;

	(void)state;
	assert_int_equal(timeline_build(dir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/timeline.json", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	assert_non_null(strstr(buf, "\"connections\":["));
	assert_non_null(strstr(buf, "\"state\":\"TIME_WAIT\""));
	assert_non_null(strstr(buf, "\"flags\":\"SA\""));
	assert_non_null(strstr(buf, "\"flags\":\"FA\""));
	assert_non_null(strstr(buf, "\"from\":\"server\""));
	assert_non_null(strstr(buf, "\"step\":\"connect\""));
}

static void
test_missing_dir(void **state)
{
	struct timeline *tl;
	char err[256];

	(void)state;
	assert_int_equal(timeline_load("/nonexistent/tw", &tl, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
}

static void
test_two_machines(void **state)
{
	struct timeline *tl;
	char err[256], path[600];
	const char *top = getenv("TW_TOP") ? getenv("TW_TOP") : ".";
	int64_t off;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/fixtures/remote-000/000", top);
	assert_int_equal(timeline_load_remote(path, &tl, err, sizeof(err)), 0);
	assert_true(tl->clock_estimated);
	assert_string_equal(tl->clock_host, "server");
	off = tl->clock_offset_ns - 2500123000LL;	/* what mkremote.py added */
	assert_true(off > -50000 && off < 50000);	/* within 50 us */
	assert_int_equal(tl->nconns, 2);
	for (size_t i = 0; i < tl->nconns; i++) {
		const struct tl_conn *c = &tl->conns[i];

		assert_int_equal(c->npkts, 8);
		assert_true(c->consistent);
		for (size_t k = 0; k < c->npkts; k++)
			assert_true(c->pkts[k].t_received + 50000 >= c->pkts[k].t_sent);
		/* no trace here: the states come from the packets */
		assert_true(c->nstates[TL_SERVER] > 0);
		assert_int_equal(c->states[TL_SERVER][0].inferred, 2);
		assert_true(has_state(c, TL_SERVER, "TIME_WAIT"));
		assert_false(has_state(c, TL_CLIENT, "TIME_WAIT"));
	}
	/* the first TIME_WAIT ends when the second SYN reaches the server */
	assert_true(tl->conns[0].states[TL_SERVER][tl->conns[0].nstates[TL_SERVER] - 1].t <
	    tl->conns[1].t_start + 1000000);
	timeline_free(tl);
}

/* Seed test 006 with the real programs, delays times 0.1 (run-006): the
 * server closes 0.5 s after its bip and its orphaned FIN_WAIT2 is swapped
 * for a time-wait socket at once (the trace shows FIN_WAIT2 -> CLOSE);
 * the timeline keeps FIN_WAIT2 until the client's FIN arrives ~0.45 s
 * later, then TIME_WAIT. The server's dual-stack socket is traced with
 * v4-mapped addresses and must still be found. */
static void
test_orphaned_fin_wait2(void **state)
{
	struct timeline *tl;
	char err[256], path[600];
	const char *top = getenv("TW_TOP") ? getenv("TW_TOP") : ".";
	const struct tl_conn *c;
	const struct tl_state *fw2 = NULL, *tw = NULL, *cw = NULL, *la = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/fixtures/run-006/006", top);
	assert_int_equal(timeline_load(path, &tl, err, sizeof(err)), 0);
	assert_int_equal(tl->nconns, 2);
	assert_int_equal(tl->trace_lost, 0);
	c = &tl->conns[0];
	assert_true(c->consistent);
	for (size_t i = 0; i < c->nstates[TL_SERVER]; i++) {
		const struct tl_state *s = &c->states[TL_SERVER][i];

		if (s->state == TS_FIN_WAIT2)
			fw2 = s;
		if (s->state == TS_TIME_WAIT)
			tw = s;
		assert_true(s->inferred != 2);	/* the trace covers the server */
	}
	for (size_t i = 0; i < c->nstates[TL_CLIENT]; i++) {
		const struct tl_state *s = &c->states[TL_CLIENT][i];

		if (s->state == TS_CLOSE_WAIT)
			cw = s;
		if (s->state == TS_LAST_ACK)
			la = s;
	}
	assert_non_null(fw2);
	assert_non_null(tw);
	assert_int_equal(fw2->inferred, 0);	/* from the trace */
	assert_int_equal(tw->inferred, 1);	/* rebuilt */
	assert_true(tw->t - fw2->t > 300000000);	/* ~0.45 s in FIN_WAIT2 */
	assert_non_null(cw);
	assert_non_null(la);
	assert_true(la->t - cw->t > 300000000);	/* ~0.5 s in CLOSE_WAIT */
	assert_false(has_state(c, TL_CLIENT, "TIME_WAIT"));
	timeline_free(tl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_connections_one_tuple),
		cmocka_unit_test(test_time_wait_rebuilt),
		cmocka_unit_test(test_json_written),
		cmocka_unit_test(test_missing_dir),
		cmocka_unit_test(test_two_machines),
		cmocka_unit_test(test_orphaned_fin_wait2),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
