/*
 * trace.c - stage 4a of the run model: the kernel trace (trace.jsonl), one
 * run of states per socket (a run starts at SYN_SENT or SYN_RECV), each
 * tied to the connection of its 4-tuple and time. Resets are noted per
 * run: the states stage needs them to put back a time-wait socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/jsonl.h"
#include "model/work.h"

static int
run_add(struct trun *r, int64_t t, enum tcp_st st)
{
	struct tl_state s;

	memset(&s, 0, sizeof(s));
	s.t = t;
	s.state = (uint8_t)st;
	return VEC_PUSH(r->st, r->n, r->cap, s);
}

/* A new run for the socket of key. NULL out of memory. */
static struct trun *
run_new(struct work *w, const char *key, const char *host, const char *local,
    const char *remote, int64_t t, enum tcp_st newst)
{
	struct trun nr;

	memset(&nr, 0, sizeof(nr));
	snprintf(nr.host, sizeof(nr.host), "%s", host);
	snprintf(nr.local, sizeof(nr.local), "%s", local);
	snprintf(nr.remote, sizeof(nr.remote), "%s", remote);
	nr.t_first = t;
	nr.starts_syn_sent = newst == TS_SYN_SENT;
	nr.conn = -1;
	nr.t_rst = nr.t_rst_full = TL_UNKNOWN;
	nr.tuple = tuple_get(w, local, remote);
	if (nr.tuple == (size_t)-1 ||
	    VEC_PUSH(w->runs, w->nruns, w->rcap, nr) ||
	    strmap_put(&w->rmap, key, w->nruns - 1))
		return NULL;
	return &w->runs[w->nruns - 1];
}

/* One line of the trace. 0, -1 out of memory, -2 a bad line (err). */
static int
trace_line(struct work *w, const struct jrec *o, const char *where)
{
	const char *ev = jr_str(o, "event"), *sk = jr_str(o, "sk");
	enum tcp_st old = tcp_state_parse(jr_str(o, "oldstate"));
	enum tcp_st newst = tcp_state_parse(jr_str(o, "newstate"));
	char local[64], remote[64], key[160];
	int64_t t, dport = jr_int(o, "dport", 0), sport = jr_int(o, "sport", 0);
	struct trun *r = NULL;
	size_t ri;
	int is_state = !strcmp(ev, "inet_sock_set_state");

	if (jr_time(o, "t_ns", &t)) {
		snprintf(w->err, w->errlen, "%s: t_ns missing or out of range", where);
		return -2;
	}
	if (dport < 0 || dport > 65535 || sport < 0 || sport > 65535) {
		snprintf(w->err, w->errlen, "%s: port out of range", where);
		return -2;
	}
	if (is_state && (old == TS_UNKNOWN || newst == TS_UNKNOWN)) {
		snprintf(w->err, w->errlen, "%s: unknown TCP state", where);
		return -2;
	}
	if (dport == 0)
		return 0;	/* a listening socket */
	/* connect() sets SYN_SENT before it picks the source port: keep that
	 * time for the socket's next event, which has the port. */
	if (sport == 0) {
		if (newst == TS_SYN_SENT && *sk &&
		    (VEC_PUSH(w->pend_t, w->npend, w->pcap_, t) ||
		     strmap_put(&w->pend, sk, w->npend - 1)))
			return -1;
		return 0;
	}
	ep_text(jr_str(o, "saddr"), (uint16_t)sport, local, sizeof(local));
	ep_text(jr_str(o, "daddr"), (uint16_t)dport, remote, sizeof(remote));
	snprintf(key, sizeof(key), "%s|%s|%s", jr_str(o, "host"), local, remote);
	if (!strmap_get(&w->rmap, key, &ri))
		r = &w->runs[ri];
	if (is_state) {
		if (!r || newst == TS_SYN_SENT || newst == TS_SYN_RECV ||
		    (r->n && r->st[r->n - 1].state == TS_CLOSE)) {
			int pend_syn = old == TS_SYN_SENT && *sk &&
			    !strmap_get(&w->pend, sk, &ri);

			r = run_new(w, key, jr_str(o, "host"), local, remote, t, newst);
			if (!r)
				return -1;
			if (pend_syn) {
				r->t_first = w->pend_t[ri];
				r->starts_syn_sent = 1;
				if (run_add(r, r->t_first, TS_SYN_SENT))
					return -1;
			}
		}
		return run_add(r, t, newst);
	}
	/* tcp_send_reset without a socket state comes from a time-wait
	 * socket (or from no socket at all); with one, and every
	 * tcp_receive_reset, concern the full socket. */
	if (r && !strcmp(ev, "tcp_send_reset") && !strcmp(jr_str(o, "state"), "NONE")) {
		if (r->t_rst == TL_UNKNOWN)
			r->t_rst = t;
	} else if (r && (!strcmp(ev, "tcp_send_reset") || !strcmp(ev, "tcp_receive_reset"))) {
		if (r->t_rst_full == TL_UNKNOWN)
			r->t_rst_full = t;
	}
	return 0;
}

int
load_trace(struct work *w)
{
	char path[4200], where[4300];
	struct jsonl r;
	const struct jrec *o;
	int rc = 0, k = 0;

	snprintf(path, sizeof(path), "%s/trace.jsonl", w->tl->testdir);
	if (jsonl_open(&r, path, 0, 0, w->err, w->errlen))
		return missing(w);
	w->tl->have_trace = 1;
	while (rc == 0 && (k = jsonl_next(&r, &o, w->err, w->errlen)) == 1) {
		snprintf(where, sizeof(where), "%s:%zu", path, r.lineno);
		rc = trace_line(w, o, where);
	}
	jsonl_close(&r);
	if (rc == -1)
		snprintf(w->err, w->errlen, "out of memory reading the trace");
	return rc || k < 0 ? -1 : 0;
}

int
attach_runs(struct work *w)
{
	struct timeline *tl = w->tl;

	for (size_t i = 0; i < w->nruns; i++) {
		struct trun *r = &w->runs[i];
		struct tuple *tp = &w->tuples[r->tuple];
		int ci = -1, side;

		if (!r->n)
			continue;
		for (size_t k = 0; k < tp->nconns && ci < 0; k++) {
			int c = (int)tp->conns[k];

			side = strcmp(tl->conns[c].client, r->local) ? TL_SERVER : TL_CLIENT;
			if (tl->conns[c].nstates[side])
				continue;	/* that side has its run already */
			/* A capture may have lost the packets of a connection the
			 * trace saw: only a start close enough in time matches. */
			if (r->starts_syn_sent) {
				if (tl->conns[c].t_start >= r->t_first &&
				    tl->conns[c].t_start - r->t_first < 200000000)
					ci = c;	/* its SYN leaves right after */
			} else if (k + 1 == tp->nconns ||
			    tl->conns[tp->conns[k + 1]].t_start > r->t_first) {
				/* the last one begun by then */
				if (r->st[0].state != TS_SYN_RECV ||
				    (tl->conns[c].t_start <= r->t_first &&
				     r->t_first - tl->conns[c].t_start < 3000000000LL))
					ci = c;
				break;
			}
		}
		if (ci < 0) {
			const char *cl = r->local, *sv = r->remote;

			if (r->st[0].state == TS_SYN_RECV ||
			    (!r->starts_syn_sent && ep_port(r->local) < ep_port(r->remote)))
				cl = r->remote, sv = r->local;
			ci = new_conn(w, r->tuple, cl, sv, r->t_first);
			if (ci < 0)
				return -1;
		}
		side = strcmp(tl->conns[ci].client, r->local) ? TL_SERVER : TL_CLIENT;
		r->conn = ci;
		tl->conns[ci].states[side] = r->st;
		tl->conns[ci].nstates[side] = r->n;
		r->st = NULL;
		r->cap = 0;
	}
	return 0;
}
