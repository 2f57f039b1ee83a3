/*
 * derive.c - one interval of `timewait watch` in figures: rates per second,
 * who closes first, and for each destination the ceiling its ports allow.
 *
 * The ceiling: a connection this host closes first keeps its 4-tuple in
 * TIME_WAIT for 60 s, so towards one destination from one source address
 * at most (usable ports) / 60 s connections a second can be made (1 s when
 * tcp_tw_reuse lets connect() take over a TIME_WAIT older than a second).
 * It applies only to destinations this host closes first or holds
 * TIME_WAIT towards; when the peer closes first there is none. The share
 * of it in use is the larger of (connections closed first here per second
 * / ceiling) and (ports in use / usable ports): a destination whose ports
 * are all taken is at 100% even while nothing gets through.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "util.h"
#include "watch/watch.h"

const char *const w_rst_reason_names[W_RST_REASONS] = {
	"NOT_SPECIFIED", "NO_SOCKET", "TCP_INVALID_ACK_SEQUENCE",
	"TCP_RFC7323_PAWS", "TCP_TOO_OLD_ACK", "TCP_ACK_UNSENT_DATA",
	"TCP_FLAGS", "TCP_OLD_ACK", "TCP_ABORT_ON_DATA", "TCP_TIMEWAIT_SOCKET",
	"INVALID_SYN", "TCP_ABORT_ON_CLOSE", "TCP_ABORT_ON_LINGER",
	"TCP_ABORT_ON_MEMORY", "TCP_STATE", "TCP_KEEPALIVE_TIMEOUT",
	"TCP_DISCONNECT_WITH_DATA", "MPTCP_RST_EUNSPEC", "MPTCP_RST_EMPTCP",
	"MPTCP_RST_ERESOURCE", "MPTCP_RST_EPROHIBIT", "MPTCP_RST_EWQ2BIG",
	"MPTCP_RST_EBADPERF", "MPTCP_RST_EMIDDLEBOX", "ERROR", "MAX",
};

static int
is_loopback(const struct w_key *k)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	return k->family == AF_INET ? k->remote[0] == 127 : !memcmp(k->remote, lo6, 16);
}

static void
fill_line(struct w_line *l, const struct w_row *row, const struct w_report *r)
{
	double iv = r->interval_s > 0 ? r->interval_s : 1, tw_len, rate, usable;
	uint64_t fins = row->fin_local + row->fin_peer;

	memset(l, 0, sizeof(*l));
	l->key = row->key;
	w_key_endpoint(&row->key, l->endpoint, sizeof(l->endpoint));
	w_key_local_addr(&row->key, l->local, sizeof(l->local));
	l->opened = row->opened;
	l->ended = row->ended;
	l->fin_local = row->fin_local;
	l->fin_peer = row->fin_peer;
	l->rst_sent = row->rst_sent;
	l->rst_recv = row->rst_recv;
	memcpy(l->rst_reason, row->rst_reason, sizeof(l->rst_reason));
	l->opened_per_s = row->opened / iv;
	l->ended_per_s = row->ended / iv;
	l->fin_local_share = fins ? (double)row->fin_local / fins : -1;
	l->time_wait = row->time_wait;
	l->tw_oldest_ms = row->tw_oldest_ms;
	l->ports_in_use = row->ports_in_use;
	l->ceiling_per_s = l->ceiling_share = l->exhausted_in_s = -1;
	if (row->key.kind != W_DEST || r->port_hi < r->port_lo)
		return;
	l->ports_usable = (uint32_t)(r->port_hi - r->port_lo + 1);
	if (row->fin_local == 0 && row->time_wait == 0)
		return;		/* the peer closes first: no ceiling */
	usable = l->ports_usable;
	tw_len = r->tw_reuse == 1 || (r->tw_reuse == 2 && is_loopback(&row->key)) ?
	    1.0 : W_TW_LEN_MS / 1000.0;
	l->ceiling_per_s = usable / tw_len;
	rate = row->fin_local / iv;
	l->ceiling_share = rate / l->ceiling_per_s;
	if (l->ports_in_use / usable > l->ceiling_share)
		l->ceiling_share = l->ports_in_use / usable;
	if (l->ports_in_use >= usable)
		l->exhausted_in_s = 0;
	else if (rate >= l->ceiling_per_s)
		l->exhausted_in_s = (usable - l->ports_in_use) / rate;
}

static int
cmp_line(const void *a, const void *b)
{
	const struct w_line *x = a, *y = b;

	if (x->key.kind != y->key.kind)
		return x->key.kind - y->key.kind;
	if (x->ceiling_share != y->ceiling_share)
		return x->ceiling_share < y->ceiling_share ? 1 : -1;
	if (x->opened != y->opened)
		return x->opened < y->opened ? 1 : -1;
	if (x->time_wait != y->time_wait)
		return x->time_wait < y->time_wait ? 1 : -1;
	return strcmp(x->endpoint, y->endpoint);
}

static int
cmp_err(const void *a, const void *b)
{
	const struct w_err *x = a, *y = b;

	return (x->count < y->count) - (x->count > y->count);
}

int
w_derive(struct w_report *r, const struct w_interval *iv,
    const uint64_t *prev_counters)
{
	const struct w_table *t = &iv->table;

	r->lines = calloc(t->n ? t->n : 1, sizeof(*r->lines));
	if (!r->lines)
		return -1;
	r->n = r->ndest = 0;
	for (size_t i = 0; i < W_TABLE_CAP; i++) {
		const struct w_row *row = &t->rows[i];

		if (!row->used || (!row->opened && !row->ended && !row->sockets &&
		    !row->rst_sent && !row->rst_recv && !row->fin_local && !row->fin_peer))
			continue;
		fill_line(&r->lines[r->n++], row, r);
		r->ndest += row->key.kind == W_DEST;
	}
	if (r->n > 1)
		qsort(r->lines, r->n, sizeof(*r->lines), cmp_line);
	r->nerr = 0;
	for (size_t i = 0; i < W_ERR_CAP; i++)
		if (iv->errs[i].used)
			r->errs[r->nerr++] = iv->errs[i];
	if (r->nerr > 1)
		qsort(r->errs, r->nerr, sizeof(r->errs[0]), cmp_err);
	for (int i = 0; i < W_NCOUNTERS; i++)
		r->counter_rate[i] = prev_counters && r->interval_s > 0 &&
		    r->counters[i] >= prev_counters[i] ?
		    (r->counters[i] - prev_counters[i]) / r->interval_s : -1;
	r->events = iv->events;
	r->other_ns = iv->other_ns;
	r->overflow = t->overflow;
	w_advise(r);
	return 0;
}

void
w_report_free(struct w_report *r)
{
	free(r->lines);
	r->lines = NULL;
}

const char *
w_errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : errno_name(err);
}

