/*
 * rows.c - the one ordered list of things to draw that every renderer walks:
 * connection headers, kernel state changes, packet departures and arrivals,
 * program events, and gaps where a long time passes with nothing to show
 * (a TIME_WAIT's 60 s). Also the small label and colour helpers the
 * renderers share, so the SVG, PlantUML, Mermaid and text say the same.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapread.h"
#include "render/render.h"
#include "util.h"

/* A pause longer than this, and much longer than the run's pace, is drawn
 * as a gap rather than as rows. */
#define GAP_MIN_NS 50000000LL

static int
kind_order(int kind)
{
	static const int order[] = {
		[RD_CONN] = 0, [RD_STATE] = 2, [RD_SEND] = 3, [RD_RECV] = 1,
		[RD_EVENT] = 4, [RD_GAP] = 5, [RD_RETURN] = 4
	};

	return order[kind];
}

static int
cmp_row(const void *a, const void *b)
{
	const struct rd_row *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->kind != y->kind)
		return kind_order(x->kind) - kind_order(y->kind);
	if (x->conn != y->conn)
		return x->conn - y->conn;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static int
push(struct rd_row **v, size_t *n, size_t *cap, struct rd_row r)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		struct rd_row *nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = r;
	return 0;
}

/* The last thing the run saw: a packet, a program's step, a traced state. */
static int64_t
last_seen(const struct timeline *tl)
{
	int64_t t = INT64_MIN;

	for (size_t i = 0; i < tl->nevents; i++)
		if (tl->events[i].t > t)
			t = tl->events[i].t;
	for (size_t c = 0; c < tl->nconns; c++) {
		const struct tl_conn *k = &tl->conns[c];

		for (size_t i = 0; i < k->npkts; i++) {
			if (k->pkts[i].t_sent != TL_UNKNOWN && k->pkts[i].t_sent > t)
				t = k->pkts[i].t_sent;
			if (k->pkts[i].t_received != TL_UNKNOWN && k->pkts[i].t_received > t)
				t = k->pkts[i].t_received;
			if (k->pkts[i].dropped && k->pkts[i].t_dropped > t)
				t = k->pkts[i].t_dropped;
		}
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < k->nstates[s]; i++)
				if (!k->states[s][i].inferred && k->states[s][i].t > t)
					t = k->states[s][i].t;
	}
	return t;
}

/* The kernel makes the server's socket (SYN_RECV, then ESTABLISHED at once)
 * only when the handshake's last ACK comes; in TCP's terms the server is in
 * SYN_RECV from the SYN on. The SYN's arrival, when it was captured. */
static int64_t
syn_arrival(const struct tl_conn *k)
{
	for (size_t i = 0; i < k->npkts; i++)
		if (k->pkts[i].from == TL_CLIENT && (k->pkts[i].flags & TCPF_SYN) &&
		    !(k->pkts[i].flags & TCPF_ACK))
			return k->pkts[i].t_received;
	return TL_UNKNOWN;
}

int
rd_rows(const struct timeline *tl, size_t max_conns, struct rd_row **rows,
    size_t *n)
{
	int64_t seen = last_seen(tl);
	struct rd_row *v = NULL, *out = NULL;
	size_t cnt = 0, cap = 0, nconns = tl->nconns < max_conns ? tl->nconns : max_conns;
	size_t ocnt = 0, ocap = 0;

	*rows = NULL;
	*n = 0;
	for (size_t c = 0; c < nconns; c++) {
		const struct tl_conn *k = &tl->conns[c];
		struct rd_row r = { .conn = (int)c };

		r.kind = RD_CONN;
		r.t = k->t_start;
		if (push(&v, &cnt, &cap, r))
			goto fail;
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < k->nstates[s]; i++) {
				r.kind = RD_STATE;
				r.side = s;
				r.idx = i;
				r.t = k->states[s][i].t;
				r.predicted = k->states[s][i].state == TS_CLOSE &&
				    k->states[s][i].inferred && r.t > seen;
				r.moved = 0;
				if (s == TL_SERVER && k->states[s][i].state == TS_SYN_RECV) {
					int64_t syn = syn_arrival(k);

					if (syn != TL_UNKNOWN && syn < r.t) {
						r.t = syn;
						r.moved = 1;
					}
				}
				if (push(&v, &cnt, &cap, r))
					goto fail;
			}
		r.predicted = r.moved = 0;
		for (size_t i = 0; i < k->npkts; i++) {
			r.idx = i;
			r.side = k->pkts[i].from;
			/* one dropped in its sender's output: sent at its drop */
			if (k->pkts[i].t_sent != TL_UNKNOWN || k->pkts[i].dropped) {
				r.kind = RD_SEND;
				r.t = k->pkts[i].t_sent != TL_UNKNOWN ? k->pkts[i].t_sent :
				    k->pkts[i].t_dropped;
				if (push(&v, &cnt, &cap, r))
					goto fail;
			}
			if (k->pkts[i].t_received != TL_UNKNOWN) {
				r.kind = RD_RECV;
				r.side = !k->pkts[i].from;
				r.t = k->pkts[i].t_received;
				if (push(&v, &cnt, &cap, r))
					goto fail;
			}
		}
	}
	for (size_t i = 0; i < tl->nevents; i++) {
		const struct tl_event *e = &tl->events[i];
		struct rd_row r = { .kind = RD_EVENT, .idx = i, .t = rd_event_start(e) };

		if (e->conn >= (int)nconns)
			continue;
		r.conn = e->conn;
		r.side = rd_side_of_event(tl, e);
		r.blocked = rd_event_blocked(tl, e) != 0;
		if (push(&v, &cnt, &cap, r))
			goto fail;
		if (r.blocked) {
			r.kind = RD_RETURN;
			r.t = e->t;
			if (push(&v, &cnt, &cap, r))
				goto fail;
		}
	}
	if (cnt > 0)
		qsort(v, cnt, sizeof(*v), cmp_row);
	for (size_t i = 0; i < cnt; i++) {
		if (i && v[i].t - v[i - 1].t > GAP_MIN_NS) {
			struct rd_row g = { .kind = RD_GAP, .t = v[i - 1].t,
			    .gap = v[i].t - v[i - 1].t, .conn = -1 };

			if (push(&out, &ocnt, &ocap, g))
				goto fail;
		}
		if (push(&out, &ocnt, &ocap, v[i]))
			goto fail;
	}
	free(v);
	*rows = out;
	*n = ocnt;
	return 0;
fail:
	free(v);
	free(out);
	return -1;
}

const char *
rd_state_color(const char *s)
{
	static const struct { const char *name, *color; } map[] = {
		{ "SYN_SENT", "#c9ddff" }, { "SYN_RECV", "#c9ddff" },
		{ "ESTABLISHED", "#b8e6b0" }, { "FIN_WAIT1", "#ffd8a0" },
		{ "FIN_WAIT2", "#cdb6f2" }, { "CLOSE_WAIT", "#fff0a0" },
		{ "LAST_ACK", "#ffd0b0" }, { "CLOSING", "#f8b8d8" },
		{ "TIME_WAIT", "#f08080" }, { "CLOSED", "#e4e4e4" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, s))
			return map[i].color;
	return "#eeeeee";
}

void
rd_reltime(int64_t t, int64_t t0, char *buf, size_t len)
{
	double d = (double)(t - t0);
	const char *sign = d < 0 ? "-" : "+";

	if (d < 0)
		d = -d;
	if (d < 1e6)
		snprintf(buf, len, "%s%.1f µs", sign, d / 1e3);
	else if (d < 1e9)
		snprintf(buf, len, "%s%.3f ms", sign, d / 1e6);
	else
		snprintf(buf, len, "%s%.6f s", sign, d / 1e9);	/* µs: rows stay ordered */
}

void
rd_pkt_label(const struct tl_pkt *p, char *buf, size_t len)
{
	char fl[8];

	char lab[24] = "";

	tcp_flags_str(p->flags, fl);
	if (p->lab != TL_LAB_NONE)	/* the lab's link made it so: say it */
		snprintf(lab, sizeof(lab), " (lab: %s)", tl_lab_word(p->lab));
	if (p->len)
		snprintf(buf, len, "%s seq=%u ack=%u len=%u%s", fl, p->rseq, p->rack, p->len, lab);
	else if (p->flags & TCPF_ACK)
		snprintf(buf, len, "%s seq=%u ack=%u%s", fl, p->rseq, p->rack, lab);
	else
		snprintf(buf, len, "%s seq=%u%s", fl, p->rseq, lab);
}

int
rd_pkt_dropped(const struct timeline *tl, const struct tl_pkt *p, char *buf, size_t len)
{
	const char *why = p->why < tl->ndrop_why ? tl->drop_why[p->why] : "";

	buf[0] = 0;
	if (!p->dropped)
		return 0;
	snprintf(buf, len, "%s%s%s%s", p->dropped == TL_DROP_OUT ? "dropped by the lab" :
	    "lost on the link", *why ? " (" : "", why, *why ? ")" : "");
	return 1;
}

int
rd_pkt_transit(const struct tl_pkt *p, char *buf, size_t len)
{
	char d[32];

	buf[0] = 0;
	if (p->t_sent == TL_UNKNOWN || p->t_received == TL_UNKNOWN ||
	    p->t_received - p->t_sent < RD_SLOW_NS)
		return 0;
	rd_duration(p->t_received - p->t_sent, d, sizeof(d));
	snprintf(buf, len, "%s on the wire", d);
	return 1;
}

int
rd_event_is_call(const struct tl_event *e)
{
	static const char *const calls[] = {
		"socket", "setsockopt", "bind", "listen", "connect", "accept",
		"read", "write", "shutdown", "close", "epoll_ctl", "epoll_wait", NULL
	};

	for (int i = 0; calls[i]; i++)
		if (!strcmp(e->step, calls[i]))
			return 1;
	return 0;
}

int
rd_event_upward(const struct tl_event *e)
{
	return !strcmp(e->step, "epoll") || !strcmp(e->step, "signal");
}

int64_t
rd_event_start(const struct tl_event *e)
{
	return e->t_call > 0 && e->t_call <= e->t ? e->t_call : e->t;
}

int64_t
rd_event_blocked(const struct timeline *tl, const struct tl_event *e)
{
	int64_t t0 = rd_event_start(e), d = e->t - t0;
	const struct tl_conn *c;
	int side = rd_side_of_event(tl, e);

	if (d <= (strcmp(e->step, "connect") ? RD_BLOCKED_OTHER_NS : RD_BLOCKED_NS) ||
	    e->conn < 0 || (size_t)e->conn >= tl->nconns)
		return 0;
	/* It waited for the network: a packet of the peer came in meanwhile
	 * (a close() that sends its own FIN did not block). */
	c = &tl->conns[e->conn];
	for (size_t i = 0; i < c->npkts; i++) {
		int64_t tr = c->pkts[i].t_received;

		if (c->pkts[i].from != side && tr != TL_UNKNOWN && tr > t0 && tr < e->t)
			return d;
	}
	return 0;
}

void
rd_duration(int64_t d, char *buf, size_t len)
{
	if (d < 1000000)
		snprintf(buf, len, "%.1f µs", (double)d / 1e3);
	else if (d < 1000000000)
		snprintf(buf, len, "%.3f ms", (double)d / 1e6);
	else
		snprintf(buf, len, "%.3f s", (double)d / 1e9);
}

void
rd_call_label(const struct tl_event *e, char *buf, size_t len)
{
	if (!strcmp(e->step, "bind") || !strcmp(e->step, "listen") ||
	    !strcmp(e->step, "shutdown"))
		snprintf(buf, len, "%s(%s) …", e->step, e->detail);
	else
		snprintf(buf, len, "%s() …", e->step);
}

void
rd_return_label(const struct tl_event *e, char *buf, size_t len)
{
	char res[64], took[32];

	if (e->ret < 0)
		snprintf(res, sizeof(res), "-1 %s", e->errname);
	else
		snprintf(res, sizeof(res), "%d", e->ret);
	rd_duration(e->t - rd_event_start(e), took, sizeof(took));
	if (e->held)	/* a bind: the socket that held its port */
		snprintf(buf, len, "%s() = %s after %s; %u held in %s%s", e->step, res, took,
		    e->lport, tl_state_name(e->held), e->held_seen ? "" : "?");
	else
		snprintf(buf, len, "%s() = %s after %s", e->step, res, took);
}

void
rd_event_label(const struct tl_event *e, char *buf, size_t len)
{
	if (!strcmp(e->step, "epoll"))
		snprintf(buf, len, "%s", e->detail[0] ? e->detail : "epoll");
	else if (!rd_event_is_call(e))
		snprintf(buf, len, "%s%s%s", e->step, e->detail[0] ? ": " : "", e->detail);
	else if (e->ret < 0 && e->held)	/* a bind: who held its port */
		snprintf(buf, len, "%s() = -1 %s: %u held in %s%s", e->step, e->errname,
		    e->lport, tl_state_name(e->held), e->held_seen ? "" : "?");
	else if (e->ret < 0)
		snprintf(buf, len, "%s() = -1 %s", e->step, e->errname);
	else if (!strcmp(e->step, "read") || !strcmp(e->step, "write"))
		snprintf(buf, len, "%s() = %d", e->step, e->ret);
	else if (!strcmp(e->step, "shutdown"))
		snprintf(buf, len, "shutdown(%s)", e->detail);
	else if (!strcmp(e->step, "bind") && e->held)	/* SO_REUSEADDR */
		snprintf(buf, len, "bind(%s), %u held in %s%s", e->detail, e->lport,
		    tl_state_name(e->held), e->held_seen ? "" : "?");
	else if (!strcmp(e->step, "bind") || !strcmp(e->step, "listen"))
		snprintf(buf, len, "%s(%s)", e->step, e->detail);
	else
		snprintf(buf, len, "%s() = %d", e->step, e->ret);
}

void
rd_conn_label(const struct timeline *tl, int conn, char *buf, size_t len)
{
	const struct tl_conn *c = &tl->conns[conn];

	snprintf(buf, len, "connection %d: %s → %s%s", conn + 1, c->client,
	    c->server, c->gen ? " (same 4-tuple again)" : "");
}

/* Events of a connection sit on its side; others by their host. */
int
rd_side_of_event(const struct timeline *tl, const struct tl_event *e)
{
	if (e->side <= TL_SERVER)
		return e->side;
	for (size_t i = 0; i < tl->nconns; i++) {
		if (!strcmp(tl->conns[i].host[TL_CLIENT], e->host))
			return TL_CLIENT;
		if (!strcmp(tl->conns[i].host[TL_SERVER], e->host))
			return TL_SERVER;
	}
	return strstr(e->prog, "server") ? TL_SERVER : TL_CLIENT;
}

static void
lane_add(struct rd_lanes *l, const char *host, const char *addr, int side)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->host[i], host)) {
			if (!l->addr[i][0] && addr)
				snprintf(l->addr[i], sizeof(l->addr[i]), "%s", addr);
			return;
		}
	if (l->n == RD_MAX_LANES || !host[0])
		return;
	snprintf(l->host[l->n], sizeof(l->host[l->n]), "%s", host);
	snprintf(l->addr[l->n], sizeof(l->addr[l->n]), "%s", addr ? addr : "");
	l->side[l->n++] = (uint8_t)side;
}

void
rd_lanes(const struct timeline *tl, size_t max_conns, struct rd_lanes *l)
{
	struct rd_lanes all;
	size_t nconns = tl->nconns < max_conns ? tl->nconns : max_conns;

	memset(&all, 0, sizeof(all));
	for (size_t i = 0; i < nconns; i++) {
		lane_add(&all, tl->conns[i].host[TL_CLIENT], tl->conns[i].client, TL_CLIENT);
		lane_add(&all, tl->conns[i].host[TL_SERVER], tl->conns[i].server, TL_SERVER);
	}
	for (size_t i = 0; i < tl->nevents; i++)
		if (tl->events[i].conn < (int)nconns)
			lane_add(&all, tl->events[i].host, NULL,
			    rd_side_of_event(tl, &tl->events[i]));
	if (all.n == 0) {
		lane_add(&all, "client", NULL, TL_CLIENT);
		lane_add(&all, "server", NULL, TL_SERVER);
	}
	/* The client hosts on the left, the servers on the right. */
	memset(l, 0, sizeof(*l));
	for (int side = TL_CLIENT; side <= TL_SERVER; side++)
		for (int i = 0; i < all.n; i++)
			if (all.side[i] == side)
				lane_add(l, all.host[i], all.addr[i], side);
}

int
rd_lane(const struct rd_lanes *l, const char *host, int side)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->host[i], host))
			return i;
	for (int i = 0; i < l->n; i++)
		if (l->side[i] == side)
			return i;
	return side == TL_CLIENT || l->n < 2 ? 0 : l->n - 1;
}

int
rd_conn_lane(const struct timeline *tl, const struct rd_lanes *l, int conn,
    int side)
{
	return rd_lane(l, tl->conns[conn].host[side], side);
}

int
rd_row_lane(const struct timeline *tl, const struct rd_lanes *l,
    const struct rd_row *r)
{
	if (r->kind == RD_EVENT || r->kind == RD_RETURN)
		return rd_lane(l, tl->events[r->idx].host, r->side);
	if (r->conn < 0)
		return rd_lane(l, "", r->side);
	return rd_conn_lane(tl, l, r->conn, r->side);
}

static void
participant(char *buf, size_t len, int kernel, int lane)
{
	snprintf(buf, len, "%c%d", kernel ? 'K' : 'P', lane);
}

void
rd_text_row(const struct timeline *tl, const struct rd_lanes *l,
    const struct rd_row *r, void (*clean)(char *), struct rd_text_row *out)
{
	int lane = r->kind == RD_CONN || r->kind == RD_GAP ? 0 : rd_row_lane(tl, l, r);
	const struct tl_pkt *p;
	const struct tl_event *e;

	memset(out, 0, sizeof(*out));
	participant(out->pk, sizeof(out->pk), 0, lane);
	participant(out->kk, sizeof(out->kk), 1, lane);
	rd_reltime(r->t, tl->t0, out->t, sizeof(out->t));
	switch (r->kind) {
	case RD_CONN:
		rd_conn_label(tl, r->conn, out->label, sizeof(out->label));
		break;
	case RD_GAP:
		rd_duration(r->gap, out->label, sizeof(out->label));
		break;
	case RD_SEND:
		p = &tl->conns[r->conn].pkts[r->idx];
		participant(out->to, sizeof(out->to), 1,
		    rd_conn_lane(tl, l, r->conn, !p->from));
		rd_pkt_label(p, out->label, sizeof(out->label));
		if (p->t_received == TL_UNKNOWN &&
		    rd_pkt_dropped(tl, p, out->why, sizeof(out->why))) {
			out->dropped = 1;
			clean(out->why);
		} else {
			rd_pkt_transit(p, out->slow, sizeof(out->slow));
		}
		break;
	case RD_RETURN:
		rd_return_label(&tl->events[r->idx], out->label, sizeof(out->label));
		clean(out->label);
		break;
	case RD_EVENT:
		e = &tl->events[r->idx];
		if (r->blocked)
			rd_call_label(e, out->label, sizeof(out->label));
		else
			rd_event_label(e, out->label, sizeof(out->label));
		clean(out->label);
		out->dir = rd_event_upward(e) ? RD_UP :
		    rd_event_is_call(e) ? RD_DOWN : RD_NOTE;
		break;
	}
}

void
rd_xml_escape(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Whether a file of this name makes its folder a test's folder. */
static int
is_test_file(const char *name)
{
	size_t l = strlen(name);

	return (l > 5 && strcmp(name + l - 5, ".pcap") == 0) ||
	    (l > 13 && strcmp(name + l - 13, ".events.jsonl") == 0) ||
	    strcmp(name, "trace.jsonl") == 0 || strcmp(name, "result.json") == 0;
}

/* Whether dir holds a file of a test (0, 1), or -1 when it cannot be read. */
static int
has_test_file(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int yes = 0;

	if (d == NULL)
		return -1;
	while (!yes && (e = readdir(d)) != NULL)
		yes = is_test_file(e->d_name);
	closedir(d);
	return yes;
}

int
rd_is_test_dir(const char *dir)
{
	int t = has_test_file(dir);

	/* A readable folder that is neither a test's nor a run's is drawn as a
	 * test, so that the loader says what is missing instead of nothing
	 * being done: `timewait report /tmp` is an error, not a silent 0. */
	return t == 1 || (t == 0 && !rd_is_run_dir(dir));
}

int
rd_is_run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char sub[4200];
	int yes = 0;

	if (d == NULL)
		return 0;
	while (!yes && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' &&
		    fmt(sub, sizeof(sub), "%s/%s", dir, e->d_name) == 0)
			yes = has_test_file(sub) == 1;
	closedir(d);
	return yes;
}
