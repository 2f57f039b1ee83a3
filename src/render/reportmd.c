/*
 * reportmd.c - report.md, a test's report for a person, drawn like the
 * other renderers from the run model (r->tl) and the checks' results: what
 * ran, the checks, the outcomes of a series, the proxy's own log lines,
 * who held TIME_WAIT at the end, every packet in order, the socket tables, then (once the drawings
 * are made) the Mermaid diagram and the kernel trace's figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "render/reportmd.h"

#define MAX_LISTED 300	/* packets listed in a report */

/* A packet of the model, with its connection. */
struct sent {
	int64_t t;
	const struct tl_conn *c;
	const struct tl_pkt *p;
};

static int
cmp_sent(const void *a, const void *b)
{
	const struct sent *x = a, *y = b;

	if (x->t != y->t)
		return (x->t > y->t) - (x->t < y->t);
	return (x > y) - (x < y);
}

/* Every packet once, as the capture of the host that sent it saw it leave,
 * in time order (the run model, r->tl). */
static size_t
sent_packets(const struct test_rec *r, struct sent **out)
{
	const struct timeline *tl = r->tl;
	struct sent *v;
	size_t n = 0, cap = 0;

	*out = NULL;
	for (size_t i = 0; tl && i < tl->nconns; i++)
		cap += tl->conns[i].npkts;
	if (!(v = calloc(cap ? cap : 1, sizeof(*v))))
		return 0;
	for (size_t i = 0; tl && i < tl->nconns; i++)
		for (size_t k = 0; k < tl->conns[i].npkts; k++) {
			const struct tl_pkt *p = &tl->conns[i].pkts[k];

			if (p->t_sent != TL_UNKNOWN || p->dropped)	/* or dropped before it left */
				v[n++] = (struct sent){ p->t_sent != TL_UNKNOWN ? p->t_sent :
				    p->t_dropped, &tl->conns[i], p };
		}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_sent);
	*out = v;
	return n;
}

static void
write_packets(FILE *f, const struct test_rec *r, const char *prefix)
{
	struct sent *v = NULL;
	size_t n = sent_packets(r, &v), i;

	for (i = 0; i < n && i < MAX_LISTED; i++) {
		const struct tl_conn *c = v[i].c;
		const struct tl_pkt *p = v[i].p;
		const char *src = p->from ? c->server : c->client;
		const char *dst = p->from ? c->client : c->server;
		char flags[8], why[160];

		rd_pkt_dropped(r->tl, p, why, sizeof(why));
		fprintf(f, "%s%+9.4f s  %-8s %5d -> %-8s %5d  %-4s seq=%u ack=%u len=%u%s%s\n",
		    prefix, ((double)v[i].t - (double)r->t0_ns) / 1e9,
		    c->host[p->from], port_of(src), c->host[!p->from], port_of(dst),
		    tcp_flags_str(p->flags, flags), p->rseq,
		    (p->flags & TCPF_ACK) ? p->rack : 0, p->len, *why ? "  ✕ " : "", why);
	}
	if (n == 0)
		fprintf(f, "%s(no packets)\n", prefix);
	if (n > MAX_LISTED)
		fprintf(f, "%s... and %zu more: see the pcap files\n", prefix, n - MAX_LISTED);
	free(v);
}

/* One line a host from the "end" snapshot: who held TIME_WAIT, how long left. */
static void
write_time_wait(FILE *f, const struct test_rec *r)
{
	const struct snap_rec *s = rec_snap(r, "end");
	int h;

	if (s == NULL)
		return;
	fprintf(f, "\n## Who held TIME_WAIT at the end\n\n");
	for (h = 0; h < r->nhosts; h++) {
		uint32_t most = 0;
		size_t k, n = 0;

		for (k = 0; k < s->n[h]; k++)
			if (s->s[h][k].state == TS_TIME_WAIT) {
				n++;
				if (s->s[h][k].expires_ms > most)
					most = s->s[h][k].expires_ms;
			}
		if (n == 0)
			fprintf(f, "- %s: no TIME_WAIT socket\n", r->hosts[h].name);
		else
			fprintf(f, "- %s: %zu TIME_WAIT socket%s, the last to expire in %.1f s\n",
			    r->hosts[h].name, n, n == 1 ? "" : "s", most / 1000.0);
	}
}

/*
 * Every failed bind, and every bind made while a socket held its port
 * (SO_REUSEADDR), with the state of that socket when the call began: the
 * kernel trace's, or a TIME_WAIT a snapshot saw (model/binds.c).
 */
/* Text in a Markdown table's cell: a '|' would end the cell (escaped, as
 * GitHub's tables read it, in code spans too), a line break the row. */
static void
md_cell(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void
write_binds(FILE *f, const struct test_rec *r)
{
	const struct timeline *tl = r->tl;
	int n = 0;

	for (size_t i = 0; tl && i < tl->nevents; i++) {
		const struct tl_event *e = &tl->events[i];
		const struct tl_conn *h;
		int64_t t = e->t_call ? e->t_call : e->t;

		/* a bind that worked, its port's holder only rebuilt: the
		 * kernel kept no time-wait socket (tcp_max_tw_buckets) */
		if (strcmp(e->step, "bind") != 0 || (e->err == 0 && !e->held_seen))
			continue;
		if (n++ == 0)
			fprintf(f, "\n## Binds of a port already held\n\n"
			    "The state of the socket that held the port when the call began.\n\n");
		fprintf(f, "- %+.6f s, %s's bind of port %u (request %d): %s; ",
		    ((double)t - (double)r->t0_ns) / 1e9, e->prog, e->lport, e->req,
		    e->err ? e->errname : "succeeded");
		if (!e->held) {
			fprintf(f, "no socket held the port\n");
			continue;
		}
		h = &tl->conns[e->held_conn];
		fprintf(f, "held by %s -> %s in **%s** (%s)\n", h->client, h->server,
		    tl_state_name(e->held), !e->held_seen ?
		    "rebuilt from the kernel trace, no snapshot saw it" :
		    e->held == TS_TIME_WAIT ? "seen by a socket snapshot" : "kernel trace");
	}
}

/* "client ip:port -> server ip:port (host -> host)" of a connection. */
static void
write_conn(FILE *f, const struct tl_conn *c)
{
	fprintf(f, "%s -> %s (%s -> %s)", c->client, c->server, c->host[TL_CLIENT],
	    c->host[TL_SERVER]);
}

/*
 * Each line of a proxy's own log the run model read (model/proxylog.c),
 * where the drawings put it, with the time it says itself, what it says,
 * and the connections it names: the client's by its 4-tuple, the
 * backend's by the 4-tuple the proxy logged or by time (upmatch).
 */
static void
write_proxy_log(FILE *f, const struct test_rec *r)
{
	const struct timeline *tl = r->tl;
	size_t n = 0;

	for (size_t i = 0; tl && i < tl->nevents; i++) {
		const struct tl_event *e = &tl->events[i];

		if (!e->t_logged)	/* a program's event */
			continue;
		if (n++ == 0)
			fprintf(f, "\n## The proxy's log\n\n"
			    "Each line of the proxy's own log (in `%s/`), at the time the "
			    "drawings put it, then when it was logged as far as its own "
			    "clock tells (a whole-second error line: its request's "
			    "window), and the connections it names: the client's by its "
			    "4-tuple, the backend's by the 4-tuple the proxy logged or, "
			    "when it logs no source port, by time.\n\n", e->prog);
		if (n > MAX_LISTED)
			continue;
		fprintf(f, "- %+.6f s (logged %+.6f..%+.6f s) %s: %s", ((double)e->t -
		    (double)r->t0_ns) / 1e9, ((double)e->t_logged - (double)r->t0_ns) / 1e9,
		    ((double)e->t_logged + (double)e->t_prec - (double)r->t0_ns) / 1e9,
		    e->step, e->detail);
		if (e->errname[0])
			fprintf(f, " [%s]", e->errname);
		else if (e->ret >= 100 && e->ret < 600)
			fprintf(f, " [status %d]", e->ret);
		fprintf(f, "; client: ");
		if (e->conn >= 0 && (size_t)e->conn < tl->nconns)
			write_conn(f, &tl->conns[e->conn]);
		else
			fprintf(f, "none found");
		fprintf(f, "; backend: ");
		if (e->upconn > 0 && (size_t)e->upconn <= tl->nconns) {
			write_conn(f, &tl->conns[e->upconn - 1]);
			fprintf(f, ", by %s", e->upmatch[0] ? e->upmatch : "?");
		} else {
			fprintf(f, "none");
		}
		fprintf(f, "\n");
	}
	if (n > MAX_LISTED)
		fprintf(f, "- ... and %zu more: see the proxy's log files\n", n - MAX_LISTED);
}

void
render_report_md(FILE *f, const struct test_rec *r, const struct check_result *res,
    int nres, int ok, const struct outcome_count *oc, int noc, int runs)
{
	const struct test_spec *t = r->spec;
	int i, h, passed = 0, judged = 0;
	size_t k;

	for (i = 0; i < nres; i++) {
		passed += res[i].judged && res[i].pass;
		judged += res[i].judged;
	}
	fprintf(f, "# Test %s: %s\n\n%s.\n\n", t->id, t->title, t->shows);
	fprintf(f, "**Verdict: %s** (%d of %d checks passed%s; time scale %g%s)\n\n",
	    ok ? "PASS" : "FAIL", passed, judged,
	    judged < nres ? ", more with --full" : "", r->scale, r->full ? ", --full" : "");
	if (r->error[0] != '\0')
		fprintf(f, "The run went wrong: %s.\n\n", r->error);

	fprintf(f, "## What ran\n\n| program | host | address | command |\n| --- | --- | --- | --- |\n");
	for (i = 0; i < r->nprocs; i++) {
		const struct proc_spec *p = r->procs[i].spec;
		const struct host_rec *hr = rec_host(r, p->host);
		int a;

		if (!r->procs[i].started)
			continue;
		if (strcmp(p->prog, "proxy") == 0) {	/* its config and logs in NAME/ */
			fprintf(f, "| %s | %s | %s | `proxy %s`, files in %s/ |\n", p->name, p->host,
			    hr ? hr->addr : "?", p->cmd, p->name);
			continue;
		}
		if (strcmp(p->prog, "exec") == 0) {	/* a command: as written, output in NAME.log */
			fprintf(f, "| %s | %s | %s | %s`", p->name, p->host,
			    hr ? hr->addr : "?", p->as_root ? "as root: " : "");
			md_cell(f, p->cmd);
		} else {
			fprintf(f, "| %s | %s | %s | `timewait_%s", p->name, p->host,
			    hr ? hr->addr : "?", p->prog);
		}
		for (a = 0; p->args[a] != NULL; a++) {
			fputc(' ', f);
			md_cell(f, p->args[a]);
		}
		fprintf(f, "` |\n");
	}
	fprintf(f, "\n## Checks\n\n| | expected | seen |\n| --- | --- | --- |\n");
	for (i = 0; i < nres; i++) {
		fprintf(f, "| %s | ", !res[i].judged ? "-" : res[i].pass ? "pass" : "**FAIL**");
		md_cell(f, res[i].spec->what);
		fputs(" | ", f);
		md_cell(f, res[i].seen);
		fputs(" |\n", f);
	}
	if (oc != NULL) {
		fprintf(f, "\n## Outcomes over %d runs\n\n| outcome | runs |\n| --- | --- |\n", runs);
		for (i = 0; i < noc; i++)
			fprintf(f, "| %s | %d |\n", oc[i].name, oc[i].count);
	}
	write_binds(f, r);
	write_proxy_log(f, r);
	write_time_wait(f, r);
	fprintf(f, "\n## Packets, in order\n\nEach packet once, timed on the host that sent it; "
	    "t=0 is when the first client started.\n\n```\n");
	write_packets(f, r, "");
	fprintf(f, "```\n");
	for (i = 0; i < r->nsnaps; i++) {
		const struct snap_rec *s = &r->snaps[i];

		fprintf(f, "\n## Sockets at snapshot '%s' (t=%+.3f s)\n\n",
		    s->name, ((double)s->t_ns - (double)r->t0_ns) / 1e9);
		fprintf(f, "| host | state | local | remote | timer |\n| --- | --- | --- | --- | --- |\n");
		for (h = 0; h < r->nhosts; h++)
			for (k = 0; k < s->n[h]; k++) {
				const struct sd_sock *x = &s->s[h][k];

				if (x->state == TS_LISTEN)
					continue;
				fprintf(f, "| %s | %s | %s | %s | ", r->hosts[h].name,
				    tcp_state_name(x->state), x->local, x->remote);
				if (x->timer != 0)
					fprintf(f, "%.1f s", x->expires_ms / 1000.0);
				fprintf(f, " |\n");
			}
	}
	fprintf(f, "\n## Capture\n\n");
	for (h = 0; h < r->nhosts; h++)
		fprintf(f, "- `%s.pcap`: %llu packets, %llu dropped\n", r->hosts[h].name,
		    (unsigned long long)r->hosts[h].cs.packets,
		    (unsigned long long)(r->hosts[h].cs.dropped + r->hosts[h].cs.if_dropped));
	fprintf(f, "\nFiles: `result.json` (verdict and checks), `lab.json` (hosts), "
	    "`snapshots.json` (socket tables), `<host>.pcap`, `<host>.<program>.events.jsonl`, "
	    "`<program>.log`.\n");
}


void
render_report_md_drawings(FILE *f, const struct test_rec *r)
{
	fprintf(f, "\n## Sequence diagram\n\n");
	if (r->draw_error[0] != '\0' || r->tl == NULL) {
		fprintf(f, "No drawing: %s.\n", r->draw_error[0] ? r->draw_error :
		    "the run could not be read");
	} else {
		fprintf(f, "Drawn from what happened: the programs' calls, every packet, "
		    "each kernel's TCP states. Also `sequence.svg` (open it in a browser), "
		    "`sequence.puml` (PlantUML) and `timeline.json`.\n\n```mermaid\n");
		render_mermaid(r->tl, f);
		fprintf(f, "```\n");
	}
	fprintf(f, "\n## Kernel trace\n\n");
	if (r->trace_error[0] != '\0')
		fprintf(f, "No kernel trace: %s.\n", r->trace_error);
	else
		fprintf(f, "`trace.jsonl`: %llu TCP state changes and resets from both kernels, "
		    "%llu lost.\n", (unsigned long long)r->trace.events,
		    (unsigned long long)r->trace.lost);
}
