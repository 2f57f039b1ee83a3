/*
 * drops.c - stage 2b of the run model: the segments the lab dropped, from
 * each sender's HOST.drops.jsonl (lab/droplog.c, docs/formats.md).
 *
 * A `drop` line's segment ("by":"drop") never left its sender: no capture
 * has it, so it becomes a wire of its own, sent nowhere and received
 * nowhere, at the time it was dropped. A link's loss ("by":"loss") drops
 * a packet on the lab's bridge, after the sender's capture saw it leave:
 * that wire is already there, with no arrival, and is marked (the latest
 * such wire with the same headers sent before the drop); one not found is
 * added as for a drop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/jsonl.h"
#include "model/work.h"
#include "pcapread.h"

/* A sent wire's headers may be 1 ms later in its capture than in the
 * drop's record: the loss is stamped after the packet left its sender,
 * by a thread that may wake late; never more than this. */
#define LOSS_SLACK_NS 5000000LL

/* The index of why in tl->drop_why, added when new; 255 when full. */
static uint8_t
why_index(struct timeline *tl, const char *why)
{
	for (int i = 0; i < tl->ndrop_why; i++)
		if (!strcmp(tl->drop_why[i], why))
			return (uint8_t)i;
	if (tl->ndrop_why >= TL_DROP_WHY_MAX)
		return 255;
	scopy(tl->drop_why[tl->ndrop_why], sizeof(tl->drop_why[0]), why);
	return (uint8_t)tl->ndrop_why++;
}

/* A number field in [0, max]; -1 when missing or out of range. */
static int64_t
field(const struct jrec *o, const char *k, int64_t max)
{
	int64_t v = jr_int(o, k, -1);

	return v < 0 || v > max ? -1 : v;
}

/* The chains of the wires a loss may have taken: sent, never arrived. */
struct lost_index {
	size_t *head, *next, nb;
};

static int
index_build(struct work *w, struct lost_index *ix)
{
	ix->nb = 64;
	while (ix->nb < w->nwires * 2)
		ix->nb *= 2;
	ix->head = calloc(ix->nb, sizeof(*ix->head));
	ix->next = calloc(w->nwires + 1, sizeof(*ix->next));
	if (!ix->head || !ix->next)
		return -1;
	for (size_t i = 0; i < w->nwires; i++) {
		const struct wire *x = &w->wires[i];
		size_t b;

		if (x->ts == TL_UNKNOWN || x->tr != TL_UNKNOWN)
			continue;
		b = wire_key(x->src, x->dst, x->seq, x->ack, x->flags, x->len) & (ix->nb - 1);
		ix->next[i] = ix->head[b];
		ix->head[b] = i + 1;
	}
	return 0;
}

/* One line of a drops file into the wires. 0, or -1 with err. */
static int
add_drop(struct work *w, struct lost_index *ix, const struct jrec *o, const char *path,
    size_t lineno)
{
	struct wire wr;
	const char *by = jr_str(o, "by"), *src = jr_str(o, "src"), *dst = jr_str(o, "dst");
	int64_t t, sport = field(o, "sport", 65535), dport = field(o, "dport", 65535);
	int64_t flags = field(o, "flags", 255), seq = field(o, "seq", UINT32_MAX);
	int64_t ack = field(o, "ack", UINT32_MAX), len = field(o, "len", 65535);
	const char *bad;

	if (jr_int(o, "proto", 6) != 6)	/* not TCP: a link's loss drops ND too */
		return 0;
	bad = jr_time(o, "t_ns", &t) ? "t_ns missing or out of range" :
	    strcmp(by, "drop") && strcmp(by, "loss") ? "by is neither \"drop\" nor \"loss\"" :
	    !*src || strlen(src) >= 46 || !*dst || strlen(dst) >= 46 ? "src or dst missing" :
	    sport < 0 || dport < 0 ? "sport or dport missing or out of range" :
	    flags < 0 || seq < 0 || ack < 0 || len < 0 ?
	    "flags, seq, ack or len missing or out of range" : NULL;

	if (bad) {
		snprintf(w->err, w->errlen, "%s:%zu: %s", path, lineno, bad);
		return -1;
	}
	memset(&wr, 0, sizeof(wr));
	ep_text(src, (uint16_t)sport, wr.src, sizeof(wr.src));
	ep_text(dst, (uint16_t)dport, wr.dst, sizeof(wr.dst));
	wr.flags = (uint8_t)flags;
	wr.seq = (uint32_t)seq;
	wr.ack = (uint32_t)ack;
	wr.len = (uint32_t)len;
	wr.ts = wr.tr = TL_UNKNOWN;
	wr.td = t;
	wr.dropped = TL_DROP_OUT;
	wr.why = why_index(w->tl, jr_str(o, "why"));
	w->tl->ndropped++;
	if (!strcmp(by, "loss") && ix->head) {
		size_t b = wire_key(wr.src, wr.dst, wr.seq, wr.ack, wr.flags, wr.len) & (ix->nb - 1);
		struct wire *best = NULL;

		for (size_t j = ix->head[b]; j; j = ix->next[j - 1]) {
			struct wire *x = &w->wires[j - 1];

			if (!x->dropped && x->flags == wr.flags && x->seq == wr.seq &&
			    x->ack == wr.ack && x->len == wr.len && !strcmp(x->src, wr.src) &&
			    !strcmp(x->dst, wr.dst) && x->ts <= t + LOSS_SLACK_NS &&
			    (best == NULL || x->ts > best->ts))
				best = x;
		}
		if (best) {
			best->td = t;
			best->dropped = TL_DROP_LINK;
			best->why = wr.why;
			return 0;
		}
		wr.dropped = TL_DROP_LINK;	/* its sender's capture missed it */
	}
	if (VEC_PUSH(w->wires, w->nwires, w->wcap, wr)) {
		snprintf(w->err, w->errlen, "out of memory reading drops");
		return -1;
	}
	return 0;
}

int
load_drops(struct work *w)
{
	struct lost_index ix = { 0 };
	char **files, path[4400];
	size_t nfiles;
	int rc = 0;

	if (list_files(w, ".drops.jsonl", &files, &nfiles))
		return -1;
	if (nfiles && index_build(w, &ix)) {
		snprintf(w->err, w->errlen, "out of memory reading drops");
		rc = -1;
	}
	for (size_t f = 0; f < nfiles && !rc; f++) {
		struct jsonl r;
		const struct jrec *o;
		int k;

		snprintf(path, sizeof(path), "%s/%s", w->tl->testdir, files[f]);
		if (jsonl_open(&r, path, 0, 0, w->err, w->errlen)) {
			rc = -1;
			break;
		}
		/* by index: w->wires may move as drops are added */
		while (!rc && (k = jsonl_next(&r, &o, w->err, w->errlen)) == 1)
			rc = add_drop(w, &ix, o, path, r.lineno);
		if (!rc && k < 0)
			rc = -1;
		jsonl_close(&r);
	}
	free(ix.head);
	free(ix.next);
	free_list(files, nfiles);
	return rc;
}
