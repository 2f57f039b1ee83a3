/*
 * load.c - the run model read once: a test's folder into a struct
 * timeline (timeline.h). The stages, each reading only what the one
 * before made:
 *  1. hosts from lab.json (or, for files from real machines, the address
 *     each pcap sees most);
 *  2. packets: every pcap, sends paired with arrivals (packets.c);
 *  3. connections: the packets of one 4-tuple, a new one at each SYN with
 *     a new initial sequence number (conns.c);
 *  4. kernel states from trace.jsonl (trace.c), time-wait sockets put back
 *     or, with no trace, states rebuilt from packets (states.c), TIME_WAIT
 *     confirmed by socket snapshots (snaps.c);
 *  5. program events, tied to the connection of their 4-tuple and time
 *     (events.c), and a proxy's own log lines, tied to the connections
 *     they name (proxylog.c);
 *  6. order, relative sequence numbers, checks that the pieces agree
 *     (verify.c).
 * Every file is read through input.h: regular files only, bounded, and
 * any error names the file and line: a folder that is not a run, or one
 * with an unusable file, is an error, never an empty timeline.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/input.h"
#include "model/work.h"

/* lab.json: the hosts, their addresses and the sysctls the model reads.
 * Missing: none. */
static int
load_hosts(struct work *w)
{
	char path[4200];
	json_t *root, *h;
	const char *s;
	size_t i;

	snprintf(path, sizeof(path), "%s/lab.json", w->tl->testdir);
	if (!(root = in_load_json(path, w->err, w->errlen)))
		return missing(w);
	json_array_foreach(json_object_get(root, "hosts"), i, h) {
		struct tl_host *th;

		if (w->tl->nhosts >= (int)(sizeof(w->tl->hosts) / sizeof(w->tl->hosts[0])))
			break;
		th = &w->tl->hosts[w->tl->nhosts++];
		snprintf(th->name, sizeof(th->name), "%s", j_str(h, "name"));
		snprintf(th->addr, sizeof(th->addr), "%s", j_str(h, "addr"));
		snprintf(th->addr6, sizeof(th->addr6), "%s", j_str(h, "addr6"));
		/* A string, as the host's /proc/sys has it; older labs did not
		 * record it. */
		s = j_str(json_object_get(h, "sysctls"), "net/ipv4/tcp_rfc1337");
		th->rfc1337 = (s[0] == '0' || s[0] == '1') && !s[1] ? s[0] - '0' : -1;
	}
	json_decref(root);
	return 0;
}

/* trace.stats.json: the trace's figures; -1 when there is none. */
static int
load_trace_stats(struct work *w)
{
	char path[4200];
	json_t *st;

	w->tl->trace_events = w->tl->trace_lost = -1;
	snprintf(path, sizeof(path), "%s/trace.stats.json", w->tl->testdir);
	if (!(st = in_load_json(path, w->err, w->errlen)))
		return missing(w);
	w->tl->trace_events = j_int(st, "events", -1);
	w->tl->trace_lost = j_int(st, "lost", -1);
	json_decref(st);
	return 0;
}

static void
work_free(struct work *w)
{
	for (size_t i = 0; i < w->ntuples; i++)
		free(w->tuples[i].conns);
	for (size_t i = 0; i < w->nruns; i++)
		free(w->runs[i].st);
	free(w->tuples);
	free(w->runs);
	free(w->wires);
	free(w->snaps);
	strmap_free(&w->tmap);
	strmap_free(&w->rmap);
	strmap_free(&w->smap);
	strmap_free(&w->pend);
	free(w->pend_t);
}

/* The test's folder and its name, trailing slashes off. */
static int
set_dir(struct timeline *tl, const char *testdir, char *err, size_t errlen)
{
	const char *base;
	size_t l;
	DIR *d;

	if (snprintf(tl->testdir, sizeof(tl->testdir), "%s", testdir) >=
	    (int)sizeof(tl->testdir)) {
		snprintf(err, errlen, "%.100s...: path too long", testdir);
		return -1;
	}
	while ((l = strlen(tl->testdir)) > 1 && tl->testdir[l - 1] == '/')
		tl->testdir[l - 1] = 0;
	base = strrchr(tl->testdir, '/');
	scopy(tl->test, sizeof(tl->test), base ? base + 1 : tl->testdir);
	if (!(d = opendir(tl->testdir))) {
		snprintf(err, errlen, "%s: %s", testdir, strerror(errno));
		return -1;
	}
	closedir(d);
	return 0;
}

static int
load(const char *testdir, int remote, struct timeline **out, char *err,
    size_t errlen)
{
	struct work w;
	struct timeline *tl;
	int rc = -1;

	*out = NULL;
	if (errlen)
		err[0] = 0;
	memset(&w, 0, sizeof(w));
	w.err = err;
	w.errlen = errlen;
	if (!(tl = calloc(1, sizeof(*tl)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w.tl = tl;
	if (set_dir(tl, testdir, err, errlen)) {
		free(tl);
		return -1;
	}
	if (load_hosts(&w) || load_trace_stats(&w) || load_packets(&w) || mark_links(&w) ||
	    load_drops(&w))
		goto out;
	if (remote)
		estimate_offset(&w);
	if (build_conns(&w) || load_trace(&w) || attach_runs(&w) ||
	    load_events(&w) || load_snaps(&w) || build_states(&w) ||
	    load_proxy_logs(&w) || finish_conns(tl) || verify_conns(tl))
		goto out;
	hold_binds(tl);
	if (!tl->have_pcap && !tl->have_trace && !tl->nevents && !w.nsnaps &&
	    !tl->nconns) {
		snprintf(err, errlen, "%s: not a test's folder (no pcap, event log, "
		    "kernel trace or socket snapshot)", testdir);
		goto out;
	}
	rc = 0;
out:
	work_free(&w);
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "out of memory");
		timeline_free(tl);
		return -1;
	}
	*out = tl;
	return 0;
}

int
timeline_load(const char *testdir, struct timeline **out, char *err,
    size_t errlen)
{
	return load(testdir, 0, out, err, errlen);
}

int
timeline_load_remote(const char *testdir, struct timeline **out, char *err,
    size_t errlen)
{
	return load(testdir, 1, out, err, errlen);
}

void
timeline_free(struct timeline *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->nconns; i++) {
		struct tl_conn *c = &tl->conns[i];

		free(c->states[0]);
		free(c->states[1]);
		free(c->pkts);
		free(c->ev);
		free(c->checks);
	}
	free(tl->conns);
	free(tl->events);
	free(tl);
}

enum tcp_st
tl_state_at(const struct tl_conn *c, int side, int64_t t)
{
	enum tcp_st s = TS_UNKNOWN;

	for (size_t i = 0; i < c->nstates[side]; i++) {
		if (c->states[side][i].t > t)
			break;
		s = c->states[side][i].state;
	}
	return s;
}

const char *
tl_state_name(int state)
{
	return state == TS_CLOSE ? "CLOSED" : tcp_state_name(state);
}

const char *
tl_lab_word(int lab)
{
	switch (lab) {
	case TL_LAB_COPY: return "copy";
	case TL_LAB_REORDERED: return "reordered";
	case TL_LAB_HELD: return "held";
	}
	return "";
}
