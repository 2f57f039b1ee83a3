/*
 * viasample.c - what `timewait bench --via` samples every 100 ms, and the
 * run's final counts.
 *
 * TIME_WAIT on the client and the backends: the kernel's figure of each
 * namespace (sample.c's fast counter). On the proxy host it is split by
 * side, so sock_diag lists its sockets: local port 666 is the side towards
 * the client, any other the side towards the backends. A dump of 300,000
 * TIME_WAIT sockets ten times a second would eat a core, so above 20,000
 * on the proxy the split is redone once a second and carried between.
 * The same dump shows whether one local port of the proxy is in use
 * towards both backends at once (the kernel picks a connect()'s port per
 * destination): the most such ports in one dump, and one example.
 *
 * The proxy's log is read as it grows, from where the last read stopped,
 * whole lines only, and its upstream connect errors counted by errno name
 * (src/proxy/upstream.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/via.h"
#include "host/sockdiag.h"
#include "lab/lab.h"
#include "util.h"

#define DIAG_EVERY_MAX 20000	/* TIME_WAIT on the proxy above which the split is slowed */
#define LOG_CHUNK (1 << 20)
#define PROXY_PORT 666

int
via_sample_open(struct via_ctx *v, char *err, size_t errlen)
{
	int i;

	v->twc.sockstat_fd = v->twp.sockstat_fd = -1;
	for (i = 0; i < VIA_MAX_BACKENDS; i++)
		v->twb[i].sockstat_fd = -1;
	if (tw_counter_open(&v->twc, v->client->nsfd) == -1 ||
	    tw_counter_open(&v->twp, v->proxy_host->nsfd) == -1)
		goto fail;
	for (i = 0; i < v->o->backends; i++)
		if (tw_counter_open(&v->twb[i], v->backend[i]->nsfd) == -1)
			goto fail;
	return 0;
fail:
	snprintf(err, errlen, "TIME_WAIT counters: %s", strerror(errno));
	return -1;
}

void
via_sample_close(struct via_ctx *v)
{
	int i;

	if (v->client == NULL)
		return;
	tw_counter_close(&v->twc);
	tw_counter_close(&v->twp);
	for (i = 0; i < VIA_MAX_BACKENDS; i++)
		tw_counter_close(&v->twb[i]);
}

static int
port_of(const char *endpoint)
{
	const char *colon = strrchr(endpoint, ':');

	return colon ? atoi(colon + 1) : -1;
}

/* Which backend (0, 1) a remote "addr:port" is; -1 for none. */
static int
backend_of(const struct via_ctx *v, const char *remote)
{
	size_t len;
	int i;

	for (i = 0; i < v->o->backends; i++) {
		len = strlen(v->backend[i]->addr);
		if (strncmp(remote, v->backend[i]->addr, len) == 0 && remote[len] == ':')
			return i;
	}
	return -1;
}

/* The proxy's sockets: TIME_WAIT by side, and ports towards both backends. */
static void
proxy_diag(struct via_ctx *v, long *tw_client, long *tw_backend)
{
	struct via_result *x = &v->r->via;
	struct sd_sock *s = NULL;
	size_t n = 0, i;
	uint8_t *mask;
	long shared = 0;
	char err[128];
	int b, port;

	*tw_client = *tw_backend = -1;
	if (sockdiag_snapshot(v->proxy_host->nsfd, &s, &n, err, sizeof(err)) == -1)
		return;
	*tw_client = *tw_backend = 0;
	mask = v->o->backends > 1 ? calloc(65536, 1) : NULL;
	for (i = 0; i < n; i++) {
		port = port_of(s[i].local);
		if (s[i].state == TCP_TIME_WAIT)
			++*(port == PROXY_PORT ? tw_client : tw_backend);
		if (mask == NULL || port <= 0 || port > 65535 || port == PROXY_PORT ||
		    s[i].state == TCP_LISTEN || (b = backend_of(v, s[i].remote)) < 0)
			continue;
		mask[port] |= (uint8_t)(1u << b);
	}
	if (mask) {
		for (i = 0; i < n; i++) {
			port = port_of(s[i].local);
			if (port > 0 && port <= 65535 && mask[port] == 3) {
				shared++;
				mask[port] = 0x80;	/* counted once */
				if (x->shared_example[0] == '\0') {
					size_t k;

					for (k = 0; k < n; k++)
						if (port_of(s[k].local) == port && k != i &&
						    backend_of(v, s[k].remote) >= 0 &&
						    strcmp(s[k].remote, s[i].remote) != 0)
							break;
					if (k < n)
						snprintf(x->shared_example, sizeof(x->shared_example),
						    "%.40s -> %.40s (%.12s) and -> %.40s (%.12s)", s[i].local,
						    s[i].remote, tcp_state_name(s[i].state), s[k].remote,
						    tcp_state_name(s[k].state));
				}
			}
		}
		free(mask);
	}
	if (shared > x->shared_ports_max)
		x->shared_ports_max = shared;
	free(s);
}

/* The log's new whole lines, counted into v->up. */
static void
read_log(struct via_ctx *v)
{
	struct proxy_upstream_errors e;
	char *buf;
	ssize_t got;
	char *last;
	int fd, i, k;

	fd = openat(v->px.dirfd, proxy_log_name(v->px.kind), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return;
	buf = malloc(LOG_CHUNK + 1);
	while (buf && (got = pread(fd, buf, LOG_CHUNK, v->log_off)) > 0) {
		buf[got] = '\0';
		last = memrchr(buf, '\n', (size_t)got);
		if (last == NULL)
			break;
		last[1] = '\0';
		memset(&e, 0, sizeof(e));
		proxy_upstream_count(v->px.kind, buf, &e);
		for (i = 0; i < e.n; i++) {
			for (k = 0; k < v->up.n; k++)
				if (strcmp(v->up.by_errno[k].name, e.by_errno[i].name) == 0)
					break;
			if (k == v->up.n && k < PROXY_ERRNO_KINDS) {
				snprintf(v->up.by_errno[k].name, sizeof(v->up.by_errno[k].name), "%s",
				    e.by_errno[i].name);
				v->up.n++;
			}
			if (k < PROXY_ERRNO_KINDS)
				v->up.by_errno[k].count += e.by_errno[i].count;
		}
		v->up.total += e.total;
		v->up.unavailable += e.unavailable;
		v->up.lines += e.lines;
		v->log_off += (long)(last + 1 - buf);
	}
	free(buf);
	close(fd);
}

static long
backends_tw(struct via_ctx *v)
{
	long sum = 0, t;
	int i;

	for (i = 0; i < v->o->backends; i++)
		if ((t = tw_count_fast(&v->twb[i])) > 0)
			sum += t;
	return sum;
}

static void
live_line(const struct bench_sample *s)
{
	fprintf(stderr, "\r  %6.1fs %7.0f/s done %-8llu fail %llu (5xx %llu) up-err %ld "
	    "TW %ld|%ld/%ld|%ld\033[K", s->t, s->rate, (unsigned long long)s->completed,
	    (unsigned long long)s->failed, (unsigned long long)s->http5xx, s->upstream_errors,
	    s->tw_client, s->tw_proxy_client, s->tw_proxy_backend, s->tw_server);
}

/* The load tool has exited: reaped here, its status kept. */
static int
load_done(struct via_ctx *v)
{
	if (v->load_pid <= 0 || waitpid(v->load_pid, &v->load_status, WNOHANG) != v->load_pid)
		return 0;
	v->load_pid = -1;
	return 1;
}

void
via_sample_loop(struct via_ctx *v, int live)
{
	struct run_result *r = v->r;
	struct bench_sample s, prev = { 0 };
	uint64_t tick = v->t0, end = v->t0 + (uint64_t)(r->o.duration * 1e9);
	long tpc = 0, tpb = 0, tw_proxy;
	int k = 0;

	if (live)
		fprintf(stderr, "%s\n", r->mode);
	while (!bench_interrupted) {
		bench_sleep_tick(&tick, end);
		memset(&s, 0, sizeof(s));
		s.t = (double)(now_mono_ns() - v->t0) / 1e9;
		if (v->ng > 0 && v->g[0].started) {
			s.completed = GEN_TOTAL(v->g, v->ng, completed);
			s.failed = GEN_TOTAL(v->g, v->ng, failed);
			s.inflight = GEN_TOTAL(v->g, v->ng, inflight);
			s.http5xx = GEN_TOTAL(v->g, v->ng, http5xx);
		}
		s.rate = s.t > prev.t ? (double)(s.completed - prev.completed) / (s.t - prev.t) : 0;
		s.tw_client = tw_count_fast(&v->twc);
		s.tw_server = backends_tw(v);
		tw_proxy = tw_count_fast(&v->twp);
		if (tw_proxy < DIAG_EVERY_MAX || k % 10 == 0)
			proxy_diag(v, &tpc, &tpb);
		k++;
		s.tw_proxy_client = tpc;
		s.tw_proxy_backend = tpb;
		read_log(v);
		s.upstream_eaddrnotavail = proxy_upstream_get(&v->up, "EADDRNOTAVAIL");
		s.upstream_errors = v->up.total;
		series_add(&r->series, &s);
		prev = s;
		if (live)
			live_line(&s);
		if (tick >= end || load_done(v))
			break;
	}
	if (live)
		fputs("\r\033[K\033[A\r\033[K", stderr);
}

void
via_sample_end(struct via_ctx *v)
{
	struct run_result *r = v->r;
	struct via_result *x = &r->via;
	long tw;
	int i;

	if (v->ng > 0 && v->g[0].gc.ctr) {
		r->completed = GEN_TOTAL(v->g, v->ng, completed);
		r->failed = GEN_TOTAL(v->g, v->ng, failed);
		r->attempts = GEN_TOTAL(v->g, v->ng, attempts);
		x->http5xx = GEN_TOTAL(v->g, v->ng, http5xx);
		for (i = 0; i <= BENCH_ERRNO_MAX; i++)
			r->errors[i] = GEN_TOTAL(v->g, v->ng, errors[i]);
		for (i = 0; i < v->ng; i++)
			if (v->g[i].gc.err[0])
				fprintf(stderr, "timewait bench: %s\n", v->g[i].gc.err);
	}
	for (i = 0; i < v->o->backends; i++) {
		r->accepted += bench_get(&v->sh[i]->ctr.accepted);
		r->answered += bench_get(&v->sh[i]->ctr.answered);
		r->srv_errors += bench_get(&v->sh[i]->ctr.srv_errors);
	}
	r->rate = r->seconds > 0 ? (double)r->completed / r->seconds : 0;
	r->tw_client_end = tw_count_diag(v->client->nsfd);
	x->tw_backends_end = 0;
	for (i = 0; i < v->o->backends; i++)
		if ((tw = tw_count_diag(v->backend[i]->nsfd)) > 0)
			x->tw_backends_end += tw;
	r->tw_server_end = x->tw_backends_end;
	proxy_diag(v, &x->tw_proxy_client_end, &x->tw_proxy_backend_end);
	read_log(v);
	for (i = 0; i < v->up.n && i < 8; i++) {
		snprintf(x->upstream_names[i], sizeof(x->upstream_names[i]), "%s",
		    v->up.by_errno[i].name);
		x->upstream_by_errno[i] = v->up.by_errno[i].count;
	}
	x->nupstream = v->up.n < 8 ? v->up.n : 8;
	x->upstream_total = v->up.total;
	x->upstream_unavailable = v->up.unavailable;
	/* The ceiling: the proxy's ports, one TIME_WAIT each per backend address. */
	{
		struct bench_opts c = *v->o;

		c.close = via_proxy_holds_tw(v->o) ? CLOSE_CLIENT : CLOSE_SERVER;
		c.dst_ports = v->o->backends;
		c.src_addrs = 0;
		c.bind_no_port = 0;
		bench_ceiling(&c, r->ports, r->seconds, &r->ceil);
		x->proxy_holds_tw = via_proxy_holds_tw(v->o);
		x->per_backend_s = r->ports > 0 ? (double)r->ports / (double)r->ceil.period_s : -1;
	}
}
