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
 *   diag  a NETLINK_SOCK_DIAG dump filtered by the kernel to state
 *         TIME_WAIT, the messages counted: the same number, as sock_diag
 *         lists them (ss -tan state time-wait). Used at the end of a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/bench.h"

struct open_job {
	struct tw_counter *c;
};

static int
open_job_run(void *arg)
{
	struct tw_counter *c = ((struct open_job *)arg)->c;

	c->sockstat_fd = open("/proc/thread-self/net/sockstat", O_RDONLY | O_CLOEXEC);
	c->diag_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	return (c->sockstat_fd == -1 || c->diag_fd == -1) ? -1 : 0;
}

int
tw_counter_open(struct tw_counter *c, int nsfd)
{
	struct open_job j = { c };

	c->sockstat_fd = c->diag_fd = -1;
	if (hosts_in_ns(nsfd, open_job_run, &j) == -1) {
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
	if (c->diag_fd != -1)
		close(c->diag_fd);
	c->sockstat_fd = c->diag_fd = -1;
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
tw_count_diag(struct tw_counter *c)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	static char buf[65536];	/* main thread only */
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	long count = 0;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = AF_INET;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = 1U << TCP_TIME_WAIT;
	if (sendto(c->diag_fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		return -1;
	for (;;) {
		ssize_t n = recv(c->diag_fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return count;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
				count++;
		}
	}
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
