/*
 * json.c - timeline.json (docs/formats.md).
 *
 * Every text (test, host, endpoint, program, step, error name, detail,
 * check) is encoded by jansson, one string at a time: escapes, control
 * characters and UTF-8 are its business, not ours. The layout around them
 * (a line per connection, per packet and per event, so a person can read
 * and diff the file), the numbers and a few fixed words are printed
 * directly: a whole jansson object per packet or state costs five times
 * as much, and a run of 10,000 connections has 100,000 of each, drawn in
 * under a second (bench/render.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model/outfile.h"
#include "model/timeline.h"
#include "pcapread.h"

/* s as a JSON string, encoded by jansson; bytes that are not UTF-8 are
 * written as '?'. */
static void
put_str(FILE *f, const char *s)
{
	char buf[512];
	json_t *j = json_string(s);
	size_t n;

	if (!j) {
		size_t l = strlen(s);
		char *c = malloc(l + 1);

		if (c) {
			for (size_t i = 0; i <= l; i++)
				c[i] = (unsigned char)s[i] >= 0x80 ? '?' : s[i];
			j = json_string(c);
			free(c);
		}
	}
	n = j ? json_dumpb(j, buf, sizeof(buf), JSON_ENCODE_ANY) : 0;
	if (n > 0 && n <= sizeof(buf)) {
		fwrite(buf, 1, n, f);
	} else if (n > sizeof(buf)) {
		char *big = json_dumps(j, JSON_ENCODE_ANY);

		fputs(big ? big : "\"\"", f);
		free(big);
	} else {
		fputs("\"\"", f);
	}
	json_decref(j);
}

static void
put_t(FILE *f, int64_t t)
{
	if (t == TL_UNKNOWN)
		fputs("null", f);
	else
		fprintf(f, "%lld", (long long)t);
}

static void
put_event(FILE *f, const struct tl_event *e)
{
	static const char *const sides[] = { "client", "server", "" };

	fputs("{\"t\":", f);
	put_t(f, e->t);
	if (e->t_call) {
		fputs(",\"t_call\":", f);
		put_t(f, e->t_call);
	}
	fprintf(f, ",\"side\":\"%s\",\"host\":", sides[e->side > 2 ? 2 : e->side]);
	put_str(f, e->host);
	fputs(",\"prog\":", f);
	put_str(f, e->prog);
	fputs(",\"step\":", f);
	put_str(f, e->step);
	fprintf(f, ",\"ret\":%d", e->ret);
	if (e->errname[0]) {
		fputs(",\"errname\":", f);
		put_str(f, e->errname);
	}
	if (e->detail[0]) {
		fputs(",\"detail\":", f);
		put_str(f, e->detail);
	}
	if (e->held)	/* a bind whose port a socket held */
		fprintf(f, ",\"held\":{\"state\":\"%s\",\"conn\":%d,\"seen\":%s}",
		    tl_state_name(e->held), e->held_conn, e->held_seen ? "true" : "false");
	if (e->t_prec) {
		/* a proxy's log line: what it said, and the backend it names */
		fputs(",\"t_logged\":", f);
		put_t(f, e->t_logged);
		fprintf(f, ",\"t_precision_ns\":%lld,\"conn\":", (long long)e->t_prec);
		if (e->conn >= 0)
			fprintf(f, "%d", e->conn);
		else
			fputs("null", f);
		fputs(",\"backend_conn\":", f);
		if (e->upconn > 0) {
			fprintf(f, "%d,\"backend_match\":", e->upconn - 1);
			put_str(f, e->upmatch);
		} else {
			fputs("null", f);
		}
	}
	fputc('}', f);
}

static void
put_state(FILE *f, const struct tl_state *s)
{
	const char *how = s->inferred == 1 ? ",\"inferred\":\"time-wait socket\"" :
	    s->inferred ? ",\"inferred\":\"packets\"" : "";

	fprintf(f, "{\"t\":%lld,\"state\":\"%s\"%s%s}", (long long)s->t,
	    tl_state_name(s->state), how,
	    s->confirmed ? ",\"confirmed\":\"sock_diag\"" : "");
}

static void
put_packet(FILE *f, const struct timeline *tl, const struct tl_pkt *p)
{
	char fl[8];

	fputs("{\"t_sent\":", f);
	put_t(f, p->t_sent);
	fputs(",\"t_received\":", f);
	put_t(f, p->t_received);
	fprintf(f, ",\"from\":\"%s\",\"flags\":\"%s\",\"seq\":%u,\"ack\":%u,"
	    "\"len\":%u,\"rseq\":%u,\"rack\":%u", p->from ? "server" : "client",
	    tcp_flags_str(p->flags, fl), p->seq, p->ack, p->len, p->rseq, p->rack);
	if (p->lab != TL_LAB_NONE)	/* what the lab's link did to it */
		fprintf(f, ",\"lab\":\"%s\"", tl_lab_word(p->lab));
	if (p->dropped) {	/* the lab dropped it: in the sender's output or on the link */
		fputs(",\"dropped\":{\"t\":", f);
		put_t(f, p->t_dropped);
		fprintf(f, ",\"where\":\"%s\",\"why\":", p->dropped == TL_DROP_OUT ?
		    "sender" : "link");
		put_str(f, p->why < tl->ndrop_why ? tl->drop_why[p->why] : "");
		fputc('}', f);
	}
	fputc('}', f);
}

static void
put_conn(const struct timeline *tl, const struct tl_conn *c, size_t id, FILE *f)
{
	fprintf(f, "%s\n{\"id\":%zu,\"client\":", id ? "," : "", id);
	put_str(f, c->client);
	fputs(",\"server\":", f);
	put_str(f, c->server);
	fputs(",\"client_host\":", f);
	put_str(f, c->host[0]);
	fputs(",\"server_host\":", f);
	put_str(f, c->host[1]);
	fprintf(f, ",\"gen\":%d,\"t_start\":%lld,\"t_end\":%lld,\"consistent\":%s,"
	    "\n \"states\":{", c->gen, (long long)c->t_start, (long long)c->t_end,
	    c->consistent ? "true" : "false");
	for (int side = 0; side < 2; side++) {
		fprintf(f, "%s\"%s\":[", side ? "," : "", side ? "server" : "client");
		for (size_t k = 0; k < c->nstates[side]; k++) {
			if (k)
				fputc(',', f);
			put_state(f, &c->states[side][k]);
		}
		fputc(']', f);
	}
	fputs("},\n \"packets\":[", f);
	for (size_t k = 0; k < c->npkts; k++) {
		fputs(k ? ",\n  " : "\n  ", f);
		put_packet(f, tl, &c->pkts[k]);
	}
	fputs("],\n \"events\":[", f);
	for (size_t k = 0; k < c->nev; k++) {
		fputs(k ? ",\n  " : "\n  ", f);
		put_event(f, &tl->events[c->ev[k]]);
	}
	fputs("],\n \"checks\":[", f);
	for (size_t k = 0; k < c->nchecks; k++) {
		fprintf(f, "%s{\"name\":", k ? "," : "");
		put_str(f, c->checks[k].name);
		fprintf(f, ",\"ok\":%s,\"detail\":", c->checks[k].ok ? "true" : "false");
		put_str(f, c->checks[k].detail);
		fputc('}', f);
	}
	fputs("]}", f);
}

int
timeline_write_json(const struct timeline *tl, FILE *f)
{
	fputs("{\"test\":", f);
	put_str(f, tl->test);
	fprintf(f, ",\"t0\":%lld,\"clock_offset_ns\":%lld,\"clock_estimated\":%s,"
	    "\"have_trace\":%s,\"trace_events\":%lld,\"trace_lost\":%lld,"
	    "\"have_pcap\":%s,\"inconsistent\":%zu,",
	    (long long)tl->t0, (long long)tl->clock_offset_ns,
	    tl->clock_estimated ? "true" : "false", tl->have_trace ? "true" : "false",
	    tl->trace_events, tl->trace_lost, tl->have_pcap ? "true" : "false",
	    tl->problems);
	if (tl->ndropped)	/* only then: a run without drops reads as before */
		fprintf(f, "\"dropped\":%zu,", tl->ndropped);
	fputs("\n\"hosts\":[", f);
	for (int i = 0; i < tl->nhosts; i++) {
		fprintf(f, "%s{\"name\":", i ? "," : "");
		put_str(f, tl->hosts[i].name);
		fputs(",\"addr\":", f);
		put_str(f, tl->hosts[i].addr);
		fputc('}', f);
	}
	fputs("],\n\"connections\":[", f);
	for (size_t i = 0; i < tl->nconns; i++)
		put_conn(tl, &tl->conns[i], i, f);
	fputs("],\n\"events\":[", f);
	for (size_t i = 0, k = 0; i < tl->nevents; i++) {
		if (tl->events[i].conn >= 0)
			continue;
		fputs(k++ ? ",\n " : "\n ", f);
		put_event(f, &tl->events[i]);
	}
	fputs("]}\n", f);
	return ferror(f) ? -1 : 0;
}

static int
write_fn(const void *tl, FILE *f)
{
	return timeline_write_json(tl, f);
}

int
timeline_build(const char *testdir, char *err, size_t errlen)
{
	struct timeline *tl;
	int rc;

	if (timeline_load(testdir, &tl, err, errlen))
		return -1;
	rc = outfile_write(tl->testdir, "timeline.json", write_fn, tl, err, errlen);
	timeline_free(tl);
	return rc;
}
