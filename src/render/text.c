/*
 * text.c - the timeline for the terminal: one line per thing that happened,
 * in time order, in four columns like the diagram's lifelines, states in
 * their colours when the terminal takes ANSI colours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapread.h"
#include "render/render.h"

static const char *
ansi(const char *state)
{
	static const struct { const char *name, *code; } map[] = {
		{ "SYN_SENT", "1;34" }, { "SYN_RECV", "1;34" },
		{ "ESTABLISHED", "1;32" }, { "FIN_WAIT1", "1;33" },
		{ "FIN_WAIT2", "1;36" }, { "CLOSE_WAIT", "0;33" },
		{ "LAST_ACK", "0;35" }, { "CLOSING", "1;35" },
		{ "TIME_WAIT", "1;41;97" }, { "CLOSED", "0;90" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, state))
			return map[i].code;
	return "0";
}

/* The time column, 13 places wide whatever bytes "µ" takes. */
static void
time_col(FILE *f, const char *t)
{
	int w = 0;

	for (const char *p = t; *p; p++)
		w += ((unsigned char)*p & 0xc0) != 0x80;
	fputs(t, f);
	for (; w < 13; w++)
		fputc(' ', f);
}

static void
state(FILE *f, const char *name, int inferred, int color)
{
	if (color)
		fprintf(f, "\033[%sm[%s%s]\033[0m", ansi(name), name, inferred ? "*" : "");
	else
		fprintf(f, "[%s%s]", name, inferred ? "*" : "");
}

int
render_text_tl(const struct timeline *tl, FILE *f, int color)
{
	return render_text_tl_n(tl, f, color, (size_t)-1);
}

int
render_text_tl_n(const struct timeline *tl, FILE *f, int color, size_t max_conns)
{
	struct rd_row *rows;
	size_t n;

	if (rd_rows(tl, max_conns, &rows, &n))
		return -1;
	fprintf(f, "Test %s: %zu connection%s%s\n", tl->test, tl->nconns,
	    tl->nconns == 1 ? "" : "s", tl->problems ? " (some checks fail)" : "");
	fprintf(f, "%-13s %-26s %-26s %-26s %s\n", "time", "client program",
	    "client kernel", "server kernel", "server program");
	for (size_t i = 0; i < n; i++) {
		const struct rd_row *r = &rows[i];
		char t[32], label[200];

		rd_reltime(r->t, tl->t0, t, sizeof(t));
		switch (r->kind) {
		case RD_CONN:
			rd_conn_label(tl, r->conn, label, sizeof(label));
			fprintf(f, "%s── %s%s\n", color ? "\033[1m" : "", label, color ? "\033[0m" : "");
			break;
		case RD_GAP:
			rd_duration(r->gap, label, sizeof(label));
			fprintf(f, "%13s ⋯ %s later ⋯\n", "", label);
			break;
		case RD_STATE: {
			const struct tl_conn *c = &tl->conns[r->conn];
			const struct tl_state *s = &c->states[r->side][r->idx];

			time_col(f, t);
			fprintf(f, " %-26s ", "");
			if (r->side == TL_SERVER)
				fprintf(f, "%-26s ", "");
			state(f, tl_state_name(s->state), s->inferred || r->moved, color);
			if (r->predicted)
				fputs(" predicted: the run ended before", f);
			if (r->moved)
				fputs(" from the SYN's arrival", f);
			if (s->state == TS_TIME_WAIT)
				fputs(" 60 s timer", f);
			if (s->confirmed)
				fputs(" (sock_diag)", f);
			fputc('\n', f);
			break;
		}
		case RD_SEND:
		case RD_RECV: {
			const struct tl_pkt *p = &tl->conns[r->conn].pkts[r->idx];
			char what[sizeof(label) + 8];	/* an arrow and the label */
			char more[176], why[160];

			rd_pkt_label(p, label, sizeof(label));
			snprintf(what, sizeof(what), "%s %s", p->from ? "◀" : "▶", label);
			more[0] = 0;
			/* what the lab did to it: a drop on the send, a delay on the arrival */
			if (r->kind == RD_SEND && rd_pkt_dropped(tl, p, why, sizeof(why)))
				snprintf(more, sizeof(more), "  ✕ %s", why);
			else if (r->kind == RD_RECV && rd_pkt_transit(p, why, sizeof(why)))
				snprintf(more, sizeof(more), "  (%s)", why);
			time_col(f, t);
			fprintf(f, " %-26s %s%s%s%s\n", "",
			    (r->kind == RD_SEND) == (p->from == TL_CLIENT) ? "" :
			    "                           ",
			    r->kind == RD_SEND ? "sends " : "gets  ", what, more);
			break;
		}
		case RD_RETURN:
		case RD_EVENT: {
			const struct tl_event *e = &tl->events[r->idx];

			if (r->kind == RD_RETURN)
				rd_return_label(e, label, sizeof(label));
			else if (r->blocked)
				rd_call_label(e, label, sizeof(label));
			else
				rd_event_label(e, label, sizeof(label));
			if (strcmp(e->prog, "client") && strcmp(e->prog, "server")) {
				size_t l = strlen(label);	/* server2, client2: whose step */

				snprintf(label + l, sizeof(label) - l, "  [%s]", e->prog);
			}
			time_col(f, t);
			fprintf(f, " %s%s%s%s\n", r->side == TL_CLIENT ? "" :
			    "                                                                                 ",
			    e->ret < 0 && color ? "\033[31m" : "", label,
			    e->ret < 0 && color ? "\033[0m" : "");
			break;
		}
		}
	}
	if (tl->nconns > max_conns)
		fprintf(f, "... and %zu more connections (timeline.json has them all)\n",
		    tl->nconns - max_conns);
	for (size_t i = 0; i < tl->nconns; i++)
		for (size_t k = 0; k < tl->conns[i].nchecks; k++)
			if (!tl->conns[i].checks[k].ok)
				fprintf(f, "connection %zu: check failed: %s: %s\n", i + 1,
				    tl->conns[i].checks[k].name, tl->conns[i].checks[k].detail);
	free(rows);
	return ferror(f) ? -1 : 0;
}
