/*
 * events.c - stage 5 of the run model: the programs' event logs
 * (<host>.<prog>.events.jsonl, docs/formats.md), grouped by request
 * (client) or connection (server) and tied to the connection of their
 * 4-tuple and time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/jsonl.h"
#include "model/work.h"

struct evgroup {
	char local[64], remote[64];
	int64_t anchor;		/* connect or accept time */
	int anchor_client;	/* anchor is a connect */
	int conn;
};

struct evwork {
	struct evgroup *groups;
	size_t ngroups, gcap;
	struct strmap gmap;	/* "file|pid|num" -> group */
};

static void
event_detail(const struct jrec *o, const char *step, char *buf, size_t len)
{
	const char *s;
	int64_t bytes = jr_int(o, "bytes", -1);

	buf[0] = 0;
	if (*(s = jr_str(o, "errname")))
		snprintf(buf, len, "%s", s);
	else if (!strcmp(step, "epoll"))
		snprintf(buf, len, "%s", jr_str(o, "events"));
	else if (!strcmp(step, "shutdown"))
		snprintf(buf, len, "%s", jr_str(o, "how"));
	else if ((!strcmp(step, "read") || !strcmp(step, "write")) && bytes >= 0)
		snprintf(buf, len, "%lld B", (long long)bytes);
	else if (!strcmp(step, "signal") || !strcmp(step, "start"))
		snprintf(buf, len, "%s", jr_str(o, "note"));
	else if (!strcmp(step, "bind") || !strcmp(step, "listen"))
		snprintf(buf, len, "%s", jr_str(o, "local"));
}

/* The group of event e (line o of file number f); e->conn holds it. */
static int
group_event(struct evwork *ew, size_t f, const struct jrec *o, struct tl_event *e)
{
	int64_t num = jr_int(o, "req", -1);
	const char *local, *remote;
	char gkey[96];
	size_t g;

	if (num < 0)
		num = jr_int(o, "conn", -1);
	if (num < 0 && strcmp(e->step, "listen") && strcmp(e->step, "start") &&
	    strcmp(e->step, "quit") && strcmp(e->step, "signal"))
		num = 100000 + jr_int(o, "fd", -1);
	if (num < 0)
		return 0;
	snprintf(gkey, sizeof(gkey), "%zu|%lld|%lld", f,
	    (long long)jr_int(o, "pid", 0), (long long)num);
	if (strmap_get(&ew->gmap, gkey, &g)) {
		struct evgroup ng;

		memset(&ng, 0, sizeof(ng));
		ng.conn = -1;
		ng.anchor = TL_UNKNOWN;
		if (VEC_PUSH(ew->groups, ew->ngroups, ew->gcap, ng) ||
		    strmap_put(&ew->gmap, gkey, ew->ngroups - 1))
			return -1;
		g = ew->ngroups - 1;
	}
	local = jr_str(o, "local");
	remote = jr_str(o, "remote");
	if (*local && *remote && strncmp(local, "0.0.0.0", 7) &&
	    strncmp(local, "[::]", 4)) {
		snprintf(ew->groups[g].local, sizeof(ew->groups[g].local), "%s", local);
		snprintf(ew->groups[g].remote, sizeof(ew->groups[g].remote), "%s", remote);
	}
	if ((!strcmp(e->step, "connect") || !strcmp(e->step, "accept")) &&
	    e->ret >= 0 && ew->groups[g].anchor == TL_UNKNOWN) {
		ew->groups[g].anchor = e->t;
		ew->groups[g].anchor_client = !strcmp(e->step, "connect");
	}
	e->conn = (int)g;	/* the group, for now */
	return 0;
}

/* One event log, file number f. 0 or -1 with err. */
static int
read_log(struct work *w, struct evwork *ew, size_t f, const char *file)
{
	struct timeline *tl = w->tl;
	char path[4400], host[16], prog[24];
	const char *dot = strchr(file, '.');
	struct jsonl r;
	const struct jrec *o;
	int k, rc = 0;

	snprintf(host, sizeof(host), "%.*s", (int)strcspn(file, "."), file);
	snprintf(prog, sizeof(prog), "%.*s", (int)strcspn(dot + 1, "."), dot + 1);
	if (!strcmp(prog, "events"))	/* "<host>.events.jsonl": one program */
		snprintf(prog, sizeof(prog), "%s", host);
	snprintf(path, sizeof(path), "%s/%s", tl->testdir, file);
	if (jsonl_open(&r, path, 0, 0, w->err, w->errlen))
		return -1;
	while (!rc && (k = jsonl_next(&r, &o, w->err, w->errlen)) == 1) {
		struct tl_event e;
		int64_t ret = jr_int(o, "ret", 0);

		memset(&e, 0, sizeof(e));
		const char *bad = jr_time(o, "t_ns", &e.t) ? "t_ns missing or out of range" :
		    jr_has(o, "t0_ns") && jr_time(o, "t0_ns", &e.t_call) ? "t0_ns out of range" :
		    ret < INT32_MIN || ret > INT32_MAX ? "ret out of range" : NULL;

		if (bad) {
			snprintf(w->err, w->errlen, "%s:%zu: %s", path, r.lineno, bad);
			rc = -1;
			break;
		}
		if (tl->clock_estimated && !strcmp(host, tl->clock_host)) {
			e.t -= tl->clock_offset_ns;
			if (e.t_call)
				e.t_call -= tl->clock_offset_ns;
		}
		e.side = 2;
		e.conn = -1;
		snprintf(e.host, sizeof(e.host), "%s", host);
		snprintf(e.prog, sizeof(e.prog), "%s", prog);
		snprintf(e.step, sizeof(e.step), "%s", jr_str(o, "step"));
		e.ret = (int)ret;
		e.req = (int)jr_int(o, "req", jr_int(o, "conn", 0));
		e.err = (int)jr_int(o, "errno", 0);
		e.lport = (uint16_t)ep_port(jr_str(o, "local"));
		snprintf(e.errname, sizeof(e.errname), "%s", jr_str(o, "errname"));
		event_detail(o, e.step, e.detail, sizeof(e.detail));
		if (group_event(ew, f, o, &e) || VEC_PUSH(tl->events, tl->nevents, w->evcap, e)) {
			snprintf(w->err, w->errlen, "out of memory reading events");
			rc = -1;
		}
	}
	if (k < 0)
		rc = -1;
	jsonl_close(&r);
	return rc;
}

/* Tie each group to a connection of its 4-tuple, by time. */
static int
tie_groups(struct work *w, struct evwork *ew)
{
	struct timeline *tl = w->tl;

	for (size_t g = 0; g < ew->ngroups; g++) {
		struct evgroup *gr = &ew->groups[g];
		size_t tix;
		struct tuple *tp;

		if (!gr->local[0])
			continue;
		if (tuple_find(w, gr->local, gr->remote, &tix)) {
			int ci;

			tix = tuple_get(w, gr->local, gr->remote);
			if (tix == (size_t)-1)
				return -1;
			ci = gr->anchor_client ?
			    new_conn(w, tix, gr->local, gr->remote, gr->anchor) :
			    new_conn(w, tix, gr->remote, gr->local, gr->anchor);
			if (ci < 0)
				return -1;
		}
		tp = &w->tuples[tix];
		gr->conn = (int)tp->conns[0];
		for (size_t k = 0; k < tp->nconns; k++)
			if (gr->anchor == TL_UNKNOWN ||
			    tl->conns[tp->conns[k]].t_start <= gr->anchor)
				gr->conn = (int)tp->conns[k];
	}
	for (size_t i = 0; i < tl->nevents; i++) {
		struct tl_event *e = &tl->events[i];

		if (e->conn >= 0) {
			struct evgroup *gr = &ew->groups[e->conn];

			e->conn = gr->conn;
			if (e->conn >= 0)
				e->side = strcmp(gr->local, tl->conns[e->conn].client) ?
				    TL_SERVER : TL_CLIENT;
		}
	}
	return 0;
}

int
load_events(struct work *w)
{
	struct evwork ew;
	char **files;
	size_t nfiles;
	int rc = 0;

	memset(&ew, 0, sizeof(ew));
	if (list_files(w, ".events.jsonl", &files, &nfiles))
		return -1;
	for (size_t f = 0; f < nfiles && !rc; f++)
		rc = read_log(w, &ew, f, files[f]);
	if (!rc && tie_groups(w, &ew)) {
		snprintf(w->err, w->errlen, "out of memory reading events");
		rc = -1;
	}
	free(ew.groups);
	strmap_free(&ew.gmap);
	free_list(files, nfiles);
	return rc;
}
