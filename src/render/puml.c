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
		struct rd_text_row x;

		/* Participants P<lane> and K<lane>: a program and a kernel. */
		rd_text_row(tl, &L, r, clean, &x);
		switch (r->kind) {
		case RD_CONN:
			fprintf(f, "== %s ==\n", x.label);
			break;
		case RD_GAP:
			fprintf(f, "...%s later...\n", x.label);
			break;
		case RD_STATE: {
			const struct tl_state *s = &tl->conns[r->conn].states[r->side][r->idx];

			fprintf(f, "hnote over %s %s : %s%s%s\n", x.kk,
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

			if (x.dropped)	/* the lab dropped it: PlantUML's lost message */
				fprintf(f, "%s -[%s]>x %s : %s  ✕ %s  (%s)\n", x.kk, color,
				    x.to, x.label, x.why, x.t);
			else
				fprintf(f, "%s -[%s]> %s : %s%s%s  (%s)\n", x.kk, color, x.to,
				    x.label, *x.slow ? " · " : "", x.slow, x.t);
			break;
		}
		case RD_RECV:
			break;
		case RD_RETURN:
			fprintf(f, "%s -->> %s : %s  (%s)\n", x.kk, x.pk, x.label, x.t);
			break;
		case RD_EVENT:
			if (x.dir == RD_NOTE)
				fprintf(f, "rnote over %s : %s  (%s)\n", x.pk, x.label, x.t);
			else if (x.dir == RD_UP)
				fprintf(f, "%s --> %s : %s  (%s)\n", x.kk, x.pk, x.label, x.t);
			else
				fprintf(f, "%s -%s> %s : %s  (%s)\n", x.pk,
				    tl->events[r->idx].ret < 0 && !r->blocked ? "[#d01c1c]" : "",
				    x.kk, x.label, x.t);
			break;
		}
	}
	if (tl->nconns > RD_MAX_CONNS)
		fprintf(f, "note across : and %zu more connections\n", tl->nconns - RD_MAX_CONNS);
	fputs("@enduml\n", f);
	free(rows);
	return ferror(f) ? -1 : 0;
}
