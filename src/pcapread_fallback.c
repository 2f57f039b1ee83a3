/*
 * pcapread_fallback.c - a stand-in for pcapread.c (branch `capture`) so that
 * the timeline builds and is tested before that part lands: the same
 * contract (pcapread.h), defined weak, so the real implementation wins as
 * soon as it is linked. Delete this file once pcapread.c is on main.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "pcapread.h"

#define WEAK __attribute__((weak))

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Offset of the network header and its ethertype, by link type. */
static int
link_header(int dlt, const uint8_t *d, size_t caplen, uint16_t *etype)
{
	switch (dlt) {
	case DLT_EN10MB:
		if (caplen < 14)
			return -1;
		*etype = be16(d + 12);
		if (*etype == 0x8100 && caplen >= 18) {
			*etype = be16(d + 16);
			return 18;
		}
		return 14;
	case DLT_LINUX_SLL:
		if (caplen < 16)
			return -1;
		*etype = be16(d + 14);
		return 16;
	case DLT_LINUX_SLL2:
		if (caplen < 20)
			return -1;
		*etype = be16(d);
		return 20;
	case DLT_RAW:
		if (caplen < 1)
			return -1;
		*etype = (d[0] >> 4) == 6 ? 0x86dd : 0x0800;
		return 0;
	default:
		return -1;
	}
}

static int
parse_one(int dlt, const struct pcap_pkthdr *h, const uint8_t *d,
    struct tcp_pkt *p)
{
	uint16_t etype = 0;
	int off = link_header(dlt, d, h->caplen, &etype);
	const uint8_t *ip, *tcp;
	size_t left;
	uint32_t iplen, hl, thl;

	if (off < 0)
		return -1;
	ip = d + off;
	left = h->caplen - off;
	memset(p, 0, sizeof(*p));
	if (etype == 0x0800) {
		if (left < 20 || ip[9] != IPPROTO_TCP)
			return -1;
		hl = (ip[0] & 15) * 4;
		iplen = be16(ip + 2);
		p->family = AF_INET;
		inet_ntop(AF_INET, ip + 12, p->src, sizeof(p->src));
		inet_ntop(AF_INET, ip + 16, p->dst, sizeof(p->dst));
	} else if (etype == 0x86dd) {
		if (left < 40 || ip[6] != IPPROTO_TCP)
			return -1;
		hl = 40;
		iplen = 40 + be16(ip + 4);
		p->family = AF_INET6;
		inet_ntop(AF_INET6, ip + 8, p->src, sizeof(p->src));
		inet_ntop(AF_INET6, ip + 24, p->dst, sizeof(p->dst));
	} else {
		return -1;
	}
	if (left < hl + 20)
		return -1;
	tcp = ip + hl;
	thl = (tcp[12] >> 4) * 4;
	p->sport = be16(tcp);
	p->dport = be16(tcp + 2);
	p->seq = be32(tcp + 4);
	p->ack = be32(tcp + 8);
	p->flags = tcp[13] & 0x1f;
	p->win = be16(tcp + 14);
	p->len = iplen > hl + thl ? iplen - hl - thl : 0;
	return 0;
}

WEAK int
pcap_read_tcp(const char *path, struct tcp_pkt **out, size_t *n, char *err,
    size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc;
	struct pcap_pkthdr *h;
	const u_char *d;
	struct tcp_pkt *v = NULL;
	size_t cnt = 0, cap = 0;
	int dlt, prec, rc;

	pc = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!pc) {
		snprintf(err, errlen, "%s: %s", path, ebuf);
		return -1;
	}
	dlt = pcap_datalink(pc);
	prec = pcap_get_tstamp_precision(pc);
	while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
		struct tcp_pkt p;

		if (parse_one(dlt, h, d, &p))
			continue;
		p.t_ns = (uint64_t)h->ts.tv_sec * 1000000000ULL +
		    (uint64_t)h->ts.tv_usec *
		    (prec == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000);
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct tcp_pkt *nv = realloc(v, nc * sizeof(*nv));

			if (!nv) {
				free(v);
				pcap_close(pc);
				snprintf(err, errlen, "%s: out of memory", path);
				return -1;
			}
			v = nv;
			cap = nc;
		}
		v[cnt++] = p;
	}
	pcap_close(pc);
	*out = v;
	*n = cnt;
	return 0;
}

WEAK const char *
tcp_flags_str(uint8_t flags, char buf[8])
{
	int i = 0;

	if (flags & TCPF_SYN)
		buf[i++] = 'S';
	if (flags & TCPF_FIN)
		buf[i++] = 'F';
	if (flags & TCPF_RST)
		buf[i++] = 'R';
	if (flags & TCPF_PSH)
		buf[i++] = 'P';
	if (flags & TCPF_ACK)
		buf[i++] = 'A';
	buf[i] = 0;
	return buf;
}
