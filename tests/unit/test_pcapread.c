/*
 * test_pcapread.c - pcap_read_tcp() on files we write ourselves with
 * libpcap's pcap_dump: frames built byte by byte (Ethernet, 802.1Q,
 * Linux cooked, IPv4, IPv6 with an extension header), so that every field
 * read back has a known value. Also tcp_flags_str().
 *
 * Why build frames by hand: the parser must agree with the wire format, not
 * with another parser; the live test (test_capture_live) checks the other
 * way round, that tshark reads the files our captures write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "pcapread.h"

struct seg {
	int v6;
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint32_t len;		/* payload bytes */
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* IP + TCP (20 bytes, or 32 with options when opts) + payload at p. */
static size_t
build_ip(uint8_t *p, const struct seg *s, int opts)
{
	size_t tcplen = opts ? 32 : 20, o;

	if (!s->v6) {
		memset(p, 0, 20);
		p[0] = 0x45;
		put16(p + 2, (uint16_t)(20 + tcplen + s->len));
		put16(p + 6, 0x4000);	/* DF */
		p[8] = 64;
		p[9] = IPPROTO_TCP;
		assert_int_equal(inet_pton(AF_INET, s->src, p + 12), 1);
		assert_int_equal(inet_pton(AF_INET, s->dst, p + 16), 1);
		o = 20;
	} else {
		/* IPv6 with an 8-byte hop-by-hop header before TCP. */
		memset(p, 0, 48);
		p[0] = 0x60;
		put16(p + 4, (uint16_t)(8 + tcplen + s->len));
		p[6] = IPPROTO_HOPOPTS;
		p[7] = 64;
		assert_int_equal(inet_pton(AF_INET6, s->src, p + 8), 1);
		assert_int_equal(inet_pton(AF_INET6, s->dst, p + 24), 1);
		p[40] = IPPROTO_TCP;
		p[41] = 0;	/* (0 + 1) * 8 bytes */
		p[42] = 1;	/* PadN filling the rest */
		p[43] = 4;
		o = 48;
	}
	memset(p + o, 0, tcplen);
	put16(p + o, s->sport);
	put16(p + o + 2, s->dport);
	put32(p + o + 4, s->seq);
	put32(p + o + 8, s->ack);
	p[o + 12] = (uint8_t)((tcplen / 4) << 4);
	p[o + 13] = s->flags;
	put16(p + o + 14, s->win);
	if (opts)
		memset(p + o + 20, 1, 12);	/* NOPs */
	o += tcplen;
	memset(p + o, 'x', s->len);
	return o + s->len;
}

static size_t
build_eth(uint8_t *p, const struct seg *s, int vlan)
{
	size_t o = 12;

	memset(p, 0, 12);
	p[0] = 0x02;
	p[6] = 0x02;
	p[11] = 1;
	if (vlan) {
		put16(p + o, 0x8100);
		put16(p + o + 2, 42);
		o += 4;
	}
	put16(p + o, s->v6 ? 0x86dd : 0x0800);
	o += 2;
	return o + build_ip(p + o, s, 1);
}

static size_t
build_sll(uint8_t *p, const struct seg *s)
{
	memset(p, 0, 16);
	put16(p, 4);		/* sent by us */
	put16(p + 2, 1);	/* ARPHRD_ETHER */
	put16(p + 4, 6);
	put16(p + 14, s->v6 ? 0x86dd : 0x0800);
	return 16 + build_ip(p + 16, s, 0);
}

/* Linux cooked v2 (tcpdump -i any on newer versions): 20 bytes. */
static size_t
build_sll2(uint8_t *p, const struct seg *s)
{
	memset(p, 0, 20);
	put16(p, s->v6 ? 0x86dd : 0x0800);
	put16(p + 8, 1);	/* ARPHRD_ETHER */
	p[10] = 4;		/* sent by us */
	p[11] = 6;
	return 20 + build_ip(p + 20, s, 1);
}

/* BSD loopback: the address family in host order, then IP. */
static size_t
build_null(uint8_t *p, const struct seg *s)
{
	uint32_t af = s->v6 ? 30 : 2;

	memcpy(p, &af, 4);
	return 4 + build_ip(p + 4, s, 0);
}

/* Each test gets a temporary file as its state, removed even on failure. */
static int
make_temp(void **state)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/twtest-pcapread-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	*state = path;
	return 0;
}

static int
remove_temp(void **state)
{
	unlink((const char *)*state);
	return 0;
}

/* Writes frames[i] (caplen cap[i] of wire length len[i]) at t0 + i ms. */
static void
write_pcap(const char *path, int dlt, uint8_t frames[][200],
    const size_t *len, const size_t *cap, size_t n, uint64_t t0)
{
	pcap_t *dead;
	pcap_dumper_t *d;
	size_t i;

	dead = pcap_open_dead_with_tstamp_precision(dlt, 65535,
	    PCAP_TSTAMP_PRECISION_NANO);
	assert_non_null(dead);
	d = pcap_dump_open(dead, path);
	assert_non_null(d);
	for (i = 0; i < n; i++) {
		struct pcap_pkthdr h;
		uint64_t t = t0 + i * 1000000ULL;

		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(t / 1000000000ULL);
		h.ts.tv_usec = (suseconds_t)(t % 1000000000ULL);	/* ns */
		h.len = (bpf_u_int32)len[i];
		h.caplen = (bpf_u_int32)cap[i];
		pcap_dump((u_char *)d, &h, frames[i]);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

static const struct seg handshake[] = {
	{ 0, "10.77.3.2", "10.77.3.3", 667, 666, 1000, 0, TCPF_SYN, 64240, 0 },
	{ 0, "10.77.3.3", "10.77.3.2", 666, 667, 5000, 1001, TCPF_SYN | TCPF_ACK, 65160, 0 },
	{ 0, "10.77.3.2", "10.77.3.3", 667, 666, 1001, 5001, TCPF_ACK, 502, 0 },
	{ 0, "10.77.3.3", "10.77.3.2", 666, 667, 5001, 1001, TCPF_PSH | TCPF_ACK, 510, 17 },
	{ 0, "10.77.3.3", "10.77.3.2", 666, 667, 5018, 1001, TCPF_FIN | TCPF_ACK, 510, 0 },
	{ 0, "10.77.3.2", "10.77.3.3", 667, 666, 1001, 5019, TCPF_RST, 0, 0 },
	{ 1, "fd00::2", "fd00::3", 40000, 80, 7, 9, TCPF_FIN | TCPF_PSH | TCPF_ACK, 100, 5 },
};
#define NSEG (sizeof(handshake) / sizeof(handshake[0]))

static void
check_read(const char *path, uint64_t t0)
{
	char err[256] = "";
	struct tcp_pkt *p;
	size_t n, i;

	assert_int_equal(pcap_read_tcp(path, &p, &n, err, sizeof(err)), 0);
	assert_int_equal(n, NSEG);
	for (i = 0; i < NSEG; i++) {
		const struct seg *s = &handshake[i];

		assert_int_equal(p[i].t_ns, t0 + i * 1000000ULL);
		assert_int_equal(p[i].family, s->v6 ? AF_INET6 : AF_INET);
		assert_string_equal(p[i].src, s->src);
		assert_string_equal(p[i].dst, s->dst);
		assert_int_equal(p[i].sport, s->sport);
		assert_int_equal(p[i].dport, s->dport);
		assert_int_equal(p[i].seq, s->seq);
		assert_int_equal(p[i].ack, s->ack);
		assert_int_equal(p[i].flags, s->flags);
		assert_int_equal(p[i].win, s->win);
		assert_int_equal(p[i].len, s->len);
	}
	free(p);
}

static void
test_ethernet_v4_v6(void **state)
{
	uint8_t frames[NSEG + 1][200];
	size_t len[NSEG + 1], i;
	const char *path = *state;
	uint64_t t0 = 1795000000123456789ULL;

	/* Frame 3 carries an 802.1Q tag. */
	for (i = 0; i < NSEG; i++)
		len[i] = build_eth(frames[i], &handshake[i], i == 3);
	/* An ARP frame at the end: skipped, not an error. */
	memset(frames[NSEG], 0, 60);
	put16(frames[NSEG] + 12, 0x0806);
	len[NSEG] = 60;
	write_pcap(path, DLT_EN10MB, frames, len, len, NSEG + 1, t0);
	check_read(path, t0);
}

/* Snaplen 54: the payload size still comes from the IP header. */
static void
test_truncated_cooked(void **state)
{
	uint8_t frames[NSEG][200];
	size_t len[NSEG], cap[NSEG], i;
	const char *path = *state;
	uint64_t t0 = 1000000000ULL;

	for (i = 0; i < NSEG; i++) {
		len[i] = build_sll(frames[i], &handshake[i]);
		/* Cut right after the TCP header (IPv6 has 28 more bytes). */
		cap[i] = handshake[i].v6 ? 16 + 48 + 20 : 16 + 20 + 20;
		if (cap[i] > len[i])
			cap[i] = len[i];
	}
	write_pcap(path, DLT_LINUX_SLL, frames, len, cap, NSEG, t0);
	check_read(path, t0);
}

/* The other link types: cooked v2, raw IP, BSD loopback. */
static void
test_other_links(void **state)
{
	static const int dlts[] = { DLT_LINUX_SLL2, DLT_RAW, DLT_NULL };
	uint8_t frames[NSEG][200];
	size_t len[NSEG], i, k;
	const char *path = *state;
	uint64_t t0 = 1795000000000000000ULL;

	for (k = 0; k < sizeof(dlts) / sizeof(dlts[0]); k++) {
		for (i = 0; i < NSEG; i++) {
			if (dlts[k] == DLT_LINUX_SLL2)
				len[i] = build_sll2(frames[i], &handshake[i]);
			else if (dlts[k] == DLT_RAW)
				len[i] = build_ip(frames[i], &handshake[i], 0);
			else
				len[i] = build_null(frames[i], &handshake[i]);
		}
		write_pcap(path, dlts[k], frames, len, len, NSEG, t0);
		check_read(path, t0);
	}
}

static void
test_missing_file(void **state)
{
	char err[256] = "";
	struct tcp_pkt *p = (void *)1;
	size_t n = 7;

	assert_int_equal(pcap_read_tcp("/nonexistent/x.pcap", &p, &n, err,
	    sizeof(err)), -1);
	assert_null(p);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, "/nonexistent/x.pcap"));
	(void)state;
}

/* Only a regular file is read: a FIFO would block for ever, a link could
 * point anywhere (/dev/urandom never ends). Each is refused at once. */
static void
test_not_a_file(void **state)
{
	char dir[] = "/tmp/twtest-pcapread-XXXXXX", fifo[64], link[64], err[256];
	struct tcp_pkt *p = NULL;
	size_t n = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo.pcap", dir);
	snprintf(link, sizeof(link), "%s/link.pcap", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(symlink("/dev/urandom", link), 0);
	assert_int_equal(pcap_read_tcp(fifo, &p, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(pcap_read_tcp(link, &p, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(pcap_read_tcp("/dev/null", &p, &n, err, sizeof(err)), -1);
	assert_null(p);
	unlink(fifo);
	unlink(link);
	rmdir(dir);
	(void)state;
}

static void
test_flags_str(void **state)
{
	char b[8];

	assert_string_equal(tcp_flags_str(TCPF_SYN, b), "S");
	assert_string_equal(tcp_flags_str(TCPF_SYN | TCPF_ACK, b), "SA");
	assert_string_equal(tcp_flags_str(TCPF_ACK, b), "A");
	assert_string_equal(tcp_flags_str(TCPF_PSH | TCPF_ACK, b), "PA");
	assert_string_equal(tcp_flags_str(TCPF_FIN | TCPF_ACK, b), "FA");
	assert_string_equal(tcp_flags_str(TCPF_FIN | TCPF_PSH | TCPF_ACK, b), "FPA");
	assert_string_equal(tcp_flags_str(TCPF_RST, b), "R");
	assert_string_equal(tcp_flags_str(TCPF_RST | TCPF_ACK, b), "RA");
	assert_string_equal(tcp_flags_str(0, b), "-");
	assert_string_equal(tcp_flags_str(0xff, b), "FSRPAU");
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ethernet_v4_v6,
		    make_temp, remove_temp),
		cmocka_unit_test_setup_teardown(test_truncated_cooked,
		    make_temp, remove_temp),
		cmocka_unit_test_setup_teardown(test_other_links,
		    make_temp, remove_temp),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_not_a_file),
		cmocka_unit_test(test_flags_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
