/*
 * test_rfc1337.c - a RST at a rebuilt TIME_WAIT, on a recorded run of the
 * rfc1337 scenario (tests/fixtures/run-rfc1337, from `timewait lab run
 * rfc1337 --fast`): two clients hold TIME_WAIT, the server forges a RST
 * with the expected sequence number to each; client0 has
 * net.ipv4.tcp_rfc1337=0 and loses its TIME_WAIT, client1 has 1 and keeps
 * it. The kernel trace has no event for a time-wait socket's end, so the
 * model decides from lab.json's sysctl and the packets (model/states.c);
 * a socket snapshot that still sees the TIME_WAIT has the last word
 * (model/snaps.c). Each case is also run on a copy of the run with one
 * thing changed: the RST one below the expected number, client1's setting
 * 0, the setting not recorded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/timeline.h"
#include "pcapread.h"

static char copy[512];		/* the copy's test folder */

/* A fresh copy of the fixture for each test: some change its files. */
static int
setup(void **state)
{
	char cmd[1200], tmpl[] = "/tmp/tw-rfc1337-XXXXXX";
	const char *top = getenv("TW_TOP") ? getenv("TW_TOP") : ".";

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(cmd, sizeof(cmd), "cp -r '%s/tests/fixtures/run-rfc1337/rfc1337' '%s/'",
	    top, tmpl);
	if (system(cmd) != 0)
		return -1;
	snprintf(copy, sizeof(copy), "%s/rfc1337", tmpl);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strlen(copy) - 8), copy);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long l;

	if (f && fseek(f, 0, SEEK_END) == 0 && (l = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)l + 1)) &&
	    fread(b, 1, (size_t)l, f) == (size_t)l) {
		b[l] = 0;
		*n = (size_t)l;
	} else {
		free(b);
		b = NULL;
	}
	if (f)
		fclose(f);
	return b;
}

static void
spill(const char *path, const char *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* In the copy's lab.json, every `from` becomes `to` (same length). */
static void
edit_lab_json(const char *from, const char *to)
{
	char path[600], *b, *p;
	size_t n, hits = 0;

	assert_int_equal(strlen(from), strlen(to));
	snprintf(path, sizeof(path), "%s/lab.json", copy);
	assert_non_null(b = slurp(path, &n));
	for (p = b; (p = strstr(p, from)); p += strlen(to), hits++)
		memcpy(p, to, strlen(to));
	assert_true(hits > 0);
	spill(path, b, n);
	free(b);
}

/* In one of the copy's captures (nanosecond pcap, Ethernet), take one off
 * the sequence number of every IPv4 TCP RST: the RST an old duplicate from
 * one byte earlier in the stream would be. Returns how many. */
static int
rst_seq_minus_one(const char *pcap)
{
	char path[600], *b;
	size_t n, off = 24;
	int hits = 0;

	snprintf(path, sizeof(path), "%s/%s", copy, pcap);
	assert_non_null(b = slurp(path, &n));
	while (off + 16 <= n) {
		uint32_t cl;
		unsigned char *pk = (unsigned char *)b + off + 16, *tcp;

		memcpy(&cl, b + off + 8, 4);	/* little-endian, as written here */
		if (off + 16 + cl > n)
			break;
		if (cl >= 54 && pk[12] == 0x08 && pk[13] == 0x00 && pk[23] == 6) {
			tcp = pk + 14 + (pk[14] & 0x0f) * 4;
			if (tcp + 20 <= pk + cl && (tcp[13] & 0x04)) {
				uint32_t s = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
				    (uint32_t)tcp[6] << 8 | tcp[7];

				s--;
				tcp[4] = (unsigned char)(s >> 24);
				tcp[5] = (unsigned char)(s >> 16);
				tcp[6] = (unsigned char)(s >> 8);
				tcp[7] = (unsigned char)s;
				hits++;
			}
		}
		off += 16 + cl;
	}
	spill(path, b, n);
	free(b);
	return hits;
}

static void
no_snapshots(void)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/snapshots.json", copy);
	assert_int_equal(unlink(path), 0);
}

/* The connection of client host `name`, and when its RST reached it. */
static const struct tl_conn *
client_conn(const struct timeline *tl, const char *name, int64_t *t_rst)
{
	for (size_t i = 0; i < tl->nconns; i++) {
		const struct tl_conn *c = &tl->conns[i];

		if (strcmp(c->host[TL_CLIENT], name) != 0)
			continue;
		*t_rst = TL_UNKNOWN;
		for (size_t k = 0; k < c->npkts; k++)
			if ((c->pkts[k].flags & TCPF_RST) && c->pkts[k].from == TL_SERVER)
				*t_rst = c->pkts[k].t_received;
		assert_true(*t_rst != TL_UNKNOWN);
		return c;
	}
	fail_msg("no connection from %s", name);
	return NULL;
}

/* client's state just before its RST arrived and just after. */
static void
around_rst(const struct timeline *tl, const char *client, enum tcp_st before,
    enum tcp_st after)
{
	int64_t t;
	const struct tl_conn *c = client_conn(tl, client, &t);

	assert_int_equal(tl_state_at(c, TL_CLIENT, t - 1), before);
	assert_int_equal(tl_state_at(c, TL_CLIENT, t + 1), after);
}

static struct timeline *
load(void)
{
	struct timeline *tl;
	char err[256];

	if (timeline_load(copy, &tl, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(tl->nconns, 2);
	return tl;
}

/* As recorded: client0 CLOSED at its RST, client1 still TIME_WAIT (and
 * the "after" snapshot confirms it), until 60 s after it began. */
static void
test_as_recorded(void **state)
{
	struct timeline *tl = load();
	const struct tl_conn *c;
	const struct tl_state *last;
	int64_t t;

	(void)state;
	assert_int_equal(tl->hosts[1].rfc1337, 0);	/* client0 */
	assert_int_equal(tl->hosts[2].rfc1337, 1);	/* client1 */
	around_rst(tl, "client0", TS_TIME_WAIT, TS_CLOSE);
	around_rst(tl, "client1", TS_TIME_WAIT, TS_TIME_WAIT);
	c = client_conn(tl, "client1", &t);
	last = &c->states[TL_CLIENT][c->nstates[TL_CLIENT] - 1];
	assert_int_equal(last->state, TS_CLOSE);
	assert_true(last->t - c->states[TL_CLIENT][c->nstates[TL_CLIENT] - 2].t >=
	    TIME_WAIT_NS - 1000000000LL);
	assert_true(c->states[TL_CLIENT][c->nstates[TL_CLIENT] - 2].confirmed);
	timeline_free(tl);
}

/* The RST one below the number expected: ignored, even with 0. */
static void
test_rst_one_below(void **state)
{
	struct timeline *tl;

	(void)state;
	assert_int_equal(rst_seq_minus_one("server.pcap"), 2);
	assert_int_equal(rst_seq_minus_one("client0.pcap"), 1);
	assert_int_equal(rst_seq_minus_one("client1.pcap"), 1);
	no_snapshots();
	tl = load();
	around_rst(tl, "client0", TS_TIME_WAIT, TS_TIME_WAIT);
	around_rst(tl, "client1", TS_TIME_WAIT, TS_TIME_WAIT);
	timeline_free(tl);
}

/* Without the snapshots, from lab.json's setting and the packets alone:
 * the same drawing. */
static void
test_setting_alone(void **state)
{
	struct timeline *tl;

	(void)state;
	no_snapshots();
	tl = load();
	around_rst(tl, "client0", TS_TIME_WAIT, TS_CLOSE);
	around_rst(tl, "client1", TS_TIME_WAIT, TS_TIME_WAIT);
	timeline_free(tl);
}

/* client1 recorded with 0 (and no snapshot to say otherwise): its
 * TIME_WAIT ends at the RST too. */
static void
test_setting_read(void **state)
{
	struct timeline *tl;

	(void)state;
	edit_lab_json("\"net/ipv4/tcp_rfc1337\": \"1\"", "\"net/ipv4/tcp_rfc1337\": \"0\"");
	no_snapshots();
	tl = load();
	around_rst(tl, "client0", TS_TIME_WAIT, TS_CLOSE);
	around_rst(tl, "client1", TS_TIME_WAIT, TS_CLOSE);
	timeline_free(tl);
}

/* The setting not recorded (an older lab.json): taken as Linux's 0, but
 * the snapshot after the RSTs still saw client1's TIME_WAIT, so it stays. */
static void
test_snapshot_has_last_word(void **state)
{
	struct timeline *tl;

	(void)state;
	edit_lab_json("net/ipv4/tcp_rfc1337", "net/ipv4/tcp_rfc133x");
	tl = load();
	assert_int_equal(tl->hosts[2].rfc1337, -1);
	around_rst(tl, "client0", TS_TIME_WAIT, TS_CLOSE);
	around_rst(tl, "client1", TS_TIME_WAIT, TS_TIME_WAIT);
	timeline_free(tl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_as_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setting_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst_one_below, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setting_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_has_last_word, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
