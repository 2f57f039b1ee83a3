/*
 * test_checks.c - the checks on hand-made records: the close race's four
 * outcomes from packets, "who sent the first FIN", counts of RSTs, and
 * TIME_WAIT counts and timers from snapshots. Each case also has its
 * counter-case, so no check passes whatever it is given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <cmocka.h>

#include "checks.h"

#define C "10.9.0.2"
#define S "10.9.0.3"
#define MS 1000000ULL

static struct tcp_pkt
pkta(uint64_t t_ms, const char *src, const char *dst, uint8_t flags, uint32_t seq,
    uint32_t ack)
{
	struct tcp_pkt p;

	memset(&p, 0, sizeof(p));
	p.t_ns = t_ms * MS;
	strcpy(p.src, src);
	strcpy(p.dst, dst);
	p.sport = strcmp(src, C) == 0 ? 667 : 666;
	p.dport = strcmp(src, C) == 0 ? 666 : 667;
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	return p;
}

static struct tcp_pkt
pkt(uint64_t t_ms, const char *src, const char *dst, uint8_t flags, uint32_t seq)
{
	return pkta(t_ms, src, dst, flags, seq, 0);
}

static struct test_spec spec_race = {
	.id = "t", .title = "t", .shows = "t",
	.hosts = { "client", "server" },
	.checks = { { CK_RACE, "race" } },
};

static void
rec_setup(struct test_rec *r, const struct test_spec *t)
{
	memset(r, 0, sizeof(*r));
	r->spec = t;
	r->scale = 1;
	r->nhosts = 2;
	strcpy(r->hosts[0].name, "client");
	strcpy(r->hosts[0].addr, C);
	strcpy(r->hosts[1].name, "server");
	strcpy(r->hosts[1].addr, S);
}

/* Give both hosts the same packets, shifted by a one-way delay on arrival. */
static void
set_packets(struct test_rec *r, const struct tcp_pkt *p, size_t n)
{
	int h;
	size_t i;

	for (h = 0; h < 2; h++) {
		r->hosts[h].pkt = calloc(n, sizeof(*p));
		r->hosts[h].npkt = n;
		for (i = 0; i < n; i++) {
			r->hosts[h].pkt[i] = p[i];
			/* on the receiver's capture the packet arrives 1 ms later */
			if (strcmp(p[i].src, r->hosts[h].addr) != 0)
				r->hosts[h].pkt[i].t_ns += MS;
		}
	}
}

static void
set_timewait(struct test_rec *r, int client_tw, int server_tw)
{
	struct snap_rec *s = &r->snaps[r->nsnaps++];
	int h;

	strcpy(s->name, "end");
	for (h = 0; h < 2; h++) {
		int tw = h == 0 ? client_tw : server_tw;

		s->s[h] = calloc(1, sizeof(struct sd_sock));
		s->n[h] = (size_t)tw;
		if (tw) {
			strcpy(s->s[h][0].local, h == 0 ? C ":667" : S ":666");
			strcpy(s->s[h][0].remote, h == 0 ? S ":666" : C ":667");
			s->s[h][0].state = TCP_TIME_WAIT;
			s->s[h][0].timer = 3;
			s->s[h][0].expires_ms = 59000;
		}
	}
}

static const char *
race(const struct tcp_pkt *p, size_t n, int ctw, int stw, int *pass)
{
	struct test_rec r;
	struct check_result res[CAT_MAX_CHECKS];
	char detail[160];
	const char *o;

	rec_setup(&r, &spec_race);
	set_packets(&r, p, n);
	set_timewait(&r, ctw, stw);
	o = race_outcome(&r, detail, sizeof(detail));
	assert_int_equal(checks_run(&r, res), 1);
	*pass = res[0].pass;
	rec_free(&r);
	return o;
}

static void
test_race_outcomes(void **state)
{
	/* Each FIN's ack tells whether its sender had taken in the peer's FIN. */
	const struct tcp_pkt server_first[] = {
		pkt(0, C, S, TCPF_SYN, 100), pkt(2, S, C, TCPF_SYN | TCPF_ACK, 500),
		pkt(4, C, S, TCPF_ACK, 101),
		pkta(10, S, C, TCPF_FIN | TCPF_ACK, 501, 101),
		pkta(20, C, S, TCPF_FIN | TCPF_ACK, 101, 502),	/* acks the server's FIN */
		pkta(22, S, C, TCPF_ACK, 502, 102),
	};
	const struct tcp_pkt crossing[] = {
		pkt(0, C, S, TCPF_SYN, 100), pkt(2, S, C, TCPF_SYN | TCPF_ACK, 500),
		pkt(4, C, S, TCPF_ACK, 101),
		pkta(10, S, C, TCPF_FIN | TCPF_ACK, 501, 101),
		pkta(10, C, S, TCPF_FIN | TCPF_ACK, 101, 501),	/* does not ack it */
		pkta(12, S, C, TCPF_ACK, 502, 102), pkta(12, C, S, TCPF_ACK, 102, 502),
	};
	/*
	 * Seen in a real run: on the server's capture the client's FIN comes
	 * 2 us before the server's, but the server's FIN does not ack it: the
	 * server closed before its TCP took the client's FIN in. Both FINs
	 * crossed, and both sides held TIME_WAIT.
	 */
	const struct tcp_pkt crossing_late[] = {
		pkt(0, C, S, TCPF_SYN, 100), pkt(2, S, C, TCPF_SYN | TCPF_ACK, 500),
		pkt(4, C, S, TCPF_ACK, 101),
		pkta(10, C, S, TCPF_FIN | TCPF_ACK, 101, 501),
		pkta(10, S, C, TCPF_FIN | TCPF_ACK, 501, 101),
		pkta(12, S, C, TCPF_ACK, 502, 102), pkta(12, C, S, TCPF_ACK, 102, 502),
	};
	const struct tcp_pkt reset[] = {
		pkt(0, C, S, TCPF_SYN, 100), pkt(2, S, C, TCPF_SYN | TCPF_ACK, 500),
		pkt(4, C, S, TCPF_ACK, 101),
		pkt(10, S, C, TCPF_FIN | TCPF_ACK, 501), pkt(12, C, S, TCPF_RST | TCPF_ACK, 101),
	};
	int pass;

	(void)state;
	assert_string_equal(race(server_first, 6, 0, 1, &pass), RACE_SERVER);
	assert_true(pass);
	/* Packets and sockets that disagree fail the check. */
	assert_string_equal(race(server_first, 6, 1, 0, &pass), RACE_SERVER);
	assert_false(pass);
	assert_string_equal(race(crossing, 7, 1, 1, &pass), RACE_BOTH);
	assert_true(pass);
	assert_string_equal(race(crossing, 7, 0, 1, &pass), RACE_BOTH);
	assert_false(pass);
	assert_string_equal(race(crossing_late, 7, 1, 1, &pass), RACE_BOTH);
	assert_true(pass);
	assert_string_equal(race(reset, 5, 0, 0, &pass), RACE_RST);
	assert_true(pass);
}

static struct test_spec spec_close = {
	.id = "t", .title = "t", .shows = "t",
	.hosts = { "client", "server" },
	.checks = {
		{ CK_FIRST_FIN, "server first", .who = "server" },
		{ CK_SENDS, "client RST", .who = "client", .flag = 'R', .n = 1, .atleast = 1 },
		{ CK_SENDS, "client no FIN", .who = "client", .flag = 'F', .n = 0 },
		{ CK_TIMEWAIT, "server TW", .who = "server", .snap = "end", .n = 1, .atleast = 1 },
		{ CK_TW_TIMER, "timer", .who = "server", .snap = "end", .lo = 55000, .hi = 60000 },
		{ CK_TIMEWAIT, "client no TW", .who = "client", .snap = "end", .n = 0 },
	},
};

static void
test_close_checks(void **state)
{
	const struct tcp_pkt rst[] = {	/* test 007's shape */
		pkt(0, C, S, TCPF_SYN, 100), pkt(2, S, C, TCPF_SYN | TCPF_ACK, 500),
		pkt(4, C, S, TCPF_ACK, 101),
		pkt(10, S, C, TCPF_FIN | TCPF_PSH | TCPF_ACK, 501),
		pkt(12, C, S, TCPF_RST | TCPF_ACK, 101),
	};
	const struct tcp_pkt fin[] = {	/* test 003's shape: the client closes */
		pkt(0, C, S, TCPF_SYN, 100), pkt(2, S, C, TCPF_SYN | TCPF_ACK, 500),
		pkt(4, C, S, TCPF_ACK, 101), pkt(5, C, S, TCPF_FIN | TCPF_ACK, 101),
		pkt(7, S, C, TCPF_FIN | TCPF_ACK, 501), pkt(9, C, S, TCPF_ACK, 102),
	};
	struct check_result res[CAT_MAX_CHECKS];
	struct test_rec r;
	int i;

	(void)state;
	rec_setup(&r, &spec_close);
	set_packets(&r, rst, 5);
	set_timewait(&r, 0, 1);
	assert_int_equal(checks_run(&r, res), 6);
	for (i = 0; i < 6; i++)
		assert_true(res[i].pass);
	rec_free(&r);

	rec_setup(&r, &spec_close);
	set_packets(&r, fin, 6);
	set_timewait(&r, 1, 0);
	assert_int_equal(checks_run(&r, res), 6);
	for (i = 0; i < 6; i++)
		assert_false(res[i].pass);
	rec_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_race_outcomes),
		cmocka_unit_test(test_close_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
