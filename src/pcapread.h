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
#define TCPF_URG 0x20
#define TCPF_ECE 0x40
#define TCPF_CWR 0x80

struct tcp_pkt {
	uint64_t t_ns;		/* capture time, ns since the epoch */
	int family;
	char src[46], dst[46];	/* addresses, no port */
	uint16_t sport, dport;
	uint8_t flags;		/* TCPF_*: the header's flag byte as is */
	uint32_t seq, ack;	/* raw, not relative */
	uint32_t len;		/* TCP payload bytes, from the IP length (not caplen) */
	uint32_t win;
};

/*
 * Every TCP segment of the file at path, in file order. Link types:
 * Ethernet (802.1Q/802.1ad tags skipped), Linux cooked v1 and v2, raw IP,
 * BSD loopback;
 * IPv4 (later fragments skipped) and IPv6 (extension headers walked).
 * Other frames are skipped silently. A file cut short gives what it had.
 * *out is malloc'd (free it; may be NULL when n is 0). 0, or -1 with a
 * message in err.
 */
int pcap_read_tcp(const char *path, struct tcp_pkt **out, size_t *n,
    char *err, size_t errlen);
/*
 * Flags as people write them: the letters of F, S, R, P, then A, then U,
 * in that order: "S", "SA", "A", "PA", "FA", "FPA", "R", "RA". ECE and
 * CWR are not written. "-" when no flag is set. Returns buf.
 */
const char *tcp_flags_str(uint8_t flags, char buf[8]);

#endif
