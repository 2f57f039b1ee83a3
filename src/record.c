/*
 * record.c - the record of a test run (checks.h): lookups by name, the
 * programs' event logs read while the test runs (through the one
 * JSON-lines reader, model/jsonl.h, so a bad line is an error with its
 * file and line, never skipped), the socket snapshots written out, and the
 * run's folder loaded once into the run model when the test is over.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checks.h"
#include "model/jsonl.h"
#include "model/outfile.h"
#include "util.h"

const struct host_rec *
rec_host(const struct test_rec *r, const char *name)
{
	int i;

	for (i = 0; name && i < r->nhosts; i++)
		if (strcmp(r->hosts[i].name, name) == 0)
			return &r->hosts[i];
	return NULL;
}

const struct proc_rec *
rec_proc(const struct test_rec *r, const char *name)
{
	int i;

	for (i = 0; name && i < r->nprocs; i++)
		if (strcmp(r->procs[i].spec->name, name) == 0)
			return &r->procs[i];
	return NULL;
}

const struct snap_rec *
rec_snap(const struct test_rec *r, const char *name)
{
	int i;

	for (i = 0; name && i < r->nsnaps; i++)
		if (strcmp(r->snaps[i].name, name) == 0)
			return &r->snaps[i];
	return NULL;
}

const char *
rec_host_of(const struct test_rec *r, const char *addr)
{
	int i;

	for (i = 0; i < r->nhosts; i++)
		if (strcmp(r->hosts[i].addr, addr) == 0 ||
		    strcmp(r->hosts[i].addr6, addr) == 0)
			return r->hosts[i].name;
	return NULL;
}

int
port_of(const char *ipport)
{
	const char *c = strrchr(ipport, ':');
	long v;

	if (c == NULL || parse_long(c + 1, 0, 65535, &v) == -1)
		return -1;
	return (int)v;
}

static int
add_event(struct proc_rec *p, const struct jrec *o, char *err, size_t errlen,
    const struct jsonl *r)
{
	struct ev *e;
	int64_t t;

	if (jr_time(o, "t_ns", &t)) {
		snprintf(err, errlen, "%s:%zu: t_ns missing or out of range", r->path,
		    r->lineno);
		return -1;
	}
	if (p->nev == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct ev *ne = realloc(p->ev, cap * sizeof(*ne));

		if (ne == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		p->ev = ne;
		p->cap = cap;
	}
	e = &p->ev[p->nev++];
	memset(e, 0, sizeof(*e));
	e->t_ns = (uint64_t)t;
	snprintf(e->step, sizeof(e->step), "%s", jr_str(o, "step"));
	e->ret = (long)jr_int(o, "ret", 0);
	e->err = (int)jr_int(o, "errno", 0);
	e->req = (int)jr_int(o, "req", jr_int(o, "conn", 0));
	snprintf(e->local, sizeof(e->local), "%s", jr_str(o, "local"));
	snprintf(e->remote, sizeof(e->remote), "%s", jr_str(o, "remote"));
	e->bytes = (long)jr_int(o, "bytes", 0);
	snprintf(e->events, sizeof(e->events), "%s", jr_str(o, "events"));
	return 0;
}

int
rec_load_events(struct proc_rec *p, char *err, size_t errlen)
{
	const struct jrec *o;
	struct jsonl r;
	int k, rc = 0;

	if (jsonl_open(&r, p->events_path, p->off, 1, err, errlen))
		return errno == ENOENT ? 0 : -1;
	while ((k = jsonl_next(&r, &o, err, errlen)) == 1)
		if (add_event(p, o, err, errlen, &r)) {
			rc = -1;
			break;
		}
	p->off = r.off;		/* a line not whole yet is read next time */
	jsonl_close(&r);
	return rc || k < 0 ? -1 : 0;
}

static json_t *
snapshots_json(const struct test_rec *r)
{
	json_t *all = json_array();
	int i, h;
	size_t k;

	for (i = 0; i < r->nsnaps; i++) {
		const struct snap_rec *s = &r->snaps[i];
		json_t *o = json_object(), *hosts = json_object();

		json_object_set_new(o, "name", json_string(s->name));
		json_object_set_new(o, "t_ns", json_integer((json_int_t)s->t_ns));
		for (h = 0; h < r->nhosts; h++) {
			json_t *socks = json_array();

			for (k = 0; k < s->n[h]; k++) {
				const struct sd_sock *x = &s->s[h][k];
				json_t *so = json_object();

				json_object_set_new(so, "state", json_string(tcp_state_name(x->state)));
				json_object_set_new(so, "local", json_string(x->local));
				json_object_set_new(so, "remote", json_string(x->remote));
				if (x->timer != 0) {
					json_object_set_new(so, "timer", json_integer(x->timer));
					json_object_set_new(so, "expires_ms", json_integer(x->expires_ms));
				}
				json_array_append_new(socks, so);
			}
			json_object_set_new(hosts, r->hosts[h].name, socks);
		}
		json_object_set_new(o, "hosts", hosts);
		json_array_append_new(all, o);
	}
	return all;
}

static int
dump_fn(const void *j, FILE *f)
{
	return json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

/* When the test's last action (ACT_END) ran, 0 if it did not: the checks
 * judge what happened until then, not the programs quitting after it. */
static uint64_t
test_end_time(const struct test_rec *r)
{
	for (int i = 0; i < CAT_MAX_ACTIONS && r->spec->actions[i].kind != 0; i++)
		if (r->spec->actions[i].kind == ACT_END)
			return r->act_t[i];
	return 0;
}

int
rec_load_model(struct test_rec *r, const char *dir)
{
	char err[512];
	json_t *snaps = snapshots_json(r);
	int rc;

	/* The model confirms TIME_WAIT with the snapshots: write them first. */
	rc = outfile_write(dir, "snapshots.json", dump_fn, snaps, err, sizeof(err));
	json_decref(snaps);
	timeline_free(r->tl);
	r->tl = NULL;
	if (rc == 0)
		rc = timeline_load(dir, &r->tl, err, sizeof(err));
	if (rc == 0)
		r->tl->judge_until = (int64_t)test_end_time(r);
	if (rc && r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "reading the run: %.230s", err);
	return rc;
}

void
rec_free(struct test_rec *r)
{
	int i, h;

	for (i = 0; i < r->nprocs; i++) {
		free(r->procs[i].ev);
		r->procs[i].ev = NULL;
		r->procs[i].nev = r->procs[i].cap = 0;
	}
	for (i = 0; i < r->nsnaps; i++)
		for (h = 0; h < CAT_MAX_HOSTS; h++) {
			free(r->snaps[i].s[h]);
			r->snaps[i].s[h] = NULL;
		}
	r->nsnaps = 0;
	timeline_free(r->tl);
	r->tl = NULL;
}
