/*
 * timeline.h - the run model: one timeline per TCP connection of a test,
 * merged from the files of its run folder, read once (src/model/): the
 * programs' event logs, the pcaps of every host (each packet with its send time on one host and its arrival time on
 * the other), the kernel trace and socket snapshots. The renderers draw
 * from it; timeline_build writes it as timeline.json (docs/formats.md).
 *
 * A connection is keyed by its 4-tuple and by which connection of that
 * 4-tuple it is (gen, from 0): test 000 uses one 4-tuple twice.
 */
#ifndef TIMEWAIT_TIMELINE_H
#define TIMEWAIT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpstate.h"

#define TL_UNKNOWN INT64_MIN	/* a time not known (packet not captured there) */
#define TIME_WAIT_NS (60LL * 1000000000LL)

enum tl_side { TL_CLIENT = 0, TL_SERVER = 1 };

struct tl_state {
	int64_t t;		/* ns since the epoch */
	uint8_t state;		/* enum tcp_st: TS_SYN_SENT ... TS_TIME_WAIT, TS_CLOSE */
	uint8_t inferred;	/* 0: from the kernel trace; 1: rebuilt; 2: from packets only */
	uint8_t confirmed;	/* TIME_WAIT seen by a socket snapshot */
};

/* What a lab link did to a packet (links.jsonl, lab/delay.c). */
enum tl_lab {
	TL_LAB_NONE = 0,
	TL_LAB_COPY,		/* a copy the link sent right behind the original */
	TL_LAB_REORDERED,	/* set aside, it went behind a later packet */
	TL_LAB_HELD,		/* set aside to be reordered, nothing came: 100 ms late */
};

struct tl_pkt {
	int64_t t_sent, t_received;	/* TL_UNKNOWN when not captured there */
	uint8_t from;			/* enum tl_side */
	uint8_t lab;			/* enum tl_lab */
	uint8_t flags;			/* TCPF_* */
	uint32_t seq, ack, len;		/* raw */
	uint32_t rseq, rack;		/* relative to each side's first sequence number */
	uint8_t dropped;		/* enum tl_drop: the lab dropped it (HOST.drops.jsonl) */
	uint8_t why;			/* its sentence: timeline.drop_why[why] */
	int64_t t_dropped;		/* when, TL_UNKNOWN when not dropped */
};

/* A segment the lab dropped: by a `drop` line in its sender's output, so
 * no capture has it (t_sent and t_received unknown), or by a link's loss
 * on the lab's bridge, after the sender's capture (t_sent known). */
enum tl_drop { TL_DROP_NONE = 0, TL_DROP_OUT = 1, TL_DROP_LINK = 2 };
#define TL_DROP_WHY_MAX 16

struct tl_event {
	int64_t t;		/* when the step was logged: a call's return */
	int64_t t_call;		/* when the call began ("t0_ns"), 0: not known */
	uint8_t side;		/* enum tl_side; 2: not tied to a side */
	char host[16];
	char prog[24];		/* from the file name: "client", "client2" */
	char step[16];		/* connect, accept, epoll, read, write, close... */
	int ret;
	char errname[20];	/* on failure */
	char detail[160];	/* events, how, data, the note: words to draw */
	int conn;		/* index of its connection, -1 if none */
	int req;		/* the client's request or the server's connection
				 * number (from 1), 0 when it has none */
	int err;		/* errno on failure, else 0 */
	uint16_t lport;		/* the port of its "local", 0 when none */
	/* A bind: the socket of its host that held the same local port when
	 * the call began (model/binds.c). */
	uint8_t held;		/* its state (enum tcp_st), 0: no socket held it */
	uint8_t held_seen;	/* that state is the kernel trace's, or a TIME_WAIT a
				 * socket snapshot saw; 0: only rebuilt */
	int held_conn;		/* its connection (when held) */
	/* A line of a proxy's own log (proxylog.c; step "nginx", "haproxy",
	 * "apache"; 0 and "" for a program's events): */
	int64_t t_logged;	/* the time the line says, on the wall clock */
	int64_t t_prec;		/* its clock's step: true time in [t_logged, +t_prec) */
	int upconn;		/* the backend connection it names: index + 1, 0: none */
	char upmatch[24];	/* how that one was found: "4-tuple", "time", "time, 1 of 3" */
};

struct tl_check {
	char name[48];
	int ok;
	char detail[120];
};

struct tl_conn {
	char client[64], server[64];	/* "ip:port" */
	char host[2][16];		/* lab host names of client and server */
	int gen;			/* which connection of this 4-tuple */
	int64_t t_start, t_end;
	struct tl_state *states[2];
	size_t nstates[2];
	struct tl_pkt *pkts;
	size_t npkts;
	size_t *ev;			/* indices into timeline.events */
	size_t nev;
	struct tl_check *checks;
	size_t nchecks;
	int consistent;
	uint32_t isn[2];
	uint8_t have_isn[2];
};

struct tl_host {
	char name[16];
	char addr[46], addr6[46];
	int rfc1337;		/* its net.ipv4.tcp_rfc1337 (lab.json), -1: not recorded */
};

struct timeline {
	char testdir[4096];
	char test[64];			/* folder name: "000" */
	struct tl_host hosts[8];
	int nhosts;
	/* before conns: a picked part of a timeline (render/pick.c) keeps them */
	char drop_why[TL_DROP_WHY_MAX][96];	/* the drop lines and losses, as said */
	int ndrop_why;
	size_t ndropped;		/* packets the lab dropped */
	struct tl_conn *conns;
	size_t nconns;
	struct tl_event *events;	/* every program event, by time */
	size_t nevents;
	int64_t t0;			/* earliest time seen */
	int64_t judge_until;		/* the checks see packets up to here, 0: all (the
					 * captures go on while the programs quit) */
	int64_t clock_offset_ns;	/* taken off every time of clock_host (two machines) */
	char clock_host[16];
	int clock_estimated;
	int have_trace, have_pcap;
	long long trace_events, trace_lost;	/* trace.stats.json; -1 if none */
	size_t problems;		/* inconsistent connections */
};

/* Read the files of testdir into a timeline. 0, or -1 with err. */
int timeline_load(const char *testdir, struct timeline **out, char *err,
    size_t errlen);
/* As timeline_load, but files from two real machines: estimate the clock
 * offset between the hosts from the handshakes and correct it. */
int timeline_load_remote(const char *testdir, struct timeline **out,
    char *err, size_t errlen);
void timeline_free(struct timeline *tl);
int timeline_write_json(const struct timeline *tl, FILE *f);
/* timeline_load + write testdir/timeline.json. 0 or -1 with err. */
int timeline_build(const char *testdir, char *err, size_t errlen);

/* The state of side at time t in c (the last one at or before t),
 * TS_UNKNOWN before the first. */
enum tcp_st tl_state_at(const struct tl_conn *c, int side, int64_t t);
/* A state as timeline.json and the drawings write it: "CLOSED" for TS_CLOSE. */
const char *tl_state_name(int state);
/* What the lab did to a packet, as timeline.json and the drawings say it:
 * "copy", "reordered", "lost", "held". */
const char *tl_lab_word(int lab);

#endif
