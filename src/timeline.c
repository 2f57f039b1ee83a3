/*
 * timeline.c - merge a test's files into one timeline per connection.
 *
 * The order of work, each step reading only what the one before made:
 *  1. hosts from lab.json (or, for files from real machines, the address
 *     each pcap sees most);
 *  2. packets: every pcap's segments, a send on the host that owns the
 *     source address and an arrival on the host that owns the destination;
 *     a send and an arrival with the same 4-tuple, flags, seq, ack and
 *     length are one packet on the wire, paired in order;
 *  3. connections: the packets of one 4-tuple in time order, a new
 *     connection at each SYN with a new initial sequence number;
 *  4. kernel states from trace.jsonl, one run per socket (a run starts at
 *     SYN_SENT or SYN_RECV), tied to the connection of its time; where the
 *     kernel swapped the socket for a time-wait socket (FIN_WAIT2 -> CLOSE
 *     after a FIN came in, no RST) the true TIME_WAIT and its 60 s are put
 *     back; with no trace, states are rebuilt from the packets;
 *  5. program events, grouped by request (client) or connection (server),
 *     tied to the connection of their 4-tuple and time;
 *  6. checks that the pieces agree (a SYN lies between SYN_SENT and
 *     ESTABLISHED, and ESTABLISHED before connect returns...).
 *
 * Lookups by 4-tuple go through a small string hash table, so a run of
 * 10,000 connections is merged in a few tens of milliseconds.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pcapread.h"
#include "timeline.h"
#include "util.h"

/* Copies s into d of size n, cutting it short if it must. */
static void
scopy(char *d, size_t n, const char *s)
{
	size_t l = strnlen(s, n - 1);

	memcpy(d, s, l);
	d[l] = 0;
}

/* ---------- growable arrays ---------- */

static int
grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t nc;
	void *n;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	n = realloc(*v, nc * size);
	if (!n)
		return -1;
	*v = n;
	*cap = nc;
	return 0;
}

#define PUSH(arr, n, cap, item) \
	(grow((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr))) ? -1 : \
	 ((arr)[(n)++] = (item), 0))

/* ---------- string -> index hash table ---------- */

struct strmap {
	char **keys;
	size_t *vals;
	size_t cap, n;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
	return h;
}

static int
strmap_grow(struct strmap *m)
{
	size_t nc = m->cap ? m->cap * 2 : 1024;
	char **k = calloc(nc, sizeof(*k));
	size_t *v = calloc(nc, sizeof(*v));

	if (!k || !v) {
		free(k);
		free(v);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->keys[i])
			continue;
		j = hash_str(m->keys[i]) & (nc - 1);
		while (k[j])
			j = (j + 1) & (nc - 1);
		k[j] = m->keys[i];
		v[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = k;
	m->vals = v;
	m->cap = nc;
	return 0;
}

/* The slot of key; *found says whether it holds the key already. */
static size_t
strmap_slot(struct strmap *m, const char *key, int *found)
{
	size_t j = hash_str(key) & (m->cap - 1);

	while (m->keys[j] && strcmp(m->keys[j], key))
		j = (j + 1) & (m->cap - 1);
	*found = m->keys[j] != NULL;
	return j;
}

static int
strmap_get(struct strmap *m, const char *key, size_t *val)
{
	int found;
	size_t j;

	if (!m->cap)
		return -1;
	j = strmap_slot(m, key, &found);
	if (!found)
		return -1;
	*val = m->vals[j];
	return 0;
}

static int
strmap_put(struct strmap *m, const char *key, size_t val)
{
	int found;
	size_t j;

	if ((m->n + 1) * 2 > m->cap && strmap_grow(m))
		return -1;
	j = strmap_slot(m, key, &found);
	if (!found) {
		if (!(m->keys[j] = strdup(key)))
			return -1;
		m->n++;
	}
	m->vals[j] = val;
	return 0;
}

static void
strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---------- the work area of one load ---------- */

struct wire {			/* one packet on the wire */
	int64_t ts, tr;
	char src[64], dst[64];
	uint8_t flags;
	uint32_t seq, ack, len;
};

struct trun {			/* one kernel socket's life, from the trace */
	char host[16];
	char local[64], remote[64];
	size_t tuple;
	int64_t t_first;
	int starts_syn_sent;
	int64_t t_rst;		/* first reset by a time-wait socket, TL_UNKNOWN */
	int64_t t_rst_full;	/* first reset by or to the full socket */
	struct tl_state *st;	/* newstate per change, CLOSE as "CLOSE" */
	char (*old)[12];	/* the oldstate of each change */
	size_t n, cap, ocap;
	int conn;		/* -1 until tied */
};

struct tuple {
	char a[64], b[64];	/* a < b */
	size_t *conns;		/* indices into tl->conns, by time */
	size_t nconns, cap;
};

struct sock_snap {
	char host[16], local[64], remote[64], state[16];
	int64_t t;
	uint32_t expires_ms;
	size_t next;		/* next snapshot of the same socket, index + 1 */
};

struct work {
	struct timeline *tl;
	struct wire *wires;
	size_t nwires, wcap;
	struct tuple *tuples;
	size_t ntuples, tcap;
	struct strmap tmap;	/* "a|b" -> tuple */
	struct trun *runs;
	size_t nruns, rcap;
	struct strmap rmap;	/* "host|local|remote" -> latest run */
	struct strmap pend;	/* sk -> index of a SYN_SENT seen before its port */
	int64_t *pend_t;
	size_t npend, pcap_;
	struct sock_snap *snaps;
	size_t nsnaps, scap;
	struct strmap smap;	/* "host|local|remote" -> first snapshot + 1 */
	size_t conncap, evcap;
	char *err;
	size_t errlen;
};

static void
ep_text(const char *ip, uint16_t port, char *buf, size_t len)
{
	if (strchr(ip, ':'))
		snprintf(buf, len, "[%s]:%u", ip, port);
	else
		snprintf(buf, len, "%s:%u", ip, port);
}

/* The address part of "ip:port" / "[v6]:port" into buf. */
static void
ep_addr(const char *ep, char *buf, size_t len)
{
	const char *c;
	size_t n;

	if (ep[0] == '[') {
		c = strchr(ep, ']');
		n = c ? (size_t)(c - ep - 1) : 0;
		ep++;
	} else {
		c = strrchr(ep, ':');
		n = c ? (size_t)(c - ep) : strlen(ep);
	}
	if (n >= len)
		n = len - 1;
	memcpy(buf, ep, n);
	buf[n] = 0;
}

static size_t
tuple_get(struct work *w, const char *x, const char *y)
{
	const char *a = strcmp(x, y) < 0 ? x : y, *b = a == x ? y : x;
	char key[140];
	size_t idx;
	struct tuple t;

	snprintf(key, sizeof(key), "%s|%s", a, b);
	if (!strmap_get(&w->tmap, key, &idx))
		return idx;
	memset(&t, 0, sizeof(t));
	snprintf(t.a, sizeof(t.a), "%s", a);
	snprintf(t.b, sizeof(t.b), "%s", b);
	if (PUSH(w->tuples, w->ntuples, w->tcap, t) ||
	    strmap_put(&w->tmap, key, w->ntuples - 1))
		return (size_t)-1;
	return w->ntuples - 1;
}

static int
host_of_addr(const struct timeline *tl, const char *addr)
{
	for (int i = 0; i < tl->nhosts; i++)
		if (!strcmp(tl->hosts[i].addr, addr) ||
		    (tl->hosts[i].addr6[0] && !strcmp(tl->hosts[i].addr6, addr)))
			return i;
	return -1;
}

static int
host_by_name(const struct timeline *tl, const char *name)
{
	for (int i = 0; i < tl->nhosts; i++)
		if (!strcmp(tl->hosts[i].name, name))
			return i;
	return -1;
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static int64_t
jint(json_t *o, const char *k, int64_t dflt)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/*
 * The JSON-lines files (trace, event logs, socket snapshots) hold flat
 * objects of strings and numbers: parsed here in place, one pass a line,
 * several times faster than a general parser on a run of 10,000
 * connections. A line that is not flat is skipped.
 */
#define FLAT_MAX 40

struct flat {
	int n;
	char *k[FLAT_MAX], *v[FLAT_MAX];
	uint8_t str[FLAT_MAX];
};

static char *
skip_ws(char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* A string starting after its opening quote, unescaped in place. */
static char *
flat_string(char *p, char **end)
{
	char *out = p, *start = p;

	while (*p && *p != '"') {
		if (*p == '\\' && p[1]) {
			p++;
			switch (*p) {
			case 'n': *out++ = '\n'; break;
			case 't': *out++ = '\t'; break;
			case 'r': *out++ = '\r'; break;
			case 'b': case 'f': *out++ = ' '; break;
			case 'u':
				*out++ = '?';
				for (int i = 0; i < 4 && p[1]; i++)
					p++;
				break;
			default: *out++ = *p; break;
			}
			p++;
			continue;
		}
		*out++ = *p++;
	}
	if (*p != '"')
		return NULL;
	*out = 0;
	*end = p + 1;
	return start;
}

static int
flat_parse(char *line, struct flat *o)
{
	char *p = skip_ws(line);

	o->n = 0;
	if (*p++ != '{')
		return -1;
	for (;;) {
		char *key, *val;

		p = skip_ws(p);
		if (*p == '}')
			return 0;
		if (*p++ != '"' || !(key = flat_string(p, &p)))
			return -1;
		p = skip_ws(p);
		if (*p++ != ':')
			return -1;
		p = skip_ws(p);
		if (o->n == FLAT_MAX)
			return -1;
		o->str[o->n] = *p == '"';
		if (*p == '"') {
			if (!(val = flat_string(p + 1, &p)))
				return -1;
		} else if (*p == '{' || *p == '[' || !*p) {
			return -1;
		} else {
			val = p;
			while (*p && *p != ',' && *p != '}' && *p != ' ')
				p++;
			if (!*p)
				return -1;
			if (*p == ' ') {
				*p++ = 0;
				p = skip_ws(p);
			} else {
				char c = *p;

				*p = 0;
				if (c == '}') {
					o->k[o->n] = key;
					o->v[o->n++] = val;
					return 0;
				}
				p++;
				o->k[o->n] = key;
				o->v[o->n++] = val;
				continue;
			}
		}
		o->k[o->n] = key;
		o->v[o->n++] = val;
		p = skip_ws(p);
		if (*p == '}')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

static const char *
fstr(const struct flat *o, const char *k)
{
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->k[i], k))
			return o->str[i] ? o->v[i] : "";
	return "";
}

static int64_t
fint(const struct flat *o, const char *k, int64_t dflt)
{
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->k[i], k)) {
			char *end;
			long long v;

			if (o->str[i])
				return dflt;
			v = strtoll(o->v[i], &end, 10);
			return end != o->v[i] ? (int64_t)v : dflt;
		}
	return dflt;
}

/* ---------- 1. hosts ---------- */

static void
load_hosts(struct work *w)
{
	char path[4200];
	json_t *root, *hosts, *h;
	size_t i;

	snprintf(path, sizeof(path), "%s/lab.json", w->tl->testdir);
	root = json_load_file(path, 0, NULL);
	if (!root)
		return;
	hosts = json_object_get(root, "hosts");
	json_array_foreach(hosts, i, h) {
		struct tl_host *th;

		if (w->tl->nhosts >= (int)(sizeof(w->tl->hosts) / sizeof(w->tl->hosts[0])))
			break;
		th = &w->tl->hosts[w->tl->nhosts++];
		snprintf(th->name, sizeof(th->name), "%s", jstr(h, "name"));
		snprintf(th->addr, sizeof(th->addr), "%s", jstr(h, "addr"));
		snprintf(th->addr6, sizeof(th->addr6), "%s", jstr(h, "addr6"));
	}
	json_decref(root);
}

/* Files of the test folder ending with suffix, sorted by name. */
static int
list_files(const char *dir, const char *suffix, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cnt = 0, cap = 0, sl = strlen(suffix);

	*out = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char *s;

		if (l <= sl || strcmp(e->d_name + l - sl, suffix))
			continue;
		if (!(s = strdup(e->d_name)) || PUSH(v, cnt, cap, s)) {
			free(s);
			break;
		}
	}
	closedir(d);
	for (size_t i = 1; i < cnt; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*out = v;
	*n = cnt;
	return 0;
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---------- 2. packets ---------- */

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
 * (<host>.<prog>.events.jsonl): the surest guess without lab.json. */
static int
addr_from_events(const char *dir, const char *host, char *out, size_t len)
{
	char **files, path[4400], *line = NULL;
	size_t nfiles, cap = 0, hl = strlen(host);
	int found = 0;

	list_files(dir, ".events.jsonl", &files, &nfiles);
	for (size_t f = 0; f < nfiles && !found; f++) {
		FILE *fp;

		if (strncmp(files[f], host, hl) || files[f][hl] != '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
		if (!(fp = fopen(path, "r")))
			continue;
		while (!found && getline(&line, &cap, fp) > 0) {
			struct flat o;
			const char *l;

			if (flat_parse(line, &o))
				continue;
			l = fstr(&o, "local");
			if (*l && strncmp(l, "0.0.0.0", 7) && strncmp(l, "[::]", 4) &&
			    *fstr(&o, "remote")) {
				ep_addr(l, out, len);
				found = 1;
			}
		}
		fclose(fp);
	}
	free(line);
	free_list(files, nfiles);
	return found ? 0 : -1;
}

static int
cmp_cap_t(const void *a, const void *b)
{
	const struct cap_pkt *x = a, *y = b;

	return (x->p.t_ns > y->p.t_ns) - (x->p.t_ns < y->p.t_ns);
}

static int
load_packets(struct work *w)
{
	struct timeline *tl = w->tl;
	struct cap_pkt *all = NULL;
	size_t nall = 0, acap = 0, nb;
	size_t *head = NULL, *tail = NULL;
	char **files;
	size_t nfiles;
	int rc = -1;

	list_files(tl->testdir, ".pcap", &files, &nfiles);
	for (size_t f = 0; f < nfiles; f++) {
		char path[4400], name[64], e[256];
		struct tcp_pkt *v = NULL;
		size_t n = 0;
		int h;

		snprintf(name, sizeof(name), "%.*s",
		    (int)(strlen(files[f]) - 5), files[f]);
		snprintf(path, sizeof(path), "%s/%s", tl->testdir, files[f]);
		if (pcap_read_tcp(path, &v, &n, e, sizeof(e)))
			continue;
		h = host_by_name(tl, name);
		if (h < 0 && tl->nhosts < 8) {
			h = tl->nhosts++;
			scopy(tl->hosts[h].name, sizeof(tl->hosts[h].name), name);
			if (addr_from_events(tl->testdir, name, tl->hosts[h].addr,
			    sizeof(tl->hosts[h].addr)))
				guess_addr(v, n, tl->hosts[h].addr, sizeof(tl->hosts[h].addr));
		}
		if (h < 0) {
			free(v);
			continue;
		}
		if (grow((void **)&all, &acap, nall + n, sizeof(*all))) {
			free(v);
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			int hs = host_of_addr(tl, v[i].src), hd = host_of_addr(tl, v[i].dst);
			struct cap_pkt *c;

			if (hs != h && hd != h)
				continue;
			c = &all[nall++];
			memset(c, 0, sizeof(*c));
			c->p = v[i];
			c->host = h;
			c->send = hs == h;
		}
		tl->have_pcap = 1;
		free(v);
	}
	if (nall > 0)
		qsort(all, nall, sizeof(*all), cmp_cap_t);
	/* Pairing table of arrivals, FIFO per key. */
	nb = 64;
	while (nb < nall * 2)
		nb *= 2;
	head = calloc(nb, sizeof(*head));
	tail = calloc(nb, sizeof(*tail));
	if (!head || !tail)
		goto out;
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
		wr.ts = wr.tr = TL_UNKNOWN;
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
		if (PUSH(w->wires, w->nwires, w->wcap, wr))
			goto out;
	}
	rc = 0;
out:
	free(head);
	free(tail);
	free(all);
	free_list(files, nfiles);
	if (rc)
		snprintf(w->err, w->errlen, "out of memory reading packets");
	return rc;
}

/*
 * Two machines: the server's clock minus the client's, from the handshakes,
 * before anything is ordered by time. For a SYN and its SYN-ACK, each with
 * a send and an arrival time, d1 = SYN arrival - SYN send (server clock
 * minus client clock, plus the delay one way) and d2 = SYN-ACK arrival -
 * SYN-ACK send (the opposite, plus the delay back): the offset is
 * (d1 - d2) / 2, exact when both ways take as long; the median over the
 * connections. Every time taken on the server's host is then moved back.
 */
static void
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
		if (PUSH(v, n, cap, ((syn->tr - syn->ts) - (x->tr - x->ts)) / 2))
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
		tl->clock_offset_ns = v[n / 2];
		tl->clock_estimated = 1;
		snprintf(tl->clock_host, sizeof(tl->clock_host), "%s", tl->hosts[srv].name);
	}
	free(v);
	if (!tl->clock_offset_ns)
		return;
	for (size_t i = 0; i < w->nwires; i++) {
		struct wire *x = &w->wires[i];

		ep_addr(x->src, a, sizeof(a));
		if (x->ts != TL_UNKNOWN && host_of_addr(tl, a) == srv)
			x->ts -= tl->clock_offset_ns;
		ep_addr(x->dst, a, sizeof(a));
		if (x->tr != TL_UNKNOWN && host_of_addr(tl, a) == srv)
			x->tr -= tl->clock_offset_ns;
	}
}

/* ---------- 3. connections ---------- */

static int64_t
wire_t(const struct wire *x)
{
	return x->ts != TL_UNKNOWN ? x->ts : x->tr;
}

static int
cmp_wire_t(const void *a, const void *b)
{
	int64_t x = wire_t(a), y = wire_t(b);

	return (x > y) - (x < y);
}

static int
port_of(const char *ep)
{
	const char *c = strrchr(ep, ':');

	return c ? atoi(c + 1) : 0;
}

static int
new_conn(struct work *w, size_t tix, const char *client, const char *server,
    int64_t t)
{
	struct timeline *tl = w->tl;
	struct tuple *tp = &w->tuples[tix];
	struct tl_conn c;
	char a[46];
	int h;

	memset(&c, 0, sizeof(c));
	snprintf(c.client, sizeof(c.client), "%s", client);
	snprintf(c.server, sizeof(c.server), "%s", server);
	ep_addr(client, a, sizeof(a));
	h = host_of_addr(tl, a);
	scopy(c.host[0], sizeof(c.host[0]), h >= 0 ? tl->hosts[h].name : a);
	ep_addr(server, a, sizeof(a));
	h = host_of_addr(tl, a);
	scopy(c.host[1], sizeof(c.host[1]), h >= 0 ? tl->hosts[h].name : a);
	c.gen = (int)tp->nconns;
	c.t_start = c.t_end = t;
	if (PUSH(tl->conns, tl->nconns, w->conncap, c) ||
	    PUSH(tp->conns, tp->nconns, tp->cap, tl->nconns - 1))
		return -1;
	/* Keep the tuple's connections in time order (the trace or the
	 * events may add one that began before those the packets made). */
	for (size_t k = tp->nconns - 1; k > 0 &&
	    tl->conns[tp->conns[k - 1]].t_start > t; k--) {
		size_t x = tp->conns[k];

		tp->conns[k] = tp->conns[k - 1];
		tp->conns[k - 1] = x;
	}
	for (size_t k = 0; k < tp->nconns; k++)
		tl->conns[tp->conns[k]].gen = (int)k;
	return (int)tl->nconns - 1;
}

static int
add_pkt(struct tl_conn *c, const struct wire *x, size_t *cap)
{
	struct tl_pkt p;

	memset(&p, 0, sizeof(p));
	p.t_sent = x->ts;
	p.t_received = x->tr;
	p.from = strcmp(x->src, c->client) ? TL_SERVER : TL_CLIENT;
	p.flags = x->flags;
	p.seq = x->seq;
	p.ack = x->ack;
	p.len = x->len;
	if ((x->flags & TCPF_SYN) && !c->have_isn[p.from]) {
		c->isn[p.from] = x->seq;
		c->have_isn[p.from] = 1;
	}
	if (wire_t(x) > c->t_end)
		c->t_end = wire_t(x);
	return PUSH(c->pkts, c->npkts, *cap, p);
}

static int
build_conns(struct work *w)
{
	struct timeline *tl = w->tl;
	size_t *pcap_of = NULL, pcap_cap = 0;	/* packet array capacity per conn */
	int *cur = NULL;
	int rc = -1;

	if (w->nwires > 0)
		qsort(w->wires, w->nwires, sizeof(*w->wires), cmp_wire_t);
	for (size_t i = 0; i < w->nwires; i++)
		if (tuple_get(w, w->wires[i].src, w->wires[i].dst) == (size_t)-1)
			goto out;
	cur = malloc((w->ntuples + 1) * sizeof(*cur));
	if (!cur)
		goto out;
	for (size_t i = 0; i < w->ntuples; i++)
		cur[i] = -1;
	for (size_t i = 0; i < w->nwires; i++) {
		struct wire *x = &w->wires[i];
		size_t tix = tuple_get(w, x->src, x->dst);
		int ci = cur[tix];
		struct tl_conn *c = ci >= 0 ? &tl->conns[ci] : NULL;

		/* A SYN with a new sequence number starts a new connection. */
		if ((x->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN && c &&
		    (strcmp(c->client, x->src) || !c->have_isn[TL_CLIENT] ||
		     c->isn[TL_CLIENT] != x->seq))
			c = NULL;
		if (!c) {
			const char *cl = x->src, *sv = x->dst;

			/* No SYN seen: the SYN-ACK's sender, else the lower
			 * port, is the server. */
			if ((x->flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK) ||
			    (!(x->flags & TCPF_SYN) && port_of(x->src) < port_of(x->dst)))
				cl = x->dst, sv = x->src;
			ci = new_conn(w, tix, cl, sv, wire_t(x));
			if (ci < 0 || grow((void **)&pcap_of, &pcap_cap, tl->nconns,
			    sizeof(*pcap_of)))
				goto out;
			pcap_of[ci] = 0;
			cur[tix] = ci;
		}
		if (add_pkt(&tl->conns[ci], x, &pcap_of[ci]))
			goto out;
	}
	rc = 0;
out:
	free(cur);
	free(pcap_of);
	if (rc)
		snprintf(w->err, w->errlen, "out of memory building connections");
	return rc;
}

/* ---------- 4. kernel states ---------- */

static int
run_add(struct trun *r, int64_t t, const char *old, const char *newst)
{
	struct tl_state s;
	size_t ocap = r->ocap;

	memset(&s, 0, sizeof(s));
	s.t = t;
	snprintf(s.name, sizeof(s.name), "%s", strcmp(newst, "CLOSE") ? newst : "CLOSED");
	if (grow((void **)&r->old, &ocap, r->n + 1, sizeof(*r->old)))
		return -1;
	r->ocap = ocap;
	snprintf(r->old[r->n], sizeof(r->old[0]), "%s", old);
	return PUSH(r->st, r->n, r->cap, s);
}

static int
trace_line(struct work *w, const struct flat *o)
{
	const char *ev = fstr(o, "event"), *old = fstr(o, "oldstate"),
	    *newst = fstr(o, "newstate");
	char local[64], remote[64], key[160];
	int64_t t = fint(o, "t_ns", 0), dport = fint(o, "dport", 0);
	struct trun *r = NULL;
	size_t ri;
	int pend_syn = 0;

	if (dport == 0)
		return 0;	/* a listening socket */
	/* connect() sets SYN_SENT before it picks the source port: keep that
	 * time for the socket's next event, which has the port. */
	if (fint(o, "sport", 0) == 0) {
		if (!strcmp(newst, "SYN_SENT") && *fstr(o, "sk") &&
		    (PUSH(w->pend_t, w->npend, w->pcap_, t) ||
		     strmap_put(&w->pend, fstr(o, "sk"), w->npend - 1)))
			return -1;
		return 0;
	}
	ep_text(fstr(o, "saddr"), (uint16_t)fint(o, "sport", 0), local, sizeof(local));
	ep_text(fstr(o, "daddr"), (uint16_t)dport, remote, sizeof(remote));
	snprintf(key, sizeof(key), "%s|%s|%s", fstr(o, "host"), local, remote);
	if (!strmap_get(&w->rmap, key, &ri))
		r = &w->runs[ri];
	if (!strcmp(ev, "inet_sock_set_state")) {
		if (!r || !strcmp(newst, "SYN_SENT") || !strcmp(newst, "SYN_RECV") ||
		    (r->n && !strcmp(r->st[r->n - 1].name, "CLOSED"))) {
			struct trun nr;

			memset(&nr, 0, sizeof(nr));
			snprintf(nr.host, sizeof(nr.host), "%s", fstr(o, "host"));
			snprintf(nr.local, sizeof(nr.local), "%s", local);
			snprintf(nr.remote, sizeof(nr.remote), "%s", remote);
			nr.t_first = t;
			nr.starts_syn_sent = !strcmp(newst, "SYN_SENT");
			if (!strcmp(old, "SYN_SENT") && *fstr(o, "sk") &&
			    !strmap_get(&w->pend, fstr(o, "sk"), &ri)) {
				nr.t_first = w->pend_t[ri];
				nr.starts_syn_sent = 1;
				pend_syn = 1;
			}
			nr.conn = -1;
			nr.t_rst = nr.t_rst_full = TL_UNKNOWN;
			nr.tuple = tuple_get(w, local, remote);
			if (nr.tuple == (size_t)-1 ||
			    PUSH(w->runs, w->nruns, w->rcap, nr) ||
			    strmap_put(&w->rmap, key, w->nruns - 1))
				return -1;
			r = &w->runs[w->nruns - 1];
			if (pend_syn && run_add(r, r->t_first, "CLOSE", "SYN_SENT"))
				return -1;
		}
		return run_add(r, t, old, newst);
	}
	/* tcp_send_reset without a socket state comes from a time-wait
	 * socket (or from no socket at all); with one, and every
	 * tcp_receive_reset, concern the full socket. */
	if (r && !strcmp(ev, "tcp_send_reset") && !strcmp(fstr(o, "state"), "NONE")) {
		if (r->t_rst == TL_UNKNOWN)
			r->t_rst = t;
	} else if (r && (!strcmp(ev, "tcp_send_reset") || !strcmp(ev, "tcp_receive_reset"))) {
		if (r->t_rst_full == TL_UNKNOWN)
			r->t_rst_full = t;
	}
	return 0;
}

static int
load_trace(struct work *w)
{
	char path[4200], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/trace.jsonl", w->tl->testdir);
	if (!(f = fopen(path, "r")))
		return 0;
	w->tl->have_trace = 1;
	while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
		struct flat o;

		(void)len;
		if (flat_parse(line, &o))
			continue;
		rc = trace_line(w, &o);
	}
	free(line);
	fclose(f);
	if (rc)
		snprintf(w->err, w->errlen, "out of memory reading the trace");
	return rc;
}

/* Whether conn ci already has a kernel run for side. */
static int
conn_has_side(const struct timeline *tl, int ci, int side)
{
	return tl->conns[ci].nstates[side] != 0;
}

static int
attach_runs(struct work *w)
{
	struct timeline *tl = w->tl;

	for (size_t i = 0; i < w->nruns; i++) {
		struct trun *r = &w->runs[i];
		struct tuple *tp = &w->tuples[r->tuple];
		int ci = -1, side;

		if (!r->n)
			continue;
		for (size_t k = 0; k < tp->nconns && ci < 0; k++) {
			int c = (int)tp->conns[k];

			side = strcmp(tl->conns[c].client, r->local) ? TL_SERVER : TL_CLIENT;
			if (conn_has_side(tl, c, side))
				continue;
			/* A capture may have lost the packets of a connection the
			 * trace saw: only a start close enough in time matches. */
			if (r->starts_syn_sent) {
				if (tl->conns[c].t_start >= r->t_first &&
				    tl->conns[c].t_start - r->t_first < 200000000)
					ci = c;	/* its SYN leaves right after */
			} else if (k + 1 == tp->nconns ||
			    tl->conns[tp->conns[k + 1]].t_start > r->t_first) {
				/* the last one begun by then */
				if (strcmp(r->st[0].name, "SYN_RECV") ||
				    (tl->conns[c].t_start <= r->t_first &&
				     r->t_first - tl->conns[c].t_start < 3000000000LL))
					ci = c;
				break;
			}
		}
		if (ci < 0) {
			const char *cl = r->local, *sv = r->remote;

			if (!strcmp(r->st[0].name, "SYN_RECV") ||
			    (!r->starts_syn_sent && port_of(r->local) < port_of(r->remote)))
				cl = r->remote, sv = r->local;
			ci = new_conn(w, r->tuple, cl, sv, r->t_first);
			if (ci < 0)
				return -1;
			tp = &w->tuples[r->tuple];
		}
		side = strcmp(tl->conns[ci].client, r->local) ? TL_SERVER : TL_CLIENT;
		r->conn = ci;
		tl->conns[ci].states[side] = r->st;
		tl->conns[ci].nstates[side] = r->n;
		r->st = NULL;
		r->cap = 0;
	}
	return 0;
}

/* A packet's time on side's host: sent there, or arrived there. */
static int64_t
t_on(const struct tl_pkt *p, int side)
{
	int64_t t = p->from == side ? p->t_sent : p->t_received;

	if (t == TL_UNKNOWN)
		t = p->from == side ? p->t_received : p->t_sent;
	return t;
}

static int
push_state(struct tl_conn *c, int side, int64_t t, const char *name,
    int inferred, size_t *cap)
{
	struct tl_state s;

	memset(&s, 0, sizeof(s));
	s.t = t;
	s.inferred = inferred;
	snprintf(s.name, sizeof(s.name), "%s", name);
	return PUSH(c->states[side], c->nstates[side], *cap, s);
}

/* When the next connection on this 4-tuple reaches side's host: a SYN
 * arriving at a time-wait socket takes its place. */
static int64_t
next_syn_on(const struct work *w, const struct tl_conn *c, int side)
{
	const char *a = strcmp(c->client, c->server) < 0 ? c->client : c->server;
	const char *b = a == c->client ? c->server : c->client;
	char key[140];
	size_t tix;
	const struct tuple *tp;

	snprintf(key, sizeof(key), "%s|%s", a, b);
	if (strmap_get((struct strmap *)&w->tmap, key, &tix))
		return TL_UNKNOWN;
	tp = &w->tuples[tix];
	for (size_t k = 0; k + 1 < tp->nconns; k++) {
		const struct tl_conn *n = &w->tl->conns[tp->conns[k + 1]];

		if (&w->tl->conns[tp->conns[k]] != c)
			continue;
		for (size_t i = 0; i < n->npkts; i++)
			if (n->pkts[i].flags & TCPF_SYN)
				return t_on(&n->pkts[i], side);
	}
	return TL_UNKNOWN;
}

/*
 * The trace shows the full socket: where it went FIN_WAIT2/CLOSING -> CLOSE
 * without a reset, the kernel swapped it for a time-wait socket. Put back
 * what that socket did: TIME_WAIT once a FIN came in (at once, or later for
 * an orphaned FIN_WAIT2), for 60 s, or until a RST, or until the next SYN
 * on the same 4-tuple takes its place.
 */
static int
rebuild_time_wait(struct work *w, struct tl_conn *c, int side, int64_t t_rst,
    int64_t t_rst_full)
{
	struct tl_state *st = c->states[side];
	size_t n = c->nstates[side], cap = n, i;
	int64_t t, t_fin = TL_UNKNOWN, t_end = TL_UNKNOWN, t_syn;
	int64_t t_peer_fin = TL_UNKNOWN;
	char old[12];

	if (n < 2 || strcmp(st[n - 1].name, "CLOSED"))
		return 0;
	snprintf(old, sizeof(old), "%s", st[n - 2].name);
	if (strcmp(old, "FIN_WAIT2") && strcmp(old, "CLOSING"))
		return 0;
	t = st[n - 1].t;
	/* A reset of the full socket around the CLOSE (received, or sent by
	 * it: an orphan getting data aborts, closes, then sends its RST) means
	 * the CLOSE is real; one from a time-wait socket after it ends that. */
	if (t_rst_full != TL_UNKNOWN && t_rst_full <= t + 1000000)
		return 0;
	if (t_rst != TL_UNKNOWN && t_rst >= t)
		t_end = t_rst;
	/* The peer sends its FIN as it enters FIN_WAIT1 or LAST_ACK: when
	 * the capture ended before that FIN, the peer's trace still tells. */
	for (i = 0; i < c->nstates[!side] && t_peer_fin == TL_UNKNOWN; i++) {
		const char *s = c->states[!side][i].name;

		if (!strcmp(s, "FIN_WAIT1") || !strcmp(s, "LAST_ACK"))
			t_peer_fin = c->states[!side][i].t;
	}
	for (i = 0; i < c->npkts; i++) {
		const struct tl_pkt *p = &c->pkts[i];
		int64_t tp = t_on(p, side);

		if (tp == TL_UNKNOWN)
			continue;
		if ((p->flags & TCPF_RST) && tp >= t && (t_end == TL_UNKNOWN || tp < t_end))
			t_end = tp;
		if (p->from != side && (p->flags & TCPF_FIN) && t_fin == TL_UNKNOWN &&
		    (t_end == TL_UNKNOWN || tp < t_end))
			t_fin = tp;
	}
	if (t_fin == TL_UNKNOWN && !strcmp(old, "CLOSING"))
		t_fin = t;
	if (t_fin == TL_UNKNOWN && t_peer_fin != TL_UNKNOWN &&
	    (t_end == TL_UNKNOWN || t_peer_fin < t_end))
		t_fin = t_peer_fin;
	if (t_fin != TL_UNKNOWN && t_fin < t)
		t_fin = t;
	c->nstates[side]--;	/* the CLOSE the swap showed */
	if (t_fin != TL_UNKNOWN && (t_end == TL_UNKNOWN || t_fin < t_end)) {
		if (push_state(c, side, t_fin, "TIME_WAIT", 1, &cap))
			return -1;
		t_syn = side == TL_SERVER ? next_syn_on(w, c, side) : TL_UNKNOWN;
		if (t_end == TL_UNKNOWN || t_end > t_fin + TIME_WAIT_NS)
			t_end = t_fin + TIME_WAIT_NS;
		if (t_syn != TL_UNKNOWN && t_syn > t_fin && t_syn < t_end)
			t_end = t_syn;
	} else if (t_end == TL_UNKNOWN) {
		t_end = t + TIME_WAIT_NS;	/* orphaned FIN_WAIT2: tcp_fin_timeout */
	}
	return push_state(c, side, t_end, "CLOSED", 1, &cap);
}

/* No trace for this side: rebuild its states from the packets alone. */
static int
states_from_packets(const struct work *w, struct tl_conn *c, int side)
{
	char cur[12] = "";
	size_t cap = 0;
	int our_fin = 0;
	uint32_t our_fin_seq = 0;

	for (size_t i = 0; i < c->npkts; i++) {
		const struct tl_pkt *p = &c->pkts[i];
		int64_t t = t_on(p, side);
		const char *next = NULL;

		if (t == TL_UNKNOWN || (p->from == side ? p->t_sent : p->t_received) == TL_UNKNOWN)
			continue;
		if (p->flags & TCPF_RST) {
			next = "CLOSED";
		} else if (p->from == side) {	/* we send */
			if ((p->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN)
				next = "SYN_SENT";
			else if (p->flags & TCPF_SYN)
				next = "SYN_RECV";
			else if (!strcmp(cur, "SYN_SENT"))
				next = "ESTABLISHED";
			if (p->flags & TCPF_FIN) {
				our_fin = 1;
				our_fin_seq = p->seq + p->len + 1;
				if (!strcmp(cur, "ESTABLISHED") || !strcmp(cur, "SYN_RECV"))
					next = "FIN_WAIT1";
				else if (!strcmp(cur, "CLOSE_WAIT"))
					next = "LAST_ACK";
			}
		} else {			/* we receive */
			int acks_fin = our_fin && (p->flags & TCPF_ACK) &&
			    (int32_t)(p->ack - our_fin_seq) >= 0;

			if (!strcmp(cur, "SYN_RECV") && (p->flags & TCPF_ACK)) {
				snprintf(cur, sizeof(cur), "ESTABLISHED");
				if (push_state(c, side, t, cur, 2, &cap))
					return -1;
			}
			if (acks_fin) {
				if (!strcmp(cur, "FIN_WAIT1"))
					next = "FIN_WAIT2";
				else if (!strcmp(cur, "CLOSING"))
					next = "TIME_WAIT";
				else if (!strcmp(cur, "LAST_ACK"))
					next = "CLOSED";
			}
			if (p->flags & TCPF_FIN) {
				const char *after = next ? next : cur;

				if (!strcmp(after, "ESTABLISHED"))
					next = "CLOSE_WAIT";
				else if (!strcmp(after, "FIN_WAIT1"))
					next = "CLOSING";
				else if (!strcmp(after, "FIN_WAIT2")) {
					/* One segment acks our FIN and brings
					 * theirs: FIN_WAIT2, then TIME_WAIT. */
					if (next && strcmp(cur, "FIN_WAIT2")) {
						snprintf(cur, sizeof(cur), "FIN_WAIT2");
						if (push_state(c, side, t, cur, 2, &cap))
							return -1;
					}
					next = "TIME_WAIT";
				}
			}
		}
		if (next && strcmp(next, cur)) {
			snprintf(cur, sizeof(cur), "%s", next);
			if (push_state(c, side, t, cur, 2, &cap))
				return -1;
			if (!strcmp(cur, "TIME_WAIT")) {
				int64_t end = t + TIME_WAIT_NS, syn = next_syn_on(w, c, side);

				if (syn != TL_UNKNOWN && syn > t && syn < end)
					end = syn;	/* the next SYN takes its place */
				if (push_state(c, side, end, "CLOSED", 2, &cap))
					return -1;
			}
		}
	}
	return 0;
}

static void
add_snap(struct work *w, const char *host, const char *local,
    const char *remote, const char *state, int64_t t, int64_t expires_ms)
{
	struct sock_snap sn;
	char key[160];
	size_t first;

	memset(&sn, 0, sizeof(sn));
	snprintf(sn.host, sizeof(sn.host), "%s", host);
	snprintf(sn.local, sizeof(sn.local), "%s", local);
	snprintf(sn.remote, sizeof(sn.remote), "%s", remote);
	snprintf(sn.state, sizeof(sn.state), "%s", state);
	if (!strcmp(sn.state, "TIME-WAIT"))
		snprintf(sn.state, sizeof(sn.state), "TIME_WAIT");
	if (strcmp(sn.state, "TIME_WAIT"))
		return;		/* only TIME_WAIT is confirmed */
	sn.t = t;
	sn.expires_ms = (uint32_t)expires_ms;
	snprintf(key, sizeof(key), "%s|%s|%s", sn.host, sn.local, sn.remote);
	sn.next = strmap_get(&w->smap, key, &first) ? 0 : first;
	if (PUSH(w->snaps, w->nsnaps, w->scap, sn) == 0)
		strmap_put(&w->smap, key, w->nsnaps);
}

/* Socket snapshots: the runner's snapshots.json ({name, t_ns, hosts:
 * {host: [{state, local, remote, timer, expires_ms}]}}), or one
 * <host>.sockets.jsonl per host (one socket a line, with host and t_ns). */
static void
load_snaps(struct work *w)
{
	char path[4400], **files;
	size_t nfiles, i, j;
	json_t *root;

	snprintf(path, sizeof(path), "%s/snapshots.json", w->tl->testdir);
	if ((root = json_load_file(path, 0, NULL))) {
		json_t *snap;

		json_array_foreach(root, i, snap) {
			const char *host;
			json_t *socks, *so;
			int64_t t = jint(snap, "t_ns", 0);

			json_object_foreach(json_object_get(snap, "hosts"), host, socks)
				json_array_foreach(socks, j, so)
					add_snap(w, host, jstr(so, "local"), jstr(so, "remote"),
					    jstr(so, "state"), t, jint(so, "expires_ms", 0));
		}
		json_decref(root);
	}
	list_files(w->tl->testdir, ".sockets.jsonl", &files, &nfiles);
	for (size_t f = 0; f < nfiles; f++) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;
		FILE *fp;

		snprintf(path, sizeof(path), "%s/%s", w->tl->testdir, files[f]);
		if (!(fp = fopen(path, "r")))
			continue;
		while ((len = getline(&line, &cap, fp)) > 0) {
			struct flat o;

			(void)len;
			if (flat_parse(line, &o))
				continue;
			add_snap(w, fstr(&o, "host"), fstr(&o, "local"), fstr(&o, "remote"),
			    fstr(&o, "state"), fint(&o, "t_ns", 0), fint(&o, "expires_ms", 0));
		}
		free(line);
		fclose(fp);
	}
	free_list(files, nfiles);
}

static void
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

			if (!strcmp(st->name, "TIME_WAIT") && st->t <= s->t &&
			    (k + 1 == c->nstates[side] || c->states[side][k + 1].t >= s->t))
				st->confirmed = 1;
		}
	}
}

static int
build_states(struct work *w)
{
	struct timeline *tl = w->tl;

	for (size_t i = 0; i < w->nruns; i++) {
		struct trun *r = &w->runs[i];
		struct tl_conn *c;
		int side;

		if (r->conn < 0)
			continue;
		c = &tl->conns[r->conn];
		side = strcmp(c->client, r->local) ? TL_SERVER : TL_CLIENT;
		if (rebuild_time_wait(w, c, side, r->t_rst, r->t_rst_full))
			return -1;
	}
	for (size_t i = 0; i < tl->nconns; i++)
		for (int side = 0; side < 2; side++) {
			struct tl_conn *c = &tl->conns[i];

			if (!c->nstates[side] && states_from_packets(w, c, side))
				return -1;
			confirm_with_snaps(w, c, side);
		}
	return 0;
}

/* ---------- 5. program events ---------- */

struct evgroup {
	char local[64], remote[64];
	int64_t anchor;		/* connect or accept time */
	int anchor_client;	/* anchor is a connect */
	int conn;
};

static void
event_detail(const struct flat *o, const char *step, char *buf, size_t len)
{
	const char *s;
	int64_t bytes = fint(o, "bytes", -1);

	buf[0] = 0;
	if (*(s = fstr(o, "errname")))
		snprintf(buf, len, "%s", s);
	else if (!strcmp(step, "epoll"))
		snprintf(buf, len, "%s", fstr(o, "events"));
	else if (!strcmp(step, "shutdown"))
		snprintf(buf, len, "%s", fstr(o, "how"));
	else if ((!strcmp(step, "read") || !strcmp(step, "write")) && bytes >= 0)
		snprintf(buf, len, "%lld B", (long long)bytes);
	else if (!strcmp(step, "signal") || !strcmp(step, "start"))
		snprintf(buf, len, "%s", fstr(o, "note"));
	else if (!strcmp(step, "bind") || !strcmp(step, "listen"))
		snprintf(buf, len, "%s", fstr(o, "local"));
}

static int
load_events(struct work *w)
{
	struct timeline *tl = w->tl;
	struct evgroup *groups = NULL;
	size_t ngroups = 0, gcap = 0;
	int *gid = NULL;
	size_t gidcap = 0;
	struct strmap gmap = { 0 };
	char **files;
	size_t nfiles;
	int rc = -1;

	list_files(tl->testdir, ".events.jsonl", &files, &nfiles);
	for (size_t f = 0; f < nfiles; f++) {
		char path[4400], host[16], prog[24], *line = NULL, *dot;
		size_t cap = 0;
		ssize_t len;
		FILE *fp;

		snprintf(host, sizeof(host), "%.*s", (int)strcspn(files[f], "."), files[f]);
		dot = strchr(files[f], '.');
		snprintf(prog, sizeof(prog), "%.*s", (int)strcspn(dot + 1, "."), dot + 1);
		if (!strcmp(prog, "events"))	/* "<host>.events.jsonl": one program */
			snprintf(prog, sizeof(prog), "%s", host);
		snprintf(path, sizeof(path), "%s/%s", tl->testdir, files[f]);
		if (!(fp = fopen(path, "r")))
			continue;
		while ((len = getline(&line, &cap, fp)) > 0) {
			struct flat fo, *o = &fo;
			struct tl_event e;
			char gkey[96];
			const char *local, *remote;
			size_t g;
			int64_t num;

			(void)len;
			if (flat_parse(line, &fo))
				continue;
			memset(&e, 0, sizeof(e));
			e.t = fint(o, "t_ns", 0);
			e.t_call = fint(o, "t0_ns", 0);
			if (tl->clock_estimated && !strcmp(host, tl->clock_host)) {
				e.t -= tl->clock_offset_ns;
				if (e.t_call)
					e.t_call -= tl->clock_offset_ns;
			}
			e.side = 2;
			e.conn = -1;
			snprintf(e.host, sizeof(e.host), "%s", host);
			snprintf(e.prog, sizeof(e.prog), "%s", prog);
			snprintf(e.step, sizeof(e.step), "%s", fstr(o, "step"));
			e.ret = (int)fint(o, "ret", 0);
			snprintf(e.errname, sizeof(e.errname), "%s", fstr(o, "errname"));
			event_detail(o, e.step, e.detail, sizeof(e.detail));
			num = fint(o, "req", -1);
			if (num < 0)
				num = fint(o, "conn", -1);
			if (num < 0 && strcmp(e.step, "listen") && strcmp(e.step, "start") &&
			    strcmp(e.step, "quit") && strcmp(e.step, "signal"))
				num = 100000 + fint(o, "fd", -1);
			if (num >= 0) {
				snprintf(gkey, sizeof(gkey), "%zu|%lld|%lld", f,
				    (long long)fint(o, "pid", 0), (long long)num);
				if (strmap_get(&gmap, gkey, &g)) {
					struct evgroup ng;

					memset(&ng, 0, sizeof(ng));
					ng.conn = -1;
					ng.anchor = TL_UNKNOWN;
					if (PUSH(groups, ngroups, gcap, ng) ||
					    strmap_put(&gmap, gkey, ngroups - 1)) {
						free(line);
						fclose(fp);
						goto out;
					}
					g = ngroups - 1;
				}
				local = fstr(o, "local");
				remote = fstr(o, "remote");
				if (*local && *remote && strncmp(local, "0.0.0.0", 7) &&
				    strncmp(local, "[::]", 4)) {
					snprintf(groups[g].local, sizeof(groups[g].local), "%s", local);
					snprintf(groups[g].remote, sizeof(groups[g].remote), "%s", remote);
				}
				if ((!strcmp(e.step, "connect") || !strcmp(e.step, "accept")) &&
				    e.ret >= 0 && groups[g].anchor == TL_UNKNOWN) {
					groups[g].anchor = e.t;
					groups[g].anchor_client = !strcmp(e.step, "connect");
				}
				e.conn = (int)g;	/* the group, for now */
			}
			if (PUSH(tl->events, tl->nevents, w->evcap, e)) {
				free(line);
				fclose(fp);
				goto out;
			}
		}
		free(line);
		fclose(fp);
	}
	/* Tie each group to a connection of its 4-tuple, by time. */
	for (size_t g = 0; g < ngroups; g++) {
		struct evgroup *gr = &groups[g];
		char key[140];
		const char *a, *b;
		size_t tix;
		struct tuple *tp;

		if (!gr->local[0])
			continue;
		a = strcmp(gr->local, gr->remote) < 0 ? gr->local : gr->remote;
		b = a == gr->local ? gr->remote : gr->local;
		snprintf(key, sizeof(key), "%s|%s", a, b);
		if (strmap_get(&w->tmap, key, &tix)) {
			int ci;

			tix = tuple_get(w, gr->local, gr->remote);
			if (tix == (size_t)-1)
				goto out;
			ci = gr->anchor_client ?
			    new_conn(w, tix, gr->local, gr->remote, gr->anchor) :
			    new_conn(w, tix, gr->remote, gr->local, gr->anchor);
			if (ci < 0)
				goto out;
		}
		tp = &w->tuples[tix];
		gr->conn = (int)tp->conns[0];
		for (size_t k = 0; k < tp->nconns; k++)
			if (gr->anchor == TL_UNKNOWN ||
			    tl->conns[tp->conns[k]].t_start <= gr->anchor)
				gr->conn = (int)tp->conns[k];
	}
	if (grow((void **)&gid, &gidcap, tl->nevents + 1, sizeof(*gid)))
		goto out;
	for (size_t i = 0; i < tl->nevents; i++) {
		struct tl_event *e = &tl->events[i];

		if (e->conn >= 0) {
			struct evgroup *gr = &groups[e->conn];
			struct tl_conn *c;

			e->conn = gr->conn;
			if (e->conn >= 0) {
				c = &tl->conns[e->conn];
				e->side = strcmp(gr->local, c->client) ? TL_SERVER : TL_CLIENT;
			}
		}
	}
	rc = 0;
out:
	free(gid);
	free(groups);
	strmap_free(&gmap);
	free_list(files, nfiles);
	if (rc)
		snprintf(w->err, w->errlen, "out of memory reading events");
	return rc;
}

/* ---------- ordering, clock offset, checks ---------- */

static int
cmp_event_t(const void *a, const void *b)
{
	const struct tl_event *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

static int
cmp_conn_start(const void *a, const void *b)
{
	const struct tl_conn *x = a, *y = b;

	if (x->t_start != y->t_start)
		return (x->t_start > y->t_start) - (x->t_start < y->t_start);
	return x->gen - y->gen;
}

/* Per-connection indices of its events, the start and end times. */
static int
finish_conns(struct timeline *tl)
{
	size_t *perm = NULL, *caps = NULL;
	int rc = -1;

	/* Sort the connections by start, keeping the events' links. */
	for (size_t i = 0; i < tl->nconns; i++) {
		struct tl_conn *c = &tl->conns[i];
		int64_t s = c->t_start;

		for (int side = 0; side < 2; side++)
			if (c->nstates[side] && c->states[side][0].t < s)
				s = c->states[side][0].t;
		c->t_start = s;
		c->nev = (size_t)i;	/* old index, for the remap below */
	}
	if (tl->nconns > 0)
		qsort(tl->conns, tl->nconns, sizeof(*tl->conns), cmp_conn_start);
	perm = malloc((tl->nconns + 1) * sizeof(*perm));
	caps = calloc(tl->nconns + 1, sizeof(*caps));
	if (!perm || !caps)
		goto out;
	for (size_t i = 0; i < tl->nconns; i++) {
		perm[tl->conns[i].nev] = i;
		tl->conns[i].nev = 0;
	}
	if (tl->nevents > 0)
		qsort(tl->events, tl->nevents, sizeof(*tl->events), cmp_event_t);
	for (size_t i = 0; i < tl->nevents; i++) {
		struct tl_event *e = &tl->events[i];
		struct tl_conn *c;

		if (e->conn < 0)
			continue;
		e->conn = (int)perm[e->conn];
		c = &tl->conns[e->conn];
		if (PUSH(c->ev, c->nev, caps[e->conn], i))
			goto out;
	}
	tl->t0 = INT64_MAX;
	for (size_t i = 0; i < tl->nconns; i++) {
		struct tl_conn *c = &tl->conns[i];

		for (size_t k = 0; k < c->nev; k++) {
			int64_t t = tl->events[c->ev[k]].t;

			if (t < c->t_start)
				c->t_start = t;
			if (t > c->t_end)
				c->t_end = t;
		}
		for (int side = 0; side < 2; side++)
			for (size_t k = 0; k < c->nstates[side]; k++)
				if (!c->states[side][k].inferred && c->states[side][k].t > c->t_end)
					c->t_end = c->states[side][k].t;
		if (c->t_start < tl->t0)
			tl->t0 = c->t_start;
	}
	for (size_t i = 0; i < tl->nevents; i++) {
		if (tl->events[i].t < tl->t0)
			tl->t0 = tl->events[i].t;
		if (tl->events[i].t_call && tl->events[i].t_call < tl->t0)
			tl->t0 = tl->events[i].t_call;
	}
	if (tl->t0 == INT64_MAX)
		tl->t0 = 0;
	rc = 0;
out:
	free(perm);
	free(caps);
	return rc;
}

static int
add_check(struct tl_conn *c, size_t *cap, const char *name, int ok,
    const char *detail)
{
	struct tl_check k;

	memset(&k, 0, sizeof(k));
	snprintf(k.name, sizeof(k.name), "%s", name);
	snprintf(k.detail, sizeof(k.detail), "%s", detail);
	k.ok = ok;
	if (!ok)
		c->consistent = 0;
	return PUSH(c->checks, c->nchecks, *cap, k);
}

static const struct tl_state *
first_state(const struct tl_conn *c, int side, const char *name)
{
	for (size_t i = 0; i < c->nstates[side]; i++)
		if (!strcmp(c->states[side][i].name, name))
			return &c->states[side][i];
	return NULL;
}

static double
us(int64_t a, int64_t b)
{
	return (double)(a - b) / 1000.0;
}

static int
check_conn(struct timeline *tl, struct tl_conn *c)
{
	const struct tl_state *ss = first_state(c, TL_CLIENT, "SYN_SENT"),
	    *es = first_state(c, TL_CLIENT, "ESTABLISHED");
	const struct tl_pkt *syn = NULL;
	size_t cap = 0, late = 0;
	int64_t tol = tl->clock_estimated ? 50000 : 0;
	char d[120];

	c->consistent = 1;
	for (size_t i = 0; i < c->npkts && !syn; i++)
		if ((c->pkts[i].flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN &&
		    c->pkts[i].from == TL_CLIENT && c->pkts[i].t_sent != TL_UNKNOWN)
			syn = &c->pkts[i];
	if (syn && ss && es) {
		int ok = ss->t <= syn->t_sent && syn->t_sent <= es->t;

		snprintf(d, sizeof(d), "SYN_SENT %+.1f us, SYN sent %+.1f us, ESTABLISHED %+.1f us",
		    us(ss->t, tl->t0), us(syn->t_sent, tl->t0), us(es->t, tl->t0));
		if (add_check(c, &cap, "SYN between SYN_SENT and ESTABLISHED", ok, d))
			return -1;
	}
	for (size_t i = 0; es && i < c->nev; i++) {
		const struct tl_event *e = &tl->events[c->ev[i]];

		if (strcmp(e->step, "connect") || e->ret != 0)
			continue;
		snprintf(d, sizeof(d), "ESTABLISHED %+.1f us, connect returned %+.1f us",
		    us(es->t, tl->t0), us(e->t, tl->t0));
		if (add_check(c, &cap, "connect returns once ESTABLISHED", es->t <= e->t, d))
			return -1;
		break;
	}
	for (size_t i = 0; i < c->npkts; i++)
		if (c->pkts[i].t_sent != TL_UNKNOWN && c->pkts[i].t_received != TL_UNKNOWN &&
		    c->pkts[i].t_received + tol < c->pkts[i].t_sent)
			late++;
	if (c->npkts) {
		snprintf(d, sizeof(d), "%zu of %zu packets arrive before they are sent",
		    late, c->npkts);
		if (add_check(c, &cap, "packets arrive after they are sent", late == 0, d))
			return -1;
	}
	for (int side = 0; side < 2; side++) {
		int ok = 1;

		for (size_t i = 1; i < c->nstates[side]; i++)
			if (c->states[side][i].t < c->states[side][i - 1].t)
				ok = 0;
		for (size_t i = 0; i < c->nstates[side]; i++) {
			int fin = 0, said = 0;

			if (strcmp(c->states[side][i].name, "TIME_WAIT"))
				continue;
			for (size_t k = 0; k < c->npkts; k++)
				fin |= c->pkts[k].from != side && (c->pkts[k].flags & TCPF_FIN);
			/* the capture may have ended first: the peer's kernel says */
			for (size_t k = 0; !fin && k < c->nstates[!side]; k++) {
				const struct tl_state *ps = &c->states[!side][k];

				said |= ps->t <= c->states[side][i].t &&
				    (!strcmp(ps->name, "FIN_WAIT1") || !strcmp(ps->name, "LAST_ACK") ||
				     !strcmp(ps->name, "CLOSING"));
			}
			snprintf(d, sizeof(d), "%s enters TIME_WAIT %s", side ? "server" : "client",
			    fin ? "after a FIN from its peer" : said ?
			    "after its peer sent a FIN (peer's trace; not captured)" :
			    "WITHOUT a FIN from its peer");
			fin |= said;
			if (add_check(c, &cap, "TIME_WAIT follows the peer's FIN", fin, d))
				return -1;
		}
		if (!ok) {
			snprintf(d, sizeof(d), "%s states go back in time",
			    side ? "server" : "client");
			if (add_check(c, &cap, "states in time order", 0, d))
				return -1;
		}
	}
	if (!c->consistent)
		tl->problems++;
	return 0;
}

static void
relative_seqs(struct tl_conn *c)
{
	for (size_t i = 0; i < c->npkts; i++) {
		struct tl_pkt *p = &c->pkts[i];

		p->rseq = c->have_isn[p->from] ? p->seq - c->isn[p->from] : p->seq;
		p->rack = (p->flags & TCPF_ACK) && c->have_isn[!p->from] ?
		    p->ack - c->isn[!p->from] : 0;
	}
}

/* ---------- the whole load ---------- */

static void
work_free(struct work *w)
{
	for (size_t i = 0; i < w->ntuples; i++)
		free(w->tuples[i].conns);
	for (size_t i = 0; i < w->nruns; i++) {
		free(w->runs[i].st);
		free(w->runs[i].old);
	}
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

static int
load(const char *testdir, int remote, struct timeline **out, char *err,
    size_t errlen)
{
	struct work w;
	struct timeline *tl;
	const char *base;
	int rc = -1;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	w.err = err;
	w.errlen = errlen;
	tl = calloc(1, sizeof(*tl));
	if (!tl) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w.tl = tl;
	snprintf(tl->testdir, sizeof(tl->testdir), "%s", testdir);
	while (strlen(tl->testdir) > 1 && tl->testdir[strlen(tl->testdir) - 1] == '/')
		tl->testdir[strlen(tl->testdir) - 1] = 0;
	base = strrchr(tl->testdir, '/');
	scopy(tl->test, sizeof(tl->test), base ? base + 1 : tl->testdir);
	{
		DIR *d = opendir(tl->testdir);

		if (!d) {
			snprintf(err, errlen, "%s: %s", testdir, strerror(errno));
			free(tl);
			return -1;
		}
		closedir(d);
	}
	load_hosts(&w);
	{
		char sp[4200];
		json_t *st;

		tl->trace_events = tl->trace_lost = -1;
		snprintf(sp, sizeof(sp), "%s/trace.stats.json", tl->testdir);
		if ((st = json_load_file(sp, 0, NULL))) {
			tl->trace_events = jint(st, "events", -1);
			tl->trace_lost = jint(st, "lost", -1);
			json_decref(st);
		}
	}
	if (load_packets(&w))
		goto out;
	if (remote)
		estimate_offset(&w);
	if (build_conns(&w) || load_trace(&w) || attach_runs(&w) || load_events(&w))
		goto out;
	load_snaps(&w);
	if (build_states(&w) || finish_conns(tl))
		goto out;
	for (size_t i = 0; i < tl->nconns; i++) {
		relative_seqs(&tl->conns[i]);
		if (check_conn(tl, &tl->conns[i]))
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
	if (errlen)
		err[0] = 0;
	return load(testdir, 0, out, err, errlen);
}

int
timeline_load_remote(const char *testdir, struct timeline **out, char *err,
    size_t errlen)
{
	if (errlen)
		err[0] = 0;
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

const char *
tl_state_at(const struct tl_conn *c, int side, int64_t t)
{
	const char *s = NULL;

	for (size_t i = 0; i < c->nstates[side]; i++) {
		if (c->states[side][i].t > t)
			break;
		s = c->states[side][i].name;
	}
	return s;
}

/* ---------- timeline.json ---------- */

static void
put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
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
	fputs(",\"side\":", f);
	put_str(f, sides[e->side > 2 ? 2 : e->side]);
	fputs(",\"host\":", f);
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
	fputc('}', f);
}

int
timeline_write_json(const struct timeline *tl, FILE *f)
{
	char fl[8];

	fputs("{\"test\":", f);
	put_str(f, tl->test);
	fprintf(f, ",\"t0\":%lld,\"clock_offset_ns\":%lld,\"clock_estimated\":%s,"
	    "\"have_trace\":%s,\"trace_events\":%lld,\"trace_lost\":%lld,"
	    "\"have_pcap\":%s,\"inconsistent\":%zu,\n\"hosts\":[",
	    (long long)tl->t0, (long long)tl->clock_offset_ns,
	    tl->clock_estimated ? "true" : "false", tl->have_trace ? "true" : "false",
	    tl->trace_events, tl->trace_lost, tl->have_pcap ? "true" : "false",
	    tl->problems);
	for (int i = 0; i < tl->nhosts; i++) {
		fprintf(f, "%s{\"name\":", i ? "," : "");
		put_str(f, tl->hosts[i].name);
		fputs(",\"addr\":", f);
		put_str(f, tl->hosts[i].addr);
		fputc('}', f);
	}
	fputs("],\n\"connections\":[", f);
	for (size_t i = 0; i < tl->nconns; i++) {
		const struct tl_conn *c = &tl->conns[i];

		fprintf(f, "%s\n{\"id\":%zu,\"client\":", i ? "," : "", i);
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
				const struct tl_state *s = &c->states[side][k];

				fprintf(f, "%s{\"t\":%lld,\"state\":\"%s\"", k ? "," : "",
				    (long long)s->t, s->name);
				if (s->inferred)
					fprintf(f, ",\"inferred\":\"%s\"",
					    s->inferred == 1 ? "time-wait socket" : "packets");
				if (s->confirmed)
					fputs(",\"confirmed\":\"sock_diag\"", f);
				fputc('}', f);
			}
			fputc(']', f);
		}
		fputs("},\n \"packets\":[", f);
		for (size_t k = 0; k < c->npkts; k++) {
			const struct tl_pkt *p = &c->pkts[k];

			fputs(k ? ",\n  {\"t_sent\":" : "\n  {\"t_sent\":", f);
			put_t(f, p->t_sent);
			fputs(",\"t_received\":", f);
			put_t(f, p->t_received);
			fprintf(f, ",\"from\":\"%s\",\"flags\":\"%s\",\"seq\":%u,\"ack\":%u,"
			    "\"len\":%u,\"rseq\":%u,\"rack\":%u}",
			    p->from ? "server" : "client", tcp_flags_str(p->flags, fl),
			    p->seq, p->ack, p->len, p->rseq, p->rack);
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

int
timeline_build(const char *testdir, char *err, size_t errlen)
{
	struct timeline *tl;
	char path[4200];
	FILE *f;
	int rc;

	if (timeline_load(testdir, &tl, err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/timeline.json", tl->testdir);
	if (!(f = fopen(path, "w"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		timeline_free(tl);
		return -1;
	}
	rc = timeline_write_json(tl, f);
	if (fclose(f) || rc) {
		snprintf(err, errlen, "%s: write failed", path);
		rc = -1;
	}
	timeline_free(tl);
	return rc;
}
