/*
 * proxylog.c - stage 5b of the run model: a real proxy's own log lines
 * (src/proxy/logline.c reads them) as events of the proxy's host, tied to
 * the connections they name, so the drawings put them on the proxy's
 * lifeline where they happened.
 *
 * A proxy's run folder is a folder of the test's folder holding its
 * configuration (proxy/nginx.conf, haproxy.cfg, apache2.conf) and its logs.
 *
 * Which connections a line names:
 *   - the client's: its client and front "ip:port" are a 4-tuple; of the
 *     connections of that 4-tuple, the last one begun by the line's time;
 *   - the backend's: HAProxy logs its own source address and port (src), so
 *     a 4-tuple again ("4-tuple"). nginx logs the backend's address but not
 *     its source port, Apache neither: the connections from the proxy's
 *     address (to that backend when logged) begun within the request's
 *     time, or else open through it (a kept-alive one), found by time
 *     ("time", or "time, 1 of N" when N fit and the first begun after the
 *     request's start was taken). A request whose connect failed with
 *     EADDRNOTAVAIL (nginx's error line, joined by its "*N") made no
 *     connection: none is named.
 *
 * Where a line goes on the timeline: its own time is wall clock, the
 * captures' clock (one machine), but written with a coarser clock: nginx's
 * $msec has whole ms, HAProxy's and Apache's times us; and nginx's and
 * HAProxy's clock is their event loop's, read when the loop woke, so the
 * line can be written a little after the time it says plus that step (in
 * nginx-no-ports nginx's 502 left 1.016 ms after the ms its line says).
 * A proxy writes a request's line once it has sent the answer: the line
 * goes just after the answer, the proxy's data segments that follow the
 * logged time on the client's connection, up to the client's next data
 * (its next request), within a second; with none, at the logged time.
 * t_logged and t_prec keep what the line said. nginx's error lines have
 * whole seconds: one joined to its request's line (the same "*N") goes in
 * that request's window, from its start to its line, just after the
 * client's request data there (t_logged and t_prec: that window); one that
 * joins no request is left out, as is any line tied to no connection
 * that falls more than a second outside the run's connections. Apache's error lines have us (its clock is
 * not cached) and stay at their time, unless that time is out of their
 * request's window (local time read in another zone than the run's): then
 * they go in it as nginx's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/input.h"
#include "model/work.h"
#include "proxy/proxy.h"
#include "util.h"

#define MAX_LINES 100000L	/* lines read per log: a bench's logs are not drawn */
#define LINE_MAX_LEN 4096
#define NS_1S 1000000000LL

struct plog {
	struct proxy_logline *v;
	size_t n, cap;
};

/* Every line of dir/name the parser takes, appended to pl. 0, or -1 with
 * err (a missing log is no error: a proxy that logged nothing). */
static int
read_lines(struct work *w, enum proxy_kind kind, const char *dir, const char *name,
    struct plog *pl)
{
	char path[4400], *line;
	struct proxy_logline l;
	FILE *f;
	long nread = 0;
	int fd, skip = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = in_open(path, IN_MAX_FILE, w->err, w->errlen)) < 0)
		return missing(w);
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		snprintf(w->err, w->errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!(line = malloc(LINE_MAX_LEN))) {
		fclose(f);
		return -1;
	}
	while (nread < MAX_LINES && fgets(line, LINE_MAX_LEN, f)) {
		size_t len = strlen(line);
		int whole = len > 0 && line[len - 1] == '\n';

		if (whole)
			line[--len] = 0;
		if (skip || !whole) {
			/* the tail of a line too long to be ours */
			skip = !whole;
			continue;
		}
		nread++;
		if (proxy_log_parse(kind, line, &l) == 1 && VEC_PUSH(pl->v, pl->n, pl->cap, l)) {
			free(line);
			fclose(f);
			return -1;
		}
	}
	free(line);
	fclose(f);
	return 0;
}

/* The connection from a to b begun last by t (TL_UNKNOWN: the first), -1. */
static int
conn_of(struct work *w, const char *a, const char *b, int64_t t)
{
	struct tuple *tp;
	size_t tix;
	int best = -1;

	if (!a[0] || !b[0] || tuple_find(w, a, b, &tix))
		return -1;
	tp = &w->tuples[tix];
	for (size_t k = 0; k < tp->nconns; k++) {
		const struct tl_conn *c = &w->tl->conns[tp->conns[k]];

		if (strcmp(c->client, a) || strcmp(c->server, b))
			continue;
		if (best < 0 || t == TL_UNKNOWN || c->t_start <= t)
			best = (int)tp->conns[k];
	}
	return best;
}

/* A connection of the proxy's own (proxy_ip as client) to the backend
 * that served the request of l, by time; upmatch says how. -1: none. */
static int
conn_by_time(struct timeline *tl, const struct proxy_logline *l, const char *proxy_ip,
    char *upmatch, size_t len)
{
	int64_t lo = l->start_ns ? l->start_ns - l->start_prec_ns : l->t_ns,
	    hi = l->t_ns + l->t_prec_ns;
	int pick = -1, n = 0, fresh;
	char ip[64];

	/* a new connection begun within the request, else a kept-alive one */
	for (fresh = 1; fresh >= 0 && n == 0; fresh--)
		for (size_t i = 0; i < tl->nconns; i++) {
			const struct tl_conn *c = &tl->conns[i];

			ep_addr(c->client, ip, sizeof(ip));
			if (strcmp(ip, proxy_ip) || (l->upstream[0] && strcmp(c->server, l->upstream)) ||
			    !strcmp(c->server, l->front) || c->t_start > hi)
				continue;
			if (fresh ? c->t_start < lo : c->t_end < lo)
				continue;
			n++;
			if (pick < 0 || c->t_start < tl->conns[pick].t_start)
				pick = (int)i;
		}
	if (n == 1)
		snprintf(upmatch, len, "time");
	else if (n > 1)
		snprintf(upmatch, len, "time, 1 of %d", n > 9999 ? 9999 : n);
	return pick;
}

struct seg {
	int64_t t;	/* on the proxy (c's server): sent or received there */
	int from;
};

static int
cmp_seg(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

/*
 * Where a request's line goes on c, its client's connection: just after
 * the response it logs, the proxy's data segments that follow t (the
 * logged time) up to the client's next data after them (its next request),
 * within a second; TL_UNKNOWN when there is none. A proxy's clock is its
 * event loop's (nginx's $msec, HAProxy's date): read when the loop woke,
 * so the response can leave after the logged time plus its step.
 * With request set, instead the request's own data: the client's last
 * data segment in [t, until] (an error of connecting to the backend comes
 * after the request is in, before its answer).
 */
static int64_t
place_on(const struct tl_conn *c, int64_t t, int64_t until, int request)
{
	struct seg *v;
	size_t n = 0;
	int64_t best = TL_UNKNOWN;

	if (c->npkts == 0 || !(v = malloc(c->npkts * sizeof(*v))))
		return TL_UNKNOWN;
	for (size_t i = 0; i < c->npkts; i++) {
		int64_t ts = t_on(&c->pkts[i], TL_SERVER);

		if (c->pkts[i].len && ts != TL_UNKNOWN && ts >= t && ts <= until)
			v[n++] = (struct seg){ ts, c->pkts[i].from };
	}
	qsort(v, n, sizeof(*v), cmp_seg);
	for (size_t i = 0; i < n; i++) {
		if (request) {
			if (v[i].from == TL_CLIENT)
				best = v[i].t;
		} else if (v[i].from == TL_SERVER) {
			best = v[i].t;
		} else if (best != TL_UNKNOWN) {
			break;	/* the client's next request */
		}
	}
	free(v);
	return best == TL_UNKNOWN ? TL_UNKNOWN : best + 1;
}

/* "GET / HTTP/1.1" -> "GET /" */
static void
short_req(const char *req, char *buf, size_t len)
{
	const char *sp = strchr(req, ' ');
	const char *sp2 = sp ? strchr(sp + 1, ' ') : NULL;

	snprintf(buf, len, "%.*s", sp2 ? (int)(sp2 - req) : (int)strlen(req), req);
	if (strlen(buf) > 40)
		strcpy(buf + 37, "...");
}

/* "GET / 502 -> 10.0.0.4:666 from :40000", the backend's source port as
 * the connection found says it ("(by time)" when found by time). */
static void
request_label(const struct proxy_logline *l, const struct timeline *tl, int up,
    const char *upmatch, char *buf, size_t len)
{
	char what[72], from[40] = "";
	int n;

	short_req(l->req, what, sizeof(what));
	n = (int)strlen(what);
	if (!l->req[0] && !l->status)	/* HAProxy in mode tcp: a connection */
		n = snprintf(what, sizeof(what), "tunnel");
	if (l->status)
		n += snprintf(what + n, sizeof(what) - (size_t)n, " %d", l->status);
	if (l->ustatus && l->ustatus != l->status && n < (int)sizeof(what))
		n += snprintf(what + n, sizeof(what) - (size_t)n, " (backend %d)", l->ustatus);
	if (l->term[0] && strcmp(l->term, "----") && strcmp(l->term, "--") &&
	    n < (int)sizeof(what))
		snprintf(what + n, sizeof(what) - (size_t)n, " %s", l->term);
	if (up >= 0)
		snprintf(from, sizeof(from), " from :%d%s", ep_port(tl->conns[up].client),
		    strcmp(upmatch, "4-tuple") ? " (by time)" : "");
	else if (l->src[0])
		snprintf(from, sizeof(from), " from :%d", ep_port(l->src));
	snprintf(buf, len, "%s -> %s%s", what, l->upstream[0] ? l->upstream : "backend", from);
}

static int
push_event(struct work *w, const char *host, const char *prog, enum proxy_kind kind,
    int64_t t, const struct proxy_logline *l, int conn, int up, const char *upmatch,
    const char *detail)
{
	struct tl_event e;
	int64_t lo = INT64_MAX, hi = INT64_MIN;

	/* A line tied to no connection is kept only within the run's
	 * connections (a second either side): a time far off (a request not
	 * captured, a log read in another time zone) would stretch the
	 * drawing, not explain it. */
	for (size_t i = 0; conn < 0 && up < 0 && i < w->tl->nconns; i++) {
		if (w->tl->conns[i].t_start < lo)
			lo = w->tl->conns[i].t_start;
		if (w->tl->conns[i].t_end > hi)
			hi = w->tl->conns[i].t_end;
	}
	if (conn < 0 && up < 0 && (lo == INT64_MAX || t < lo - NS_1S || t > hi + NS_1S))
		return 0;
	memset(&e, 0, sizeof(e));
	e.t = t;
	e.t_logged = l->t_ns;
	e.t_prec = l->t_prec_ns;
	e.side = conn >= 0 ? TL_SERVER : up >= 0 ? TL_CLIENT : 2;
	e.conn = conn >= 0 ? conn : up;
	e.upconn = conn >= 0 && up >= 0 ? up + 1 : 0;
	scopy(e.upmatch, sizeof(e.upmatch), e.upconn ? upmatch : "");
	scopy(e.host, sizeof(e.host), host);
	scopy(e.prog, sizeof(e.prog), prog);
	scopy(e.step, sizeof(e.step), proxy_kind_name(kind));
	e.err = l->err;
	/* an error line: -1 and its errno; a request: its HTTP status */
	e.ret = l->err ? -1 : l->what == PL_REQUEST ? l->status : 0;
	if (l->err)
		scopy(e.errname, sizeof(e.errname), errno_name(l->err));
	scopy(e.detail, sizeof(e.detail), detail);
	return VEC_PUSH(w->tl->events, w->tl->nevents, w->evcap, e);
}

/* The events of one proxy's folder. */
static int
proxy_events(struct work *w, enum proxy_kind kind, const char *dir, const char *prog)
{
	struct timeline *tl = w->tl;
	struct plog acc = { 0 }, errs = { 0 };
	char host[16] = "", proxy_ip[64] = "", label[200], *used = NULL;
	int64_t *placed = NULL;		/* where each request's line went */
	int rc = -1, h;

	if (read_lines(w, kind, dir, proxy_access_log_name(kind), &acc) ||
	    (proxy_error_log_name(kind) &&
	    read_lines(w, kind, dir, proxy_error_log_name(kind), &errs)))
		goto out;
	/* The proxy's host: the one whose address its clients came to. */
	for (size_t i = 0; i < acc.n && !proxy_ip[0]; i++)
		if (acc.v[i].what == PL_REQUEST && acc.v[i].front[0])
			ep_addr(acc.v[i].front, proxy_ip, sizeof(proxy_ip));
	h = proxy_ip[0] ? host_of_addr(tl, proxy_ip) : host_by_name(tl, prog);
	if (h < 0) {
		rc = 0;	/* not a proxy of this lab's */
		goto out;
	}
	scopy(host, sizeof(host), tl->hosts[h].name);
	if (!proxy_ip[0])
		scopy(proxy_ip, sizeof(proxy_ip), tl->hosts[h].addr);

	if ((errs.n && !(used = calloc(errs.n, 1))) ||
	    (acc.n && !(placed = calloc(acc.n, sizeof(*placed)))))
		goto out;
	/* Apache: the errno's line names no client, the next line of the same
	 * thread (within 10 ms) does */
	for (size_t k = 0; kind == PROXY_APACHE && k < errs.n; k++) {
		struct proxy_logline *e = &errs.v[k];

		for (size_t k2 = k + 1; !e->client[0] && e->cid[0] && !used[k] &&
		    k2 < errs.n && errs.v[k2].t_ns - e->t_ns < 10000000; k2++)
			if (!strcmp(errs.v[k2].cid, e->cid) && errs.v[k2].client[0]) {
				scopy(e->client, sizeof(e->client), errs.v[k2].client);
				used[k2] = 1;
				break;
			}
	}
	for (size_t i = 0; i < acc.n; i++) {
		struct proxy_logline *l = &acc.v[i];
		char upmatch[24] = "";
		int conn, up = -1, noconn = 0;
		int64_t t = l->t_ns, p;

		if (l->what != PL_REQUEST)
			continue;
		/* nginx: its error line for this request, by "*N" */
		/* its connect failed at once, no packet sent: nginx's error line
		 * of the same "*N", Apache's of the same client */
		for (size_t k = 0; k < errs.n; k++)
			if (errs.v[k].err == EADDRNOTAVAIL &&
			    ((kind == PROXY_NGINX && l->cid[0] && !strcmp(errs.v[k].cid, l->cid)) ||
			    (kind == PROXY_APACHE && l->client[0] &&
			    !strcmp(errs.v[k].client, l->client))))
				noconn = 1;
		conn = conn_of(w, l->client, l->front, l->t_ns + l->t_prec_ns);
		if (l->src[0] && l->upstream[0]) {
			up = conn_of(w, l->src, l->upstream, l->t_ns + l->t_prec_ns);
			snprintf(upmatch, sizeof(upmatch), "4-tuple");
		} else if (!noconn) {
			up = conn_by_time(tl, l, proxy_ip, upmatch, sizeof(upmatch));
		}
		if (conn >= 0 && (p = place_on(&tl->conns[conn], t, t + NS_1S, 0)) != TL_UNKNOWN)
			t = p;
		placed[i] = t;	/* for its error line, below */
		request_label(l, tl, up, upmatch, label, sizeof(label));
		if (push_event(w, host, prog, kind, t, l, conn, up, upmatch, label))
			goto out;
	}
	for (size_t k = 0; k < errs.n; k++) {
		struct proxy_logline *e = &errs.v[k];
		const struct proxy_logline *req = NULL;
		int conn = -1;
		int64_t t = e->t_ns, p, until = 0;

		if (e->what != PL_ERROR || used[k])
			continue;
		/* its request: nginx's of the same "*N"; Apache's of the same
		 * client address and port, the first ending after it */
		for (size_t i = 0; i < acc.n && !req; i++)
			if ((kind == PROXY_NGINX && e->cid[0] && !strcmp(acc.v[i].cid, e->cid)) ||
			    (kind == PROXY_APACHE && e->client[0] &&
			    !strcmp(acc.v[i].client, e->client) && placed[i] >= e->t_ns)) {
				req = &acc.v[i];
				until = placed[i];
			}
		/* Apache's error time is read in this machine's time zone: out of
		 * its request's window (read elsewhere), the window instead */
		if (kind == PROXY_APACHE && (!req || !req->start_ns ||
		    (e->t_ns >= req->start_ns - req->start_prec_ns && e->t_ns <= until)))
			req = NULL;
		if (!req && kind == PROXY_APACHE && e->client[0]) {
			for (size_t i = 0; i < acc.n && !req; i++)
				if (!strcmp(acc.v[i].client, e->client) && acc.v[i].start_ns &&
				    (e->t_ns < acc.v[i].start_ns - acc.v[i].start_prec_ns ||
				    e->t_ns > placed[i])) {
					/* the only request of that client port: a
					 * clock that disagrees by hours, not another
					 * request */
					int others = 0;

					for (size_t j = 0; j < acc.n; j++)
						others += j != i && !strcmp(acc.v[j].client, e->client);
					if (!others) {
						req = &acc.v[i];
						until = placed[i];
					}
				}
		}
		if (req && req->start_ns && until >= req->start_ns - req->start_prec_ns) {
			/* nginx: whole seconds (Apache: a time zone not the run's);
			 * the window of its request instead, from its start to its
			 * line, and in it after the request's data */
			e->t_ns = req->start_ns - req->start_prec_ns;
			e->t_prec_ns = until - e->t_ns + 1;
			conn = conn_of(w, req->client, req->front, req->t_ns + req->t_prec_ns);
			t = e->t_ns;
			if (conn >= 0 && (p = place_on(&tl->conns[conn], t, until, 1)) != TL_UNKNOWN)
				t = p;
		} else if (e->client[0] && ep_port(e->client) > 0) {
			/* Apache: the client's address and port */
			for (size_t i = 0; i < tl->nconns && conn < 0; i++) {
				char ip[64];

				ep_addr(tl->conns[i].server, ip, sizeof(ip));
				if (!strcmp(tl->conns[i].client, e->client) && !strcmp(ip, proxy_ip))
					conn = conn_of(w, e->client, tl->conns[i].server, e->t_ns + e->t_prec_ns);
			}
		} else {
			continue;	/* a time no finer than a second, no connection */
		}
		/* "connect() to ... failed (99: ...)": what and why, not where
		 * in nginx it was ("while connecting to upstream") */
		scopy(label, sizeof(label), e->msg);
		if (strstr(label, " while "))
			*strstr(label, " while ") = 0;
		if (kind == PROXY_APACHE && e->err && e->upstream[0] && strchr(e->msg, ')')) {
			/* "(99)Cannot assign requested address: AH00957: http:
			 * attempt to connect to ..." said the nginx way */
			const char *why = strchr(e->msg, ')') + 1;

			snprintf(label, sizeof(label), "connect to %s failed (%d: %.*s)",
			    e->upstream, e->err, (int)strcspn(why, ":"), why);
		}
		if (push_event(w, host, prog, kind, t, e, conn, -1, "", label))
			goto out;
	}
	rc = 0;
out:
	free(used);
	free(placed);
	free(acc.v);
	free(errs.v);
	return rc;
}

int
load_proxy_logs(struct work *w)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (!(d = opendir(w->tl->testdir)))
		return 0;
	while (!rc && (de = readdir(d)) != NULL) {
		char dir[4400], conf[4500];
		int kind;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(((struct tl_event *)0)->prog))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", w->tl->testdir, de->d_name);
		for (kind = 0; kind <= PROXY_APACHE; kind++) {
			int fd;

			snprintf(conf, sizeof(conf), "%s/%s", dir, proxy_conf_name(kind));
			fd = open(conf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			if (fd >= 0) {
				close(fd);
				break;
			}
		}
		if (kind <= PROXY_APACHE)
			rc = proxy_events(w, kind, dir, de->d_name);
	}
	closedir(d);
	if (rc && !w->err[0])
		snprintf(w->err, w->errlen, "out of memory reading a proxy's log");
	return rc;
}
