/*
 * work.h - the work area of one load of the run model, shared by its
 * stages (load.c runs them in order, each reading what the one before
 * made): packets.c, conns.c, trace.c, states.c, snaps.c, events.c,
 * verify.c, with folder.c's lookups. Not for use outside src/model/.
 */
#ifndef TIMEWAIT_MODEL_WORK_H
#define TIMEWAIT_MODEL_WORK_H

#include <stddef.h>
#include <stdint.h>

#include "model/base.h"
#include "model/timeline.h"

struct wire {			/* one packet on the wire */
	int64_t ts, tr;
	char src[64], dst[64];
	uint8_t flags;
	uint8_t lab;			/* enum tl_lab: what the lab's link did to it */
	uint32_t seq, ack, len;
	int64_t td;		/* dropped by the lab then (drops.c), else TL_UNKNOWN */
	uint8_t dropped, why;	/* enum tl_drop; index into tl->drop_why */
};

struct trun {			/* one kernel socket's life, from the trace */
	char host[16];
	char local[64], remote[64];
	size_t tuple;
	int64_t t_first;
	int starts_syn_sent;
	int64_t t_rst;		/* first reset by a time-wait socket, TL_UNKNOWN */
	int64_t t_rst_full;	/* first reset by or to the full socket */
	struct tl_state *st;	/* newstate per change */
	size_t n, cap;
	int conn;		/* -1 until tied */
};

struct tuple {
	char a[64], b[64];	/* a < b */
	size_t *conns;		/* indices into tl->conns, by time */
	size_t nconns, cap;
};

struct sock_snap {		/* a TIME_WAIT socket of a snapshot */
	char host[16], local[64], remote[64];
	int64_t t;
	uint32_t expires_ms;
	size_t next;		/* next snapshot of the same socket, index + 1 */
};

struct work {
	struct timeline *tl;
	struct wire *wires;
	size_t nwires, wcap;
	struct tuple *tuples;
	size_t ntuples, tcap;
	struct strmap tmap;	/* "a|b" -> tuple */
	struct trun *runs;
	size_t nruns, rcap;
	struct strmap rmap;	/* "host|local|remote" -> latest run */
	struct strmap pend;	/* sk -> index of a SYN_SENT seen before its port */
	int64_t *pend_t;
	size_t npend, pcap_;
	struct sock_snap *snaps;
	size_t nsnaps, scap;
	struct strmap smap;	/* "host|local|remote" -> first snapshot + 1 */
	size_t conncap, evcap;
	char *err;
	size_t errlen;
};

/* folder.c: after a failed open of an optional file: 0 when it is missing
 * (the message cleared), -1 for anything else. */
int missing(struct work *w);
/* folder.c: the test folder's files ending with suffix, sorted by name
 * (free_list them). 0 or -1 with err. */
int list_files(struct work *w, const char *suffix, char ***out, size_t *n);
void free_list(char **v, size_t n);
int host_of_addr(const struct timeline *tl, const char *addr);
int host_by_name(const struct timeline *tl, const char *name);

/* packets.c: every pcap's segments paired into wires; the clock offset. */
int load_packets(struct work *w);
/* The wires the lab's links copied, reordered or lost (links.jsonl). */
int mark_links(struct work *w);
void estimate_offset(struct work *w);
/* drops.c: the segments the lab dropped (HOST.drops.jsonl) marked on
 * their wires, or added as wires no capture saw. 0 or -1 with err. */
int load_drops(struct work *w);

/* conns.c: the 4-tuples and connections. */
size_t tuple_get(struct work *w, const char *x, const char *y);	/* (size_t)-1 */
int tuple_find(const struct work *w, const char *x, const char *y, size_t *tix);
int new_conn(struct work *w, size_t tix, const char *client, const char *server,
    int64_t t);
int build_conns(struct work *w);
/* A packet's time on side's host: sent there, or arrived there. */
int64_t t_on(const struct tl_pkt *p, int side);

/* trace.c: the kernel trace into runs, tied to connections. */
int load_trace(struct work *w);
int attach_runs(struct work *w);

/* snaps.c: the socket snapshots; TIME_WAIT states they confirm. */
int load_snaps(struct work *w);
void confirm_with_snaps(struct work *w, struct tl_conn *c, int side);

/* states.c: the time-wait sockets put back, states from packets. */
int build_states(struct work *w);

/* events.c: the programs' event logs. */
int load_events(struct work *w);

/* proxylog.c: the proxies' own log lines, as events of their host tied
 * to the connections they name. */
int load_proxy_logs(struct work *w);

/* verify.c: order by time, relative sequence numbers, the checks. */
int finish_conns(struct timeline *tl);
int verify_conns(struct timeline *tl);

/* binds.c: the socket holding each bind's port when it was made. */
void hold_binds(struct timeline *tl);

/* packets.c: a hash of a packet's addresses and headers (not its time),
 * the same for its line in a capture, links.jsonl or a drops.jsonl. */
uint64_t wire_key(const char *src, const char *dst, uint32_t seq, uint32_t ack,
    uint8_t flags, uint32_t len);

#endif
