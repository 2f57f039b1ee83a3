/*
 * sockdiag.c - every TCP socket of a network namespace, the way `ss -tan`
 * sees them, through netlink sock_diag (SOCK_DIAG_BY_FAMILY dumps, libmnl).
 *
 * One dump request per address family; its answer is walked by one
 * callback (mnl_cb_run) that turns each inet_diag_msg into a struct
 * sd_sock. The netlink socket is made inside the target namespace by a
 * short-lived thread (host_netns_socket): the caller never leaves its own.
 *
 * TIME_WAIT sockets come back as the kernel's small time-wait sockets:
 * state TCP_TIME_WAIT, timer 3, and idiag_expires = milliseconds left.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include <jansson.h>
#include <libmnl/libmnl.h>

#include "host/netns.h"
#include "host/sockdiag.h"
#include "tcpstate.h"

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

/* One message of the dump: one socket, appended to the list. */
static int
on_sock(const struct nlmsghdr *h, void *data)
{
	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(h) < sizeof(struct inet_diag_msg))
		return MNL_CB_OK;
	if (list_add(data, mnl_nlmsg_get_payload(h)) != 0) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* One dump request for one family, its answer appended to l. 0 or -1. */
static int
dump_family(struct mnl_socket *sk, int family, struct sock_list *l,
    char *err, size_t errlen)
{
	/* 32 KiB: the most a dump puts in one read. */
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *h;
	unsigned int seq = (unsigned int)family * 1000u + 1u;
	int rc = MNL_CB_OK;
	ssize_t n;

	h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	h->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(h, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~0u;	/* every state, TIME_WAIT included */
	if (mnl_socket_sendto(sk, h, h->nlmsg_len) < 0) {
		snprintf(err, errlen, "sock_diag: sending the %s TCP dump "
		    "request: %s", fam, strerror(errno));
		return -1;
	}
	while (rc == MNL_CB_OK) {
		n = mnl_socket_recvfrom(sk, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "sock_diag: reading the %s TCP dump: "
			    "%s", fam, n == 0 ? "it ended early" : strerror(errno));
			return -1;
		}
		rc = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(sk),
		    on_sock, l);
	}
	if (rc == MNL_CB_ERROR) {
		/* No IPv6 in this kernel: nothing to list. */
		if (errno == ENOENT && family == AF_INET6)
			return 0;
		snprintf(err, errlen, "sock_diag: %s TCP dump: %s", fam,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
sockdiag_snapshot(int nsfd, struct sd_sock **out, size_t *n,
    char *err, size_t errlen)
{
	struct sock_list l = { NULL, 0, 0 };
	struct mnl_socket *sk;
	int fd, e;

	*out = NULL;
	*n = 0;
	fd = host_netns_socket(nsfd, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG);
	if (fd < 0 || (sk = mnl_socket_fdopen(fd)) == NULL) {
		e = errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "sock_diag: netlink socket in the "
		    "namespace: %s", strerror(e));
		return -1;
	}
	if (dump_family(sk, AF_INET, &l, err, errlen) != 0 ||
	    dump_family(sk, AF_INET6, &l, err, errlen) != 0) {
		mnl_socket_close(sk);
		free(l.v);
		return -1;
	}
	mnl_socket_close(sk);
	*out = l.v;
	*n = l.n;
	return 0;
}

int
sockdiag_listening(int nsfd, const char *addr, unsigned port, char *err, size_t errlen)
{
	struct sd_sock *s = NULL;
	char want[3][64], suffix[16];
	size_t n = 0, i, sl;
	int found = 0, k;

	snprintf(want[0], sizeof(want[0]), addr && strchr(addr, ':') ? "[%s]:%u" : "%s:%u",
	    addr ? addr : "", port);
	snprintf(want[1], sizeof(want[1]), "0.0.0.0:%u", port);
	snprintf(want[2], sizeof(want[2]), "[::]:%u", port);
	snprintf(suffix, sizeof(suffix), ":%u", port);
	sl = strlen(suffix);
	if (sockdiag_snapshot(nsfd, &s, &n, err, errlen) == -1)
		return -1;
	for (i = 0; i < n && !found; i++) {
		size_t l = strlen(s[i].local);

		if (s[i].state != TS_LISTEN)
			continue;
		if (addr == NULL && l > sl && strcmp(s[i].local + l - sl, suffix) == 0)
			found = 1;
		for (k = addr == NULL ? 1 : 0; k < 3 && !found; k++)
			if (strcmp(s[i].local, want[k]) == 0)
				found = 1;
	}
	free(s);
	return found;
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
