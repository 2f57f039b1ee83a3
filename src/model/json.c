/*
 * json.c - timeline.json (docs/formats.md), written with jansson.
 *
 * Each leaf (a host, a state, an event, a check) is one jansson object
 * dumped compact in key order, so every text is escaped by jansson; only
 * packets, all numbers, are printed directly (put_packet says why). The
 * layout around them (a line per connection, per packet and per event, so
 * a person can read and diff the file) is kept as it has always been.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model/outfile.h"
#include "model/timeline.h"
#include "pcapread.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)

/* A JSON string of s; bytes that are not UTF-8 become '?'. */
static json_t *
str(const char *s)
{
	json_t *j = json_string(s);
	char *c;

	if (j)
		return j;
	if (!(c = strdup(s)))
		return json_null();
	for (char *p = c; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(c);
	free(c);
	return j ? j : json_null();
}

static json_t *
time_of(int64_t t)
{
	return t == TL_UNKNOWN ? json_null() : json_integer((json_int_t)t);
}

/* Write j as it is (kept); open: leave off the closing brace. -1 on error. */
static int
put(FILE *f, const json_t *j, int open)
{
	char buf[2048], *s = buf;
	size_t n = json_dumpb(j, buf, sizeof(buf), DUMP_FLAGS);
	int rc;

	if (n == 0)
		return -1;
	if (n > sizeof(buf)) {
		if (!(s = json_dumps(j, DUMP_FLAGS)))
			return -1;
	}
	n -= open ? 1 : 0;
	rc = fwrite(s, 1, n, f) == n ? 0 : -1;
	if (s != buf)
		free(s);
	return rc;
}

/* The same, then drop j. */
static int
dump(FILE *f, json_t *j, int open)
{
	int rc;

	if (!j)
		return -1;
	rc = put(f, j, open);
	json_decref(j);
	return rc;
}

/*
 * The states, written for every connection, are made once with their keys
 * in order, and only their values are changed for each: no memory taken
 * per state.
 */
struct tmpl {
	json_t *st[4];		/* by inferred (0-2) + confirmed (+ 3 slots) */
	json_t *st_t[4], *st_name[4];
};

static json_t *
keep(json_t *o, const char *k, json_t *v)
{
	json_object_set_new(o, k, v);
	return v;
}

static int
tmpl_init(struct tmpl *t)
{
	static const char *const how[] = { NULL, "time-wait socket", "packets" };

	memset(t, 0, sizeof(*t));
	/* states: 0 kernel, 1 time-wait socket, 2 packets; 3 kernel+confirmed */
	for (int i = 0; i < 4; i++) {
		t->st[i] = json_object();
		t->st_t[i] = keep(t->st[i], "t", json_integer(0));
		t->st_name[i] = keep(t->st[i], "state", json_string("CLOSED"));
		if (i == 1 || i == 2)
			json_object_set_new(t->st[i], "inferred", json_string(how[i]));
	}
	json_object_set_new(t->st[3], "confirmed", json_string("sock_diag"));
	return t->st[3] ? 0 : -1;
}

static void
tmpl_free(struct tmpl *t)
{
	for (int i = 0; i < 4; i++)
		json_decref(t->st[i]);
}

/*
 * A packet: numbers and two fixed words, no text that needs escaping, and
 * the bulk of a big run (a line each, 100,000 for 10,000 connections):
 * printed directly, at a fifth of what a jansson object costs.
 */
static int
put_packet(FILE *f, const struct tl_pkt *p)
{
	char fl[8], ts[24] = "null", tr[24] = "null";

	if (p->t_sent != TL_UNKNOWN)
		snprintf(ts, sizeof(ts), "%lld", (long long)p->t_sent);
	if (p->t_received != TL_UNKNOWN)
		snprintf(tr, sizeof(tr), "%lld", (long long)p->t_received);
	return fprintf(f, "{\"t_sent\":%s,\"t_received\":%s,\"from\":\"%s\",\"flags\":\"%s\","
	    "\"seq\":%u,\"ack\":%u,\"len\":%u,\"rseq\":%u,\"rack\":%u}", ts, tr,
	    p->from ? "server" : "client", tcp_flags_str(p->flags, fl),
	    p->seq, p->ack, p->len, p->rseq, p->rack) < 0 ? -1 : 0;
}

/* A state; one that is both inferred and confirmed is rare: made whole. */
static int
put_state(FILE *f, struct tmpl *t, const struct tl_state *s)
{
	int i = s->confirmed ? (s->inferred ? -1 : 3) : s->inferred;
	json_t *o;

	if (i < 0 || i > 3) {
		o = json_pack("{s:I,s:s,s:s,s:s}", "t", (json_int_t)s->t,
		    "state", tl_state_name(s->state), "inferred",
		    s->inferred == 1 ? "time-wait socket" : "packets",
		    "confirmed", "sock_diag");
		return dump(f, o, 0);
	}
	json_integer_set(t->st_t[i], (json_int_t)s->t);
	json_string_set(t->st_name[i], tl_state_name(s->state));
	return put(f, t->st[i], 0);
}

static json_t *
event_json(const struct tl_event *e)
{
	static const char *const sides[] = { "client", "server", "" };
	json_t *j = json_object();

	json_object_set_new(j, "t", time_of(e->t));
	json_object_set_new(j, "side", json_string(sides[e->side > 2 ? 2 : e->side]));
	json_object_set_new(j, "host", str(e->host));
	json_object_set_new(j, "prog", str(e->prog));
	json_object_set_new(j, "step", str(e->step));
	json_object_set_new(j, "ret", json_integer(e->ret));
	if (e->errname[0])
		json_object_set_new(j, "errname", str(e->errname));
	if (e->detail[0])
		json_object_set_new(j, "detail", str(e->detail));
	return j;
}

static json_t *
checks_json(const struct tl_conn *c)
{
	json_t *a = json_array();

	for (size_t k = 0; k < c->nchecks; k++)
		json_array_append_new(a, json_pack("{s:o,s:b,s:o}",
		    "name", str(c->checks[k].name), "ok", c->checks[k].ok,
		    "detail", str(c->checks[k].detail)));
	return a;
}

static json_t *
head_json(const struct timeline *tl)
{
	json_t *j = json_object();

	json_object_set_new(j, "test", str(tl->test));
	json_object_set_new(j, "t0", json_integer((json_int_t)tl->t0));
	json_object_set_new(j, "clock_offset_ns", json_integer((json_int_t)tl->clock_offset_ns));
	json_object_set_new(j, "clock_estimated", json_boolean(tl->clock_estimated));
	json_object_set_new(j, "have_trace", json_boolean(tl->have_trace));
	json_object_set_new(j, "trace_events", json_integer(tl->trace_events));
	json_object_set_new(j, "trace_lost", json_integer(tl->trace_lost));
	json_object_set_new(j, "have_pcap", json_boolean(tl->have_pcap));
	json_object_set_new(j, "inconsistent", json_integer((json_int_t)tl->problems));
	return j;
}

static json_t *
conn_head_json(const struct tl_conn *c, size_t id)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_integer((json_int_t)id));
	json_object_set_new(j, "client", str(c->client));
	json_object_set_new(j, "server", str(c->server));
	json_object_set_new(j, "client_host", str(c->host[0]));
	json_object_set_new(j, "server_host", str(c->host[1]));
	json_object_set_new(j, "gen", json_integer(c->gen));
	json_object_set_new(j, "t_start", json_integer((json_int_t)c->t_start));
	json_object_set_new(j, "t_end", json_integer((json_int_t)c->t_end));
	json_object_set_new(j, "consistent", json_boolean(c->consistent));
	return j;
}

static int
write_conn(const struct timeline *tl, const struct tl_conn *c, size_t id,
    struct tmpl *t, FILE *f)
{
	int rc = 0;

	fputs(id ? ",\n" : "\n", f);
	rc |= dump(f, conn_head_json(c, id), 1);
	fputs(",\n \"states\":{", f);
	for (int side = 0; side < 2; side++) {
		fputs(side ? "],\"server\":[" : "\"client\":[", f);
		for (size_t k = 0; k < c->nstates[side]; k++) {
			if (k)
				fputc(',', f);
			rc |= put_state(f, t, &c->states[side][k]);
		}
	}
	fputs("]},\n \"packets\":[", f);
	for (size_t k = 0; k < c->npkts; k++) {
		fputs(k ? ",\n  " : "\n  ", f);
		rc |= put_packet(f, &c->pkts[k]);
	}
	fputs("],\n \"events\":[", f);
	for (size_t k = 0; k < c->nev; k++) {
		fputs(k ? ",\n  " : "\n  ", f);
		rc |= dump(f, event_json(&tl->events[c->ev[k]]), 0);
	}
	fputs("],\n \"checks\":", f);
	rc |= dump(f, checks_json(c), 0);
	fputc('}', f);
	return rc;
}

int
timeline_write_json(const struct timeline *tl, FILE *f)
{
	json_t *hosts = json_array();
	struct tmpl t;
	int rc;

	if (tmpl_init(&t)) {
		tmpl_free(&t);
		json_decref(hosts);
		return -1;
	}
	rc = dump(f, head_json(tl), 1);
	for (int i = 0; i < tl->nhosts; i++)
		json_array_append_new(hosts, json_pack("{s:o,s:o}",
		    "name", str(tl->hosts[i].name), "addr", str(tl->hosts[i].addr)));
	fputs(",\n\"hosts\":", f);
	rc |= dump(f, hosts, 0);
	fputs(",\n\"connections\":[", f);
	for (size_t i = 0; i < tl->nconns; i++)
		rc |= write_conn(tl, &tl->conns[i], i, &t, f);
	fputs("],\n\"events\":[", f);
	for (size_t i = 0, k = 0; i < tl->nevents; i++) {
		if (tl->events[i].conn >= 0)
			continue;
		fputs(k++ ? ",\n " : "\n ", f);
		rc |= dump(f, event_json(&tl->events[i]), 0);
	}
	fputs("]}\n", f);
	tmpl_free(&t);
	return rc || ferror(f) ? -1 : 0;
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
