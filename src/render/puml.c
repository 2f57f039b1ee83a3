/*
 * puml.c - the sequence diagram as PlantUML text (sequence.puml): the same
 * rows as the SVG, with packets as arrows between the two kernels, calls and
 * epoll events between a program and its kernel, states as coloured notes
 * over each kernel, long quiet times as PlantUML delays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapread.h"
#include "render/render.h"

static const char *const part[4] = { "CP", "CK", "SK", "SP" };

static const char *
kern(int side)
{
	return side == TL_CLIENT ? part[1] : part[2];
}

static const char *
prog(int side)
{
	return side == TL_CLIENT ? part[0] : part[3];
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
	struct rd_row *rows;
	size_t n;
	const struct tl_conn *c0 = tl->nconns ? &tl->conns[0] : NULL;

	if (rd_rows(tl, RD_MAX_CONNS, &rows, &n))
		return -1;
	fprintf(f, "@startuml\ntitle Test %s\n", tl->test);
	fputs("skinparam sequenceMessageAlign center\nskinparam responseMessageBelowArrow true\n"
	    "skinparam noteFontSize 11\nhide footbox\n", f);
	fprintf(f, "participant \"client program\\n%s\" as CP\n", c0 ? c0->host[0] : "client");
	fprintf(f, "participant \"client kernel\\n%s\" as CK\n", c0 ? c0->client : "");
	fprintf(f, "participant \"server kernel\\n%s\" as SK\n", c0 ? c0->server : "");
	fprintf(f, "participant \"server program\\n%s\" as SP\n", c0 ? c0->host[1] : "server");
	for (size_t i = 0; i < n; i++) {
		const struct rd_row *r = &rows[i];
		char t[32], label[160];

		rd_reltime(r->t, tl->t0, t, sizeof(t));
		switch (r->kind) {
		case RD_CONN:
			rd_conn_label(tl, r->conn, label, sizeof(label));
			fprintf(f, "== %s ==\n", label);
			break;
		case RD_GAP:
			rd_reltime(r->gap, 0, label, sizeof(label));
			fprintf(f, "...%s later...\n", label + 1);
			break;
		case RD_STATE: {
			const struct tl_state *s = &tl->conns[r->conn].states[r->side][r->idx];

			fprintf(f, "hnote over %s %s : %s%s%s\n", kern(r->side),
			    rd_state_color(tl_state_name(s->state)),
			    tl_state_name(s->state), s->inferred ? "*" : "",
			    s->state == TS_TIME_WAIT ? "\\n60 s timer" : "");
			break;
		}
		case RD_SEND: {
			const struct tl_pkt *p = &tl->conns[r->conn].pkts[r->idx];
			const char *color = p->flags & TCPF_RST ? "#d01c1c" :
			    p->flags & TCPF_SYN ? "#1f5fbf" : p->flags & TCPF_FIN ? "#d9730d" : "#333333";

			rd_pkt_label(p, label, sizeof(label));
			fprintf(f, "%s -[%s]> %s : %s  (%s)\n", kern(p->from), color,
			    kern(!p->from), label, t);
			break;
		}
		case RD_RECV:
			break;
		case RD_EVENT: {
			const struct tl_event *e = &tl->events[r->idx];

			rd_event_label(e, label, sizeof(label));
			clean(label);
			if (!rd_event_upward(e) && !rd_event_is_call(e))
				fprintf(f, "rnote over %s : %s  (%s)\n", prog(r->side), label, t);
			else if (rd_event_upward(e))
				fprintf(f, "%s --> %s : %s  (%s)\n", kern(r->side), prog(r->side), label, t);
			else
				fprintf(f, "%s -%s> %s : %s  (%s)\n", prog(r->side),
				    e->ret < 0 ? "[#d01c1c]" : "", kern(r->side), label, t);
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
