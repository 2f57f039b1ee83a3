/*
 * snaps.c - stage 4c of the run model: socket snapshots. The runner's
 * snapshots.json ({name, t_ns, hosts: {host: [{state, local, remote,
 * timer, expires_ms}]}}), or one <host>.sockets.jsonl per host (one socket
 * a line, with host and t_ns). A TIME_WAIT the model holds is "confirmed"
 * when a snapshot taken during it shows that socket in TIME_WAIT.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/input.h"
#include "model/jsonl.h"
#include "model/work.h"
#include "pcapread.h"

/* 0, or -1 out of memory. */
static int
add_snap(struct work *w, const char *host, const char *local,
    const char *remote, const char *state, int64_t t, int64_t expires_ms)
{
	struct sock_snap sn;
	char key[160];
	size_t first;

	if (strcmp(state, "TIME_WAIT") && strcmp(state, "TIME-WAIT"))
		return 0;	/* only TIME_WAIT is confirmed */
	memset(&sn, 0, sizeof(sn));
	snprintf(sn.host, sizeof(sn.host), "%s", host);
	snprintf(sn.local, sizeof(sn.local), "%s", local);
	snprintf(sn.remote, sizeof(sn.remote), "%s", remote);
	sn.t = t;
	sn.expires_ms = (uint32_t)expires_ms;
	snprintf(key, sizeof(key), "%s|%s|%s", sn.host, sn.local, sn.remote);
	sn.next = strmap_get(&w->smap, key, &first) ? 0 : first;
	if (VEC_PUSH(w->snaps, w->nsnaps, w->scap, sn))
		return -1;
	return strmap_put(&w->smap, key, w->nsnaps);
}

static int
load_snapshots_json(struct work *w)
{
	char path[4400];
	json_t *root, *snap;
	size_t i, j;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/snapshots.json", w->tl->testdir);
	if (!(root = in_load_json(path, w->err, w->errlen)))
		return missing(w);
	if (!json_is_array(root)) {
		snprintf(w->err, w->errlen, "%s: not an array of snapshots", path);
		json_decref(root);
		return -1;
	}
	json_array_foreach(root, i, snap) {
		const char *host;
		json_t *socks, *so;
		int64_t t;

		if (j_time(snap, "t_ns", &t)) {
			snprintf(w->err, w->errlen, "%s: snapshot %zu: t_ns missing or out "
			    "of range", path, i + 1);
			rc = -1;
			break;
		}
		json_object_foreach(json_object_get(snap, "hosts"), host, socks)
			json_array_foreach(socks, j, so)
				if (!rc && add_snap(w, host, j_str(so, "local"),
				    j_str(so, "remote"), j_str(so, "state"), t,
				    j_int(so, "expires_ms", 0))) {
					snprintf(w->err, w->errlen, "out of memory");
					rc = -1;
				}
	}
	json_decref(root);
	return rc;
}

static int
load_sockets_jsonl(struct work *w, const char *file)
{
	char path[4400];
	struct jsonl r;
	const struct jrec *o;
	int k, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", w->tl->testdir, file);
	if (jsonl_open(&r, path, 0, 0, w->err, w->errlen))
		return -1;
	while (!rc && (k = jsonl_next(&r, &o, w->err, w->errlen)) == 1) {
		int64_t t;

		if (jr_time(o, "t_ns", &t)) {
			snprintf(w->err, w->errlen, "%s:%zu: t_ns missing or out of range",
			    path, r.lineno);
			rc = -1;
		} else if (add_snap(w, jr_str(o, "host"), jr_str(o, "local"),
		    jr_str(o, "remote"), jr_str(o, "state"), t, jr_int(o, "expires_ms", 0))) {
			snprintf(w->err, w->errlen, "out of memory");
			rc = -1;
		}
	}
	if (k < 0)
		rc = -1;
	jsonl_close(&r);
	return rc;
}

int
load_snaps(struct work *w)
{
	char **files;
	size_t nfiles;
	int rc;

	if (load_snapshots_json(w) || list_files(w, ".sockets.jsonl", &files, &nfiles))
		return -1;
	rc = 0;
	for (size_t f = 0; f < nfiles && !rc; f++)
		rc = load_sockets_jsonl(w, files[f]);
	free_list(files, nfiles);
	return rc;
}

/* Whether side got a RST at t. */
static int
ends_at_rst(const struct tl_conn *c, int side, int64_t t)
{
	for (size_t i = 0; i < c->npkts; i++)
		if ((c->pkts[i].flags & TCPF_RST) && c->pkts[i].from != side &&
		    t_on(&c->pkts[i], side) == t)
			return 1;
	return 0;
}

void
confirm_with_snaps(struct work *w, struct tl_conn *c, int side)
{
	const char *l = side == TL_CLIENT ? c->client : c->server;
	const char *r = side == TL_CLIENT ? c->server : c->client;
	char key[160];
	size_t i;

	snprintf(key, sizeof(key), "%s|%s|%s", c->host[side], l, r);
	if (strmap_get(&w->smap, key, &i))
		return;
	for (; i; i = w->snaps[i - 1].next) {
		const struct sock_snap *s = &w->snaps[i - 1];

		for (size_t k = 0; k < c->nstates[side]; k++) {
			struct tl_state *st = &c->states[side][k];

			/* A rebuilt end at a RST that the snapshot saw did
			 * not end the TIME_WAIT moves to when the snapshot
			 * says its timer runs out. (Not an end at the next
			 * SYN: that snapshot may be of the next connection.) */
			if (st->state == TS_TIME_WAIT && st->t <= s->t &&
			    k + 2 == c->nstates[side] && st[1].state == TS_CLOSE &&
			    st[1].inferred && st[1].t < s->t && ends_at_rst(c, side, st[1].t))
				st[1].t = s->t + (int64_t)s->expires_ms * 1000000;
			if (st->state == TS_TIME_WAIT && st->t <= s->t &&
			    (k + 1 == c->nstates[side] || c->states[side][k + 1].t >= s->t))
				st->confirmed = 1;
		}
	}
}
