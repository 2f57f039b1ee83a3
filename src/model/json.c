/*
 * json.c - timeline.json (docs/formats.md), written with jansson.
 *
 * Each leaf (a host, a state, a packet, an event, a check) is one jansson
 * object dumped compact in key order; the layout around them (a line per
 * connection, per packet and per event, so a person can read and diff the
 * file) is kept as the format has always had it.
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

/* Dump j, then drop it; open: leave off the closing brace. -1 on error. */
static int
dump(FILE *f, json_t *j, int open)
{
	char *s;
	size_t n;
	int rc;

	if (!j)
		return -1;
	s = json_dumps(j, DUMP_FLAGS);
	json_decref(j);
	if (!s)
		return -1;
	n = strlen(s) - (open && *s ? 1 : 0);
	rc = fwrite(s, 1, n, f) == n ? 0 : -1;
	free(s);
	return rc;
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
states_json(const struct tl_conn *c)
{
	json_t *j = json_object();

	for (int side = 0; side < 2; side++) {
		json_t *a = json_array();

		for (size_t k = 0; k < c->nstates[side]; k++) {
			const struct tl_state *s = &c->states[side][k];
			json_t *o = json_object();

			json_object_set_new(o, "t", json_integer((json_int_t)s->t));
			json_object_set_new(o, "state", json_string(tl_state_name(s->state)));
			if (s->inferred)
				json_object_set_new(o, "inferred", json_string(
				    s->inferred == 1 ? "time-wait socket" : "packets"));
			if (s->confirmed)
				json_object_set_new(o, "confirmed", json_string("sock_diag"));
			json_array_append_new(a, o);
		}
		json_object_set_new(j, side ? "server" : "client", a);
	}
	return j;
}

static json_t *
packet_json(const struct tl_pkt *p)
{
	json_t *j = json_object();
	char fl[8];

	json_object_set_new(j, "t_sent", time_of(p->t_sent));
	json_object_set_new(j, "t_received", time_of(p->t_received));
	json_object_set_new(j, "from", json_string(p->from ? "server" : "client"));
	json_object_set_new(j, "flags", json_string(tcp_flags_str(p->flags, fl)));
	json_object_set_new(j, "seq", json_integer(p->seq));
	json_object_set_new(j, "ack", json_integer(p->ack));
	json_object_set_new(j, "len", json_integer(p->len));
	json_object_set_new(j, "rseq", json_integer(p->rseq));
	json_object_set_new(j, "rack", json_integer(p->rack));
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
write_conn(const struct timeline *tl, const struct tl_conn *c, size_t id, FILE *f)
{
	int rc = 0;

	fputs(id ? ",\n" : "\n", f);
	rc |= dump(f, conn_head_json(c, id), 1);
	fputs(",\n \"states\":", f);
	rc |= dump(f, states_json(c), 0);
	fputs(",\n \"packets\":[", f);
	for (size_t k = 0; k < c->npkts; k++) {
		fputs(k ? ",\n  " : "\n  ", f);
		rc |= dump(f, packet_json(&c->pkts[k]), 0);
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
	int rc;

	rc = dump(f, head_json(tl), 1);
	for (int i = 0; i < tl->nhosts; i++)
		json_array_append_new(hosts, json_pack("{s:o,s:o}",
		    "name", str(tl->hosts[i].name), "addr", str(tl->hosts[i].addr)));
	fputs(",\n\"hosts\":", f);
	rc |= dump(f, hosts, 0);
	fputs(",\n\"connections\":[", f);
	for (size_t i = 0; i < tl->nconns; i++)
		rc |= write_conn(tl, &tl->conns[i], i, f);
	fputs("],\n\"events\":[", f);
	for (size_t i = 0, k = 0; i < tl->nevents; i++) {
		if (tl->events[i].conn >= 0)
			continue;
		fputs(k++ ? ",\n " : "\n ", f);
		rc |= dump(f, event_json(&tl->events[i]), 0);
	}
	fputs("]}\n", f);
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
