/*
 * packets.c - stage 2 of the run model: every pcap's TCP segments, a send
 * on the host that owns the source address and an arrival on the host
 * that owns the destination. A send and an arrival with the same 4-tuple,
 * flags, seq, ack and length are one packet on the wire (a struct wire),
 * paired in order. For files from two real machines, the clock offset
 * between them is estimated from the handshakes and taken off.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/jsonl.h"
#include "model/work.h"
#include "pcapread.h"

struct cap_pkt {
	struct tcp_pkt p;
	int host;
	int send;		/* 1: sent by this host, 0: arrived */
	size_t next;		/* chain in the pairing table, index + 1 */
	int used;
};

static uint64_t
pkt_key(const struct tcp_pkt *p)
{
	uint64_t h = hash_str(p->src) * 31 + hash_str(p->dst);

	h = h * 1099511628211ULL ^ ((uint64_t)p->sport << 16 | p->dport);
	h = h * 1099511628211ULL ^ p->seq;
	h = h * 1099511628211ULL ^ p->ack;
	h = h * 1099511628211ULL ^ ((uint64_t)p->flags << 32 | p->len);
	return h;
}

static int
same_pkt(const struct tcp_pkt *x, const struct tcp_pkt *y)
{
	return x->sport == y->sport && x->dport == y->dport &&
	    x->seq == y->seq && x->ack == y->ack && x->flags == y->flags &&
	    x->len == y->len && !strcmp(x->src, y->src) && !strcmp(x->dst, y->dst);
}

/* The address a pcap holds most often: its host's, when lab.json has none. */
static void
guess_addr(const struct tcp_pkt *v, size_t n, char *out, size_t len)
{
	size_t best = 0;

	out[0] = 0;
	for (size_t i = 0; i < n && i < 64; i++) {
		const char *cand[2] = { v[i].src, v[i].dst };

		for (int c = 0; c < 2; c++) {
			size_t cnt = 0;

			for (size_t j = 0; j < n && j < 256; j++)
				cnt += !strcmp(v[j].src, cand[c]) || !strcmp(v[j].dst, cand[c]);
			if (cnt > best) {
				best = cnt;
				snprintf(out, len, "%s", cand[c]);
			}
		}
	}
}

/* The host's own address, from the "local" of its programs' event logs
 * (<host>.<prog>.events.jsonl): the surest guess without lab.json.
 * 0 found, 1 not found, -1 a file could not be read (err). */
static int
addr_from_events(struct work *w, const char *host, char *out, size_t len)
{
	char **files, path[4400];
	size_t nfiles, hl = strlen(host);
	int found = 0, rc = 0;

	if (list_files(w, ".events.jsonl", &files, &nfiles))
		return -1;
	for (size_t f = 0; f < nfiles && !found && !rc; f++) {
		struct jsonl r;
		const struct jrec *o;
		int k;

		if (strncmp(files[f], host, hl) || files[f][hl] != '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", w->tl->testdir, files[f]);
		if (jsonl_open(&r, path, 0, 0, w->err, w->errlen)) {
			rc = -1;
			break;
		}
		while (!found && (k = jsonl_next(&r, &o, w->err, w->errlen)) == 1) {
			const char *l = jr_str(o, "local");

			if (*l && strncmp(l, "0.0.0.0", 7) && strncmp(l, "[::]", 4) &&
			    *jr_str(o, "remote")) {
				ep_addr(l, out, len);
				found = 1;
			}
		}
		if (!found && k < 0)
			rc = -1;
		jsonl_close(&r);
	}
	free_list(files, nfiles);
	return rc ? -1 : found ? 0 : 1;
}

static int
cmp_cap_t(const void *a, const void *b)
{
	const struct cap_pkt *x = a, *y = b;

	return (x->p.t_ns > y->p.t_ns) - (x->p.t_ns < y->p.t_ns);
}

/* One pcap's segments of host name into all. 0 or -1 with err. */
static int
read_pcap(struct work *w, const char *file, struct cap_pkt **all, size_t *nall,
    size_t *acap)
{
	struct timeline *tl = w->tl;
	char path[4400], name[64];
	struct tcp_pkt *v = NULL;
	size_t n = 0;
	int h, a;

	snprintf(name, sizeof(name), "%.*s", (int)(strlen(file) - 5), file);
	snprintf(path, sizeof(path), "%s/%s", tl->testdir, file);
	if (pcap_read_tcp(path, &v, &n, w->err, w->errlen))
		return -1;
	h = host_by_name(tl, name);
	if (h < 0 && tl->nhosts < 8) {
		h = tl->nhosts++;
		scopy(tl->hosts[h].name, sizeof(tl->hosts[h].name), name);
		tl->hosts[h].rfc1337 = -1;	/* a real machine's: not known */
		a = addr_from_events(w, name, tl->hosts[h].addr, sizeof(tl->hosts[h].addr));
		if (a < 0) {
			free(v);
			return -1;
		}
		if (a)
			guess_addr(v, n, tl->hosts[h].addr, sizeof(tl->hosts[h].addr));
	}
	if (h < 0) {
		free(v);
		return 0;
	}
	if (vec_grow((void **)all, acap, *nall + n, sizeof(**all))) {
		free(v);
		snprintf(w->err, w->errlen, "out of memory reading packets");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int hs = host_of_addr(tl, v[i].src), hd = host_of_addr(tl, v[i].dst);
		struct cap_pkt *c;

		if (hs != h && hd != h)
			continue;
		c = &(*all)[(*nall)++];
		memset(c, 0, sizeof(*c));
		c->p = v[i];
		c->host = h;
		c->send = hs == h;
	}
	tl->have_pcap = 1;
	free(v);
	return 0;
}

int
load_packets(struct work *w)
{
	struct cap_pkt *all = NULL;
	size_t nall = 0, acap = 0, nb;
	size_t *head = NULL, *tail = NULL;
	char **files;
	size_t nfiles;
	int rc = -1;

	if (list_files(w, ".pcap", &files, &nfiles))
		return -1;
	for (size_t f = 0; f < nfiles; f++)
		if (read_pcap(w, files[f], &all, &nall, &acap))
			goto out;
	if (nall > 0)
		qsort(all, nall, sizeof(*all), cmp_cap_t);
	/* Pairing table of arrivals, FIFO per key. */
	nb = 64;
	while (nb < nall * 2)
		nb *= 2;
	head = calloc(nb, sizeof(*head));
	tail = calloc(nb, sizeof(*tail));
	if (!head || !tail)
		goto nomem;
	for (size_t i = 0; i < nall; i++) {
		size_t b;

		if (all[i].send)
			continue;
		b = pkt_key(&all[i].p) & (nb - 1);
		if (tail[b])
			all[tail[b] - 1].next = i + 1;
		else
			head[b] = i + 1;
		tail[b] = i + 1;
	}
	/* Sends first, each taking its arrival; then the arrivals no send took
	 * (with clocks apart, an arrival may come "before" its send). */
	for (int pass = 0; pass < 2; pass++)
	for (size_t i = 0; i < nall; i++) {
		struct wire wr;
		struct cap_pkt *c = &all[i];

		if (c->send != !pass || (!c->send && c->used))
			continue;
		memset(&wr, 0, sizeof(wr));
		ep_text(c->p.src, c->p.sport, wr.src, sizeof(wr.src));
		ep_text(c->p.dst, c->p.dport, wr.dst, sizeof(wr.dst));
		wr.flags = c->p.flags;
		wr.seq = c->p.seq;
		wr.ack = c->p.ack;
		wr.len = c->p.len;
		wr.ts = wr.tr = wr.td = TL_UNKNOWN;
		if (c->send) {
			size_t j = head[pkt_key(&c->p) & (nb - 1)];

			wr.ts = (int64_t)c->p.t_ns;
			for (; j; j = all[j - 1].next) {
				struct cap_pkt *r = &all[j - 1];

				if (!r->used && r->host != c->host && same_pkt(&r->p, &c->p)) {
					r->used = 1;
					wr.tr = (int64_t)r->p.t_ns;
					break;
				}
			}
		} else {
			wr.tr = (int64_t)c->p.t_ns;
			c->used = 1;
		}
		if (VEC_PUSH(w->wires, w->nwires, w->wcap, wr))
			goto nomem;
	}
	rc = 0;
	goto out;
nomem:
	snprintf(w->err, w->errlen, "out of memory reading packets");
out:
	free(head);
	free(tail);
	free(all);
	free_list(files, nfiles);
	return rc;
}

/* A wire's key from its addresses and headers: for matching a line of
 * links.jsonl (mark_links) or of a drops.jsonl (drops.c) to a capture's. */
uint64_t
wire_key(const char *src, const char *dst, uint32_t seq, uint32_t ack, uint8_t flags,
    uint32_t len)
{
	uint64_t h = hash_str(src) * 31 + hash_str(dst);

	h = h * 1099511628211ULL ^ seq;
	h = h * 1099511628211ULL ^ ack;
	return h * 1099511628211ULL ^ ((uint64_t)flags << 32 | len);
}

/*
 * links.jsonl (lab/delay.c): the segments the lab's links copied, set
 * aside or lost, each marked on its wire: a copy is an arrival no send
 * took (the original arrived first, so it took the send), a reordered
 * segment is a send, a lost one a send that never arrived. No file:
 * nothing to mark.
 */
int
mark_links(struct work *w)
{
	char path[4400];
	struct jsonl r;
	const struct jrec *o;
	size_t nb = 64, *head = NULL, *next = NULL;
	int k, rc = -1;

	snprintf(path, sizeof(path), "%s/links.jsonl", w->tl->testdir);
	if (access(path, F_OK) != 0 || w->nwires == 0)
		return 0;
	while (nb < w->nwires * 2)
		nb *= 2;
	head = calloc(nb, sizeof(*head));
	next = calloc(w->nwires, sizeof(*next));
	if (head == NULL || next == NULL) {
		snprintf(w->err, w->errlen, "out of memory reading links.jsonl");
		goto out;
	}
	for (size_t i = 0; i < w->nwires; i++) {
		const struct wire *x = &w->wires[i];
		size_t b = wire_key(x->src, x->dst, x->seq, x->ack, x->flags, x->len) & (nb - 1);

		next[i] = head[b];
		head[b] = i + 1;
	}
	if (jsonl_open(&r, path, 0, 0, w->err, w->errlen))
		goto out;
	while ((k = jsonl_next(&r, &o, w->err, w->errlen)) == 1) {
		const char *what = jr_str(o, "what");
		int mark = !strcmp(what, "duplicate") ? TL_LAB_COPY :
		    !strcmp(what, "reorder") ? TL_LAB_REORDERED :
		    !strcmp(what, "held") ? TL_LAB_HELD : 0;
		char src[64], dst[64];
		uint32_t seq = (uint32_t)jr_int(o, "seq", 0), ack = (uint32_t)jr_int(o, "ack", 0);
		uint32_t len = (uint32_t)jr_int(o, "len", 0);
		uint8_t flags = (uint8_t)jr_int(o, "flags", 0);

		if (mark == 0 || !jr_has(o, "seq"))
			continue;
		ep_text(jr_str(o, "src"), (uint16_t)jr_int(o, "sport", 0), src, sizeof(src));
		ep_text(jr_str(o, "dst"), (uint16_t)jr_int(o, "dport", 0), dst, sizeof(dst));
		for (size_t j = head[wire_key(src, dst, seq, ack, flags, len) & (nb - 1)]; j;
		    j = next[j - 1]) {
			struct wire *x = &w->wires[j - 1];

			if (x->lab || x->seq != seq || x->ack != ack || x->flags != flags ||
			    x->len != len || strcmp(x->src, src) || strcmp(x->dst, dst) ||
			    (mark == TL_LAB_COPY) != (x->ts == TL_UNKNOWN))
				continue;
			x->lab = (uint8_t)mark;
			break;
		}
	}
	jsonl_close(&r);
	rc = k < 0 ? -1 : 0;
out:
	free(head);
	free(next);
	return rc;
}

/* Clocks further apart than this are not corrected: not one run. */
#define MAX_OFFSET_NS (86400LL * 1000000000LL)

/*
 * Two machines: the server's clock minus the client's, from the handshakes,
 * before anything is ordered by time. For a SYN and its SYN-ACK, each with
 * a send and an arrival time, d1 = SYN arrival - SYN send (server clock
 * minus client clock, plus the delay one way) and d2 = SYN-ACK arrival -
 * SYN-ACK send (the opposite, plus the delay back): the offset is
 * (d1 - d2) / 2, exact when both ways take as long; the median over the
 * connections. Every time taken on the server's host is then moved back.
 */
void
estimate_offset(struct work *w)
{
	struct timeline *tl = w->tl;
	struct strmap syns = { 0 };
	int64_t *v = NULL;
	size_t n = 0, cap = 0, idx;
	char key[160], a[46];
	int srv = -1;

	for (size_t i = 0; i < w->nwires; i++) {
		const struct wire *x = &w->wires[i];

		if ((x->flags & (TCPF_SYN | TCPF_ACK)) != TCPF_SYN ||
		    x->ts == TL_UNKNOWN || x->tr == TL_UNKNOWN)
			continue;
		snprintf(key, sizeof(key), "%s>%s>%u", x->src, x->dst, x->seq + 1);
		strmap_put(&syns, key, i);
	}
	for (size_t i = 0; i < w->nwires; i++) {
		const struct wire *x = &w->wires[i], *syn;

		if ((x->flags & (TCPF_SYN | TCPF_ACK)) != (TCPF_SYN | TCPF_ACK) ||
		    x->ts == TL_UNKNOWN || x->tr == TL_UNKNOWN)
			continue;
		snprintf(key, sizeof(key), "%s>%s>%u", x->dst, x->src, x->ack);
		if (strmap_get(&syns, key, &idx))
			continue;
		syn = &w->wires[idx];
		ep_addr(syn->dst, a, sizeof(a));
		if (srv < 0)
			srv = host_of_addr(tl, a);
		if (srv < 0 || host_of_addr(tl, a) != srv)
			continue;	/* one server host: the first one's */
		/* pcap times lie in [0, IN_T_MAX]: no difference overflows */
		if (VEC_PUSH(v, n, cap, ((syn->tr - syn->ts) - (x->tr - x->ts)) / 2))
			break;
	}
	strmap_free(&syns);
	if (n) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
				int64_t t = v[j];

				v[j] = v[j - 1];
				v[j - 1] = t;
			}
		if (v[n / 2] >= -MAX_OFFSET_NS && v[n / 2] <= MAX_OFFSET_NS) {
			tl->clock_offset_ns = v[n / 2];
			tl->clock_estimated = 1;
			snprintf(tl->clock_host, sizeof(tl->clock_host), "%s",
			    tl->hosts[srv].name);
		}
	}
	free(v);
	if (!tl->clock_offset_ns)
		return;
	for (size_t i = 0; i < w->nwires; i++) {
		struct wire *x = &w->wires[i];

		ep_addr(x->src, a, sizeof(a));
		if (x->ts != TL_UNKNOWN && host_of_addr(tl, a) == srv)
			x->ts -= tl->clock_offset_ns;
		if (x->td != TL_UNKNOWN && host_of_addr(tl, a) == srv)
			x->td -= tl->clock_offset_ns;	/* on its sender's clock */
		ep_addr(x->dst, a, sizeof(a));
		if (x->tr != TL_UNKNOWN && host_of_addr(tl, a) == srv)
			x->tr -= tl->clock_offset_ns;
	}
}
