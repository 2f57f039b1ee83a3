/*
 * checks.c - judge a test run: each check of the catalogue looks at one
 * witness, the run model (model/timeline.h: the programs' events, every
 * packet with its time on each host, each host's TCP states) or a socket
 * snapshot, and says what it saw, in words a person can compare with what
 * was expected.
 *
 * A host's behaviour is judged from what its own capture saw, on its own
 * clock: "the client sends a RST" counts the packets the client's capture
 * saw leave it, "the client sent its FIN before it received the server's"
 * compares two times taken on the client, so no clock is compared across
 * hosts. The close race (race.c) is judged per connection, from its
 * packets (who closed first) and its kernel states (who held TIME_WAIT),
 * with the end snapshot only as a cross-check for the TIME_WAIT sockets
 * still alive when it was taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkint.h"
#include "util.h"

/* The first event of program who with step, for request req (0: any). */
static const struct tl_event *
find_ev(const struct timeline *tl, const char *who, const char *step, int req)
{
	for (size_t i = 0; tl && who && i < tl->nevents; i++) {
		const struct tl_event *e = &tl->events[i];

		if (strcmp(e->prog, who) == 0 && strcmp(e->step, step) == 0 &&
		    (req == 0 || e->req == req))
			return e;
	}
	return NULL;
}

static void
describe_call(const struct tl_event *e, char *buf, size_t len)
{
	if (e->err == 0)
		snprintf(buf, len, "%s succeeded (returned %d)", e->step, e->ret);
	else
		snprintf(buf, len, "%s failed: %s (%d)", e->step, strerror(e->err), e->err);
}

static size_t
count_state(const struct snap_rec *s, int hi, enum tcp_st state, int port,
    uint32_t *max_expires)
{
	size_t i, n = 0;

	if (max_expires)
		*max_expires = 0;
	for (i = 0; i < s->n[hi]; i++) {
		const struct sd_sock *k = &s->s[hi][i];

		if (k->state != state)
			continue;
		if (port != 0 && port_of(k->local) != port)
			continue;
		n++;
		if (max_expires && k->expires_ms > *max_expires)
			*max_expires = k->expires_ms;
	}
	return n;
}

/* The other end of c, seen from side. */
static const char *
other_host(const struct tl_conn *c, int side)
{
	return c->host[side == TL_CLIENT ? TL_SERVER : TL_CLIENT];
}

/* Whether p carries what flag names: F(IN), R(ST), S(YN), D(ata). */
static int
has_flag(const struct tl_pkt *p, char flag)
{
	switch (flag) {
	case 'F': return (p->flags & TCPF_FIN) != 0;
	case 'R': return (p->flags & TCPF_RST) != 0;
	case 'S': return (p->flags & TCPF_SYN) != 0;
	case 'D': return p->len > 0;
	}
	return 0;
}

/*
 * Packets with flag that host's capture saw it send (out) or saw arrive
 * from its peers (!out), in its connections with peer only (NULL: all).
 */
static int
flag_count(const struct timeline *tl, const char *host, const char *peer, int out,
    char flag)
{
	int n = 0;

	for (size_t i = 0; tl && i < tl->nconns; i++) {
		const struct tl_conn *c = &tl->conns[i];
		int side = ck_side_of(c, host);

		if (side < 0 || (peer != NULL && strcmp(other_host(c, side), peer) != 0))
			continue;
		for (size_t k = 0; k < c->npkts; k++) {
			const struct tl_pkt *p = &c->pkts[k];

			if ((p->from == side) == out && ck_seen_on(p, side, tl->judge_until) != NONE)
				n += has_flag(p, flag);
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

/* Who held the port of bind event e when it began, in words (model/binds.c). */
static void
describe_holder(const struct timeline *tl, const struct tl_event *e, char *buf, size_t len)
{
	const struct tl_conn *h;

	if (!e->held) {
		snprintf(buf, len, "no socket held port %u then", e->lport);
		return;
	}
	h = &tl->conns[e->held_conn];
	/* cut to fit: the seen column is one line */
	(void)fmt(buf, len, "port %u was held by %s -> %s in %s%s", e->lport, h->client,
	    h->server, tl_state_name(e->held), e->held_seen ? "" :
	    " (rebuilt, no snapshot saw it)");
}

static int
check_call(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	const struct proc_rec *p = rec_proc(r, c->who);
	const struct tl_event *e = find_ev(r->tl, c->who, c->step, c->req);

	if (e == NULL) {
		snprintf(seen, len, "no %s for %s %d in %s's event log", c->step,
		    p && strcmp(p->spec->prog, "server") == 0 ? "connection" : "request",
		    c->req, c->who);
		return 0;
	}
	describe_call(e, seen, len);
	if (e->err != 0 && strcmp(e->step, "bind") == 0) {
		char who[160];
		size_t n = strlen(seen);

		describe_holder(r->tl, e, who, sizeof(who));
		(void)fmt(seen + n, len - n, "; %s", who);
	}
	if (c->took) {
		size_t n = strlen(seen);
		double ms;

		if (e->t_call == 0 || e->t_call > e->t) {
			snprintf(seen + n, len - n, "; its start was not logged");
			return 0;
		}
		ms = (double)(e->t - e->t_call) / 1e6;
		snprintf(seen + n, len - n, " after %.1f ms", ms);
		if (ms < c->lo || ms > c->hi)
			return 0;
	}
	if (c->kind == CK_CALL_FAILS)
		return e->err != 0;
	return e->err == c->err;
}

/* port-state: the state of the socket that held a bind's port, or none. */
static int
check_port_state(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	const struct tl_event *e = find_ev(r->tl, c->who, c->step, c->req);
	char call[96], who[160];

	if (e == NULL) {
		snprintf(seen, len, "no %s for request %d in %s's event log", c->step, c->req, c->who);
		return 0;
	}
	describe_call(e, call, sizeof(call));
	describe_holder(r->tl, e, who, sizeof(who));
	(void)fmt(seen, len, "%s; %s", call, who);
	if (c->state == NULL)
		return !e->held;
	return e->held && e->held_seen && strcmp(tl_state_name(e->held), c->state) == 0;
}

static int
check_same_port(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	int port = -1, n = 0, same = 1;

	for (size_t i = 0; r->tl && i < r->tl->nevents; i++) {
		const struct tl_event *e = &r->tl->events[i];
		int lp;

		if (strcmp(e->prog, c->who) != 0 || strcmp(e->step, "connect") != 0 ||
		    e->err != 0)
			continue;
		lp = e->lport ? e->lport : -1;
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
	int hi = ck_host_index(r, c->who);
	uint32_t expires;
	size_t n;

	if (s == NULL || hi < 0) {
		snprintf(seen, len, "no snapshot '%s' of host %s", c->snap, c->who);
		return 0;
	}
	switch (c->kind) {
	case CK_TIMEWAIT:
		n = count_state(s, hi, TS_TIME_WAIT, 0, NULL);
		snprintf(seen, len, "%s holds %zu TIME_WAIT socket%s", c->who, n, n == 1 ? "" : "s");
		return count_ok((int)n, c);
	case CK_TW_TIMER:
		n = count_state(s, hi, TS_TIME_WAIT, 0, &expires);
		if (n == 0) {
			snprintf(seen, len, "%s holds no TIME_WAIT socket", c->who);
			return 0;
		}
		snprintf(seen, len, "TIME_WAIT timer: %.1f s left", expires / 1000.0);
		return (int)expires >= c->lo && (int)expires <= c->hi;
	default:
		n = count_state(s, hi, tcp_state_parse(c->state), c->port, NULL);
		if (c->port)
			snprintf(seen, len, "%zu socket%s in %s on port %d", n,
			    n == 1 ? "" : "s", c->state, c->port);
		else
			snprintf(seen, len, "%zu socket%s in %s", n, n == 1 ? "" : "s", c->state);
		if (c->kind == CK_NO_STATE)
			return n == 0;
		return (int)n >= (c->n ? c->n : 1);
	}
}

static int
check_first_fin(const struct timeline *tl, const char *host, char *seen, size_t len)
{
	int fins = 0, mine = 0;

	for (size_t i = 0; tl && i < tl->nconns; i++) {
		int side = ck_side_of(&tl->conns[i], host);
		struct hview v;

		if (side < 0 || ck_host_view(&tl->conns[i], side, tl->judge_until, &v))
			continue;
		if (v.t_my_fin == NONE && v.t_peer_fin == NONE)
			continue;
		fins++;
		/* On one host's clock, the earlier FIN was first. */
		mine += v.t_my_fin != NONE &&
		    (v.t_peer_fin == NONE || v.t_my_fin <= v.t_peer_fin);
	}
	snprintf(seen, len, "%s sent the first FIN in %d of %d connection%s with a FIN",
	    host, mine, fins, fins == 1 ? "" : "s");
	return fins > 0 && mine == fins;
}

/* The first FIN that host's capture saw sent by host from, on host's clock. */
static int64_t
first_fin_from(const struct timeline *tl, const char *host, const char *from)
{
	int64_t first = NONE;

	for (size_t i = 0; tl && i < tl->nconns; i++) {
		const struct tl_conn *c = &tl->conns[i];
		int side = ck_side_of(c, host);

		for (size_t k = 0; side >= 0 && k < c->npkts; k++) {
			const struct tl_pkt *p = &c->pkts[k];
			int64_t t = ck_seen_on(p, side, tl->judge_until);

			if ((p->flags & TCPF_FIN) && t != NONE &&
			    strcmp(c->host[p->from], from) == 0 &&
			    (first == NONE || t < first))
				first = t;
		}
	}
	return first;
}

static int
check_fin_time(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	int64_t t = rec_host(r, c->who) ? first_fin_from(r->tl, c->who, c->who) : NONE;
	int64_t ref;
	double ms, lo = c->lo, hi = c->hi;

	if (t == NONE) {
		snprintf(seen, len, "%s sent no FIN", c->who);
		return 0;
	}
	if (c->kind == CK_FIN_AFTER) {
		ref = c->n < CAT_MAX_ACTIONS && r->act_t[c->n] ? (int64_t)r->act_t[c->n] : NONE;
		if (ref == NONE) {
			snprintf(seen, len, "action %d never ran", c->n);
			return 0;
		}
	} else {
		ref = rec_host(r, c->peer) ? first_fin_from(r->tl, c->who, c->peer) : NONE;
		if (ref == NONE) {
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
	int open = 0;

	if (rec_host(r, c->who) == NULL)
		return 0;
	for (size_t i = 0; r->tl && i < r->tl->nconns; i++) {
		int side = ck_side_of(&r->tl->conns[i], c->who);
		struct hview v;

		if (side >= 0 && ck_host_view(&r->tl->conns[i], side, r->tl->judge_until, &v) == 0)
			open += v.established && !v.closed;
	}
	snprintf(seen, len, "%d connection%s open at once from %s", open,
	    open == 1 ? "" : "s", c->who);
	return open >= c->n;
}

/* ---- checks of one hop: the connections between host and peer ---- */

/* Which lab host a snapshot's "ip:port" or "[ip6]:port" belongs to. */
static const char *
remote_host(const struct test_rec *r, const char *ipport)
{
	char addr[64];
	const char *end;

	if (ipport[0] == '[') {
		end = strchr(ipport, ']');
		if (end == NULL)
			return NULL;
		snprintf(addr, sizeof(addr), "%.*s", (int)(end - ipport - 1), ipport + 1);
	} else {
		end = strrchr(ipport, ':');
		snprintf(addr, sizeof(addr), "%.*s", end ? (int)(end - ipport) : (int)strlen(ipport),
		    ipport);
	}
	return rec_host_of(r, addr);
}

/* Sockets of host in state at the snapshot whose remote end is peer. */
static int
check_hop_snapshot(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	const struct snap_rec *s = rec_snap(r, c->snap);
	int hi = ck_host_index(r, c->who);
	enum tcp_st st = c->kind == CK_TIMEWAIT_TO ? TS_TIME_WAIT : tcp_state_parse(c->state);
	const char *name = c->kind == CK_TIMEWAIT_TO ? "TIME_WAIT" : c->state;
	int n = 0;

	if (s == NULL || hi < 0) {
		snprintf(seen, len, "no snapshot '%s' of host %s", c->snap, c->who);
		return 0;
	}
	for (size_t i = 0; i < s->n[hi]; i++) {
		const struct sd_sock *k = &s->s[hi][i];
		const char *peer = remote_host(r, k->remote);

		if (k->state == st && peer != NULL && strcmp(peer, c->peer) == 0 &&
		    (c->port == 0 || port_of(k->local) == c->port))
			n++;
	}
	snprintf(seen, len, "%s holds %d %s socket%s towards %s", c->who, n, name,
	    n == 1 ? "" : "s", c->peer);
	if (c->kind == CK_STATE_TO)
		return n >= (c->n ? c->n : 1);
	return count_ok(n, c);
}

/* Packets with flag that host's capture saw it send towards peer. */
static int
check_hop_sends(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	int n = flag_count(r->tl, c->who, c->peer, 1, c->flag);

	snprintf(seen, len, "%s sent %d %s%s towards %s", c->who, n, flag_word(c->flag),
	    n == 1 ? "" : "s", c->peer);
	return count_ok(n, c);
}

/* host sent the first FIN of every connection with peer that had one. */
static int
check_hop_first_fin(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	const struct timeline *tl = r->tl;
	int fins = 0, mine = 0, conns = 0;

	for (size_t i = 0; tl && i < tl->nconns; i++) {
		int side = ck_side_of(&tl->conns[i], c->who);
		struct hview v;

		if (side < 0 || strcmp(other_host(&tl->conns[i], side), c->peer) != 0 ||
		    ck_host_view(&tl->conns[i], side, tl->judge_until, &v))
			continue;
		conns++;
		if (v.t_my_fin == NONE && v.t_peer_fin == NONE)
			continue;
		fins++;
		mine += v.t_my_fin != NONE &&
		    (v.t_peer_fin == NONE || v.t_my_fin <= v.t_peer_fin);
	}
	snprintf(seen, len, "%s sent the first FIN in %d of %d connection%s with a FIN "
	    "towards %s (%d in all)", c->who, mine, fins, fins == 1 ? "" : "s", c->peer, conns);
	return fins > 0 && mine == fins;
}

static int
check_hop(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	if (rec_host(r, c->who) == NULL || rec_host(r, c->peer) == NULL)
		return 0;
	switch (c->kind) {
	case CK_TIMEWAIT_TO:
	case CK_STATE_TO:
		return check_hop_snapshot(r, c, seen, len);
	case CK_SENDS_TO:
		return check_hop_sends(r, c, seen, len);
	default:
		return check_hop_first_fin(r, c, seen, len);
	}
}

/* The counter a netstat check names, as read on its host at the end. */
static int
check_netstat(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	for (int i = 0; i < r->nnetstat; i++) {
		const struct netstat_rec *x = &r->netstat[i];

		if (strcmp(x->host, c->who) != 0 || strcmp(x->name, c->state) != 0)
			continue;
		if (!x->found) {
			snprintf(seen, len, "%s's /proc/net/netstat has no %s", c->who, c->state);
			return 0;
		}
		snprintf(seen, len, "%s's %s is %lld", c->who, c->state, x->value);
		return c->atleast ? x->value >= c->n : x->value == c->n;
	}
	snprintf(seen, len, "%s's %s was not read (the run ended early)", c->who, c->state);
	return 0;
}

/* What the lab's drop lines from who to peer dropped (their nft counters). */
static int
check_dropped(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	long long n = 0;

	if (!r->drops_read) {
		snprintf(seen, len, "the drop counters were not read (the run ended early)");
		return 0;
	}
	for (int i = 0; i < CAT_MAX_DROPS && r->spec->drops[i].from != NULL; i++)
		if (strcmp(r->spec->drops[i].from, c->who) == 0 &&
		    strcmp(r->spec->drops[i].to, c->peer) == 0)
			n += r->dropped[i];
	snprintf(seen, len, "the lab dropped %lld segment%s from %s to %s", n,
	    n == 1 ? "" : "s", c->who, c->peer);
	return c->atleast ? n >= c->n : n == c->n;
}

/* What a link's duplication or reordering did from who to peer. */
static int
check_link_count(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	long long n = -1;
	int dup = c->kind == CK_DUPLICATED;

	if (!r->links_read) {
		snprintf(seen, len, "the link's counts were not read (the run ended early)");
		return 0;
	}
	for (int i = 0; i < CAT_MAX_LINKS && r->spec->links[i].a != NULL; i++) {
		const struct link_spec *l = &r->spec->links[i];
		int d = strcmp(l->a, c->who) == 0 && strcmp(l->b, c->peer) == 0 ? 0 :
		    strcmp(l->b, c->who) == 0 && strcmp(l->a, c->peer) == 0 ? 1 : -1;

		if (d >= 0)
			n = dup ? r->link_dup[i][d] : r->link_reordered[i][d];
	}
	if (n < 0) {
		snprintf(seen, len, "no link from %s to %s", c->who, c->peer);
		return 0;
	}
	snprintf(seen, len, "the lab %s %lld packet%s from %s to %s",
	    dup ? "duplicated" : "sent behind a later one", n, n == 1 ? "" : "s", c->who, c->peer);
	return c->atleast ? n >= c->n : n == c->n;
}

/*
 * Packets that arrived at host after a packet their sender sent later:
 * reordered on the wire, judged from the two captures alone (a packet
 * with no send or no arrival time is not counted; nor is a copy).
 */
static int
out_of_order(const struct timeline *tl, const char *host)
{
	int n = 0;

	for (size_t i = 0; tl && i < tl->nconns; i++) {
		const struct tl_conn *c = &tl->conns[i];
		int side = ck_side_of(c, host);

		if (side < 0)
			continue;
		for (size_t k = 0; k < c->npkts; k++) {
			const struct tl_pkt *p = &c->pkts[k];

			if (p->from == side || p->t_sent == TL_UNKNOWN ||
			    ck_seen_on(p, side, tl->judge_until) == NONE)
				continue;
			for (size_t j = 0; j < c->npkts; j++) {
				const struct tl_pkt *q = &c->pkts[j];

				if (q->from == p->from && q->t_sent != TL_UNKNOWN &&
				    q->t_received != TL_UNKNOWN && q->t_sent > p->t_sent &&
				    q->t_received < p->t_received) {
					n++;
					break;
				}
			}
		}
	}
	return n;
}

int
checks_run(const struct test_rec *r, struct check_result *out)
{
	const struct test_spec *t = r->spec;
	int i, n = 0;

	for (i = 0; i < CAT_MAX_CHECKS && t->checks[i].kind != 0; i++) {
		const struct check_spec *c = &t->checks[i];
		struct check_result *res = &out[n++];
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
			if (rec_host(r, c->who) == NULL)
				break;
			seen = flag_count(r->tl, c->who, NULL, 1, c->flag);
			snprintf(res->seen, sizeof(res->seen), "%s sent %d %s%s", c->who,
			    seen, flag_word(c->flag), seen == 1 ? "" : "s");
			res->pass = count_ok(seen, c);
			break;
		case CK_FIRST_FIN:
			if (rec_host(r, c->who) != NULL)
				res->pass = check_first_fin(r->tl, c->who, res->seen,
				    sizeof(res->seen));
			break;
		case CK_FIN_AFTER:
		case CK_FIN_GAP:
			res->pass = check_fin_time(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_ESTABLISHED:
			res->pass = check_established(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_RACE:
			res->pass = ck_check_race(r, res->seen, sizeof(res->seen));
			break;
		case CK_TIMEWAIT_TO:
		case CK_STATE_TO:
		case CK_SENDS_TO:
		case CK_FIRST_FIN_TO:
			res->pass = check_hop(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_RECEIVES:
			if (rec_host(r, c->who) == NULL)
				break;
			seen = flag_count(r->tl, c->who, NULL, 0, c->flag);
			snprintf(res->seen, sizeof(res->seen), "%s received %d %s%s", c->who,
			    seen, flag_word(c->flag), seen == 1 ? "" : "s");
			res->pass = count_ok(seen, c);
			break;
		case CK_NO_STATE:
			res->pass = check_snapshot(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_NETSTAT:
			res->pass = check_netstat(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_DROPPED:
			res->pass = check_dropped(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_DUPLICATED:
		case CK_REORDERED:
			res->pass = check_link_count(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_OUT_OF_ORDER:
			if (rec_host(r, c->who) == NULL)
				break;
			seen = out_of_order(r->tl, c->who);
			snprintf(res->seen, sizeof(res->seen), "%d packet%s reached %s after one sent "
			    "later", seen, seen == 1 ? "" : "s", c->who);
			res->pass = count_ok(seen, c);
			break;
		case CK_PORT_STATE:
			res->pass = check_port_state(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_EXIT:
			res->pass = ck_check_exit(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_OUTPUT:
			res->pass = ck_check_output(r, c, res->seen, sizeof(res->seen));
			break;
		case CK_OUTCOME:	/* over a variant's runs: lab/series.c judges it */
			res->judged = 0;
			snprintf(res->seen, sizeof(res->seen), "not judged: counts a series' runs");
			break;
		}
		if (res->seen[0] == '\0')
			snprintf(res->seen, sizeof(res->seen), "nothing to judge (unknown host or process '%s')",
			    c->who ? c->who : "");
	}
	return n;
}
