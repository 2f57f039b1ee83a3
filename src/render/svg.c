/*
 * svg.c - the sequence diagram as SVG, drawn like a textbook's: two
 * lifelines per host (its program and its kernel; the client hosts left,
 * the servers right: client program, client kernel, server kernel, server
 * program for the usual two hosts),
 * calls and epoll events as arrows between a program and its kernel,
 * packets as slanted arrows from the sender's kernel at its send time to
 * the receiver's at its arrival time, each kernel's state as a coloured
 * band with its name, TIME_WAIT with its 60 s timer, times in the margin.
 *
 * Time runs down but not to scale: every row (rows.c) gets the same height
 * so that a handshake of 50 µs and a close 10 s later both read well; long
 * quiet times are drawn as a break with their length written in it. A call
 * sits where it began (its logged start), so a close() comes before the FIN
 * it sends; a call that blocked is drawn again where it returned.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapread.h"
#include "render/render.h"

#define X_TIME 92		/* right edge of the time margin */
#define ROW_H 24
#define GAP_H 46
#define HEAD_Y 64
#define TOP 150
#define BAND_W 16

/* The drawing being made: its lanes and their x (one drawing at a time). */
static struct rd_lanes L;
static int lane_kx[RD_MAX_LANES], lane_px[RD_MAX_LANES];
static int W = 1060;

/* Client hosts: program then kernel from the left; then, 300 px on, each
 * server host: kernel then program. Two hosts: 200, 430 | 730, 950. */
static void
place_lanes(const struct timeline *tl)
{
	int x = 200, first_server = 1;

	rd_lanes(tl, RD_MAX_CONNS, &L);
	for (int i = 0; i < L.n; i++) {
		if (L.side[i] == TL_CLIENT) {
			lane_px[i] = x;
			lane_kx[i] = x + 230;
			x += 460;
		} else {
			if (first_server)
				x += L.side[0] == TL_CLIENT ? 70 : 0;
			first_server = 0;
			lane_kx[i] = x;
			lane_px[i] = x + 220;
			x += 440;
		}
	}
	W = x - 440 + 220 + 110;
	if (L.n && L.side[L.n - 1] == TL_CLIENT)
		W = x - 460 + 230 + 110;
	if (W < 1060)
		W = 1060;
}

static int
outer(int lane)	/* -1: this lane's outside is to the left */
{
	return L.side[lane] == TL_CLIENT ? -1 : 1;
}

static int
conn_kx(const struct timeline *tl, int conn, int side)
{
	return lane_kx[rd_conn_lane(tl, &L, conn, side)];
}


static void
text(FILE *f, double x, double y, const char *cls, const char *anchor,
    const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\" text-anchor=\"%s\">",
	    x, y, cls, anchor);
	rd_xml_escape(f, s);
	fputs("</text>\n", f);
}

/* Packet colour and marker by its flags: RST red, SYN blue, FIN orange,
 * data black, a bare ACK grey. */
static const char *
pkt_class(uint8_t flags)
{
	if (flags & TCPF_RST)
		return "rst";
	if (flags & TCPF_SYN)
		return "syn";
	if (flags & TCPF_FIN)
		return "fin";
	return "ack";
}

static const char *
pkt_class_len(const struct tl_pkt *p)
{
	if (!(p->flags & (TCPF_RST | TCPF_SYN | TCPF_FIN)) && p->len)
		return "dat";
	return pkt_class(p->flags);
}

static void
defs(FILE *f)
{
	static const struct { const char *id, *color; } m[] = {
		{ "rst", "#d01c1c" }, { "syn", "#1f5fbf" }, { "fin", "#d9730d" },
		{ "ack", "#7a7a7a" }, { "dat", "#222222" }, { "call", "#333333" },
		{ "up", "#6a3d9a" }, { "err", "#d01c1c" },
	};

	fputs("<defs>\n", f);
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		fprintf(f, "<marker id=\"m-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
		    "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
		    "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n",
		    m[i].id, m[i].color);
	fputs("</defs>\n<style>\n"
	    "text{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;font-size:12px;fill:#222}\n"
	    ".title{font-size:18px;font-weight:bold}\n"
	    ".sub{font-size:12px;fill:#555}\n"
	    ".head{font-size:13px;font-weight:bold}\n"
	    ".headsub{font-size:11px;fill:#555}\n"
	    ".time{font-size:10px;fill:#888;font-family:'DejaVu Sans Mono',monospace}\n"
	    ".pkt{font-size:11px;font-family:'DejaVu Sans Mono',monospace;"
	    "paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
	    ".call{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
	    ".state{font-size:10.5px;font-weight:bold}\n"
	    ".pred{fill:#777;font-style:italic;font-weight:normal}\n"
	    ".note{font-size:10.5px;fill:#a01010;font-style:italic;paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
	    ".gap{font-size:12px;fill:#555;font-style:italic}\n"
	    ".plog{font-size:10.5px;fill:#1f5fbf;paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
	    ".plogerr{font-size:10.5px;fill:#d01c1c;paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
	    ".evnote{font-size:10.5px;fill:#666;font-style:italic;paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
	    ".conn{font-size:12px;font-weight:bold;fill:#333}\n"
	    ".legend{font-size:11px}\n"
	    ".rst{stroke:#d01c1c;stroke-width:2.4}.syn{stroke:#1f5fbf;stroke-width:1.6}"
	    ".fin{stroke:#d9730d;stroke-width:1.8}.ack{stroke:#7a7a7a;stroke-width:1.2}"
	    ".dat{stroke:#222;stroke-width:1.6}\n"
	    "text.rst{fill:#d01c1c;stroke:#fff}text.syn{fill:#1f5fbf;stroke:#fff}"
	    "text.fin{fill:#b35c00;stroke:#fff}text.ack{fill:#666;stroke:#fff}text.dat{fill:#222;stroke:#fff}\n"
	    "</style>\n", f);
}

/* y of each row, and the bottom of the drawing. */
static double *
layout(const struct rd_row *rows, size_t n, double *bottom)
{
	double *y = malloc((n + 1) * sizeof(*y)), cur = TOP;

	if (!y)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].kind == RD_GAP) {
			y[i] = cur + GAP_H / 2.0;
			cur += GAP_H;
			continue;
		}
		if (rows[i].kind == RD_CONN) {
			cur += i ? 10 : 0;
			y[i] = cur + 4;
			cur += ROW_H + 4;
			continue;
		}
		y[i] = cur + ROW_H / 2.0;
		cur += ROW_H;
	}
	*bottom = cur + 20;
	return y;
}

static void
heads(FILE *f)
{
	for (int i = 0; i < L.n; i++)
		for (int k = 0; k < 2; k++) {
			int x = k ? lane_kx[i] : lane_px[i];
			char name[64], sub[96];

			snprintf(name, sizeof(name), "%s %s", L.host[i], k ? "kernel" : "program");
			snprintf(sub, sizeof(sub), "%s", L.addr[i][0] ? L.addr[i] : L.host[i]);
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"170\" height=\"50\" rx=\"6\" "
			    "fill=\"%s\" stroke=\"#555\"/>\n", x - 85, HEAD_Y,
			    k ? "#eef3fb" : "#fbf7ee");
			text(f, x, HEAD_Y + 21, "head", "middle", name);
			text(f, x, HEAD_Y + 38, "headsub", "middle", sub);
		}
}

static void
lifelines(FILE *f, double bottom)
{
	for (int i = 0; i < L.n; i++)
		for (int k = 0; k < 2; k++) {
			int x = k ? lane_kx[i] : lane_px[i];

			fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.0f\" stroke=\"#999\" "
			    "stroke-width=\"1\" stroke-dasharray=\"%s\"/>\n", x,
			    HEAD_Y + 50, x, bottom, k ? "2,3" : "5,4");
		}
}

/* Row index of each state of each drawn connection, for the bands. */
static void
bands(FILE *f, const struct timeline *tl, const struct rd_row *rows, size_t n,
    const double *y, double bottom)
{
	for (size_t i = 0; i < n; i++) {
		const struct tl_conn *c;
		const struct tl_state *s;
		double y0, y1 = bottom - 14;
		int x, off;

		if (rows[i].kind != RD_STATE)
			continue;
		c = &tl->conns[rows[i].conn];
		s = &c->states[rows[i].side][rows[i].idx];
		if (s->state == TS_CLOSE)
			continue;
		y0 = y[i];
		/* ... until the row of the next state of this socket */
		for (size_t j = i + 1; j < n; j++)
			if (rows[j].kind == RD_STATE && rows[j].conn == rows[i].conn &&
			    rows[j].side == rows[i].side) {
				y1 = y[j];
				break;
			}
		off = (rows[i].conn % 3) * 5 - 5;
		x = conn_kx(tl, rows[i].conn, rows[i].side) + off;
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" rx=\"3\" "
		    "fill=\"%s\" fill-opacity=\"0.9\" stroke=\"%s\" stroke-width=\"%s\"/>\n",
		    x - BAND_W / 2, y0, BAND_W, y1 - y0 > 1 ? y1 - y0 : 1,
		    rd_state_color(tl_state_name(s->state)),
		    s->state != TS_TIME_WAIT ? "none" : "#b02020",
		    s->state != TS_TIME_WAIT ? "0" : "1.2");
	}
}

static void
state_pill(FILE *f, const struct timeline *tl, const struct rd_row *r, double y)
{
	const struct tl_conn *c = &tl->conns[r->conn];
	const struct tl_state *s = &c->states[r->side][r->idx];
	int lane = rd_conn_lane(tl, &L, r->conn, r->side), out = outer(lane);
	int x = lane_kx[lane] + (r->conn % 3) * 5 - 5;
	const char *anchor = out < 0 ? "end" : "start";
	char label[48];
	const char *stroke = s->state == TS_TIME_WAIT ? "#b02020" : "#666";

	snprintf(label, sizeof(label), "%s%s", tl_state_name(s->state),
	    r->predicted ? " (predicted)" : s->inferred || r->moved ? "*" : "");
	if (r->predicted)	/* not seen: the run ended first */
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"128\" height=\"18\" rx=\"9\" "
		    "fill=\"#ffffff\" stroke=\"#888\" stroke-dasharray=\"1,2\"/>\n", x - 64, y - 9);
	else
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"108\" height=\"18\" rx=\"9\" "
		    "fill=\"%s\" stroke=\"%s\"%s/>\n", x - 54, y - 9, rd_state_color(tl_state_name(s->state)),
		    stroke, s->inferred || r->moved ? " stroke-dasharray=\"3,2\"" : "");
	text(f, x, y + 4, r->predicted ? "state pred" : "state", "middle", label);
	if (r->moved)
		text(f, x + out * 62, y + 4, "evnote", anchor,
		    "from the SYN's arrival");
	/* The TIME_WAIT's timer: a small clock beside it, on the outer side. */
	if (s->state == TS_TIME_WAIT) {
		int cx = x + out * 68;
		int tx = cx + out * 10;

		fprintf(f, "<circle cx=\"%d\" cy=\"%.1f\" r=\"6\" fill=\"#fff\" stroke=\"#a01010\" "
		    "stroke-width=\"1.3\"/><path d=\"M%d,%.1f v-4 M%d,%.1f h3\" stroke=\"#a01010\" "
		    "stroke-width=\"1.3\"/>\n", cx, y, cx, y, cx, y);
		text(f, tx, y + 4, "note", anchor,
		    s->confirmed ? "60 s timer (ss saw it)" : "60 s timer");
	}
	if (s->state == TS_CLOSE && r->idx > 0 &&
	    c->states[r->side][r->idx - 1].state == TS_TIME_WAIT) {
		int64_t held = s->t - c->states[r->side][r->idx - 1].t;
		char note[96];
		int tx = x + out * 70;

		if (r->predicted)
			snprintf(note, sizeof(note), "TIME_WAIT ends 60 s on (predicted)");
		else if (held >= TIME_WAIT_NS - 1000)
			snprintf(note, sizeof(note), "TIME_WAIT expired after 60 s");
		else
			snprintf(note, sizeof(note), "new SYN took the time-wait socket (%.1f µs)",
			    held / 1e3);
		text(f, tx, y + 4, "note", anchor, note);
	}
}

static void
packet(FILE *f, const struct timeline *tl, const struct rd_row *rows, size_t n,
    size_t i, const double *y)
{
	const struct tl_conn *c = &tl->conns[rows[i].conn];
	const struct tl_pkt *p = &c->pkts[rows[i].idx];
	const char *cls = pkt_class_len(p);
	double xs = conn_kx(tl, rows[i].conn, p->from), xr = conn_kx(tl, rows[i].conn, !p->from);
	double ys = y[i], yr = -1;
	double dir = xr > xs ? 1 : -1, mx, my, ang;
	char label[64], why[160], slow[48];

	/* Find the arrival row of this packet. */
	for (size_t j = i + 1; j < n; j++)
		if (rows[j].kind == RD_RECV && rows[j].conn == rows[i].conn &&
		    rows[j].idx == rows[i].idx) {
			yr = y[j];
			break;
		}
	xs += dir * (BAND_W / 2 + 1);
	xr -= dir * (BAND_W / 2 + 3);
	rd_pkt_label(p, label, sizeof(label));
	if (yr < 0 && rd_pkt_dropped(tl, p, why, sizeof(why))) {
		/* the lab dropped it: an arrow that ends in an X halfway, within
		 * its own row (a gap's band may be drawn just below) */
		xr = (xs + xr) / 2;
		yr = ys + ROW_H / 2.0;
		fprintf(f, "<g class=\"dropped\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" class=\"%s\" stroke-dasharray=\"4,3\"/>\n", xs, ys, xr, yr, cls);
		fprintf(f, "<path d=\"M%.1f %.1fl10 10m0 -10l-10 10\" stroke=\"#d01c1c\" "
		    "stroke-width=\"2.5\"/>\n", xr - 5, yr - 5);
		text(f, xr + 9 * dir, yr + 4, "note", dir > 0 ? "start" : "end", why);
		fputs("</g>\n", f);
	} else if (yr < 0) {	/* never seen arriving */
		xr = (xs + xr) / 2;
		yr = ys + ROW_H;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\" "
		    "stroke-dasharray=\"4,3\"/>\n", xs, ys, xr, yr, cls);
		text(f, xr + 4 * dir, yr + 4, "note", dir > 0 ? "start" : "end",
		    "✕ not seen arriving");
	} else {
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\" "
		    "marker-end=\"url(#m-%s)\"/>\n", xs, ys, xr, yr, cls, cls);
	}
	mx = (xs + xr) / 2;
	my = (ys + yr) / 2;
	ang = atan2(yr - ys, xr - xs) * 180 / M_PI;
	if (ang > 90)
		ang -= 180;
	else if (ang < -90)
		ang += 180;
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"pkt %s\" text-anchor=\"middle\" "
	    "transform=\"rotate(%.2f %.1f %.1f)\">", mx, my - 5, cls, ang, mx, my);
	rd_xml_escape(f, label);
	if (rd_pkt_transit(p, slow, sizeof(slow))) {	/* a link's delay, measured */
		fputs(" · ", f);
		rd_xml_escape(f, slow);
	}
	fputs("</text>\n", f);
}

/* A packet that was only seen arriving (its sender was not captured). */
static void
packet_arrival_only(FILE *f, const struct timeline *tl, const struct rd_row *r,
    double y)
{
	const struct tl_pkt *p = &tl->conns[r->conn].pkts[r->idx];
	const char *cls = pkt_class_len(p);
	double xr = conn_kx(tl, r->conn, !p->from);
	double xs = (conn_kx(tl, r->conn, p->from) + xr) / 2;
	double dir = xr > xs ? 1 : -1;
	char label[64];

	if (p->t_sent != TL_UNKNOWN)
		return;
	xr -= dir * (BAND_W / 2 + 3);
	rd_pkt_label(p, label, sizeof(label));
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\" "
	    "stroke-dasharray=\"4,3\" marker-end=\"url(#m-%s)\"/>\n", xs, y - ROW_H, xr, y,
	    cls, cls);
	text(f, (xs + xr) / 2, y - ROW_H / 2.0 - 4, "pkt", "middle", label);
}

/* Text that may be long, on one line or, past max characters, on two
 * broken at a space: a label is never cut. */
static void
text_wrapped(FILE *f, double x, double y, const char *cls, const char *anchor,
    const char *style, const char *s, size_t max)
{
	size_t len = strlen(s), cut = 0;

	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\" text-anchor=\"%s\"%s%s%s>",
	    x, y, cls, anchor, style ? " style=\"" : "", style ? style : "", style ? "\"" : "");
	if (len > max)
		for (size_t i = len / 2; i < len && !cut; i++)
			if (s[i] == ' ')
				cut = i;
	if (cut == 0) {
		rd_xml_escape(f, s);
	} else {
		char first[256];

		snprintf(first, sizeof(first), "%.*s", (int)cut, s);
		fprintf(f, "<tspan x=\"%.1f\" dy=\"-5\">", x);
		rd_xml_escape(f, first);
		fprintf(f, "</tspan><tspan x=\"%.1f\" dy=\"11\">", x);
		rd_xml_escape(f, s + cut + 1);
		fputs("</tspan>", f);
	}
	fputs("</text>\n", f);
}

/* A program's label gets its name when it is not its host's own. */
static void
prog_tag(const struct tl_event *e, int lane, char *label, size_t size)
{
	size_t l = strlen(label);

	if (strcmp(e->prog, L.host[lane]))
		snprintf(label + l, size - l, "  [%s]", e->prog);
}

static void
event(FILE *f, const struct timeline *tl, const struct rd_row *rows, size_t n,
    size_t i, const double *y)
{
	const struct rd_row *r = &rows[i];
	const struct tl_event *e = &tl->events[r->idx];
	int lane = rd_row_lane(tl, &L, r), up = rd_event_upward(e), err = e->ret < 0;
	double px = lane_px[lane], kx = lane_kx[lane], yy = y[i];
	double dir = kx > px ? 1 : -1, x1, x2;
	int blocked = r->blocked;
	const char *color = err && !blocked ? "#d01c1c" : up ? "#6a3d9a" : "#333";
	char label[192], style[48];

	if (blocked)
		rd_call_label(e, label, sizeof(label));
	else
		rd_event_label(e, label, sizeof(label));
	prog_tag(e, lane, label, sizeof(label));
	if (!up && !rd_event_is_call(e) && e->t_prec) {
		/* a line of a proxy's own log: a square, red for a failure (an
		 * errno, or an HTTP status of 500 or more in ret) */
		int bad = e->ret < 0 || e->ret >= 500;

		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" fill=\"%s\"/>\n",
		    px - 3, yy - 3, bad ? "#d01c1c" : "#1f5fbf");
		text_wrapped(f, px + dir * 8, yy + 4, bad ? "plogerr" : "plog",
		    dir > 0 ? "start" : "end", NULL, label, 56);
		return;
	}
	if (!up && !rd_event_is_call(e)) {	/* the program's own note */
		fprintf(f, "<circle cx=\"%.0f\" cy=\"%.1f\" r=\"2.5\" fill=\"#888\"/>\n", px, yy);
		text_wrapped(f, px + dir * 8, yy + 4, "evnote", dir > 0 ? "start" : "end",
		    NULL, label, 56);
		return;
	}
	if (blocked) {	/* the call's span on the program's lifeline */
		for (size_t j = i + 1; j < n; j++)
			if (rows[j].kind == RD_RETURN && rows[j].idx == r->idx) {
				fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"%.1f\" "
				    "fill=\"#f3efe4\" stroke=\"#888\"/>\n", px - 3, yy + 3,
				    y[j] - yy);
				break;
			}
	}
	x1 = up ? kx - dir * (BAND_W / 2 + 1) : px;
	x2 = up ? px + dir * 2 : kx - dir * (BAND_W / 2 + 3);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
	    "stroke-width=\"1.3\"%s marker-end=\"url(#m-%s)\"/>\n", x1, yy + 3, x2, yy + 3,
	    color, up ? " stroke-dasharray=\"5,3\"" : "",
	    err && !blocked ? "err" : up ? "up" : "call");
	snprintf(style, sizeof(style), "fill:%s", color);
	text_wrapped(f, (px + kx) / 2, yy - 2, "call", "middle", style, label, 40);
	fprintf(f, "<circle cx=\"%.0f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n", px, yy + 3, color);
}

/* A call that blocked returns: a dotted arrow back to the program. */
static void
call_return(FILE *f, const struct timeline *tl, const struct rd_row *r, double y)
{
	const struct tl_event *e = &tl->events[r->idx];
	int lane = rd_row_lane(tl, &L, r);
	double px = lane_px[lane], kx = lane_kx[lane], dir = kx > px ? 1 : -1;
	const char *color = e->ret < 0 ? "#d01c1c" : "#333";
	char label[192], style[48];

	rd_return_label(e, label, sizeof(label));
	prog_tag(e, lane, label, sizeof(label));
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
	    "stroke-width=\"1.1\" stroke-dasharray=\"1,2\" marker-end=\"url(#m-%s)\"/>\n",
	    kx - dir * (BAND_W / 2 + 1), y + 3, px + dir * 4, y + 3, color,
	    e->ret < 0 ? "err" : "call");
	snprintf(style, sizeof(style), "fill:%s", color);
	text_wrapped(f, (px + kx) / 2, y - 2, "call", "middle", style, label, 40);
}

static void
gap(FILE *f, const struct rd_row *r, double y)
{
	char len[48], s[80];

	rd_duration(r->gap, len, sizeof(len));
	snprintf(s, sizeof(s), "⋯ %s later ⋯", len);
	fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#f6f6f6\"/>\n",
	    X_TIME + 6, y - GAP_H / 2.0 + 6, W - X_TIME - 20, GAP_H - 12);
	for (int i = 0; i < L.n; i++)
		for (int k = 0; k < 2; k++)
			fprintf(f, "<path d=\"M%d,%.1f l-7,5 l14,6 l-7,5\" stroke=\"#999\" fill=\"none\"/>\n",
			    k ? lane_kx[i] : lane_px[i], y - 8);
	text(f, W / 2.0, y + 4, "gap", "middle", s);
}

static void
legend(FILE *f, double y)
{
	static const char *const states[] = {
		"SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "CLOSE_WAIT",
		"LAST_ACK", "CLOSING", "TIME_WAIT", "CLOSED"
	};
	static const struct { const char *cls, *what; } pk[] = {
		{ "syn", "SYN" }, { "dat", "data" }, { "ack", "ACK" },
		{ "fin", "FIN" }, { "rst", "RST" },
	};
	double x = 20;

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" rx=\"2\" fill=\"%s\" "
		    "stroke=\"#666\"/>\n", x, y, rd_state_color(states[i]));
		text(f, x + 16, y + 10, "legend", "start", states[i]);
		x += 22 + strlen(states[i]) * 6.6;
	}
	x = 20;
	y += 22;
	for (size_t i = 0; i < sizeof(pk) / sizeof(pk[0]); i++) {
		fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" class=\"%s\" "
		    "marker-end=\"url(#m-%s)\"/>\n", x, y + 6, x + 30, y + 6, pk[i].cls, pk[i].cls);
		text(f, x + 36, y + 10, "legend", "start", pk[i].what);
		x += 80;
	}
	text(f, x + 10, y + 10, "legend", "start",
	    "—— call (drawn where it began)   ··· ▸ a blocked call returns   - - ▸ epoll / signal");
	y += 20;
	fprintf(f, "<rect x=\"20\" y=\"%.0f\" width=\"40\" height=\"12\" rx=\"6\" fill=\"#fff\" "
	    "stroke=\"#888\" stroke-dasharray=\"1,2\"/>\n", y);
	text(f, 66, y + 10, "legend", "start",
	    "predicted, not seen (the run ended first)     * rebuilt: the kernel swaps in a "
	    "time-wait socket, or SYN_RECV put at its SYN's arrival");
}

int
render_svg(const struct timeline *tl, FILE *f)
{
	struct rd_row *rows;
	size_t n;
	double *y, bottom, height;
	char s[256];

	if (rd_rows(tl, RD_MAX_CONNS, &rows, &n))
		return -1;
	place_lanes(tl);
	y = layout(rows, n, &bottom);
	if (!y) {
		free(rows);
		return -1;
	}
	height = bottom + 90;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
	    "viewBox=\"0 0 %d %.0f\">\n", W, height, W, height);
	defs(f);
	fprintf(f, "<rect width=\"%d\" height=\"%.0f\" fill=\"#ffffff\"/>\n", W, height);
	snprintf(s, sizeof(s), "Test %s", tl->test);
	text(f, 20, 28, "title", "start", s);
	snprintf(s, sizeof(s), "%zu connection%s%s; times from the first event; rows in time order, not to scale%s",
	    tl->nconns, tl->nconns == 1 ? "" : "s",
	    tl->nconns > RD_MAX_CONNS ? " (the first ones drawn)" : "",
	    tl->clock_estimated ? "; clocks aligned from the handshakes" : "");
	text(f, 20, 48, "sub", "start", s);
	heads(f);
	lifelines(f, bottom);
	bands(f, tl, rows, n, y, bottom);
	for (size_t i = 0; i < n; i++) {
		const struct rd_row *r = &rows[i];
		char t[32];

		if (r->kind != RD_GAP && r->kind != RD_CONN) {
			rd_reltime(r->t, tl->t0, t, sizeof(t));
			text(f, X_TIME, y[i] + 4, "time", "end", t);
		}
		switch (r->kind) {
		case RD_CONN:
			rd_conn_label(tl, r->conn, s, sizeof(s));
			fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"18\" rx=\"3\" "
			    "fill=\"#f0f0f0\"/>\n", X_TIME + 6, y[i] - 11, W - X_TIME - 20);
			text(f, X_TIME + 14, y[i] + 2, "conn", "start", s);
			break;
		case RD_STATE:
			state_pill(f, tl, r, y[i]);
			break;
		case RD_SEND:
			packet(f, tl, rows, n, i, y);
			break;
		case RD_RECV:
			packet_arrival_only(f, tl, r, y[i]);
			break;
		case RD_EVENT:
			event(f, tl, rows, n, i, y);
			break;
		case RD_RETURN:
			call_return(f, tl, r, y[i]);
			break;
		case RD_GAP:
			gap(f, r, y[i]);
			break;
		}
	}
	if (tl->nconns > RD_MAX_CONNS) {
		snprintf(s, sizeof(s), "… and %zu more connections (see timeline.json)",
		    tl->nconns - RD_MAX_CONNS);
		text(f, W / 2.0, bottom - 4, "gap", "middle", s);
	}
	legend(f, bottom + 12);
	fputs("</svg>\n", f);
	free(y);
	free(rows);
	return ferror(f) ? -1 : 0;
}
