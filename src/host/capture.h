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

/*
 * Starts capturing ifname of the network namespace nsfd (-1: the caller's)
 * into a new pcap file at path (nanosecond magic 0xa1b23c4d, whole packets
 * up to 262144 bytes, an 8 MiB TPACKET_V3 ring: packets reach the file up to
 * 10 ms after they were seen). Returns once the capture is
 * live: no packet sent after it returns is missed. NULL with a message in
 * err ("no such interface in that namespace", "not permitted ...").
 * Each capture is a thread of its own that takes no signals; many may run
 * at once. The caller's thread never changes namespace.
 */
struct capture *capture_start(int nsfd, const char *ifname, const char *path,
    char *err, size_t errlen);
/*
 * Writes what is still pending in the kernel (waiting the ~20 ms it takes
 * the kernel to hand over its last block), fills st (may be NULL),
 * closes the file, frees c. 0, or -1 (a read or write error, told on
 * stderr; the file holds what was captured before it). An interface that
 * disappeared before the stop is no error: the file holds what it saw.
 */
int capture_stop(struct capture *c, struct capture_stats *st);
/*
 * capture_stop for n captures at once: the ~20 ms waits for the kernel's
 * last blocks overlap instead of adding up. c[i] may be NULL (st[i] is then
 * zeroed); every c[i] is freed and set to NULL. st may be NULL, else it has
 * n entries. 0, or -1 if any stop failed.
 */
int capture_stop_all(struct capture **c, size_t n, struct capture_stats *st);

#endif
