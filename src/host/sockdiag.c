/*
 * sockdiag.c - every TCP socket of a network namespace, the way `ss -tan`
 * sees them, through netlink sock_diag (SOCK_DIAG_BY_FAMILY dumps).
 *
 * Why raw netlink: one request and one dump per address family, parsed
 * straight into struct sd_sock; libnl-idiag would add object caches and
 * reference counts for nothing here.
 *
 * Why a helper thread: a netlink socket belongs to the namespace it was
 * created in, and setns(2) moves only the calling thread. A short-lived
 * thread enters the target namespace, creates the socket and exits; the
 * caller then talks to that namespace through the socket without ever
 * leaving its own.
 *
 * TIME_WAIT sockets come back as the kernel's small time-wait sockets:
 * state TCP_TIME_WAIT, timer 3, and idiag_expires = milliseconds left.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include <jansson.h>

#include "host/sockdiag.h"
#include "tcpstate.h"

struct ns_socket {
	int nsfd;
	int fd;
	int err;
};

static void *
ns_socket_thread(void *arg)
{
	struct ns_socket *s = arg;

	if (setns(s->nsfd, CLONE_NEWNET) != 0) {
		s->err = errno;
		return NULL;
	}
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s->fd < 0)
		s->err = errno;
	return NULL;
}

/* A sock_diag netlink socket in namespace nsfd (-1: ours); -1 and errno. */
static int
diag_socket(int nsfd)
{
	struct ns_socket s = { nsfd, -1, 0 };
	pthread_t t;
	sigset_t all, old;
	int rc;

	if (nsfd < 0)
		return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
		    NETLINK_SOCK_DIAG);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, NULL, ns_socket_thread, &s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	pthread_join(t, NULL);
	if (s.fd < 0)
		errno = s.err;
	return s.fd;
}

/* "10.77.3.2:667", "[fd00::2]:667"; a v4-mapped v6 address as plain v4. */
static void
format_endpoint(char *buf, size_t len, int family, const __be32 *addr,
    __be16 port)
{
	char a[INET6_ADDRSTRLEN];
	struct in6_addr a6;

	if (family == AF_INET) {
		inet_ntop(AF_INET, addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(port));
		return;
	}
	memcpy(&a6, addr, sizeof(a6));
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		inet_ntop(AF_INET, &a6.s6_addr[12], a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(port));
		return;
	}
	inet_ntop(AF_INET6, &a6, a, sizeof(a));
	snprintf(buf, len, "[%s]:%u", a, ntohs(port));
}

struct sock_list {
	struct sd_sock *v;
	size_t n, cap;
};

static int
list_add(struct sock_list *l, const struct inet_diag_msg *m)
{
	struct sd_sock *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct sd_sock *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->family = m->idiag_family;
	format_endpoint(s->local, sizeof(s->local), m->idiag_family,
	    m->id.idiag_src, m->id.idiag_sport);
	format_endpoint(s->remote, sizeof(s->remote), m->idiag_family,
	    m->id.idiag_dst, m->id.idiag_dport);
	s->state = m->idiag_state;
	s->timer = m->idiag_timer;
	s->expires_ms = m->idiag_expires;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	return 0;
}

/* One dump request for one family, its answer appended to l. 0 or -1. */
static int
dump_family(int fd, int family, struct sock_list *l, char *err, size_t errlen)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 req;
	} rq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	/* Aligned for nlmsghdr; 32 KiB is the most a dump puts in one read. */
	long buf[32768 / sizeof(long)];
	uint32_t seq = (uint32_t)family * 1000u + 1u;

	memset(&rq, 0, sizeof(rq));
	rq.nh.nlmsg_len = sizeof(rq);
	rq.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	rq.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rq.nh.nlmsg_seq = seq;
	rq.req.sdiag_family = (uint8_t)family;
	rq.req.sdiag_protocol = IPPROTO_TCP;
	rq.req.idiag_states = ~0u;	/* every state, TIME_WAIT included */

	if (sendto(fd, &rq, sizeof(rq), 0, (struct sockaddr *)&kernel,
	    sizeof(kernel)) != (ssize_t)sizeof(rq)) {
		snprintf(err, errlen, "sock_diag: send: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;
		size_t left;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "sock_diag: receive: %s",
			    strerror(errno));
			return -1;
		}
		if (got == 0) {
			snprintf(err, errlen, "sock_diag: dump ended early");
			return -1;
		}
		left = (size_t)got;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		    h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
					snprintf(err, errlen, "sock_diag: short "
					    "error message");
					return -1;
				}
				/* No IPv6 in this kernel: nothing to list. */
				if (e->error == -ENOENT && family == AF_INET6)
					return 0;
				snprintf(err, errlen, "sock_diag: %s",
				    strerror(-e->error));
				return -1;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				continue;
			if (list_add(l, NLMSG_DATA(h)) != 0) {
				snprintf(err, errlen, "sock_diag: out of memory");
				return -1;
			}
		}
	}
}

int
sockdiag_snapshot(int nsfd, struct sd_sock **out, size_t *n,
    char *err, size_t errlen)
{
	struct sock_list l = { NULL, 0, 0 };
	int fd;

	*out = NULL;
	*n = 0;
	fd = diag_socket(nsfd);
	if (fd < 0) {
		snprintf(err, errlen, "sock_diag: netlink socket in the "
		    "namespace: %s", strerror(errno));
		return -1;
	}
	if (dump_family(fd, AF_INET, &l, err, errlen) != 0 ||
	    dump_family(fd, AF_INET6, &l, err, errlen) != 0) {
		close(fd);
		free(l.v);
		return -1;
	}
	close(fd);
	*out = l.v;
	*n = l.n;
	return 0;
}

static const char *
timer_name(int timer)
{
	switch (timer) {
	case 0: return "none";
	case 1: return "retransmit";
	case 2: return "keepalive";
	case 3: return "time_wait";
	case 4: return "zero_window_probe";
	default: return "other";
	}
}

json_t *
sockdiag_to_json(const struct sd_sock *s, size_t n)
{
	json_t *a = json_array();
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, "
		    "s:I, s:I, s:I}",
		    "family", s[i].family == AF_INET6 ? "inet6" : "inet",
		    "local", s[i].local,
		    "remote", s[i].remote,
		    "state", tcp_state_name(s[i].state),
		    "timer", timer_name(s[i].timer),
		    "expires_ms", (json_int_t)s[i].expires_ms,
		    "rqueue", (json_int_t)s[i].rqueue,
		    "wqueue", (json_int_t)s[i].wqueue,
		    "uid", (json_int_t)s[i].uid,
		    "inode", (json_int_t)s[i].inode);

		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}
