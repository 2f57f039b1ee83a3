/*
 * pcapread.c - the TCP segments of a pcap file, one struct tcp_pkt each, for
 * the checks, the timeline and the reports.
 *
 * Why our own small parser rather than a dissector: we need a handful of
 * header fields (addresses, ports, flags, sequence numbers, payload size)
 * from the link types our captures and a real machine's tcpdump produce:
 * Ethernet (with optional 802.1Q / 802.1ad tags), Linux cooked v1 and v2
 * (tcpdump -i any), raw IP and BSD loopback (a Mac's lo0). Everything else
 * is skipped, never an error.
 *
 * The payload size comes from the IP header's length, not from the
 * captured length, so a truncated capture (small snaplen) still reports
 * the right number of bytes. Files are opened with nanosecond precision,
 * so a microsecond pcap is scaled up and a nanosecond one kept as is.
 * Only a regular file of bounded size is read (model/input.h); an error
 * names the file and the record.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "model/input.h"
#include "pcapread.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_VLAN	0x8100
#define ETHERTYPE_QINQ	0x88a8

static uint16_t
get16(const u_char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const u_char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * Where the network header starts and which protocol it is (an
 * ethertype), for one link type; -1 when the frame carries no IP.
 */
static int
link_payload(int dlt, const u_char *p, size_t caplen, size_t *off,
    uint16_t *etype)
{
	size_t o;

	switch (dlt) {
	case DLT_EN10MB:
		if (caplen < 14)
			return -1;
		o = 12;
		*etype = get16(p + o);
		o += 2;
		while (*etype == ETHERTYPE_VLAN || *etype == ETHERTYPE_QINQ) {
			if (caplen < o + 4)
				return -1;
			*etype = get16(p + o + 2);
			o += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (caplen < 16)
			return -1;
		*etype = get16(p + 14);
		o = 16;
		break;
	case DLT_LINUX_SLL2:
		if (caplen < 20)
			return -1;
		*etype = get16(p);
		o = 20;
		break;
	case DLT_NULL:		/* BSD loopback: a 4-byte address family */
	case DLT_LOOP:
		if (caplen < 5)
			return -1;
		*etype = (p[4] >> 4) == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
		o = 4;
		break;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		if (caplen < 1)
			return -1;
		*etype = (p[0] >> 4) == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
		o = 0;
		break;
	default:
		return -1;
	}
	*off = o;
	return 0;
}

/*
 * Fills the addresses of t from the IP header at ip and finds the TCP
 * header: *tcp_off (from ip) and *ip_payload (the bytes after the IP
 * headers, by the IP length fields; 0 when they say nothing, as with TSO).
 * -1 when this is not a first-or-only fragment of a TCP segment.
 */
static int
parse_ip(uint16_t etype, const u_char *ip, size_t caplen, struct tcp_pkt *t,
    size_t *tcp_off, size_t *ip_payload)
{
	if (etype == ETHERTYPE_IPV4) {
		size_t ihl;
		uint16_t total;

		if (caplen < 20 || (ip[0] >> 4) != 4)
			return -1;
		ihl = (size_t)(ip[0] & 0x0f) * 4;
		total = get16(ip + 2);
		if (ihl < 20 || caplen < ihl || ip[9] != IPPROTO_TCP)
			return -1;
		if ((get16(ip + 6) & 0x1fff) != 0)
			return -1;	/* a later fragment: no TCP header */
		t->family = AF_INET;
		inet_ntop(AF_INET, ip + 12, t->src, sizeof(t->src));
		inet_ntop(AF_INET, ip + 16, t->dst, sizeof(t->dst));
		*tcp_off = ihl;
		*ip_payload = total > ihl ? total - ihl : 0;
		return 0;
	}
	if (etype == ETHERTYPE_IPV6) {
		size_t o = 40, ext = 0;
		uint8_t next;

		if (caplen < 40 || (ip[0] >> 4) != 6)
			return -1;
		next = ip[6];
		/* Walk the extension headers up to TCP. */
		for (;;) {
			size_t len;

			if (next == IPPROTO_TCP)
				break;
			if (caplen < o + 8)
				return -1;
			switch (next) {
			case IPPROTO_HOPOPTS:
			case IPPROTO_ROUTING:
			case IPPROTO_DSTOPTS:
				len = ((size_t)ip[o + 1] + 1) * 8;
				break;
			case IPPROTO_FRAGMENT:
				if ((get16(ip + o + 2) & 0xfff8) != 0)
					return -1;
				len = 8;
				break;
			case IPPROTO_AH:
				len = ((size_t)ip[o + 1] + 2) * 4;
				break;
			default:
				return -1;	/* not TCP (or ESP: opaque) */
			}
			next = ip[o];
			o += len;
			ext += len;
		}
		t->family = AF_INET6;
		inet_ntop(AF_INET6, ip + 8, t->src, sizeof(t->src));
		inet_ntop(AF_INET6, ip + 24, t->dst, sizeof(t->dst));
		*tcp_off = o;
		*ip_payload = get16(ip + 4) > ext ? get16(ip + 4) - ext : 0;
		return 0;
	}
	return -1;
}

/* One frame into t; -1 when it holds no TCP header we can read. */
static int
parse_frame(int dlt, const struct pcap_pkthdr *h, const u_char *p,
    struct tcp_pkt *t)
{
	size_t caplen = h->caplen, off, tcp_off, ip_payload, doff;
	uint16_t etype;
	const u_char *tcp;

	if (link_payload(dlt, p, caplen, &off, &etype) != 0)
		return -1;
	memset(t, 0, sizeof(*t));
	if (parse_ip(etype, p + off, caplen - off, t, &tcp_off,
	    &ip_payload) != 0)
		return -1;
	if (caplen - off < tcp_off + 20)
		return -1;
	tcp = p + off + tcp_off;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < 20)
		return -1;
	if (ip_payload == 0) {
		/* No length in the IP header (a TSO or jumbo segment as
		 * seen by the sender): the frame's own length tells. */
		size_t wire = h->len;

		ip_payload = wire > off + tcp_off ? wire - off - tcp_off : 0;
	}
	t->t_ns = (uint64_t)h->ts.tv_sec * 1000000000ULL +
	    (uint64_t)h->ts.tv_usec;	/* nanoseconds: see the open */
	t->sport = get16(tcp);
	t->dport = get16(tcp + 2);
	t->seq = get32(tcp + 4);
	t->ack = get32(tcp + 8);
	t->flags = tcp[13];
	t->win = get16(tcp + 14);
	t->len = ip_payload > doff ? (uint32_t)(ip_payload - doff) : 0;
	return 0;
}

int
pcap_read_tcp(const char *path, struct tcp_pkt **out, size_t *n,
    char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct tcp_pkt *v = NULL;
	size_t cnt = 0, cap = 0, rec = 0;
	struct pcap_pkthdr *h;
	const u_char *p;
	pcap_t *pc;
	FILE *f;
	int dlt, rc, fd;

	*out = NULL;
	*n = 0;
	/* A regular file only: a FIFO or a device would hang or never end. */
	if ((fd = in_open(path, IN_MAX_FILE, err, errlen)) == -1)
		return -1;
	if (!(f = fdopen(fd, "rb"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	pc = pcap_fopen_offline_with_tstamp_precision(f,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (pc == NULL) {
		snprintf(err, errlen, "%s: %s", path, ebuf);
		fclose(f);
		return -1;
	}
	dlt = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &h, &p)) == 1) {
		struct tcp_pkt t;

		rec++;
		if (parse_frame(dlt, h, p, &t) != 0)
			continue;
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct tcp_pkt *nv = realloc(v, ncap * sizeof(*nv));

			if (nv == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				free(v);
				pcap_close(pc);
				return -1;
			}
			v = nv;
			cap = ncap;
		}
		v[cnt++] = t;
	}
	if (rc == PCAP_ERROR) {
		/* A file cut short (the capture was killed) still gives
		 * what it had; only a file we could not read at all fails. */
		if (cnt == 0) {
			snprintf(err, errlen, "%s: record %zu: %s", path, rec + 1,
			    pcap_geterr(pc));
			pcap_close(pc);
			free(v);
			return -1;
		}
	}
	pcap_close(pc);	/* closes f */
	*out = v;
	*n = cnt;
	return 0;
}

const char *
tcp_flags_str(uint8_t flags, char buf[8])
{
	static const struct {
		uint8_t bit;
		char letter;
	} order[] = {
		{ TCPF_FIN, 'F' }, { TCPF_SYN, 'S' }, { TCPF_RST, 'R' },
		{ TCPF_PSH, 'P' }, { TCPF_ACK, 'A' }, { TCPF_URG, 'U' },
	};
	size_t i, k = 0;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (flags & order[i].bit)
			buf[k++] = order[i].letter;
	if (k == 0)
		buf[k++] = '-';
	buf[k] = '\0';
	return buf;
}
