/*
 * droplog.h - every segment the lab drops, written down (lab/droplog.c).
 *
 * A `drop` line's segment never leaves its sender (nftables drops it in
 * the host's output hook, before any capture), and a link's random loss
 * drops a packet on the lab's bridge, after the sender's capture and
 * before the receiver's: neither is in the captures as a drop. Each is
 * written to the run folder as one line of HOST.drops.jsonl (HOST: the
 * sender), with its time on the captures' clock and its headers, for the
 * run model to draw (docs/formats.md).
 */
#ifndef TIMEWAIT_LAB_DROPLOG_H
#define TIMEWAIT_LAB_DROPLOG_H

#include <stddef.h>
#include <stdint.h>

#include "catalogue.h"
#include "lab/lab.h"

/* The NFLOG group of the `drop` rules (lab/impair.c): one per namespace,
 * so the same number in every host. Its prefix names the drop: "twdropK". */
#define DROPLOG_GROUP 7200
#define DROPLOG_PREFIX "twdrop"

/* An IPv4 or IPv6 packet's headers: its TCP header's when proto is 6. */
struct drop_hdr {
	char src[46], dst[46];
	uint8_t proto;		/* the IP protocol (IPv6: the first next header) */
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq, ack, len;	/* len: the payload's bytes (from the IP length) */
};

/* The headers of the IP packet pkt (len bytes, maybe cut after the TCP
 * header). 0: a TCP segment; 1: another IP packet (its addresses and
 * proto only: a link's loss drops neighbour discovery too); -1: neither. */
int droplog_parse(const void *pkt, size_t len, struct drop_hdr *h);
/* One line of HOST.drops.jsonl (with its newline) into buf; the length,
 * or -1 when it does not fit. by: "drop" or "loss"; why: the sentence. */
int droplog_format(char *buf, size_t buflen, int64_t t_ns, const char *by,
    const char *why, const struct drop_hdr *h);
/* The sentence of t's drop line k: "drop from client to server flags A
 * after FIN nth 1". */
void droplog_drop_why(const struct test_spec *t, int k, char *buf, size_t len);

/* Start writing t's drops into dir: an NFLOG socket in the namespace of
 * every host with a drop line, read by a thread of its own. Call before
 * the rules are made (impair_apply) and the delay engine starts. 0, or -1
 * with err (nothing left running). One at a time per process. */
int droplog_start(const struct test_spec *t, const struct lab *lab, const char *dir,
    char *err, size_t errlen);
/* The link delay engine's thread (lab/delay.c): it dropped the IP packet
 * pkt of link i, direction d (0: a to b), for the link's loss (full 0) or
 * because the rate's queue was full (full 1). Nothing when no droplog
 * runs. The one record of such a packet: links.jsonl has none. */
void droplog_lost(int link, int d, int full, const void *pkt, size_t len);
/* Read what is left, stop the thread, close the files. Safe to call twice
 * and without a start. How many segments each drop line logged goes into
 * logged[k] when logged is not NULL. */
void droplog_stop(long long logged[CAT_MAX_DROPS]);

#endif
