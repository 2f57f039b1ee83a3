/*
 * pcapread.h - read the TCP segments of a pcap file (Ethernet or Linux
 * cooked capture, IPv4 and IPv6) into an array, for the checks, the
 * timeline and the reports.
 */
#ifndef TIMEWAIT_PCAPREAD_H
#define TIMEWAIT_PCAPREAD_H

#include <stddef.h>
#include <stdint.h>

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

struct tcp_pkt {
	uint64_t t_ns;		/* capture time, ns since the epoch */
	int family;
	char src[46], dst[46];	/* addresses, no port */
	uint16_t sport, dport;
	uint8_t flags;		/* TCPF_* */
	uint32_t seq, ack;	/* raw, not relative */
	uint32_t len;		/* TCP payload bytes */
	uint32_t win;
};

int pcap_read_tcp(const char *path, struct tcp_pkt **out, size_t *n,
    char *err, size_t errlen);
/* Flags as people write them: "S", "SA", "A", "PA", "FA", "R", "RA". */
const char *tcp_flags_str(uint8_t flags, char buf[8]);

#endif
