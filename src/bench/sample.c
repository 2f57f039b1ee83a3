/*
 * sample.c - what the bench samples every 100 ms: TIME_WAIT counts per
 * host, and the growing series of samples.
 *
 * Two ways to count a host's TIME_WAIT sockets, both opened once inside
 * the host's namespace (a descriptor keeps the namespace it was opened in):
 *
 *   fast  the "tw" figure of that namespace's /proc/net/sockstat: the
 *         kernel's own count of time-wait sockets, one short read. Used
 *         for the 100 ms series, since a server closing first at 35,000
 *         connections a second holds hundreds of thousands of them and a
 *         full dump ten times a second would eat the core the server needs.
 *   diag  the host's sockets through sock_diag (host/sockdiag.c, what
 *         ss -tan lists), the TIME_WAIT ones counted. Used at the end.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "host/netns.h"
#include "host/sockdiag.h"

struct open_job {
	struct tw_counter *c;
};

static int
open_job_run(void *arg)
{
	struct tw_counter *c = ((struct open_job *)arg)->c;

	c->sockstat_fd = open("/proc/thread-self/net/sockstat", O_RDONLY | O_CLOEXEC);
	return c->sockstat_fd == -1 ? -1 : 0;
}

int
tw_counter_open(struct tw_counter *c, int nsfd)
{
	struct open_job j = { c };

	c->sockstat_fd = -1;
	if (host_netns_run(nsfd, open_job_run, &j) == -1) {
		tw_counter_close(c);
		return -1;
	}
	return 0;
}

void
tw_counter_close(struct tw_counter *c)
{
	if (c->sockstat_fd != -1)
		close(c->sockstat_fd);
	c->sockstat_fd = -1;
}

long
tw_count_fast(struct tw_counter *c)
{
	char buf[512], *p;
	ssize_t n;

	n = pread(c->sockstat_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "TCP:");
	if (p == NULL || (p = strstr(p, " tw ")) == NULL)
		return -1;
	return strtol(p + 4, NULL, 10);
}

long
tw_count_diag(int nsfd)
{
	struct sd_sock *v = NULL;
	size_t n = 0, i;
	long count = 0;
	char err[128];

	if (sockdiag_snapshot(nsfd, &v, &n, err, sizeof(err)) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (v[i].state == TCP_TIME_WAIT)
			count++;
	free(v);
	return count;
}

int
series_add(struct bench_series *s, const struct bench_sample *x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct bench_sample *v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *x;
	return 0;
}

void
series_free(struct bench_series *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
