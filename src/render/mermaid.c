/*
 * mermaid.c - the sequence diagram as a Mermaid sequenceDiagram
 * (sequence.mmd), for report.md: packets between the kernels, calls and
 * epoll events between a program and its kernel, states as notes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

static const char *
kern(int side)
{
	return side == TL_CLIENT ? "CK" : "SK";
}

static const char *
prog(int side)
{
	return side == TL_CLIENT ? "CP" : "SP";
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
	struct rd_row *rows;
	size_t n;

	if (rd_rows(tl, RD_MAX_CONNS, &rows, &n))
		return -1;
	fputs("sequenceDiagram\n"
	    "    participant CP as client program\n"
	    "    participant CK as client kernel\n"
	    "    participant SK as server kernel\n"
	    "    participant SP as server program\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct rd_row *r = &rows[i];
		char t[32], label[160];

		rd_reltime(r->t, tl->t0, t, sizeof(t));
		switch (r->kind) {
		case RD_CONN:
			rd_conn_label(tl, r->conn, label, sizeof(label));
			clean(label);
			fprintf(f, "    Note over CP,SP: %s\n", label);
			break;
		case RD_GAP:
			rd_reltime(r->gap, 0, label, sizeof(label));
			fprintf(f, "    Note over CP,SP: ... %s later ...\n", label + 1);
			break;
		case RD_STATE: {
			const struct tl_state *s = &tl->conns[r->conn].states[r->side][r->idx];

			fprintf(f, "    Note over %s: %s%s%s\n", kern(r->side), tl_state_name(s->state),
			    s->inferred ? "*" : "",
			    s->state == TS_TIME_WAIT ? " (60 s timer)" : "");
			break;
		}
		case RD_SEND: {
			const struct tl_pkt *p = &tl->conns[r->conn].pkts[r->idx];

			rd_pkt_label(p, label, sizeof(label));
			fprintf(f, "    %s->>%s: %s (%s)\n", kern(p->from), kern(!p->from), label, t);
			break;
		}
		case RD_RECV:
			break;
		case RD_EVENT: {
			const struct tl_event *e = &tl->events[r->idx];

			rd_event_label(e, label, sizeof(label));
			clean(label);
			if (!rd_event_upward(e) && !rd_event_is_call(e))
				fprintf(f, "    Note over %s: %s (%s)\n", prog(r->side), label, t);
			else if (rd_event_upward(e))
				fprintf(f, "    %s-->>%s: %s (%s)\n", kern(r->side), prog(r->side), label, t);
			else
				fprintf(f, "    %s->>%s: %s (%s)\n", prog(r->side), kern(r->side), label, t);
			break;
		}
		}
	}
	free(rows);
	return ferror(f) ? -1 : 0;
}
