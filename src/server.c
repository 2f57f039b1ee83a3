/*
 * server.c - `timewait server`: accepts connections and ends them the way
 * its behaviour code's row (scenario.c) says.
 *
 * One epoll loop, edge-triggered on the connections. Per-connection state
 * lives in an array indexed by descriptor, allocated once, so the HTTP codes
 * allocate nothing per request. Delayed closes (code 2: 5 s, code 9: 200 us)
 * wait in a FIFO behind one timerfd: a code has one delay, so deadlines come
 * out of the queue in the order they went in. A queued close names the
 * connection's number as well as its descriptor, so a descriptor closed and
 * reused meanwhile is never closed by mistake.
 *
 * Every step is logged for the seed codes; the HTTP codes log a step per
 * request only with --debug, and otherwise a rate line each second.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "events.h"
#include "http.h"
#include "options.h"
#include "rawrst.h"
#include "runloop.h"
#include "scenario.h"
#include "util.h"

#define MAX_EVENTS	256
#define READ_BUF	16384
#define CONN_MAX	(1 << 20)
#define RST_MAX		64	/* --rst-after-close: RSTs waiting for their time */

struct conn {
	unsigned long long	 id;		/* connection number; 0: free */
	struct http_scan	 scan;
	bool			 peer_closed;	/* its action has been taken */
	bool			 closing;	/* a close is queued: answer no more */
};

struct delayed_close {
	int			 fd;
	unsigned long long	 id;
	uint64_t		 due;		/* CLOCK_MONOTONIC ns */
};

/* --rst-after-close: a RST to forge once the connection is gone. */
struct pending_rst {
	unsigned long long	 id;		/* the connection's number */
	struct sockaddr_storage	 local, remote;	/* IPv4-mapped made IPv4 */
	uint32_t		 seq;		/* what the peer expects next */
	uint64_t		 due;		/* CLOCK_MONOTONIC ns */
};

struct server {
	const struct options	*opt;
	const struct server_row	*row;
	bool			 verbose;	/* log every step */
	uint64_t		 delay_ns;	/* the row's delay, scaled */
	int			 epfd;
	int			 lfd;
	int			 close_tfd;
	int			 stats_tfd;
	int			 worker;	/* 0: the parent */
	struct conn		*conns;		/* indexed by descriptor */
	size_t			 nconns;
	unsigned long long	 last_id;
	struct delayed_close	*queue;		/* ring */
	size_t			 qcap, qhead, qlen;
	char			 answer[512];	/* cached for answer_time */
	size_t			 answer_len;
	time_t			 answer_time;
	unsigned long long	 n_requests, n_accepted, n_closed;
	int			 rst_tfd;
	uint64_t		 rst_delay_ns;	/* --rst-after-close, scaled */
	struct pending_rst	 rsts[RST_MAX];	/* by due time: one delay for all */
	size_t			 nrsts;
	char			 rbuf[READ_BUF];
};

static void read_http(struct server *, int);
static void on_peer_close(struct server *, int, uint32_t);

static void
conn_event(struct server *s, int fd, const char *step, long long ret, int err,
    const char *note)
{
	if (s->verbose)
		event_step(step, ret, err, 0, s->conns[fd].id, fd, note);
}

/*
 * --rst-after-close: before the close, what the RST will need: both ends
 * and the sequence number the peer will expect once our FIN is in (the
 * next one we send, plus one for the FIN). Sent by on_rst_timer.
 */
static void
plan_rst(struct server *s, int fd)
{
	struct sockaddr_storage ss;
	struct pending_rst *p;
	socklen_t len;
	uint32_t seq;
	char note[96];

	if (s->nrsts == RST_MAX) {
		conn_event(s, fd, "rst", -1, ENOBUFS, "too many RSTs waiting: none for this one");
		return;
	}
	if (tcp_next_seq(fd, &seq) == -1) {
		conn_event(s, fd, "rst", -1, errno,
		    "cannot read the sequence number (TCP_REPAIR needs CAP_NET_ADMIN): no RST");
		return;
	}
	p = &s->rsts[s->nrsts];
	memset(p, 0, sizeof(*p));
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		goto fail;
	sockaddr_unmap(&ss, &p->local);
	len = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		goto fail;
	sockaddr_unmap(&ss, &p->remote);
	p->id = s->conns[fd].id;
	p->seq = seq + 1;	/* our FIN takes one */
	p->due = now_mono_ns() + s->rst_delay_ns;
	if (s->nrsts++ == 0)
		runloop_arm(s->rst_tfd, s->rst_delay_ns);
	snprintf(note, sizeof(note), "a RST with seq %u in %.6g s", p->seq,
	    (double)s->rst_delay_ns / 1e9);
	conn_event(s, fd, "timer", 0, 0, note);
	return;
fail:
	conn_event(s, fd, "rst", -1, errno, "the connection's addresses are unknown: no RST");
}

static void
send_rst(const struct pending_rst *p)
{
	char local[ADDR_STRLEN], remote[ADDR_STRLEN], note[128];
	struct event e;
	int n;

	addr_format((const struct sockaddr *)&p->local, local, sizeof(local));
	addr_format((const struct sockaddr *)&p->remote, remote, sizeof(remote));
	event_call_start("rst");
	n = tcp_rst_send(&p->local, &p->remote, p->seq);
	snprintf(note, sizeof(note), "a RST of our own, seq %u, on the closed connection's "
	    "addresses (raw socket)", p->seq);
	event_init(&e, "rst");
	e.ret = n;
	e.err = n == -1 ? errno : 0;
	e.conn = p->id;
	e.local = local;
	e.remote = remote;
	e.note = note;
	event_emit(&e);
}

static void
on_rst_timer(struct server *s)
{
	uint64_t now = now_mono_ns();
	size_t i = 0;

	runloop_timer_read(s->rst_tfd);
	while (i < s->nrsts && s->rsts[i].due <= now)
		send_rst(&s->rsts[i++]);
	memmove(s->rsts, s->rsts + i, (s->nrsts - i) * sizeof(s->rsts[0]));
	s->nrsts -= i;
	if (s->nrsts > 0)
		runloop_arm(s->rst_tfd, s->rsts[0].due - now);
}

static void
conn_close(struct server *s, int fd, const char *note)
{
	int r;

	if (s->rst_tfd != -1)
		plan_rst(s, fd);
	event_call_start("close");
	r = close(fd);

	conn_event(s, fd, "close", r, errno, note);
	s->conns[fd].id = 0;
	s->n_closed++;
}

/* A read or a write of connection fd, with the bytes it moved (data: NULL
 * to leave them out of the log). */
static void
log_io(struct server *s, const char *step, int fd, ssize_t n, int err,
    const char *data, const char *note)
{
	struct event e;

	event_init(&e, step);
	e.ret = n;
	e.err = n == -1 ? err : 0;
	e.conn = s->conns[fd].id;
	e.fd = fd;
	if (n >= 0) {
		e.bytes = n;
		e.data = data;
		e.datalen = (size_t)n;
	}
	e.note = note;
	event_emit(&e);
}

static void
conn_write_bip(struct server *s, int fd, const char *note)
{
	char bip[BIP_LEN + 1];
	size_t len = bip_make(bip, sizeof(bip));
	ssize_t n;

	event_call_start("write");
	n = write(fd, bip, len);

	log_io(s, "write", fd, n, errno, bip, note);
}

static void
queue_close(struct server *s, int fd)
{
	struct delayed_close *d;
	char note[64];

	if (s->qlen == s->qcap) {
		conn_close(s, fd, "delayed-close queue full: closed at once");
		return;
	}
	d = &s->queue[(s->qhead + s->qlen) % s->qcap];
	d->fd = fd;
	d->id = s->conns[fd].id;
	d->due = now_mono_ns() + s->delay_ns;
	if (s->qlen++ == 0)
		runloop_arm(s->close_tfd, s->delay_ns);
	s->conns[fd].closing = true;
	if (s->verbose) {
		snprintf(note, sizeof(note), "close in %.6g s", (double)s->delay_ns / 1e9);
		conn_event(s, fd, "timer", 0, 0, note);
	}
}

static void
on_close_timer(struct server *s)
{
	struct delayed_close *d;
	uint64_t now = now_mono_ns();

	runloop_timer_read(s->close_tfd);
	while (s->qlen > 0) {
		d = &s->queue[s->qhead];
		if (d->due > now) {
			runloop_arm(s->close_tfd, d->due - now);
			return;
		}
		if (s->conns[d->fd].id == d->id)
			conn_close(s, d->fd, "the delay is over");
		s->qhead = (s->qhead + 1) % s->qcap;
		s->qlen--;
	}
}

static int
watch(struct server *s, int fd)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	ev.data.u64 = TAG(TAG_CONN, fd);
	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void
on_accepted(struct server *s, int fd)
{
	struct conn *c = &s->conns[fd];
	struct linger lg;
	int r;

	c->id = ++s->last_id;
	c->scan.newlines = 0;
	c->peer_closed = false;
	c->closing = false;
	s->n_accepted++;
	if (s->verbose) {
		char local[ADDR_STRLEN], remote[ADDR_STRLEN];
		struct event e;

		sock_names(fd, local, remote, sizeof(local));
		event_init(&e, "accept");
		e.ret = fd;
		e.conn = c->id;
		e.fd = fd;
		e.local = local;
		e.remote = remote;
		e.note = "connection accepted";
		event_emit(&e);
	}
	if (s->opt->linger >= 0) {
		lg.l_onoff = 1;
		lg.l_linger = (int)s->opt->linger;
		event_call_start("setsockopt");
		r = setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		conn_event(s, fd, "setsockopt", r, errno, "SO_LINGER");
	}
	if (s->row->bip_on_accept)
		conn_write_bip(s, fd, "bip on accept");
	switch (s->row->close_on_accept) {
	case CLOSE_NOW:
		conn_close(s, fd, "closed right after accept");
		return;
	case CLOSE_LATER:
	case CLOSE_NEVER:
		/* TCP_DEFER_ACCEPT: the request is usually there already. */
		if (s->row->on_data == DATA_HTTP) {
			read_http(s, fd);
			if (c->id == 0)
				return;
		}
		if (watch(s, fd) == -1) {
			conn_event(s, fd, "epoll_ctl", -1, errno, NULL);
			conn_close(s, fd, "cannot watch it");
			return;
		}
		if (s->row->close_on_accept == CLOSE_LATER)
			queue_close(s, fd);
		return;
	}
}

static void
on_listen(struct server *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	for (;;) {
		len = sizeof(ss);
		event_call_start("accept");
		fd = accept4(s->lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			event_step("accept", -1, errno, 0, 0, s->lfd, NULL);
			return;		/* EMFILE and the like: the next edge retries */
		}
		if ((size_t)fd >= s->nconns) {
			close(fd);
			event_step("accept", fd, 0, 0, 0, fd, "descriptor beyond the table: closed");
			continue;
		}
		on_accepted(s, fd);
	}
}

static void
log_read(struct server *s, int fd, ssize_t n, int err)
{
	if (!s->verbose)
		return;
	if (n == -1 && (err == EAGAIN || err == EWOULDBLOCK) && !s->opt->debug)
		return;
	log_io(s, "read", fd, n, err, s->rbuf,
	    n == 0 ? "end of stream: the peer has closed its side" : NULL);
}

/* Reads until the socket is empty; true while the connection is open. */
static bool
read_all(struct server *s, int fd)
{
	ssize_t n;

	for (;;) {
		event_call_start("read");
		n = read(fd, s->rbuf, sizeof(s->rbuf));
		log_read(s, fd, n, errno);
		if (n > 0)
			continue;
		if (n == -1 && errno == EINTR)
			continue;
		return true;	/* EAGAIN, end of stream or error: the rest comes by events */
	}
}

static void
refresh_answer(struct server *s)
{
	time_t now = time(NULL);

	if (now == s->answer_time)
		return;
	s->answer_len = http_answer(s->answer, sizeof(s->answer),
	    s->row->http_connection, now);
	s->answer_time = now;
}

/* Answers every request head read; false once the connection is closed. */
static bool
answer_requests(struct server *s, int fd, unsigned heads)
{
	ssize_t n;

	while (heads-- > 0 && !s->conns[fd].closing) {
		refresh_answer(s);
		event_call_start("write");
		n = write(fd, s->answer, s->answer_len);
		if (s->verbose)
			log_io(s, "write", fd, n, errno, NULL, "HTTP answer");
		if (n != (ssize_t)s->answer_len) {
			conn_close(s, fd, "the answer did not fit: closed");
			return false;
		}
		s->n_requests++;
		switch (s->row->close_after_answer) {
		case CLOSE_NOW:
			conn_close(s, fd, "closed right after the answer");
			return false;
		case CLOSE_LATER:
			queue_close(s, fd);
			break;
		case CLOSE_NEVER:
			break;
		}
	}
	return true;
}

/*
 * Reads and answers. A short read has emptied the socket, so it stops there
 * without the read that would say EAGAIN: data that comes later raises a new
 * edge. The end of the stream is the peer's close.
 */
static void
read_http(struct server *s, int fd)
{
	ssize_t n;

	for (;;) {
		event_call_start("read");
		n = read(fd, s->rbuf, sizeof(s->rbuf));
		if (s->opt->debug)
			log_read(s, fd, n, errno);
		if (n > 0) {
			if (!answer_requests(s, fd, http_scan(&s->conns[fd].scan,
			    s->rbuf, (size_t)n)))
				return;
			if ((size_t)n < sizeof(s->rbuf))
				return;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			on_peer_close(s, fd, EPOLLRDHUP);
		return;
	}
}

static void
on_peer_close(struct server *s, int fd, uint32_t events)
{
	struct conn *c = &s->conns[fd];
	int r;

	if (c->peer_closed)
		return;
	c->peer_closed = true;
	switch (s->row->on_peer_close) {
	case PEER_NOTHING:
		conn_event(s, fd, "peer-close", 0, 0, "the peer closed: nothing to do");
		break;
	case PEER_CLOSE:
		conn_close(s, fd, (events & EPOLLERR) ? "the peer reset" : "the peer closed");
		break;
	case PEER_BIP:
		conn_write_bip(s, fd, "bip after the peer's close");
		break;
	case PEER_SHUTDOWN:
		event_call_start("shutdown");
		r = shutdown(fd, SHUT_WR);
		if (s->verbose) {
			struct event e;

			event_init(&e, "shutdown");
			e.ret = r;
			e.err = r == -1 ? errno : 0;
			e.conn = c->id;
			e.fd = fd;
			e.how = "SHUT_WR";
			event_emit(&e);
		}
		break;
	}
}

static void
on_conn(struct server *s, int fd, uint32_t events)
{
	struct conn *c = &s->conns[fd];
	unsigned long long id = c->id;
	char note[96];
	struct event e;

	if (id == 0)
		return;		/* closed earlier in this batch */
	if (s->verbose) {
		event_init(&e, "epoll");
		e.conn = id;
		e.fd = fd;
		e.events = events;
		if (events & EPOLLERR) {
			int soerr = 0;
			socklen_t len = sizeof(soerr);

			getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
			snprintf(note, sizeof(note), "SO_ERROR %s: %s",
			    errno_name(soerr), strerror(soerr));
			e.note = note;
		}
		event_emit(&e);
	}
	if (events & EPOLLIN) {
		switch (s->row->on_data) {
		case DATA_IGNORE:
			break;
		case DATA_READ:
			read_all(s, fd);
			break;
		case DATA_HTTP:
			/* No answer when the event already carries the close. */
			if ((events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0)
				read_http(s, fd);
			break;
		}
	}
	if (c->id != id)
		return;
	if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		on_peer_close(s, fd, events);
}

static void
on_stats(struct server *s)
{
	static unsigned long long req0, acc0, clo0;
	char note[192], who[32];

	runloop_timer_read(s->stats_tfd);
	if (s->n_requests == req0 && s->n_accepted == acc0 && s->n_closed == clo0)
		return;
	snprintf(who, sizeof(who), "worker %d, ", s->worker);
	snprintf(note, sizeof(note), "%slast second: %llu requests, %llu accepted, %llu closed; %llu open",
	    s->opt->workers > 1 ? who : "", s->n_requests - req0, s->n_accepted - acc0, s->n_closed - clo0,
	    s->n_accepted - s->n_closed);
	event_step("stats", (long long)(s->n_requests - req0), 0, 0, 0, -1, note);
	req0 = s->n_requests;
	acc0 = s->n_accepted;
	clo0 = s->n_closed;
}

/* Listens on [::]:port for both families, or 0.0.0.0:port without IPv6. */
static int
listen_on(struct server *s)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	char addr[ADDR_STRLEN];
	socklen_t len;
	int fd, one = 1, zero = 0, r;

	memset(&ss, 0, sizeof(ss));
	event_call_start("socket");
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd != -1) {
		event_step("socket", fd, 0, 0, 0, fd, "IPv6, for both families");
		event_call_start("setsockopt");
		r = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		event_step("setsockopt", r, errno, 0, 0, fd, "IPV6_V6ONLY 0");
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		sin6->sin6_port = htons(s->opt->port);
		len = sizeof(*sin6);
	} else {
		event_call_start("socket");
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		event_step("socket", fd, errno, 0, 0, fd, "IPv4 only");
		if (fd == -1)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
		sin->sin_port = htons(s->opt->port);
		len = sizeof(*sin);
	}
	event_call_start("setsockopt");
	r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	event_step("setsockopt", r, errno, 0, 0, fd, "SO_REUSEADDR 1");
	addr_format((struct sockaddr *)&ss, addr, sizeof(addr));
	event_call_start("bind");
	r = bind(fd, (struct sockaddr *)&ss, len);
	{
		struct event e;

		event_init(&e, "bind");
		e.ret = r;
		e.err = r == -1 ? errno : 0;
		e.fd = fd;
		e.local = addr;
		event_emit(&e);
	}
	if (r == -1)
		goto fail;
	if (s->row->on_data == DATA_HTTP) {
		/* Accept once the request has come: one wakeup per connection less. */
		event_call_start("setsockopt");
		r = setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &one, sizeof(one));
		event_step("setsockopt", r, errno, 0, 0, fd, "TCP_DEFER_ACCEPT 1");
	}
	event_call_start("listen");
	r = listen(fd, SOMAXCONN);
	{
		struct event e;

		event_init(&e, "listen");
		e.ret = r;
		e.err = r == -1 ? errno : 0;
		e.fd = fd;
		e.local = addr;
		e.note = r == 0 ? "waiting for connections" : NULL;
		event_emit(&e);
	}
	if (r == -1)
		goto fail;
	s->lfd = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

/* With workers, each process's epoll wakes alone for a new connection. */
static int
watch_listener(struct server *s)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLET | (s->opt->workers > 1 ? EPOLLEXCLUSIVE : 0);
	ev.data.u64 = TAG(TAG_LISTEN, s->lfd);
	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &ev);
}

/*
 * --workers N: N - 1 children share the listening socket, each with its own
 * loop, table and timers. A child dies with its parent (PR_SET_PDEATHSIG),
 * so Enter or a signal to the parent ends them all. Returns the worker's
 * number, 0 for the parent.
 */
static int
fork_workers(struct server *s)
{
	pid_t parent = getpid(), pid;
	char note[64];
	long i;

	for (i = 1; i < s->opt->workers; i++) {
		pid = fork();
		if (pid == -1) {
			event_step("fork", -1, errno, 0, 0, -1, NULL);
			return 0;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				_exit(0);
			event_forked();
			snprintf(note, sizeof(note), "worker %ld", i);
			event_step("fork", 0, 0, 0, 0, -1, note);
			return (int)i;
		}
	}
	return 0;
}

/* As many descriptors as the hard limit allows, for the HTTP benchmarks. */
static size_t
table_size(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < CONN_MAX) {
		rl.rlim_cur = rl.rlim_max < CONN_MAX ? rl.rlim_max : CONN_MAX;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur < CONN_MAX ? (size_t)rl.rlim_cur : CONN_MAX;
}

static int
server_loop(struct server *s)
{
	struct epoll_event evs[MAX_EVENTS];
	int i, n;

	for (;;) {
		n = epoll_wait(s->epfd, evs, MAX_EVENTS, -1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			event_step("epoll_wait", -1, errno, 0, 0, s->epfd, NULL);
			return 1;
		}
		for (i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			switch (TAG_KIND(tag)) {
			case TAG_CONN:
				on_conn(s, TAG_VALUE(tag), evs[i].events);
				break;
			case TAG_LISTEN:
				if (!s->opt->no_accept)
					on_listen(s);
				break;
			case TAG_TIMER:
				on_close_timer(s);
				break;
			case TAG_STATS_TIMER:
				on_stats(s);
				break;
			case TAG_RST_TIMER:
				on_rst_timer(s);
				break;
			case TAG_SIGNAL:
				runloop_on_signal(TAG_VALUE(tag));
			case TAG_STDIN:
				if (runloop_on_stdin())
					return 0;
				break;
			default:
				break;
			}
		}
	}
}

static void
server_free(struct server *s)
{
	free(s->conns);
	free(s->queue);
	event_close();
}

int
server_main(int argc, char **argv)
{
	struct server s;
	struct options o;
	char note[256];
	int status;

	if ((status = options_cli(&o, PROG_SERVER, argc, argv)) != -1)
		return status;
	memset(&s, 0, sizeof(s));
	s.opt = &o;
	s.row = server_row(o.code);
	s.verbose = s.row->http_connection == NULL || o.debug;
	s.delay_ns = options_scale(&o, s.row->delay_ns);
	s.lfd = s.close_tfd = s.stats_tfd = s.rst_tfd = -1;
	s.rst_delay_ns = o.rst_after_close > 0 ?
	    options_scale(&o, (uint64_t)o.rst_after_close * 1000000ULL) : 0;
	if (event_open("server", (int)o.code, o.events_path) == -1) {
		fprintf(stderr, "%s: cannot open %s: %s\n", argv[0], o.events_path,
		    strerror(errno));
		return 1;
	}
	snprintf(note, sizeof(note), "code %ld: %s; port %u, time scale %g%s",
	    o.code, s.row->summary, o.port, o.time_scale,
	    s.verbose ? "" : "; one stats line a second (-d: every step)");
	event_step("start", 0, 0, 0, 0, -1, note);

	if (listen_on(&s) == -1)
		return 1;
	s.nconns = table_size();
	s.qcap = 2 * s.nconns;
	s.conns = calloc(s.nconns, sizeof(*s.conns));
	s.queue = calloc(s.qcap, sizeof(*s.queue));
	if (s.conns != NULL && s.queue != NULL)
		s.worker = fork_workers(&s);
	s.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s.conns == NULL || s.queue == NULL || s.epfd == -1 ||
	    runloop_setup(s.epfd, s.worker == 0) == -1 || watch_listener(&s) == -1 ||
	    (s.close_tfd = runloop_timer(s.epfd, TAG(TAG_TIMER, 0))) == -1) {
		fprintf(stderr, "%s: setup failed: %s\n", argv[0], strerror(errno));
		server_free(&s);
		return 1;
	}
	if (o.rst_after_close >= 0 &&
	    (s.rst_tfd = runloop_timer(s.epfd, TAG(TAG_RST_TIMER, 0))) == -1) {
		fprintf(stderr, "%s: setup failed: %s\n", argv[0], strerror(errno));
		server_free(&s);
		return 1;
	}
	if (!s.verbose) {
		s.stats_tfd = runloop_timer(s.epfd, TAG(TAG_STATS_TIMER, 0));
		if (s.stats_tfd != -1) {
			struct itimerspec its = { { 1, 0 }, { 1, 0 } };

			timerfd_settime(s.stats_tfd, 0, &its, NULL);
		}
	}
	status = server_loop(&s);
	if (o.no_accept && s.lfd != -1) {
		/* What was never accepted is reset by this close: logged, so a
		 * test can wait for it rather than for the process's end. */
		int ret;

		event_call_start("close");
		ret = close(s.lfd);
		event_step("close", ret, errno, 0, 0, s.lfd,
		    "the listener, with the connections it never accepted");
		s.lfd = -1;
	}
	server_free(&s);
	return status;
}
