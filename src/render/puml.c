/*
 * puml.c - the sequence diagram as PlantUML text (sequence.puml): the same
 * rows and lifelines (a program and a kernel per host) as the SVG, with
 * packets as arrows between the kernels, calls and
 * epoll events between a program and its kernel, states as coloured notes
 * over each kernel, long quiet times as PlantUML delays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapread.h"
#include "render/render.h"

/* Participants: P<lane> and K<lane>, a program and a kernel per host. */
static void
part(char *buf, size_t len, int kernel, int lane)
{
	snprintf(buf, len, "%c%d", kernel ? 'K' : 'P', lane);
}

/* PlantUML text: no newlines, and a colon is fine after the first. */
static void
clean(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

int
render_puml(const struct timeline *tl, FILE *f)
{
	struct rd_lanes L;
	struct rd_row *rows;
	size_t n;

	if (rd_rows(tl, RD_MAX_CONNS, &rows, &n))
		return -1;
	rd_lanes(tl, RD_MAX_CONNS, &L);
	fprintf(f, "@startuml\ntitle Test %s\n", tl->test);
	fputs("skinparam sequenceMessageAlign center\nskinparam responseMessageBelowArrow true\n"
	    "skinparam noteFontSize 11\nhide footbox\n", f);
	for (int i = 0; i < L.n; i++)
		for (int k = 0; k < 2; k++) {
			int kernel = L.side[i] == TL_CLIENT ? k : !k;

			fprintf(f, "participant \"%s %s\\n%s\" as %c%d\n", L.host[i],
			    kernel ? "kernel" : "program", L.addr[i], kernel ? 'K' : 'P', i);
		}
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
			fprintf(f, "== %s ==\n", label);
			break;
		case RD_GAP:
			rd_duration(r->gap, label, sizeof(label));
			fprintf(f, "...%s later...\n", label);
			break;
		case RD_STATE: {
			const struct tl_state *s = &tl->conns[r->conn].states[r->side][r->idx];

			fprintf(f, "hnote over %s %s : %s%s%s\n", kk,
			    r->predicted ? "#ffffff" : rd_state_color(tl_state_name(s->state)), tl_state_name(s->state),
			    r->predicted ? " (predicted, after the run)" :
			    r->moved ? "* (from the SYN's arrival)" : s->inferred ? "*" : "",
			    s->state == TS_TIME_WAIT ? "\\n60 s timer" : "");
			break;
		}
		case RD_SEND: {
			const struct tl_pkt *p = &tl->conns[r->conn].pkts[r->idx];
			const char *color = p->flags & TCPF_RST ? "#d01c1c" :
			    p->flags & TCPF_SYN ? "#1f5fbf" : p->flags & TCPF_FIN ? "#d9730d" : "#333333";

			char to[8];

			char why[160], slow[48];

			part(to, sizeof(to), 1, rd_conn_lane(tl, &L, r->conn, !p->from));
			rd_pkt_label(p, label, sizeof(label));
			if (p->t_received == TL_UNKNOWN && rd_pkt_dropped(tl, p, why, sizeof(why))) {
				clean(why);	/* the lab dropped it: PlantUML's lost message */
				fprintf(f, "%s -[%s]>x %s : %s  ✕ %s  (%s)\n", kk, color, to, label, why, t);
				break;
			}
			rd_pkt_transit(p, slow, sizeof(slow));
			fprintf(f, "%s -[%s]> %s : %s%s%s  (%s)\n", kk, color, to, label,
			    *slow ? " · " : "", slow, t);
			break;
		}
		case RD_RECV:
			break;
		case RD_RETURN:
			rd_return_label(&tl->events[r->idx], label, sizeof(label));
			clean(label);
			fprintf(f, "%s -->> %s : %s  (%s)\n", kk, pk, label, t);
			break;
		case RD_EVENT: {
			const struct tl_event *e = &tl->events[r->idx];

			if (r->blocked)
				rd_call_label(e, label, sizeof(label));
			else
				rd_event_label(e, label, sizeof(label));
			clean(label);
			if (!rd_event_upward(e) && !rd_event_is_call(e))
				fprintf(f, "rnote over %s : %s  (%s)\n", pk, label, t);
			else if (rd_event_upward(e))
				fprintf(f, "%s --> %s : %s  (%s)\n", kk, pk, label, t);
			else
				fprintf(f, "%s -%s> %s : %s  (%s)\n", pk,
				    e->ret < 0 && !r->blocked ? "[#d01c1c]" : "", kk, label, t);
			break;
		}
		}
	}
	if (tl->nconns > RD_MAX_CONNS)
		fprintf(f, "note across : and %zu more connections\n", tl->nconns - RD_MAX_CONNS);
	fputs("@enduml\n", f);
	free(rows);
	return ferror(f) ? -1 : 0;
}
