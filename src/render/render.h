/*
 * render.h - drawings and reports made from a timeline (timeline.h): the
 * sequence diagram as SVG, PlantUML and Mermaid, a text timeline for the
 * terminal, and one HTML page for a whole run. Every renderer walks the
 * same ordered list of rows (rd_rows), so the drawings agree.
 */
#ifndef TIMEWAIT_RENDER_H
#define TIMEWAIT_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/timeline.h"

/* Connections drawn in one diagram; the rest are counted, not drawn. */
#define RD_MAX_CONNS 24

enum rd_kind {
	RD_CONN,	/* a connection begins: its header */
	RD_STATE,	/* a kernel state change: idx into states[side] */
	RD_SEND,	/* a packet leaves: idx into pkts */
	RD_RECV,	/* a packet arrives: idx into pkts */
	RD_EVENT,	/* a program event: idx into timeline.events */
	RD_GAP,		/* a long quiet time before the next row */
	RD_RETURN,	/* a call that blocked returns: idx into timeline.events */
};

/* A call that took longer than this while a packet of its peer came in
 * (it waited for the network: a non-blocking connect() for the SYN-ACK,
 * its result logged when epoll says so) is drawn twice: where it began and
 * where it returned. Other calls never wait in these programs (epoll,
 * non-blocking sockets): only a long one (a process not scheduled for a
 * millisecond) is drawn twice, not the few µs a busy machine adds. */
#define RD_BLOCKED_NS 50000LL
#define RD_BLOCKED_OTHER_NS 1000000LL

struct rd_row {
	int64_t t;
	uint8_t kind;	/* enum rd_kind */
	uint8_t side;	/* enum tl_side */
	int conn;	/* -1 for events tied to no connection */
	size_t idx;
	int64_t gap;	/* RD_GAP: how long */
	uint8_t predicted;	/* RD_STATE: a TIME_WAIT's end after the run had ended */
	uint8_t moved;		/* RD_STATE: SYN_RECV put at its SYN's arrival */
	uint8_t blocked;	/* RD_EVENT: a call with an RD_RETURN row later */
};

/* The rows of the first max_conns connections (and the events tied to no
 * connection), in time order, with RD_GAP rows where nothing happens for a
 * long while. *rows is malloc'd. 0 or -1. */
int rd_rows(const struct timeline *tl, size_t max_conns, struct rd_row **rows,
    size_t *n);

/* Helpers the renderers share. */
const char *rd_state_color(const char *state);	/* "#b7e4b0" */
void rd_reltime(int64_t t, int64_t t0, char *buf, size_t len);	/* "+1.234 ms" */
void rd_pkt_label(const struct tl_pkt *p, char *buf, size_t len);	/* "PA seq=1 ack=1 len=17" */
/* A packet the lab dropped: "dropped by the lab (drop from client to
 * server flags A after FIN nth 1)" or "lost on the link (loss 20% ...)",
 * and 1; "" and 0 for any other. */
int rd_pkt_dropped(const struct timeline *tl, const struct tl_pkt *p, char *buf, size_t len);
/* A packet that took RD_SLOW_NS or more from its sender's capture to its
 * receiver's (a link's delay): "10.050 ms on the wire" and 1; else 0. */
#define RD_SLOW_NS 1000000LL
int rd_pkt_transit(const struct tl_pkt *p, char *buf, size_t len);
void rd_event_label(const struct tl_event *e, char *buf, size_t len);	/* "connect() = 0" */
int rd_event_upward(const struct tl_event *e);	/* the kernel tells the program (epoll) */
int rd_event_is_call(const struct tl_event *e);	/* a system call, not a note (start, timer) */
/* When the row of an event goes: the call's start if it was logged. */
int64_t rd_event_start(const struct tl_event *e);
/* How long the call blocked, 0 if it returned at once or no packet of
 * the peer came meanwhile (RD_BLOCKED_NS). */
int64_t rd_event_blocked(const struct timeline *tl, const struct tl_event *e);
/* "1.803 ms", "60.000 s": a length of time */
void rd_duration(int64_t d, char *buf, size_t len);
/* The label of a call that blocked, at its start: "connect() …" */
void rd_call_label(const struct tl_event *e, char *buf, size_t len);
/* ... and at its return: "connect() = 0 after 95.2 µs" */
void rd_return_label(const struct tl_event *e, char *buf, size_t len);
void rd_conn_label(const struct timeline *tl, int conn, char *buf, size_t len);
int rd_side_of_event(const struct timeline *tl, const struct tl_event *e);

/* One pair of lifelines (program, kernel) per host: the client hosts
 * first, then the server hosts, in the order they first appear. */
#define RD_MAX_LANES 8
struct rd_lanes {
	int n;
	char host[RD_MAX_LANES][16];
	char addr[RD_MAX_LANES][64];	/* the host's first connection end */
	uint8_t side[RD_MAX_LANES];	/* enum tl_side */
};
void rd_lanes(const struct timeline *tl, size_t max_conns, struct rd_lanes *l);
/* The lane a host's row is drawn in (side: the first lane of that side
 * when the host is not known). */
int rd_lane(const struct rd_lanes *l, const char *host, int side);
/* The lane of a row: its event's host, or its connection's host on that
 * side (for RD_SEND the sender, for RD_RECV the receiver). */
int rd_row_lane(const struct timeline *tl, const struct rd_lanes *l,
    const struct rd_row *r);
/* The lane of side of connection conn. */
int rd_conn_lane(const struct timeline *tl, const struct rd_lanes *l,
    int conn, int side);

/*
 * A row of a text sequence diagram (Mermaid, PlantUML), what both say of
 * it before each writes it its own way: pk and kk, the participants of its
 * lane's program and kernel (P<lane>, K<lane>); t, its time since the
 * start. By kind: RD_CONN, RD_GAP: label (the connection, the quiet time);
 * RD_SEND: to, the receiving kernel, label, and why when the lab dropped
 * the packet (dropped 1), else slow (its time on the wire, or ""); RD_RETURN:
 * label; RD_EVENT: label and dir. clean makes a text the diagram's own
 * (it is applied to every label but RD_CONN's and RD_GAP's, and to why).
 */
enum rd_dir {
	RD_NOTE,	/* a note over the program (start, timer) */
	RD_UP,		/* the kernel tells the program (epoll) */
	RD_DOWN		/* the program calls the kernel */
};
struct rd_text_row {
	char pk[8], kk[8], to[8], t[32], label[200], why[160], slow[48];
	int dropped;
	enum rd_dir dir;
};
void rd_text_row(const struct timeline *tl, const struct rd_lanes *l,
    const struct rd_row *r, void (*clean)(char *), struct rd_text_row *out);

/* Text for XML and HTML: & < > " escaped. */
void rd_xml_escape(FILE *f, const char *s);
/* A folder to draw as one test: it holds a test's files (pcaps, event
 * logs, a trace or a result), or it is readable and neither a test's nor a
 * run's folder (then loading it says what is missing). */
int rd_is_test_dir(const char *dir);
/* A folder with a test's folder in it. */
int rd_is_run_dir(const char *dir);

int render_svg(const struct timeline *tl, FILE *f);
int render_puml(const struct timeline *tl, FILE *f);
int render_mermaid(const struct timeline *tl, FILE *f);
int render_text_tl(const struct timeline *tl, FILE *f, int color);
/* The same for the first max_conns connections only. */
int render_text_tl_n(const struct timeline *tl, FILE *f, int color,
    size_t max_conns);

/* Limits of the viewers: librsvg and browsers draw no SVG taller than
 * 32,767 px; Mermaid refuses text over 50 KB (maxTextSize 50,000). */
#define RD_SVG_MAX_H 32767
#define RD_MMD_MAX 50000
/* sequence.svg, .mmd, .puml of a test's folder (pick.c): of a --repeat race
 * run (runs.jsonl) one run per outcome, or the run set below; split into
 * sequence-2.* ... while a file is over a limit. 0, or -1 with err. */
int render_drawings(const char *dir, const struct timeline *tl, char *err,
    size_t errlen);
/* The same SVGs into an HTML page, each in a <div class="svg">. */
int render_svg_inline(const char *dir, const struct timeline *tl, FILE *html);
/* The text timeline the same way; for a race, first its outcomes' counts
 * and shares; else the first max_conns connections. */
int render_text_picked(const char *dir, const struct timeline *tl, FILE *out,
    int color, size_t max_conns);
/* `lab run --draw RUN`: draw this run of a --repeat series (0: one run per
 * outcome seen). */
void render_set_draw_run(int run);

/* From a test's folder: timeline.json, sequence.svg, sequence.puml,
 * sequence.mmd (files.c). render_test: say (NULL: nothing) gets a line
 * of what was written and the clock offset estimated; render_all says it
 * on stderr (`timewait report`). 0, or -1 with err (nothing written). */
int render_test(const char *testdir, int remote, FILE *say, char *err,
    size_t errlen);
int render_all(const char *testdir, int remote, char *err, size_t errlen);
/* The model of a test's folder: from two machines (clock offset estimated)
 * when remote or when there is no lab.json. 0, or -1 with err. */
int render_load(const char *testdir, int remote, struct timeline **tl,
    char *err, size_t errlen);
/* What render_files wrote for tl in dir, and the clock offset, to say. */
void render_say(FILE *say, const char *dir, const struct timeline *tl);
/* The text timeline of a test's folder; color: ANSI colours. 0 or -1. */
int render_text(const char *testdir, FILE *out, int color);
/* report.html for a run folder (every test folder in it): verdicts, and for
 * each test its diagram, checks, timeline and pcap links. out_path NULL:
 * rundir/report.html. 0, or -1 with err. */
int report_html(const char *rundir, const char *out_path, char *err,
    size_t errlen);
/* The same, also writing each test's files as render_all does. */
int report_html_ex(const char *rundir, const char *out_path, int write_files,
    char *err, size_t errlen);
/* timeline.json and the three drawings of a loaded timeline into dir. */
int render_files(const char *dir, const struct timeline *tl, char *err,
    size_t errlen);

#endif
