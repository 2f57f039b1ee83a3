/*
 * capture.h - one packet capture per host interface, through libpcap, in
 * that host's network namespace, written as a pcap file with nanosecond
 * timestamps (readable by Wireshark and tshark).
 */
#ifndef TIMEWAIT_CAPTURE_H
#define TIMEWAIT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct capture;

struct capture_stats {
	uint64_t packets;	/* written to the file */
	uint64_t dropped;	/* pcap_stats ps_drop: lost in the kernel buffer */
	uint64_t if_dropped;	/* pcap_stats ps_ifdrop */
};

/* Starts capturing at once (returns when the capture is live). */
struct capture *capture_start(int nsfd, const char *ifname, const char *path,
    char *err, size_t errlen);
/* Drains what is pending, closes the file, frees c. 0 or -1. */
int capture_stop(struct capture *c, struct capture_stats *st);

#endif
