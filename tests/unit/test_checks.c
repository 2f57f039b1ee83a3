/*
 * test_checks.c - the checks on the run model of hand-made runs (a pcap
 * per host written with libpcap, each packet arriving 1 ms after it left,
 * loaded as a real run is): the close race's four outcomes, "who sent the
 * first FIN", counts of RSTs, and TIME_WAIT counts and timers from
 * snapshots; then the close race of a recorded `lab run 005 --repeat 4`,
 * judged per run from its kernel trace when the end snapshot no longer
 * shows sockets that expired; and the checks of one hop ("towards PEER")
 * on a proxy between a client and a backend; a program's output read from
 * its log (check output). Each case also has its
 * counter-case, so no check passes whatever it is given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <pcap/pcap.h>

#include "checks.h"
#include "scen/scenfile.h"

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

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* One IPv4 + TCP frame (raw IP link type) of p; its length. */
static size_t
frame(const struct tcp_pkt *p, uint8_t *f)
{
	memset(f, 0, 40);
	f[0] = 0x45;
	put16(f + 2, 40 + p->len);
	f[8] = 64;
	f[9] = 6;
	inet_pton(AF_INET, p->src, f + 12);
	inet_pton(AF_INET, p->dst, f + 16);
	put16(f + 20, p->sport);
	put16(f + 22, p->dport);
	put32(f + 24, p->seq);
	put32(f + 28, p->ack);
	f[32] = 5 << 4;
	f[33] = p->flags;
	put16(f + 34, 65535);
	return 40;
}

/* Extra ms on packet i's arrival (a link that reordered it), 0: none. */
static uint64_t late_ms[16];

/* host's capture: every packet, 1 ms later where it arrives (plus late_ms). */
static void
write_capture(const char *dir, const char *host, const char *addr,
    const struct tcp_pkt *p, size_t n)
{
	char path[600];
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, 65535,
	    PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d;

	snprintf(path, sizeof(path), "%s/%s.pcap", dir, host);
	assert_non_null(dead);
	assert_non_null(d = pcap_dump_open(dead, path));
	for (size_t i = 0; i < n; i++) {
		struct pcap_pkthdr h;
		uint8_t f[64];
		uint64_t t = p[i].t_ns + (strcmp(p[i].src, addr) ? MS + (i < 16 ? late_ms[i] * MS : 0) : 0);

		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(t / 1000000000ULL);
		h.ts.tv_usec = (suseconds_t)(t % 1000000000ULL);	/* ns */
		h.len = h.caplen = (bpf_u_int32)frame(&p[i], f);
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

static char rundir[] = "/tmp/twt-checks-XXXXXX";

/* The run's folder: lab.json and both captures, then the model loaded. */
static void
set_packets(struct test_rec *r, const struct tcp_pkt *p, size_t n)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/lab.json", rundir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "{\"hosts\":[{\"name\":\"client\",\"addr\":\"%s\"},"
	    "{\"name\":\"server\",\"addr\":\"%s\"}]}\n", C, S);
	fclose(f);
	write_capture(rundir, "client", C, p, n);
	write_capture(rundir, "server", S, p, n);
	(void)r;
}

/* After the snapshots are set: the folder loaded as the runner does. */
static void
load(struct test_rec *r)
{
	assert_int_equal(rec_load_model(r, rundir), 0);
	assert_non_null(r->tl);
}

static void
set_timewait(struct test_rec *r, int client_tw, int server_tw)
{
	struct snap_rec *s = &r->snaps[r->nsnaps++];
	int h;

	strcpy(s->name, "end");
	s->t_ns = 5 * 1000 * MS;	/* 5 s after the packets: every TIME_WAIT alive */
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
	load(&r);
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
	load(&r);
	assert_int_equal(checks_run(&r, res), 6);
	for (i = 0; i < 6; i++)
		assert_true(res[i].pass);
	rec_free(&r);

	rec_setup(&r, &spec_close);
	set_packets(&r, fin, 6);
	set_timewait(&r, 1, 0);
	load(&r);
	assert_int_equal(checks_run(&r, res), 6);
	for (i = 0; i < 6; i++)
		assert_false(res[i].pass);
	rec_free(&r);
}

static struct test_spec spec_lost_ack = {
	.id = "t", .title = "t", .shows = "t",
	.hosts = { "client", "server" },
	.drops = { { "client", "server", 0x10, 1, 1, 1, 1 } },
	.checks = {
		{ CK_RECEIVES, "client gets 2 FINs", .who = "client", .flag = 'F', .n = 2 },
		{ CK_SENDS, "server sends 2 FINs", .who = "server", .flag = 'F', .n = 2 },
		{ CK_RECEIVES, "server gets a RST", .who = "server", .flag = 'R', .n = 1,
		    .atleast = 1 },
		{ CK_NO_STATE, "client no TW", .who = "client", .snap = "end",
		    .state = "TIME_WAIT" },
		{ CK_NETSTAT, "overflow 1", .who = "client", .state = "TCPTimeWaitOverflow",
		    .n = 1 },
		{ CK_DROPPED, "one drop", .who = "client", .peer = "server", .n = 1 },
	},
};

/* lost-last-ack-no-tw's shape, and lost-last-ack's: the checks of
 * impaired runs say what each saw, and fail on the other. */
static void
test_lost_ack_checks(void **state)
{
	const struct tcp_pkt rst[] = {	/* the client's last ACK lost, no TIME_WAIT */
		pkt(0, C, S, TCPF_SYN, 100), pkt(2, S, C, TCPF_SYN | TCPF_ACK, 500),
		pkt(4, C, S, TCPF_ACK, 101), pkt(5, C, S, TCPF_FIN | TCPF_ACK, 101),
		pkt(7, S, C, TCPF_FIN | TCPF_ACK, 501),
		pkt(230, S, C, TCPF_FIN | TCPF_ACK, 501), pkt(232, C, S, TCPF_RST, 102),
	};
	const struct tcp_pkt clean[] = {	/* no loss: one FIN each, no RST */
		pkt(0, C, S, TCPF_SYN, 100), pkt(2, S, C, TCPF_SYN | TCPF_ACK, 500),
		pkt(4, C, S, TCPF_ACK, 101), pkt(5, C, S, TCPF_FIN | TCPF_ACK, 101),
		pkt(7, S, C, TCPF_FIN | TCPF_ACK, 501), pkt(9, C, S, TCPF_ACK, 102),
	};
	struct check_result res[CAT_MAX_CHECKS];
	struct test_rec r;
	int i;

	(void)state;
	rec_setup(&r, &spec_lost_ack);
	set_packets(&r, rst, 7);
	set_timewait(&r, 0, 0);
	strcpy(r.netstat[0].host, "client");
	strcpy(r.netstat[0].name, "TCPTimeWaitOverflow");
	r.netstat[0].value = 1;
	r.netstat[0].found = 1;
	r.nnetstat = 1;
	r.dropped[0] = 1;
	r.drops_read = 1;
	load(&r);
	assert_int_equal(checks_run(&r, res), 6);
	for (i = 0; i < 6; i++)
		assert_true(res[i].pass);
	assert_string_equal(res[0].seen, "client received 2 FINs");
	assert_string_equal(res[4].seen, "client's TCPTimeWaitOverflow is 1");
	rec_free(&r);

	rec_setup(&r, &spec_lost_ack);
	set_packets(&r, clean, 6);
	set_timewait(&r, 1, 0);
	strcpy(r.netstat[0].host, "client");
	strcpy(r.netstat[0].name, "TCPTimeWaitOverflow");
	r.netstat[0].found = 1;
	r.nnetstat = 1;
	r.drops_read = 1;
	load(&r);
	assert_int_equal(checks_run(&r, res), 6);
	for (i = 0; i < 6; i++)
		assert_false(res[i].pass);
	rec_free(&r);
	/* Counters never read (a run that ended early) judge nothing as passed. */
	rec_setup(&r, &spec_lost_ack);
	set_packets(&r, rst, 7);
	set_timewait(&r, 0, 0);
	load(&r);
	checks_run(&r, res);
	assert_false(res[4].pass);
	assert_false(res[5].pass);
	rec_free(&r);
}

static struct test_spec spec_links = {
	.id = "t", .title = "t", .shows = "t",
	.hosts = { "client", "server" },
	.links = { { "client", "server", 0, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 2, 0 },
	    { 0, 3 } } },
	.checks = {
		{ CK_OUT_OF_ORDER, "client: 1 late", .who = "client", .n = 1 },
		{ CK_OUT_OF_ORDER, "server: none late", .who = "server", .n = 0 },
		{ CK_DUPLICATED, "2 copies", .who = "client", .peer = "server", .n = 2 },
		{ CK_REORDERED, "1 reordered", .who = "server", .peer = "client", .n = 1,
		    .atleast = 1 },
	},
};

/* A link's reordering seen in the captures (the server's FIN overtakes
 * its ACK), its counters, and links.jsonl's mark on the packet; then the
 * same packets in order, the counters zero: every check fails. */
static void
test_link_checks(void **state)
{
	const struct tcp_pkt p[] = {
		pkt(0, C, S, TCPF_SYN, 100), pkt(2, S, C, TCPF_SYN | TCPF_ACK, 500),
		pkt(4, C, S, TCPF_ACK, 101), pkta(10, S, C, TCPF_ACK, 501, 101),
		pkta(11, S, C, TCPF_FIN | TCPF_ACK, 501, 101),
		pkta(12, C, S, TCPF_FIN | TCPF_ACK, 101, 502),
	};
	struct check_result res[CAT_MAX_CHECKS];
	struct test_rec r;
	char path[600];
	FILE *f;
	int i;

	(void)state;
	rec_setup(&r, &spec_links);
	late_ms[3] = 3;		/* the ACK sent at 10 arrives at 14, after the FIN (12) */
	set_packets(&r, p, 6);
	memset(late_ms, 0, sizeof(late_ms));
	snprintf(path, sizeof(path), "%s/links.jsonl", rundir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "{\"t_ns\":1,\"from\":\"server\",\"to\":\"client\",\"what\":\"reorder\","
	    "\"src\":\"%s\",\"sport\":666,\"dst\":\"%s\",\"dport\":667,\"seq\":501,"
	    "\"ack\":101,\"flags\":16,\"len\":0}\n", S, C);
	fclose(f);
	r.links_read = 1;
	r.link_dup[0][0] = 2;
	r.link_reordered[0][1] = 1;
	load(&r);
	assert_int_equal(checks_run(&r, res), 4);
	for (i = 0; i < 4; i++)
		assert_true(res[i].pass);
	assert_string_equal(res[0].seen, "1 packet reached client after one sent later");
	assert_string_equal(res[3].seen, "the lab sent behind a later one 1 packet from server to client");
	for (i = 0; i < (int)r.tl->conns[0].npkts; i++) {
		const struct tl_pkt *k = &r.tl->conns[0].pkts[i];

		assert_int_equal(k->lab, k->seq == 501 && k->flags == TCPF_ACK ? TL_LAB_REORDERED :
		    TL_LAB_NONE);
	}
	rec_free(&r);
	unlink(path);

	rec_setup(&r, &spec_links);
	set_packets(&r, p, 6);
	r.links_read = 1;
	load(&r);
	checks_run(&r, res);
	assert_false(res[0].pass);
	assert_true(res[1].pass);	/* none late either way */
	assert_false(res[2].pass);
	assert_false(res[3].pass);
	rec_free(&r);
	/* counters never read: nothing passes */
	rec_setup(&r, &spec_links);
	set_packets(&r, p, 6);
	load(&r);
	checks_run(&r, res);
	assert_false(res[2].pass);
	assert_string_equal(res[2].seen, "the link's counts were not read (the run ended early)");
	rec_free(&r);
}

/* The recorded series of tests/fixtures/race-005: 4 runs, client ports
 * 10000-10003, each ended with the server in TIME_WAIT. */
static struct test_spec *t005;	/* scenarios/005.scen, loaded once */

static const struct test_spec *
spec_005(void)
{
	char err[1024];
	int malformed;

	if (t005 == NULL)
		t005 = catalogue_load("005", &malformed, err, sizeof(err));
	if (t005 == NULL)
		fail_msg("%s", err);
	return t005;
}

static char race_dir[600];

/* The record of the recorded series: hosts from lab.json, the end snapshot
 * from snapshots.json moved by shift_ns, without the TIME_WAIT sockets of
 * the client ports in drop (0 ends it). */
static void
race_rec(struct test_rec *r, int64_t shift_ns, const int *drop)
{
	char path[700];
	json_t *lab, *snaps, *h, *so, *socks;
	const char *host;
	size_t i, k;

	memset(r, 0, sizeof(*r));
	r->spec = spec_005();
	r->scale = 0.1;
	snprintf(path, sizeof(path), "%s/lab.json", race_dir);
	assert_non_null(lab = json_load_file(path, 0, NULL));
	json_array_foreach(json_object_get(lab, "hosts"), i, h) {
		snprintf(r->hosts[i].name, sizeof(r->hosts[i].name), "%s",
		    json_string_value(json_object_get(h, "name")));
		snprintf(r->hosts[i].addr, sizeof(r->hosts[i].addr), "%s",
		    json_string_value(json_object_get(h, "addr")));
		r->nhosts++;
	}
	json_decref(lab);
	snprintf(path, sizeof(path), "%s/snapshots.json", race_dir);
	assert_non_null(snaps = json_load_file(path, 0, NULL));
	h = json_array_get(snaps, 0);
	strcpy(r->snaps[0].name, "end");
	r->snaps[0].t_ns = (uint64_t)(json_integer_value(json_object_get(h, "t_ns")) + shift_ns);
	r->nsnaps = 1;
	json_object_foreach(json_object_get(h, "hosts"), host, socks) {
		int hi = strcmp(host, "client") == 0 ? 0 : 1;
		struct snap_rec *s = &r->snaps[0];

		s->s[hi] = calloc(json_array_size(socks) + 1, sizeof(struct sd_sock));
		json_array_foreach(socks, k, so) {
			struct sd_sock *x = &s->s[hi][s->n[hi]];
			const char *rem = json_string_value(json_object_get(so, "remote"));
			int skip = 0;

			x->state = tcp_state_parse(json_string_value(json_object_get(so, "state")));
			for (const int *d = drop; *d && x->state == TCP_TIME_WAIT; d++)
				skip |= port_of(rem) == *d;
			if (skip)
				continue;
			snprintf(x->local, sizeof(x->local), "%s",
			    json_string_value(json_object_get(so, "local")));
			snprintf(x->remote, sizeof(x->remote), "%s", rem);
			s->n[hi]++;
		}
	}
	json_decref(snaps);
}

/* How many of the 4 runs end in an outcome the TIME_WAIT sockets agree with. */
static int
race_agree(struct test_rec *r)
{
	const char *names[4];
	int agree[4], n = 0;

	assert_int_equal(timeline_load(race_dir, &r->tl, (char[256]){ 0 }, 256), 0);
	assert_int_equal(race_classify_ports(r, 10000, 4, names, agree, NULL), 0);
	for (int i = 0; i < 4; i++) {
		assert_non_null(names[i]);
		assert_string_equal(names[i], RACE_SERVER);
		n += agree[i];
	}
	rec_free(r);
	return n;
}

static void
test_race_series(void **state)
{
	const int none[] = { 0 }, second[] = { 10001, 0 };
	const int all[] = { 10000, 10001, 10002, 10003, 0 };
	struct test_rec r;

	(void)state;
	snprintf(race_dir, sizeof(race_dir), "%s/tests/fixtures/race-005/005",
	    getenv("TW_TOP") ? getenv("TW_TOP") : ".");
	/* As recorded: the snapshot shows each run's TIME_WAIT. */
	race_rec(&r, 0, none);
	assert_int_equal(race_agree(&r), 4);
	/* A socket that should be alive is missing: that run disagrees. */
	race_rec(&r, 0, second);
	assert_int_equal(race_agree(&r), 3);
	/* A series longer than 60 s: the snapshot comes 2 minutes later and
	 * the kernel has dropped every socket, as it does after 60 s. Each
	 * run is judged by its own trace: all agree (the old judge, by the
	 * snapshot alone, said 0 of 4). */
	race_rec(&r, 120LL * 1000 * MS, all);
	assert_int_equal(race_agree(&r), 4);
	/* ...and a TIME_WAIT socket still shown 2 minutes on is a disagreement. */
	race_rec(&r, 120LL * 1000 * MS, second);
	assert_int_equal(race_agree(&r), 1);
}

/* ---- checks of one hop: a proxy between a client and a backend ---- */

#define P S		/* the proxy host has the server's address */
#define B "10.9.0.4"

static struct tcp_pkt
hpkt(uint64_t t_ms, const char *src, unsigned sport, const char *dst, unsigned dport,
    uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct tcp_pkt p = pkta(t_ms, src, dst, flags, seq, ack);

	p.sport = (uint16_t)sport;
	p.dport = (uint16_t)dport;
	return p;
}

static const struct {
	const char *name, *addr;
} hop_hosts[] = { { "client", C }, { "proxy", P }, { "backend", B } };

/* lab.json and each host's capture with the packets it sends or receives. */
static void
set_hop_packets(struct test_rec *r, const struct tcp_pkt *p, size_t n)
{
	struct tcp_pkt mine[32];
	char path[600];
	FILE *f;
	size_t h, i, k;

	memset(r, 0, sizeof(*r));
	r->scale = 1;
	r->nhosts = 3;
	snprintf(path, sizeof(path), "%s/lab.json", rundir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "{\"hosts\":[");
	for (h = 0; h < 3; h++) {
		fprintf(f, "%s{\"name\":\"%s\",\"addr\":\"%s\"}", h ? "," : "",
		    hop_hosts[h].name, hop_hosts[h].addr);
		strcpy(r->hosts[h].name, hop_hosts[h].name);
		strcpy(r->hosts[h].addr, hop_hosts[h].addr);
	}
	fprintf(f, "]}\n");
	fclose(f);
	for (h = 0; h < 3; h++) {
		for (i = k = 0; i < n && k < 32; i++)
			if (strcmp(p[i].src, hop_hosts[h].addr) == 0 ||
			    strcmp(p[i].dst, hop_hosts[h].addr) == 0)
				mine[k++] = p[i];
		write_capture(rundir, hop_hosts[h].name, hop_hosts[h].addr, mine, k);
	}
}

/* The end snapshot: each host's sockets, "STATE LOCAL REMOTE". */
static void
set_hop_snapshot(struct test_rec *r, const char *const socks[3][3])
{
	struct snap_rec *s = &r->snaps[r->nsnaps++];
	int h, k;

	strcpy(s->name, "end");
	s->t_ns = 5 * 1000 * MS;
	for (h = 0; h < 3; h++) {
		s->s[h] = calloc(3, sizeof(struct sd_sock));
		for (k = 0; k < 3 && socks[h][k] != NULL; k++) {
			char st[16];

			assert_int_equal(sscanf(socks[h][k], "%15s %63s %63s", st, s->s[h][k].local,
			    s->s[h][k].remote), 3);
			s->s[h][k].state = strcmp(st, "TW") == 0 ? TCP_TIME_WAIT : TCP_ESTABLISHED;
		}
		s->n[h] = (size_t)k;
	}
}

static struct test_spec spec_hop = {
	.id = "t", .title = "t", .shows = "t",
	.hosts = { "client", "proxy", "backend" },
	.checks = {
		{ CK_FIRST_FIN_TO, "0", .who = "proxy", .peer = "client" },
		{ CK_FIRST_FIN_TO, "1", .who = "client", .peer = "proxy" },
		{ CK_FIRST_FIN_TO, "2", .who = "proxy", .peer = "backend" },
		{ CK_FIRST_FIN, "3", .who = "proxy" },
		{ CK_SENDS_TO, "4", .who = "proxy", .peer = "backend", .flag = 'R', .n = 1, .atleast = 1 },
		{ CK_SENDS_TO, "5", .who = "proxy", .peer = "backend", .flag = 'F', .n = 0 },
		{ CK_SENDS_TO, "6", .who = "proxy", .peer = "client", .flag = 'F', .n = 1 },
		{ CK_TIMEWAIT_TO, "7", .who = "proxy", .peer = "client", .snap = "end", .n = 1 },
		{ CK_TIMEWAIT_TO, "8", .who = "proxy", .peer = "backend", .snap = "end", .n = 0 },
		{ CK_STATE_TO, "9", .who = "proxy", .peer = "backend", .snap = "end",
		  .state = "ESTABLISHED", .n = 1 },
		{ CK_TIMEWAIT, "10", .who = "proxy", .snap = "end", .n = 1 },
	},
};

/* The checks' verdicts on the packets and the snapshot, as "1011...". */
static void
hop_verdicts(const struct tcp_pkt *p, size_t n, const char *const socks[3][3], char *out)
{
	struct check_result res[CAT_MAX_CHECKS];
	struct test_rec r;
	int i, k;

	set_hop_packets(&r, p, n);
	r.spec = &spec_hop;
	set_hop_snapshot(&r, socks);
	load(&r);
	k = checks_run(&r, res);
	for (i = 0; i < k; i++) {
		assert_true(res[i].judged);
		out[i] = res[i].pass ? '1' : '0';
	}
	out[k] = '\0';
	rec_free(&r);
}

static void
test_hop_checks(void **state)
{
	/* HAProxy httpclose: the proxy's FIN to the client, a RST to the backend. */
	const struct tcp_pkt httpclose[] = {
		hpkt(0, C, 667, P, 666, TCPF_SYN, 100, 0),
		hpkt(2, P, 666, C, 667, TCPF_SYN | TCPF_ACK, 500, 101),
		hpkt(4, C, 667, P, 666, TCPF_ACK, 101, 501),
		hpkt(5, P, 40000, B, 666, TCPF_SYN, 900, 0),
		hpkt(7, B, 666, P, 40000, TCPF_SYN | TCPF_ACK, 300, 901),
		hpkt(9, P, 40000, B, 666, TCPF_ACK, 901, 301),
		hpkt(20, P, 40000, B, 666, TCPF_RST | TCPF_ACK, 901, 301),
		hpkt(21, P, 666, C, 667, TCPF_FIN | TCPF_ACK, 501, 101),
		hpkt(23, C, 667, P, 666, TCPF_FIN | TCPF_ACK, 101, 502),
		hpkt(25, P, 666, C, 667, TCPF_ACK, 502, 102),
	};
	const char *const httpclose_socks[3][3] = {
		{ NULL }, { "TW " P ":666 " C ":667", NULL }, { NULL },
	};
	/* The client closes first on its hop, the proxy on the backend's
	 * (with a FIN, so it holds TIME_WAIT there), and the proxy keeps a
	 * second backend connection open. */
	const struct tcp_pkt mixed[] = {
		hpkt(0, C, 667, P, 666, TCPF_SYN, 100, 0),
		hpkt(2, P, 666, C, 667, TCPF_SYN | TCPF_ACK, 500, 101),
		hpkt(4, C, 667, P, 666, TCPF_ACK, 101, 501),
		hpkt(5, P, 40000, B, 666, TCPF_SYN, 900, 0),
		hpkt(7, B, 666, P, 40000, TCPF_SYN | TCPF_ACK, 300, 901),
		hpkt(9, P, 40000, B, 666, TCPF_ACK, 901, 301),
		hpkt(20, P, 40000, B, 666, TCPF_FIN | TCPF_ACK, 901, 301),
		hpkt(22, B, 666, P, 40000, TCPF_FIN | TCPF_ACK, 301, 902),
		hpkt(24, P, 40000, B, 666, TCPF_ACK, 902, 302),
		hpkt(30, C, 667, P, 666, TCPF_FIN | TCPF_ACK, 101, 501),
		hpkt(32, P, 666, C, 667, TCPF_FIN | TCPF_ACK, 501, 102),
		hpkt(34, C, 667, P, 666, TCPF_ACK, 102, 502),
	};
	const char *const mixed_socks[3][3] = {
		{ "TW " C ":667 " P ":666", NULL },
		{ "TW " P ":40000 " B ":666", "ESTABLISHED " P ":40002 " B ":666", NULL },
		{ "ESTABLISHED " B ":666 " P ":40002", NULL },
	};
	char v[CAT_MAX_CHECKS + 1];

	(void)state;
	hop_verdicts(httpclose, 10, httpclose_socks, v);
	/* every check but "first FIN towards the backend" (none there) and the
	 * open backend connection (none in the snapshot) */
	assert_string_equal(v, "10011111101");
	hop_verdicts(mixed, 12, mixed_socks, v);
	/* the client first on its hop, the proxy on the backend's: the plain
	 * first-fin (every connection) fails; no RST; a FIN to the backend; the
	 * TIME_WAIT towards the backend, none towards the client; one open */
	assert_string_equal(v, "01100010011");
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(rundir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[100];

	(void)state;
	scen_free(t005);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rundir);
	return system(cmd) == 0 ? 0 : -1;
}

/* call ... took LO..HI: the call's own duration, t_call to t, from its
 * event (linger-timeout's blocking close); the verdict's both sides. */
static void
test_call_took(void **state)
{
	static struct test_spec spec = {
		.id = "t", .title = "t", .shows = "t",
		.hosts = { "client", "server" },
		.checks = {
			{ CK_CALL, "1 s", .who = "client", .step = "close", .req = 1,
			    .took = 1, .lo = 950, .hi = 2500 },
			{ CK_CALL, "at once", .who = "client", .step = "close", .req = 1,
			    .took = 1, .lo = 0, .hi = 5 },
			{ CK_CALL, "no start", .who = "client", .step = "read", .req = 1,
			    .took = 1, .lo = 0, .hi = 5000 },
			{ CK_CALL, "plain", .who = "client", .step = "read", .req = 1 },
		},
	};
	struct tl_event ev[2];
	struct timeline tl;
	struct check_result res[CAT_MAX_CHECKS];
	struct test_rec r;

	(void)state;
	memset(ev, 0, sizeof(ev));
	memset(&tl, 0, sizeof(tl));
	strcpy(ev[0].prog, "client");
	strcpy(ev[0].step, "close");
	ev[0].req = 1;
	ev[0].t_call = 5000 * (int64_t)MS;
	ev[0].t = ev[0].t_call + 1032 * (int64_t)MS;
	strcpy(ev[1].prog, "client");
	strcpy(ev[1].step, "read");
	ev[1].req = 1;
	ev[1].t = 7000 * (int64_t)MS;	/* t_call 0: its start unknown */
	tl.events = ev;
	tl.nevents = 2;
	rec_setup(&r, &spec);
	r.tl = &tl;
	assert_int_equal(checks_run(&r, res), 4);
	assert_true(res[0].pass);
	assert_non_null(strstr(res[0].seen, "after 1032.0 ms"));
	assert_false(res[1].pass);	/* 1032 ms is not at once */
	assert_false(res[2].pass);
	assert_non_null(strstr(res[2].seen, "not logged"));
	assert_true(res[3].pass);	/* without took the time is not judged */
}

/* One file of the run folder, written whole (len bytes, NULs too). */
static void
put_file(const char *name, const char *text, size_t len, mode_t mode)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", rundir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* check output: what a program wrote, its NAME.log in the run folder,
 * found or not, past a NUL byte, cut at CHECK_OUTPUT_MAX (where "lacks"
 * cannot be shown), and not read through a link nor from a file others
 * may write. Each verdict has its counter-case. */
static void
test_output_checks(void **state)
{
	static struct test_spec spec = {
		.id = "t", .title = "t", .shows = "t",
		.hosts = { "client", "server" },
		.procs = {
			{ .name = "web", .host = "server", .prog = "exec" },
			{ .name = "e", .host = "server", .prog = "exec" },
			{ .name = "big", .host = "server", .prog = "exec" },
			{ .name = "l", .host = "server", .prog = "exec" },
			{ .name = "m", .host = "server", .prog = "exec" },
			{ .name = "gw", .host = "server", .prog = "exec" },
			{ .name = "ns", .host = "server", .prog = "exec" },
		},
		.checks = {
			{ CK_OUTPUT, "0", .who = "web", .text = "HTTP 200", .n = 1 },
			{ CK_OUTPUT, "1", .who = "web", .text = "HTTP 404", .n = 1 },
			{ CK_OUTPUT, "2", .who = "web", .text = "Server: y", .n = 0 },
			{ CK_OUTPUT, "3", .who = "web", .text = "Server: x", .n = 0 },
			{ CK_OUTPUT, "4", .who = "e", .text = "x", .n = 1 },
			{ CK_OUTPUT, "5", .who = "e", .text = "x", .n = 0 },
			{ CK_OUTPUT, "6", .who = "big", .text = "aaaa", .n = 1 },
			{ CK_OUTPUT, "7", .who = "big", .text = "needle", .n = 1 },
			{ CK_OUTPUT, "8", .who = "big", .text = "needle", .n = 0 },
			{ CK_OUTPUT, "9", .who = "l", .text = "HTTP", .n = 0 },
			{ CK_OUTPUT, "10", .who = "m", .text = "HTTP", .n = 0 },
			{ CK_OUTPUT, "11", .who = "gw", .text = "HTTP", .n = 1 },
			{ CK_OUTPUT, "12", .who = "ns", .text = "HTTP", .n = 0 },
		},
	};
	static const char web[] = "HTTP/1.1 200 OK\r\nServer: x\r\n\0bin\nlast line HTTP 200\n";
	struct check_result res[CAT_MAX_CHECKS];
	char path[600], target[600];
	struct test_rec r;
	size_t big = CHECK_OUTPUT_MAX + 10;
	char *b;
	int i;

	(void)state;
	put_file("web.log", web, sizeof(web) - 1, 0644);
	put_file("e.log", "", 0, 0644);
	assert_non_null(b = malloc(big + 6));
	memset(b, 'a', big);
	memcpy(b + big, "needle", 6);
	put_file("big.log", b, big + 6, 0644);
	free(b);
	snprintf(path, sizeof(path), "%s/l.log", rundir);
	snprintf(target, sizeof(target), "%s/web.log", rundir);
	assert_int_equal(symlink(target, path), 0);
	put_file("gw.log", "HTTP 200\n", 9, 0664);
	rec_setup(&r, &spec);
	r.nprocs = 7;
	for (i = 0; i < 7; i++) {
		r.procs[i].spec = &spec.procs[i];
		r.procs[i].started = i != 6;
	}
	r.dir = rundir;
	assert_int_equal(checks_run(&r, res), 13);
	assert_true(res[0].pass);	/* past the NUL, on line 4 */
	assert_string_equal(res[0].seen, "found in line 4 of web.log: last line HTTP 200");
	assert_false(res[1].pass);
	assert_string_equal(res[1].seen, "not found in 52 bytes of web.log: "
	    "HTTP/1.1 200 OK\\nServer: x\\n?bin\\nlast line HTTP 200");
	assert_true(res[2].pass);
	assert_false(res[3].pass);
	assert_string_equal(res[3].seen, "found in line 2 of web.log: Server: x");
	assert_false(res[4].pass);
	assert_string_equal(res[4].seen, "not found: e.log is empty");
	assert_true(res[5].pass);
	assert_true(res[6].pass);
	/* the needle lies past the limit: not found, and its absence not shown */
	assert_false(res[7].pass);
	assert_false(res[8].pass);
	assert_non_null(strstr(res[8].seen, "not found in the first 1048576 of 1048592 bytes "
	    "of big.log (the rest is not read): aaaa"));
	assert_true(strlen(res[8].seen) < sizeof(res[8].seen));
	/* a link in the log's place is not followed: no verdict but a failure */
	assert_false(res[9].pass);
	assert_string_equal(res[9].seen, "cannot read l.log: Too many levels of symbolic links");
	assert_false(res[10].pass);
	assert_string_equal(res[10].seen, "cannot read m.log: No such file or directory");
	/* a log others may write is not trusted as root */
	if (geteuid() == 0) {
		assert_false(res[11].pass);
		assert_string_equal(res[11].seen, "cannot read gw.log: Operation not permitted");
	} else {
		assert_true(res[11].pass);
	}
	assert_false(res[12].pass);
	assert_string_equal(res[12].seen, "ns never started");
	/* no run folder (the run ended before it had one): nothing passes */
	r.dir = NULL;
	checks_run(&r, res);
	assert_false(res[2].pass);
	assert_string_equal(res[2].seen, "cannot open the run folder to read web.log");
}

/* check exit: a status, or the signal that ended the program; a program
 * that a signal ended fails a status check, one that exited fails a
 * signal check, and the wrong signal fails too. */
static void
test_exit_checks(void **state)
{
	static struct test_spec spec = {
		.id = "t", .title = "t", .shows = "t",
		.hosts = { "client", "server" },
		.procs = {
			{ .name = "pg", .host = "client", .prog = "exec" },
			{ .name = "ok", .host = "client", .prog = "exec" },
			{ .name = "run", .host = "client", .prog = "exec" },
		},
		.checks = {
			{ CK_EXIT, "0", .who = "pg", .sig = SIGINT },
			{ CK_EXIT, "1", .who = "pg", .sig = SIGTERM },
			{ CK_EXIT, "2", .who = "pg", .n = 0 },
			{ CK_EXIT, "3", .who = "ok", .sig = SIGINT },
			{ CK_EXIT, "4", .who = "ok", .n = 0 },
			{ CK_EXIT, "5", .who = "run", .sig = SIGTERM },
		},
	};
	struct check_result res[CAT_MAX_CHECKS];
	struct test_rec r;
	int i;

	(void)state;
	rec_setup(&r, &spec);
	r.nprocs = 3;
	for (i = 0; i < 3; i++) {
		r.procs[i].spec = &spec.procs[i];
		r.procs[i].started = 1;
	}
	r.procs[0].exited = 1;
	r.procs[0].exit_code = -1;
	r.procs[0].exit_signal = SIGINT;
	r.procs[1].exited = 1;
	r.procs[2].stopped = 1;	/* the lab's SIGTERM at the end is not its own end */
	assert_int_equal(checks_run(&r, res), 6);
	assert_true(res[0].pass);
	assert_string_equal(res[0].seen, "pg was killed by signal 2 (Interrupt)");
	assert_false(res[1].pass);
	assert_false(res[2].pass);
	assert_false(res[3].pass);
	assert_string_equal(res[3].seen, "ok exited with status 0");
	assert_true(res[4].pass);
	assert_false(res[5].pass);
	assert_string_equal(res[5].seen, "run still ran at the end (the lab stopped it)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_race_outcomes),
		cmocka_unit_test(test_close_checks),
		cmocka_unit_test(test_lost_ack_checks),
		cmocka_unit_test(test_link_checks),
		cmocka_unit_test(test_race_series),
		cmocka_unit_test(test_hop_checks),
		cmocka_unit_test(test_call_took),
		cmocka_unit_test(test_output_checks),
		cmocka_unit_test(test_exit_checks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
