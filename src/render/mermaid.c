/*
 * mermaid.c - the sequence diagram as a Mermaid sequenceDiagram
 * (sequence.mmd), for report.md: packets between the kernels, calls and
 * epoll events between a program and its kernel, states as notes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

/* Participants: P<lane> and K<lane>, a program and a kernel per host. */
static void
part(char *buf, size_t len, int kernel, int lane)
{
	snprintf(buf, len, "%c%d", kernel ? 'K' : 'P', lane);
}

/* Mermaid's message text ends at a newline and treats ';' and '#' specially. */
static void
clean(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == ';' || *s == '#')
			*s = ' ';
}

int
render_mermaid(const struct timeline *tl, FILE *f)
{
	struct rd_lanes L;
	struct rd_row *rows;
	size_t n;
	char first[16], last[16];

	if (rd_rows(tl, RD_MAX_CONNS, &rows, &n))
		return -1;
	rd_lanes(tl, RD_MAX_CONNS, &L);
	fputs("sequenceDiagram\n", f);
	for (int i = 0; i < L.n; i++) {
		const char *k = L.side[i] == TL_CLIENT ? "P" : "K", *o = L.side[i] == TL_CLIENT ? "K" : "P";

		fprintf(f, "    participant %s%d as %s %s\n", k, i, L.host[i],
		    *k == 'P' ? "program" : "kernel");
		fprintf(f, "    participant %s%d as %s %s\n", o, i, L.host[i],
		    *o == 'P' ? "program" : "kernel");
	}
	snprintf(first, sizeof(first), "%c0", L.side[0] == TL_CLIENT ? 'P' : 'K');
	snprintf(last, sizeof(last), "%c%d", L.side[L.n - 1] == TL_CLIENT ? 'K' : 'P', L.n - 1);
	for (size_t i = 0; i < n; i++) {
		const struct rd_row *r = &rows[i];
		int lane = r->kind == RD_CONN || r->kind == RD_GAP ? 0 : rd_row_lane(tl, &L, r);
		char t[32], label[200], pk[8], kk[8];

		part(pk, sizeof(pk), 0, lane);
		part(kk, sizeof(kk), 1, lane);
		rd_reltime(r->t, tl->t0, t, sizeof(t));
		switch (r->kind) {
		case RD_CONN:
			rd_conn_label(tl, r->conn, label, sizeof(label));
			clean(label);
			fprintf(f, "    Note over %s,%s: %s\n", first, last, label);
			break;
		case RD_GAP:
			rd_duration(r->gap, label, sizeof(label));
			fprintf(f, "    Note over %s,%s: ... %s later ...\n", first, last, label);
			break;
		case RD_STATE: {
			const struct tl_state *s = &tl->conns[r->conn].states[r->side][r->idx];

			fprintf(f, "    Note over %s: %s%s%s\n", kk, tl_state_name(s->state),
			    r->predicted ? " (predicted, after the run)" :
			    r->moved ? "* (from the SYN's arrival)" : s->inferred ? "*" : "",
			    s->state == TS_TIME_WAIT ? " (60 s timer)" : "");
			break;
		}
		case RD_SEND: {
			const struct tl_pkt *p = &tl->conns[r->conn].pkts[r->idx];
			char to[8];

			char why[160], slow[48];

			part(to, sizeof(to), 1, rd_conn_lane(tl, &L, r->conn, !p->from));
			rd_pkt_label(p, label, sizeof(label));
			if (p->t_received == TL_UNKNOWN && rd_pkt_dropped(tl, p, why, sizeof(why))) {
				clean(why);	/* the lab dropped it: a cross at the end */
				fprintf(f, "    %s--x%s: %s ✕ %s (%s)\n", kk, to, label, why, t);
				break;
			}
			rd_pkt_transit(p, slow, sizeof(slow));
			fprintf(f, "    %s->>%s: %s%s%s (%s)\n", kk, to, label, *slow ? " · " : "",
			    slow, t);
			break;
		}
		case RD_RECV:
			break;
		case RD_RETURN:
			rd_return_label(&tl->events[r->idx], label, sizeof(label));
			clean(label);
			fprintf(f, "    %s-->>%s: %s (%s)\n", kk, pk, label, t);
			break;
		case RD_EVENT: {
			const struct tl_event *e = &tl->events[r->idx];

			if (r->blocked)
				rd_call_label(e, label, sizeof(label));
			else
				rd_event_label(e, label, sizeof(label));
			clean(label);
			if (!rd_event_upward(e) && !rd_event_is_call(e))
				fprintf(f, "    Note over %s: %s (%s)\n", pk, label, t);
			else if (rd_event_upward(e))
				fprintf(f, "    %s-->>%s: %s (%s)\n", kk, pk, label, t);
			else
				fprintf(f, "    %s->>%s: %s (%s)\n", pk, kk, label, t);
			break;
		}
		}
	}
	free(rows);
	return ferror(f) ? -1 : 0;
}
