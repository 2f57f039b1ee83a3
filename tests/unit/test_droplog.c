/*
 * test_droplog.c - the segments the lab drops, written down and read back
 * (lab/droplog.c, model/drops.c): the IP and TCP headers of a dropped
 * packet, its line of HOST.drops.jsonl, the sentence of a drop line; and
 * a recorded run (tests/fixtures/run-000) with a drops file beside it,
 * whose drop becomes a packet no capture saw and whose loss marks the
 * packet its sender's capture saw leave, both drawn.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "fixture.h"
#include "lab/droplog.h"
#include "model/jsonl.h"
#include "model/timeline.h"
#include "pcapread.h"
#include "render/render.h"

/* An IPv4 TCP segment: 20 bytes of IP, 20 + opt of TCP, then payload. */
static size_t
ipv4_tcp(uint8_t *p, uint8_t flags, uint32_t seq, uint32_t ack, size_t opt, size_t payload)
{
	size_t thl = 20 + opt, total = 20 + thl + payload;

	memset(p, 0, total);
	p[0] = 0x45;
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	p[6] = 0x40;		/* DF: not a fragment */
	p[8] = 64;
	p[9] = 6;
	inet_pton(AF_INET, "10.1.2.2", p + 12);
	inet_pton(AF_INET, "10.1.2.3", p + 16);
	p[20] = 0xa4, p[21] = 0x10;	/* 42000 */
	p[22] = 0x02, p[23] = 0x9a;	/* 666 */
	for (int i = 0; i < 4; i++) {
		p[24 + i] = (uint8_t)(seq >> (24 - 8 * i));
		p[28 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	p[32] = (uint8_t)((thl / 4) << 4);
	p[33] = flags;
	return total;
}

static void
test_parse_ipv4(void **state)
{
	uint8_t p[128];
	struct drop_hdr h;
	size_t n = ipv4_tcp(p, TCPF_ACK | TCPF_PSH, 4000000000u, 7, 12, 17);

	(void)state;
	assert_int_equal(droplog_parse(p, n, &h), 0);
	assert_string_equal(h.src, "10.1.2.2");
	assert_string_equal(h.dst, "10.1.2.3");
	assert_int_equal(h.sport, 42000);
	assert_int_equal(h.dport, 666);
	assert_int_equal(h.flags, TCPF_ACK | TCPF_PSH);
	assert_int_equal(h.seq, 4000000000u);
	assert_int_equal(h.ack, 7);
	assert_int_equal(h.len, 17);
	assert_int_equal(h.proto, 6);
	/* cut after the TCP header, as the kernel copies it: the length is
	 * the IP header's, not what was copied */
	assert_int_equal(droplog_parse(p, 20 + 32, &h), 0);
	assert_int_equal(h.len, 17);
	/* cut inside the TCP header: not a segment */
	assert_int_equal(droplog_parse(p, 30, &h), -1);
	assert_int_equal(droplog_parse(p, 0, &h), -1);
	/* a data offset below 5 words, or past the IP length */
	p[32] = 0x40;
	assert_int_equal(droplog_parse(p, n, &h), -1);
	p[32] = 0xf0;
	p[2] = 0, p[3] = 40;
	assert_int_equal(droplog_parse(p, n, &h), -1);
	/* neither IPv4 nor IPv6 */
	p[0] = 0x55;
	assert_int_equal(droplog_parse(p, n, &h), -1);
}

static void
test_parse_other(void **state)
{
	uint8_t p[128];
	struct drop_hdr h;
	size_t n = ipv4_tcp(p, TCPF_SYN, 1, 0, 0, 0);

	(void)state;
	/* a fragment: its addresses, not its ports */
	p[6] = 0x20;
	assert_int_equal(droplog_parse(p, n, &h), 1);
	assert_string_equal(h.src, "10.1.2.2");
	/* UDP */
	p[6] = 0x40;
	p[9] = 17;
	assert_int_equal(droplog_parse(p, n, &h), 1);
	assert_int_equal(h.proto, 17);
	/* IPv6 TCP, then IPv6 with a hop-by-hop header (MLD, as a link loses it) */
	memset(p, 0, sizeof(p));
	p[0] = 0x60;
	p[5] = 20;
	p[6] = 6;
	inet_pton(AF_INET6, "fd00::2", p + 8);
	inet_pton(AF_INET6, "fd00::3", p + 24);
	p[40] = 0x9c, p[41] = 0x40;	/* 40000 */
	p[43] = 80;
	p[47] = 9;			/* seq 9 */
	p[52] = 0x50;
	p[53] = TCPF_FIN | TCPF_ACK;
	assert_int_equal(droplog_parse(p, 60, &h), 0);
	assert_string_equal(h.src, "fd00::2");
	assert_string_equal(h.dst, "fd00::3");
	assert_int_equal(h.sport, 40000);
	assert_int_equal(h.dport, 80);
	assert_int_equal(h.seq, 9);
	assert_int_equal(h.flags, TCPF_FIN | TCPF_ACK);
	assert_int_equal(h.len, 0);
	assert_int_equal(droplog_parse(p, 39, &h), -1);
	p[6] = 0;
	assert_int_equal(droplog_parse(p, 60, &h), 1);
	assert_int_equal(h.proto, 0);
}

/* A line as written is a line the model's reader takes, field for field. */
static void
test_format(void **state)
{
	uint8_t p[128];
	struct drop_hdr h;
	char line[512], small[40];
	struct jrec o;
	const char *why;
	int n;

	(void)state;
	droplog_parse(p, ipv4_tcp(p, TCPF_ACK, 11, 22, 0, 0), &h);
	n = droplog_format(line, sizeof(line), 1796038700204534128LL, "drop",
	    "drop from client to server flags A after FIN nth 1", &h);
	assert_true(n > 0 && line[n - 1] == '\n');
	line[n - 1] = 0;
	assert_int_equal(jrec_parse(line, &o, &why), 0);
	assert_int_equal(jr_int(&o, "t_ns", 0), 1796038700204534128LL);
	assert_string_equal(jr_str(&o, "by"), "drop");
	assert_string_equal(jr_str(&o, "why"), "drop from client to server flags A after FIN nth 1");
	assert_string_equal(jr_str(&o, "src"), "10.1.2.2");
	assert_int_equal(jr_int(&o, "sport", 0), 42000);
	assert_int_equal(jr_int(&o, "dport", 0), 666);
	assert_int_equal(jr_int(&o, "flags", 0), TCPF_ACK);
	assert_string_equal(jr_str(&o, "flag_names"), "A");
	assert_int_equal(jr_int(&o, "seq", 0), 11);
	assert_int_equal(jr_int(&o, "ack", 0), 22);
	assert_int_equal(jr_int(&o, "proto", 0), 6);
	assert_int_equal(droplog_format(small, sizeof(small), 1, "loss", "x", &h), -1);
	/* a packet other than TCP: its addresses and protocol only */
	h.proto = 58;
	n = droplog_format(line, sizeof(line), 5, "loss", "loss 20% on the link from a to b", &h);
	line[n - 1] = 0;
	assert_int_equal(jrec_parse(line, &o, &why), 0);
	assert_int_equal(jr_int(&o, "proto", 0), 58);
	assert_false(jr_has(&o, "seq"));
}

static void
test_drop_why(void **state)
{
	struct test_spec t;
	char buf[160];

	(void)state;
	memset(&t, 0, sizeof(t));
	t.drops[0] = (struct drop_spec){ .from = "client", .to = "server", .flags = TCPF_ACK,
	    .after_fin = 1, .nth = 1, .count = 1 };
	t.drops[1] = (struct drop_spec){ .from = "server", .to = "cl\"ient", .nth = 3, .count = 2 };
	droplog_drop_why(&t, 0, buf, sizeof(buf));
	assert_string_equal(buf, "drop from client to server flags A after FIN nth 1");
	droplog_drop_why(&t, 1, buf, sizeof(buf));
	assert_string_equal(buf, "drop from server to cl?ient nth 3 count 2");
}

static void
put_file(const char *dir, const char *name, const char *text)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

/* What a renderer draws, into a string (free it). */
static char *
drawn(const struct timeline *tl, int (*draw)(const struct timeline *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(draw(tl, f), 0);
	fclose(f);
	return buf;
}

static int
text_plain(const struct timeline *tl, FILE *f)
{
	return render_text_tl(tl, f, 0);
}

/*
 * The fixture without the server's capture (so nothing the client sent is
 * seen arriving), and a drops file: the loss of the handshake's ACK, which
 * the client's capture saw leave, and a drop of an ACK no capture saw.
 */
static void
test_model(void **state)
{
	char dir[512], path[700], err[256];
	struct timeline *tl;
	const struct tl_conn *c;
	const struct tl_pkt *lost = NULL, *gone = NULL;
	char *s;

	(void)state;
	assert_int_equal(fixture_copy(dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/server.pcap", dir);
	assert_int_equal(unlink(path), 0);
	put_file(dir, "client.drops.jsonl",
	    "{\"t_ns\":1795573293234720000,\"by\":\"loss\",\"why\":\"loss 20% on the link from client to server\","
	    "\"proto\":6,\"src\":\"10.231.49.2\",\"sport\":667,\"dst\":\"10.231.49.3\",\"dport\":666,"
	    "\"flags\":16,\"seq\":917211895,\"ack\":3039934524,\"len\":0}\n"
	    "{\"t_ns\":1795573293234721000,\"by\":\"loss\",\"why\":\"loss 20% on the link from client to server\","
	    "\"src\":\"fe80::1\",\"dst\":\"ff02::16\",\"proto\":0}\n"
	    "{\"t_ns\":1795573293234850000,\"by\":\"drop\",\"why\":\"drop from client to server flags A after FIN nth 1\","
	    "\"proto\":6,\"src\":\"10.231.49.2\",\"sport\":667,\"dst\":\"10.231.49.3\",\"dport\":666,"
	    "\"flags\":16,\"seq\":917211896,\"ack\":3039934542,\"len\":0}\n");
	assert_int_equal(timeline_load(dir, &tl, err, sizeof(err)), 0);
	assert_int_equal(tl->ndropped, 2);
	assert_int_equal(tl->ndrop_why, 2);
	c = &tl->conns[0];
	for (size_t i = 0; i < c->npkts; i++) {
		if (c->pkts[i].dropped == TL_DROP_LINK)
			lost = &c->pkts[i];
		if (c->pkts[i].dropped == TL_DROP_OUT)
			gone = &c->pkts[i];
	}
	/* the loss marks the handshake's ACK the client's capture saw leave */
	assert_non_null(lost);
	assert_int_equal(lost->seq, 917211895u);
	assert_int_equal(lost->ack, 3039934524u);
	assert_true(lost->t_sent == 1795573293234712989LL);
	assert_true(lost->t_received == TL_UNKNOWN);
	assert_true(lost->t_dropped == 1795573293234720000LL);
	/* the drop is a packet of its own, in no capture, in its connection */
	assert_non_null(gone);
	assert_int_equal(gone->from, TL_CLIENT);
	assert_int_equal(gone->flags, TCPF_ACK);
	assert_true(gone->t_sent == TL_UNKNOWN && gone->t_received == TL_UNKNOWN);
	assert_int_equal(gone->rseq, 2);
	assert_int_equal(gone->rack, 19);
	s = drawn(tl, text_plain);
	assert_non_null(strstr(s, "sends ▶ A seq=2 ack=19  ✕ dropped by the lab (drop from "
	    "client to server flags A after FIN nth 1)"));
	assert_non_null(strstr(s, "sends ▶ A seq=1 ack=1  ✕ lost on the link (loss 20% on the "
	    "link from client to server)"));
	free(s);
	s = drawn(tl, render_svg);
	assert_non_null(strstr(s, "dropped by the lab (drop from client to server flags A after FIN nth 1)"));
	assert_non_null(strstr(s, "lost on the link (loss 20% on the link from client to server)"));
	free(s);
	s = drawn(tl, render_mermaid);
	assert_non_null(strstr(s, "--xK1: A seq=2 ack=19 ✕ dropped by the lab"));
	free(s);
	s = drawn(tl, render_puml);
	assert_non_null(strstr(s, ">x K1 : A seq=2 ack=19  ✕ dropped by the lab"));
	free(s);
	s = drawn(tl, timeline_write_json);
	assert_non_null(strstr(s, "\"dropped\":{\"t\":1795573293234850000,\"where\":\"sender\","
	    "\"why\":\"drop from client to server flags A after FIN nth 1\"}"));
	assert_non_null(strstr(s, "\"inconsistent\":0,\"dropped\":2,\n"));
	free(s);
	timeline_free(tl);
	fixture_remove(dir);
}

/* A line the model cannot take: FILE:LINE and why, no timeline. */
static void
test_model_errors(void **state)
{
	static const struct { const char *line, *msg; } bad[] = {
		{ "{\"t_ns\":1795573293234720000,\"by\":\"eaten\",\"src\":\"a\",\"dst\":\"b\"}", "by is neither" },
		{ "{\"by\":\"drop\",\"src\":\"a\",\"dst\":\"b\"}", "t_ns missing" },
		{ "{\"t_ns\":1795573293234720000,\"by\":\"drop\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
		  "\"sport\":70000,\"dport\":1,\"flags\":1,\"seq\":1,\"ack\":1,\"len\":0}", "sport or dport" },
		{ "{\"t_ns\":1795573293234720000,\"by\":\"drop\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
		  "\"sport\":7,\"dport\":1,\"flags\":256,\"seq\":1,\"ack\":1,\"len\":0}", "flags, seq" },
		{ "{\"t_ns\":1795573293234720000,\"by\":\"drop\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
		  "\"sport\":7,\"dport\":1,\"flags\":1,\"seq\":4294967296,\"ack\":1,\"len\":0}", "flags, seq" },
		{ "{\"t_ns\":1795573293234720000,\"by\":\"drop\",\"dst\":\"10.0.0.2\"}", "src or dst" },
		{ "not json", "client.drops.jsonl:2:" },
	};
	char dir[512], err[256], text[600];
	struct timeline *tl;

	(void)state;
	assert_int_equal(fixture_copy(dir, sizeof(dir)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* a good non-TCP line first: the error is on line 2 */
		snprintf(text, sizeof(text), "{\"t_ns\":1,\"by\":\"loss\",\"src\":\"a\",\"dst\":\"b\","
		    "\"proto\":58}\n%s\n", bad[i].line);
		put_file(dir, "client.drops.jsonl", text);
		assert_int_equal(timeline_load(dir, &tl, err, sizeof(err)), -1);
		if (strstr(err, bad[i].msg) == NULL || strstr(err, "client.drops.jsonl:2") == NULL)
			fail_msg("line %zu: %s", i, err);
	}
	fixture_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ipv4),
		cmocka_unit_test(test_parse_other),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_drop_why),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_model_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
