/*
 * mermaid.c - the sequence diagram as a Mermaid sequenceDiagram
 * (sequence.mmd), for report.md: packets between the kernels, calls and
 * epoll events between a program and its kernel, states as notes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

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
		struct rd_text_row x;

		/* Participants P<lane> and K<lane>: a program and a kernel. */
		rd_text_row(tl, &L, r, clean, &x);
		switch (r->kind) {
		case RD_CONN:
			clean(x.label);
			fprintf(f, "    Note over %s,%s: %s\n", first, last, x.label);
			break;
		case RD_GAP:
			fprintf(f, "    Note over %s,%s: ... %s later ...\n", first, last, x.label);
			break;
		case RD_STATE: {
			const struct tl_state *s = &tl->conns[r->conn].states[r->side][r->idx];

			fprintf(f, "    Note over %s: %s%s%s\n", x.kk, tl_state_name(s->state),
			    r->predicted ? " (predicted, after the run)" :
			    r->moved ? "* (from the SYN's arrival)" : s->inferred ? "*" : "",
			    s->state == TS_TIME_WAIT ? " (60 s timer)" : "");
			break;
		}
		case RD_SEND:
			if (x.dropped)	/* the lab dropped it: a cross at the end */
				fprintf(f, "    %s--x%s: %s ✕ %s (%s)\n", x.kk, x.to, x.label,
				    x.why, x.t);
			else
				fprintf(f, "    %s->>%s: %s%s%s (%s)\n", x.kk, x.to, x.label,
				    *x.slow ? " · " : "", x.slow, x.t);
			break;
		case RD_RECV:
			break;
		case RD_RETURN:
			fprintf(f, "    %s-->>%s: %s (%s)\n", x.kk, x.pk, x.label, x.t);
			break;
		case RD_EVENT:
			if (x.dir == RD_NOTE)
				fprintf(f, "    Note over %s: %s (%s)\n", x.pk, x.label, x.t);
			else if (x.dir == RD_UP)
				fprintf(f, "    %s-->>%s: %s (%s)\n", x.kk, x.pk, x.label, x.t);
			else
				fprintf(f, "    %s->>%s: %s (%s)\n", x.pk, x.kk, x.label, x.t);
			break;
		}
	}
	free(rows);
	return ferror(f) ? -1 : 0;
}
