/*
 * checks.c - judge a test run: each check of the catalogue looks at one of
 * the three witnesses (the programs' event logs, a host's pcap, a socket
 * snapshot) and says what it saw, in words a person can compare with what
 * was expected.
 *
 * Packets are always taken from the pcap of the host whose behaviour is
 * judged: "the client sends a RST" is read on the client's own interface,
 * "the client sent its FIN before it received the server's" too, so no
 * clock is compared across hosts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checks.h"
#include "util.h"

/* A TCP connection as one host's capture shows it. */
struct conn {
	char raddr[46];
	uint16_t lport, rport;
	uint32_t syn_seq;		/* the initial SYN, tells reuses of a 4-tuple apart */
	int established;		/* the host saw SYN, SYN-ACK and an ACK */
	uint64_t t_my_fin, t_peer_fin;	/* first FIN each way (0: none) */
	uint32_t my_fin_ack;		/* what this host's FIN acknowledged */
	uint32_t peer_fin_seq;		/* the peer's FIN's sequence number */
	int rst_mine, rst_peer;
	uint64_t t_rst;			/* the first RST either way */
	int closed;			/* a FIN or RST was seen */
};

struct conns {
	struct conn *c;
	int n, cap;
};

const struct host_rec *
rec_host(const struct test_rec *r, const char *name)
{
	int i;

	for (i = 0; name && i < r->nhosts; i++)
		if (strcmp(r->hosts[i].name, name) == 0)
			return &r->hosts[i];
	return NULL;
}

const struct proc_rec *
rec_proc(const struct test_rec *r, const char *name)
{
	int i;

	for (i = 0; name && i < r->nprocs; i++)
		if (strcmp(r->procs[i].spec->name, name) == 0)
			return &r->procs[i];
	return NULL;
}

const struct snap_rec *
rec_snap(const struct test_rec *r, const char *name)
{
	int i;

	for (i = 0; name && i < r->nsnaps; i++)
		if (strcmp(r->snaps[i].name, name) == 0)
			return &r->snaps[i];
	return NULL;
}

const char *
rec_host_of(const struct test_rec *r, const char *addr)
{
	int i;

	for (i = 0; i < r->nhosts; i++)
		if (strcmp(r->hosts[i].addr, addr) == 0 ||
		    strcmp(r->hosts[i].addr6, addr) == 0)
			return r->hosts[i].name;
	return NULL;
}

int
port_of(const char *ipport)
{
	const char *c = strrchr(ipport, ':');
	long v;

	if (c == NULL || parse_long(c + 1, 0, 65535, &v) == -1)
		return -1;
	return (int)v;
}

static int
is_mine(const struct host_rec *h, const char *addr)
{
	return strcmp(h->addr, addr) == 0 || strcmp(h->addr6, addr) == 0;
}

/* Split a host's packets into connections; conns_free() when done. */
static void
conns_of(const struct host_rec *h, struct conns *cs)
{
	size_t i;
	int k;

	memset(cs, 0, sizeof(*cs));
	for (i = 0; i < h->npkt; i++) {
		const struct tcp_pkt *p = &h->pkt[i];
		int mine = is_mine(h, p->src);
		const char *raddr = mine ? p->dst : p->src;
		uint16_t lport = mine ? p->sport : p->dport;
		uint16_t rport = mine ? p->dport : p->sport;
		int syn = (p->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;
		struct conn *c = NULL;

		if (!mine && !is_mine(h, p->dst))
			continue;
		for (k = cs->n - 1; k >= 0; k--) {
			struct conn *o = &cs->c[k];

			if (o->lport == lport && o->rport == rport &&
			    strcmp(o->raddr, raddr) == 0) {
				if (!syn || o->syn_seq == p->seq)
					c = o;
				break;
			}
		}
		if (c == NULL) {
			if (cs->n == cs->cap) {
				int cap = cs->cap ? cs->cap * 2 : 16;
				struct conn *nc = realloc(cs->c, (size_t)cap * sizeof(*nc));

				if (nc == NULL)
					continue;
				cs->c = nc;
				cs->cap = cap;
			}
			c = &cs->c[cs->n++];
			memset(c, 0, sizeof(*c));
			snprintf(c->raddr, sizeof(c->raddr), "%s", raddr);
			c->lport = lport;
			c->rport = rport;
			c->syn_seq = p->seq;
		}
		if ((p->flags & (TCPF_SYN | TCPF_RST | TCPF_FIN)) == 0 &&
		    (p->flags & TCPF_ACK) && !c->closed)
			c->established = 1;
		if (p->flags & TCPF_FIN) {
			if (mine && c->t_my_fin == 0) {
				c->t_my_fin = p->t_ns;
				c->my_fin_ack = p->ack;
			}
			if (!mine && c->t_peer_fin == 0) {
				c->t_peer_fin = p->t_ns;
				c->peer_fin_seq = p->seq + p->len;
			}
			c->closed = 1;
		}
		if (p->flags & TCPF_RST) {
			if (c->t_rst == 0)
				c->t_rst = p->t_ns;
			if (mine)
				c->rst_mine = 1;
			else
				c->rst_peer = 1;
			c->closed = 1;
		}
	}
}

static void
conns_free(struct conns *cs)
{
	free(cs->c);
	memset(cs, 0, sizeof(*cs));
}

static const struct ev *
find_ev(const struct proc_rec *p, const char *step, int req)
{
	size_t i;

	for (i = 0; p && i < p->nev; i++)
		if (strcmp(p->ev[i].step, step) == 0 && (req == 0 || p->ev[i].req == req))
			return &p->ev[i];
	return NULL;
}

static void
describe_call(const struct ev *e, char *buf, size_t len)
{
	if (e->err == 0)
		snprintf(buf, len, "%s succeeded (returned %ld)", e->step, e->ret);
	else
		snprintf(buf, len, "%s failed: %s (%d)", e->step, strerror(e->err), e->err);
}

static size_t
count_state(const struct snap_rec *s, int hi, const char *state, int port,
    uint32_t *max_expires)
{
	size_t i, n = 0;

	if (max_expires)
		*max_expires = 0;
	for (i = 0; i < s->n[hi]; i++) {
		const struct sd_sock *k = &s->s[hi][i];

		if (strcmp(tcp_state_name(k->state), state) != 0)
			continue;
		if (port != 0 && port_of(k->local) != port)
			continue;
		n++;
		if (max_expires && k->expires_ms > *max_expires)
			*max_expires = k->expires_ms;
	}
	return n;
}

static int
host_index(const struct test_rec *r, const char *name)
{
	int i;

	for (i = 0; i < r->nhosts; i++)
		if (strcmp(r->hosts[i].name, name) == 0)
			return i;
	return -1;
}

static int
flag_count(const struct host_rec *h, char flag)
{
	size_t i;
	int n = 0;

	for (i = 0; i < h->npkt; i++) {
		const struct tcp_pkt *p = &h->pkt[i];

		if (!is_mine(h, p->src))
			continue;
		switch (flag) {
		case 'F': n += (p->flags & TCPF_FIN) != 0; break;
		case 'R': n += (p->flags & TCPF_RST) != 0; break;
		case 'S': n += (p->flags & TCPF_SYN) != 0; break;
		case 'D': n += p->len > 0; break;
		}
	}
	return n;
}

static int
count_ok(int seen, const struct check_spec *c)
{
	return c->atleast ? seen >= c->n : seen == c->n;
}

static const char *
flag_word(char flag)
{
	switch (flag) {
	case 'F': return "FIN";
	case 'R': return "RST";
	case 'S': return "SYN";
	default: return "data";
	}
}

static int
check_call(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	const struct proc_rec *p = rec_proc(r, c->who);
	const struct ev *e = find_ev(p, c->step, c->req);

	if (e == NULL) {
		snprintf(seen, len, "no %s for %s %d in %s's event log", c->step,
		    p && strcmp(p->spec->prog, "server") == 0 ? "connection" : "request",
		    c->req, c->who);
		return 0;
	}
	describe_call(e, seen, len);
	if (c->kind == CK_CALL_FAILS)
		return e->err != 0;
	return e->err == c->err;
}

static int
check_same_port(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	const struct proc_rec *p = rec_proc(r, c->who);
	int port = -1, n = 0, same = 1;
	size_t i;

	for (i = 0; p && i < p->nev; i++) {
		const struct ev *e = &p->ev[i];
		int lp;

		if (strcmp(e->step, "connect") != 0 || e->err != 0)
			continue;
		lp = port_of(e->local);
		if (port == -1)
			port = lp;
		else if (lp != port)
			same = 0;
		n++;
	}
	snprintf(seen, len, "%d connections, %s source port%s %d", n,
	    same ? "all from" : "not all from", "", port);
	return n >= 2 && same;
}

static int
check_snapshot(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	const struct snap_rec *s = rec_snap(r, c->snap);
	int hi = host_index(r, c->who);
	uint32_t expires;
	size_t n;

	if (s == NULL || hi < 0) {
		snprintf(seen, len, "no snapshot '%s' of host %s", c->snap, c->who);
		return 0;
	}
	switch (c->kind) {
	case CK_TIMEWAIT:
		n = count_state(s, hi, "TIME_WAIT", 0, NULL);
		snprintf(seen, len, "%s holds %zu TIME_WAIT socket%s", c->who, n, n == 1 ? "" : "s");
		return count_ok((int)n, c);
	case CK_TW_TIMER:
		n = count_state(s, hi, "TIME_WAIT", 0, &expires);
		if (n == 0) {
			snprintf(seen, len, "%s holds no TIME_WAIT socket", c->who);
			return 0;
		}
		snprintf(seen, len, "TIME_WAIT timer: %.1f s left", expires / 1000.0);
		return (int)expires >= c->lo && (int)expires <= c->hi;
	default:
		n = count_state(s, hi, c->state, c->port, NULL);
		if (c->port)
			snprintf(seen, len, "%zu socket%s in %s on port %d", n,
			    n == 1 ? "" : "s", c->state, c->port);
		else
			snprintf(seen, len, "%zu socket%s in %s", n, n == 1 ? "" : "s", c->state);
		return (int)n >= (c->n ? c->n : 1);
	}
}

static int
check_first_fin(const struct host_rec *h, char *seen, size_t len)
{
	struct conns cs;
	int i, fins = 0, mine = 0;

	conns_of(h, &cs);
	for (i = 0; i < cs.n; i++) {
		const struct conn *c = &cs.c[i];

		if (c->t_my_fin == 0 && c->t_peer_fin == 0)
			continue;
		fins++;
		/* A host's own capture is in time order: the earlier FIN was first. */
		mine += c->t_my_fin != 0 && (c->t_peer_fin == 0 || c->t_my_fin <= c->t_peer_fin);
	}
	conns_free(&cs);
	snprintf(seen, len, "%s sent the first FIN in %d of %d connection%s with a FIN",
	    h->name, mine, fins, fins == 1 ? "" : "s");
	return fins > 0 && mine == fins;
}

static uint64_t
first_fin_from(const struct host_rec *h, const struct host_rec *from)
{
	size_t i;

	for (i = 0; i < h->npkt; i++)
		if ((h->pkt[i].flags & TCPF_FIN) && is_mine(from, h->pkt[i].src))
			return h->pkt[i].t_ns;
	return 0;
}

static int
check_fin_time(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	const struct host_rec *h = rec_host(r, c->who);
	const struct host_rec *peer = rec_host(r, c->peer);
	uint64_t t = h ? first_fin_from(h, h) : 0;
	uint64_t ref;
	double ms, lo = c->lo, hi = c->hi;

	if (t == 0) {
		snprintf(seen, len, "%s sent no FIN", c->who);
		return 0;
	}
	if (c->kind == CK_FIN_AFTER) {
		ref = c->n < CAT_MAX_ACTIONS ? r->act_t[c->n] : 0;
		if (ref == 0) {
			snprintf(seen, len, "action %d never ran", c->n);
			return 0;
		}
	} else {
		ref = peer ? first_fin_from(h, peer) : 0;
		if (ref == 0) {
			snprintf(seen, len, "%s saw no FIN from %s", c->who, c->peer);
			return 0;
		}
		lo *= r->scale;
		hi *= r->scale;
	}
	ms = ((double)t - (double)ref) / 1e6;
	snprintf(seen, len, "%s's FIN at t=%.3f s, %.0f ms after %s",
	    c->who, ((double)t - (double)r->t0_ns) / 1e9, ms,
	    c->kind == CK_FIN_AFTER ? "the action" : "the peer's FIN");
	return ms >= lo && ms <= hi;
}

static int
check_established(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	const struct host_rec *h = rec_host(r, c->who);
	struct conns cs;
	int i, open = 0;

	if (h == NULL)
		return 0;
	conns_of(h, &cs);
	for (i = 0; i < cs.n; i++)
		open += cs.c[i].established && !cs.c[i].closed;
	conns_free(&cs);
	snprintf(seen, len, "%d connection%s open at once from %s", open,
	    open == 1 ? "" : "s", c->who);
	return open >= c->n;
}

/* A connection of a host's capture by its client-side port (0: the first). */
static const struct conn *
conn_by_port(const struct conns *cs, int cport, int client_side)
{
	int i;

	for (i = 0; i < cs->n; i++)
		if (cport == 0 || (client_side ? cs->c[i].lport : cs->c[i].rport) == cport)
			return &cs->c[i];
	return NULL;
}

/* TIME_WAIT sockets of a host at a snapshot on the connection of client port cport. */
static size_t
tw_on(const struct snap_rec *s, int hi, int cport, int client_side)
{
	size_t k, n = 0;

	for (k = 0; k < s->n[hi]; k++) {
		const struct sd_sock *x = &s->s[hi][k];

		if (strcmp(tcp_state_name(x->state), "TIME_WAIT") == 0 &&
		    port_of(client_side ? x->local : x->remote) == cport)
			n++;
	}
	return n;
}

/*
 * Did this host close before its TCP had taken in the peer's FIN? Its FIN
 * tells: a FIN sent after the peer's was processed acknowledges it. The
 * capture's clock cannot tell this apart when the two FINs pass within
 * microseconds: a packet is captured on the interface before TCP sees it.
 */
static int
closed_first(const struct conn *c)
{
	if (c->t_peer_fin == 0)
		return 1;
	return (int32_t)(c->my_fin_ack - (c->peer_fin_seq + 1)) < 0;
}

/*
 * The close race for one connection, from the client's capture (c) and the
 * server's (s): a side that closed before it had taken in the peer's FIN
 * is an active closer and ends in TIME_WAIT; both are when the FINs cross.
 * *consistent says whether the "end" snapshot's TIME_WAIT sockets agree.
 */
static const char *
race_of(const struct test_rec *r, const struct conn *c, const struct conn *s,
    char *detail, size_t len, int *consistent)
{
	const struct snap_rec *snap = rec_snap(r, "end");
	int client_first, server_first, ci = host_index(r, "client"), si = host_index(r, "server");
	size_t ctw = 0, stw = 0;

	*consistent = 0;
	if (c == NULL || s == NULL) {
		snprintf(detail, len, "no connection captured");
		return NULL;
	}
	if (snap != NULL && ci >= 0 && si >= 0) {
		ctw = tw_on(snap, ci, c->lport, 1);
		stw = tw_on(snap, si, c->lport, 0);
	}
	if (c->rst_mine || c->rst_peer || s->rst_mine || s->rst_peer) {
		if (c->t_my_fin && c->t_peer_fin && c->t_rst > c->t_my_fin && c->t_rst > c->t_peer_fin)
			snprintf(detail, len, "after both FINs a RST from the %s ended the TIME_WAIT "
			    "early (TIME-WAIT assassination, RFC 1337: tcp_rfc1337 is 0)",
			    c->rst_peer ? "server" : "client");
		else
			snprintf(detail, len, "a RST ended the connection");
		*consistent = ctw == 0 && stw == 0;
		return RACE_RST;
	}
	if (c->t_my_fin == 0 || s->t_my_fin == 0) {
		snprintf(detail, len, "a side sent no FIN");
		return NULL;
	}
	client_first = closed_first(c);
	server_first = closed_first(s);
	if (client_first && server_first) {
		snprintf(detail, len, "the FINs crossed: neither FIN acknowledges the other");
		*consistent = ctw > 0 && stw > 0;
		return RACE_BOTH;
	}
	if (server_first) {
		snprintf(detail, len, "the client's FIN acknowledges the server's: the server closed first");
		*consistent = stw > 0 && ctw == 0;
		return RACE_SERVER;
	}
	snprintf(detail, len, "the server's FIN acknowledges the client's: the client closed first");
	*consistent = ctw > 0 && stw == 0;
	return RACE_CLIENT;
}

int
race_classify_ports(const struct test_rec *r, int port_base, int n,
    const char **names, int *consistent, char (*details)[RACE_DETAIL])
{
	const struct host_rec *ch = rec_host(r, "client"), *sh = rec_host(r, "server");
	struct conns cc, sc;
	char detail[RACE_DETAIL];
	int i;

	if (ch == NULL || sh == NULL)
		return -1;
	conns_of(ch, &cc);
	conns_of(sh, &sc);
	for (i = 0; i < n; i++) {
		int port = port_base + i;

		names[i] = race_of(r, conn_by_port(&cc, port, 1), conn_by_port(&sc, port, 0),
		    details ? details[i] : detail, RACE_DETAIL, &consistent[i]);
	}
	conns_free(&cc);
	conns_free(&sc);
	return 0;
}

const char *
race_classify(const struct test_rec *r, int cport, char *detail, size_t len,
    int *consistent)
{
	const struct host_rec *ch = rec_host(r, "client"), *sh = rec_host(r, "server");
	const struct conn *c;
	struct conns cc, sc;
	const char *o;

	*consistent = 0;
	if (ch == NULL || sh == NULL)
		return NULL;
	conns_of(ch, &cc);
	conns_of(sh, &sc);
	c = conn_by_port(&cc, cport, 1);
	o = race_of(r, c, c ? conn_by_port(&sc, c->lport, 0) : NULL, detail, len, consistent);
	conns_free(&cc);
	conns_free(&sc);
	return o;
}

const char *
race_outcome(const struct test_rec *r, char *detail, size_t len)
{
	int consistent;

	return race_classify(r, 0, detail, len, &consistent);
}

static int
check_race(const struct test_rec *r, char *seen, size_t len)
{
	char detail[160];
	int consistent;
	const char *o = race_classify(r, 0, detail, sizeof(detail), &consistent);

	if (o == NULL) {
		snprintf(seen, len, "no outcome: %s", detail);
		return 0;
	}
	snprintf(seen, len, "%s: %s%s", o, detail,
	    consistent ? "; the TIME_WAIT sockets agree" :
	    "; but the TIME_WAIT sockets do not agree");
	return consistent;
}

int
checks_run(const struct test_rec *r, struct check_result *out)
{
	const struct test_spec *t = r->spec;
	int i, n = 0;

	for (i = 0; i < CAT_MAX_CHECKS && t->checks[i].kind != 0; i++) {
		const struct check_spec *c = &t->checks[i];
		struct check_result *res = &out[n++];
		const struct host_rec *h = rec_host(r, c->who);
		int seen;

		res->spec = c;
		res->seen[0] = '\0';
		res->judged = !c->full || r->full;
		res->pass = 0;
		if (!res->judged) {
			snprintf(res->seen, sizeof(res->seen), "not judged: needs --full");
			continue;
		}
		switch (c->kind) {
		case CK_CALL:
		case CK_CALL_FAILS:
			res->pass = check_call(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_SAME_PORT:
			res->pass = check_same_port(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_TIMEWAIT:
		case CK_TW_TIMER:
		case CK_STATE:
			res->pass = check_snapshot(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_SENDS:
			if (h == NULL)
				break;
			seen = flag_count(h, c->flag);
			snprintf(res->seen, sizeof(res->seen), "%s sent %d %s%s", c->who,
			    seen, flag_word(c->flag), seen == 1 ? "" : "s");
			res->pass = count_ok(seen, c);
			break;
		case CK_FIRST_FIN:
			if (h != NULL)
				res->pass = check_first_fin(h, res->seen, sizeof(res->seen));
			break;
		case CK_FIN_AFTER:
		case CK_FIN_GAP:
			res->pass = check_fin_time(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_ESTABLISHED:
			res->pass = check_established(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_RACE:
			res->pass = check_race(r, res->seen, sizeof(res->seen));
			break;
		}
		if (res->seen[0] == '\0')
			snprintf(res->seen, sizeof(res->seen), "nothing to judge (unknown host or process '%s')",
			    c->who ? c->who : "");
	}
	return n;
}

/* Read the lines appended to a program's event log since the last call. */
int
rec_load_events(struct proc_rec *p)
{
	FILE *f = fopen(p->events_path, "r");
	char line[2048];

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	if (fseeko(f, p->off, SEEK_SET) == -1) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t l = strlen(line);
		json_t *j, *v;
		struct ev *e;

		if (l == 0 || line[l - 1] != '\n')
			break;		/* not complete yet: read it next time */
		p->off += (off_t)l;
		j = json_loads(line, 0, NULL);
		if (j == NULL)
			continue;
		if (p->nev == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 64;
			struct ev *ne = realloc(p->ev, cap * sizeof(*ne));

			if (ne == NULL) {
				json_decref(j);
				fclose(f);
				return -1;
			}
			p->ev = ne;
			p->cap = cap;
		}
		e = &p->ev[p->nev++];
		memset(e, 0, sizeof(*e));
		e->t_ns = (uint64_t)json_integer_value(json_object_get(j, "t_ns"));
		snprintf(e->step, sizeof(e->step), "%s",
		    json_string_value(json_object_get(j, "step")) ?: "");
		e->ret = (long)json_integer_value(json_object_get(j, "ret"));
		e->err = (int)json_integer_value(json_object_get(j, "errno"));
		v = json_object_get(j, "req");
		if (v == NULL)
			v = json_object_get(j, "conn");
		e->req = (int)json_integer_value(v);
		snprintf(e->local, sizeof(e->local), "%s",
		    json_string_value(json_object_get(j, "local")) ?: "");
		snprintf(e->remote, sizeof(e->remote), "%s",
		    json_string_value(json_object_get(j, "remote")) ?: "");
		e->bytes = (long)json_integer_value(json_object_get(j, "bytes"));
		snprintf(e->events, sizeof(e->events), "%s",
		    json_string_value(json_object_get(j, "events")) ?: "");
		json_decref(j);
	}
	fclose(f);
	return 0;
}

void
rec_free(struct test_rec *r)
{
	int i, h;

	for (i = 0; i < r->nprocs; i++) {
		free(r->procs[i].ev);
		r->procs[i].ev = NULL;
		r->procs[i].nev = r->procs[i].cap = 0;
	}
	for (i = 0; i < r->nhosts; i++) {
		free(r->hosts[i].pkt);
		r->hosts[i].pkt = NULL;
		r->hosts[i].npkt = 0;
	}
	for (i = 0; i < r->nsnaps; i++)
		for (h = 0; h < CAT_MAX_HOSTS; h++) {
			free(r->snaps[i].s[h]);
			r->snaps[i].s[h] = NULL;
		}
	r->nsnaps = 0;
}
