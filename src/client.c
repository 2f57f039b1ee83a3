/*
 * client.c - `timewait client`: runs its requests one after the other and
 * ends each connection the way its behaviour code's row (scenario.c) says.
 *
 * One epoll loop watches the request's socket (edge-triggered, EPOLLIN and
 * EPOLLRDHUP), standard input, the signals and two timers: the delayed read
 * and the pause before the next request. The delayed read is a timer, not a
 * thread: while it waits the loop keeps watching the socket, so the server's
 * close can be seen and acted on first (close, shutdown, or nothing). When
 * the timer fires the read is made on the request's descriptor whatever
 * happened to it; if the client closed it meanwhile the read fails with
 * EBADF, and that failure is the point of test 007 (the data is gone).
 * No new descriptor is opened until the request has ended, so the number
 * read is never someone else's.
 *
 * A request ends when no read is pending and either its descriptor is closed
 * or the server's close has been seen and acted on (a shutdown leaves the
 * descriptor open until the program ends). A failed socket, bind or connect
 * ends it at once. Then the next request starts (after a pause for code 3).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "commands.h"
#include "events.h"
#include "http.h"
#include "options.h"
#include "rawrst.h"
#include "runloop.h"
#include "scenario.h"
#include "util.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define MAX_EVENTS	16
#define ANSWER_MAX	8192

struct request {
	int		 n;		/* from 1 */
	bool		 active;
	int		 fd;		/* kept after close, for the late read */
	bool		 open;		/* fd is still ours */
	bool		 connecting;
	uint64_t	 connect_t0;	/* when connect() was called */
	bool		 read_pending;	/* the delayed read is waiting */
	bool		 read_done;
	bool		 server_closed;	/* its action has been taken */
	size_t		 got;		/* HTTP answer bytes so far */
	char		 buf[ANSWER_MAX];
};

struct client {
	const struct options	*opt;
	const struct client_row	*row;
	long			 requests;
	uint64_t		 read_delay_ns;
	uint64_t		 next_delay_ns;
	struct addrinfo		*ai;
	char			 target[300];	/* "server:666" */
	int			 epfd;
	int			 read_tfd;
	int			 next_tfd;
	int			 started;
	bool			 done;
	int			 enters;	/* --next-on-enter: lines not yet used */
	bool			 awaiting;	/* --next-on-enter: the next request waits for one */
	struct request		 req;
};

static void
req_event(struct client *c, const char *step, long long ret, int err,
    const char *note)
{
	event_step(step, ret, err, c->req.n, 0, c->req.fd, note);
}

static void
req_close(struct client *c, const char *note)
{
	struct request *r = &c->req;
	int ret;

	event_call_start("close");
	ret = close(r->fd);
	r->open = false;
	r->connecting = false;
	req_event(c, "close", ret, errno, note);
}

static void
end_request(struct client *c)
{
	struct request *r = &c->req;
	char note[96];

	if (!r->active)
		return;
	r->active = false;
	if (r->open) {
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, r->fd, NULL);
		req_event(c, "end", 0, 0, "request over; the socket stays open until the program ends");
	} else
		req_event(c, "end", 0, 0, "request over");
	if (c->started < c->requests && c->opt->next_on_enter && c->enters == 0) {
		c->awaiting = true;
		event_step("timer", 0, 0, r->n, 0, -1, "next request on Enter");
		return;
	}
	if (c->started < c->requests) {
		if (c->opt->next_on_enter)
			c->enters--;
		if (c->next_delay_ns > 0) {
			snprintf(note, sizeof(note), "next request in %.6g s",
			    (double)c->next_delay_ns / 1e9);
			event_step("timer", 0, 0, r->n, 0, -1, note);
		}
		runloop_arm(c->next_tfd, c->next_delay_ns);
		return;
	}
	c->done = true;
	snprintf(note, sizeof(note), "%d request%s done; %s", c->started,
	    c->started == 1 ? "" : "s", c->opt->quit_when_done ? "quitting" :
	    "Enter or end of input quits");
	event_step("done", 0, 0, 0, 0, -1, note);
}

static void
check_end(struct client *c)
{
	struct request *r = &c->req;

	if (r->active && !r->read_pending && (!r->open || r->server_closed))
		end_request(c);
}

static int
set_opt(struct client *c, int level, int name, const void *v, socklen_t len,
    const char *what)
{
	int ret;

	event_call_start("setsockopt");
	ret = setsockopt(c->req.fd, level, name, v, len);

	req_event(c, "setsockopt", ret, errno, what);
	return ret;
}

static void
send_http(struct client *c)
{
	struct request *r = &c->req;
	char buf[512];
	struct event e;
	size_t len;
	ssize_t n;

	len = http_request(buf, sizeof(buf), c->opt->target, c->row->http_connection);
	event_call_start("write");
	n = write(r->fd, buf, len);
	event_init(&e, "write");
	e.ret = n;
	e.err = n == -1 ? errno : 0;
	e.req = r->n;
	e.fd = r->fd;
	if (n >= 0) {
		e.bytes = n;
		e.data = buf;
		e.datalen = (size_t)n;
	}
	e.note = "HTTP request";
	event_emit(&e);
}

/*
 * --half-close, --shut-rd, --shut-rdwr: a shutdown of our own once
 * connected. SHUT_WR: our side is done writing, reading goes on to the end.
 */
static void
shutdown_logged(struct client *c, int how, const char *note)
{
	struct request *r = &c->req;
	struct event e;
	int ret;

	event_call_start("shutdown");
	ret = shutdown(r->fd, how);
	event_init(&e, "shutdown");
	e.ret = ret;
	e.err = ret == -1 ? errno : 0;
	e.req = r->n;
	e.fd = r->fd;
	e.how = how == SHUT_WR ? "SHUT_WR" : how == SHUT_RD ? "SHUT_RD" : "SHUT_RDWR";
	e.note = note;
	event_emit(&e);
}

static void
own_shutdown(struct client *c, int how)
{
	shutdown_logged(c, how,
	    how == SHUT_WR ? "half-close: nothing more to send, reading goes on" :
	    how == SHUT_RD ? "nothing more to read: reads return 0 once what has come is read" :
	    "nothing more to send or to read");
}

/*
 * After a shutdown of our reading side, epoll says EPOLLRDHUP at once: the
 * server's close is then told by the socket's state (its FIN has come:
 * CLOSE_WAIT, LAST_ACK, CLOSING, or closed in TIME_WAIT or by a RST).
 */
static bool
read_shut(const struct client *c)
{
	return c->opt->shut_rd || c->opt->shut_rdwr;
}

static bool
server_has_closed(const struct client *c)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (!read_shut(c))
		return true;
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(c->req.fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return true;
	switch (ti.tcpi_state) {
	case TCP_CLOSE_WAIT:
	case TCP_LAST_ACK:
	case TCP_CLOSING:
	case TCP_TIME_WAIT:
	case TCP_CLOSE:
		return true;
	default:
		return false;
	}
}

/* The connect has completed, one way or the other. */
static void
on_connected(struct client *c, int err)
{
	struct request *r = &c->req;
	char local[ADDR_STRLEN], remote[ADDR_STRLEN], note[400];
	struct epoll_event ev;
	struct event e;

	r->connecting = false;
	if (err != 0) {
		req_event(c, "connect", -1, err, NULL);
		req_close(c, "connect failed");
		return;
	}
	sock_names(r->fd, local, remote, sizeof(local));
	snprintf(note, sizeof(note), "connected from %s to %s",
	    strrchr(local, ':') ? strrchr(local, ':') + 1 : local, c->target);
	event_init(&e, "connect");
	e.ret = 0;
	e.t0_ns = r->connect_t0;	/* a non-blocking connect: from the call to its end */
	e.req = r->n;
	e.fd = r->fd;
	e.local = local;
	e.remote = remote;
	e.note = note;
	event_emit(&e);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	ev.data.u64 = TAG(TAG_CONN, r->n);
	if (epoll_ctl(c->epfd, EPOLL_CTL_MOD, r->fd, &ev) == -1) {
		req_event(c, "epoll_ctl", -1, errno, NULL);
		req_close(c, "cannot watch it");
		return;
	}
	/* SHUT_RD before the request, so that every byte of the answer comes
	 * after it; SHUT_WR and SHUT_RDWR after it, or it could not be sent. */
	if (c->opt->shut_rd)
		own_shutdown(c, SHUT_RD);
	if (c->row->http_connection)
		send_http(c);
	if (c->opt->half_close)
		own_shutdown(c, SHUT_WR);
	if (c->opt->shut_rdwr)
		own_shutdown(c, SHUT_RDWR);
	if (c->row->close_after_connect)
		req_close(c, "closed right after connect");
}

static void
log_read(struct client *c, ssize_t n, int err, const char *data, const char *note)
{
	struct event e;

	if (n == -1 && (err == EAGAIN || err == EWOULDBLOCK) && !c->opt->debug)
		return;
	event_init(&e, "read");
	e.ret = n;
	e.err = n == -1 ? err : 0;
	e.req = c->req.n;
	e.fd = c->req.fd;
	if (n >= 0) {
		e.bytes = n;
		e.data = data;
		e.datalen = (size_t)n;
	}
	if (n == 0)
		e.note = server_has_closed(c) ? "end of stream: the server has closed its side" :
		    "end of stream: our own shutdown of the reading side, not the server's close";
	if (note)
		e.note = note;
	event_emit(&e);
}

/* Reads what is there now; closes after it when the row says so. */
static void
read_now(struct client *c)
{
	struct request *r = &c->req;
	char buf[4096];
	ssize_t n;

	while (r->open) {
		event_call_start("read");
		n = read(r->fd, buf, sizeof(buf));
		log_read(c, n, errno, buf, NULL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return;
		r->read_done = true;
		if (c->row->close_after_read) {
			req_close(c, "closed right after the read");
			return;
		}
		if (n == 0)
			return;
	}
}

/* HTTP: gathers the answer; closes after it when the row says so. */
static void
read_answer(struct client *c)
{
	struct request *r = &c->req;
	size_t whole;
	ssize_t n;

	while (r->open) {
		if (r->got == sizeof(r->buf))
			r->got = 0;	/* not ours to keep: start over */
		event_call_start("read");
		n = read(r->fd, r->buf + r->got, sizeof(r->buf) - r->got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_read(c, n, errno, NULL, NULL);
			return;
		}
		whole = http_answer_complete(r->buf, r->got + (size_t)n);
		log_read(c, n, 0, r->buf + r->got, whole ? "the HTTP answer is complete" : NULL);
		r->got += (size_t)n;
		if (whole && !r->read_done) {
			r->read_done = true;
			if (c->row->close_after_read) {
				req_close(c, "closed right after the answer");
				return;
			}
		}
	}
}

static void
on_input(struct client *c)
{
	struct request *r = &c->req;
	char note[64];

	if (c->row->http_connection) {
		read_answer(c);
		return;
	}
	if (c->read_delay_ns == 0) {
		read_now(c);
		return;
	}
	if (r->read_pending || r->read_done)
		return;
	r->read_pending = true;
	runloop_arm(c->read_tfd, c->read_delay_ns);
	snprintf(note, sizeof(note), "data waits: read in %.6g s", (double)c->read_delay_ns / 1e9);
	req_event(c, "timer", 0, 0, note);
}

/* The delayed read: made on the request's descriptor, open or not. */
static void
on_read_timer(struct client *c)
{
	struct request *r = &c->req;
	char buf[4096];
	ssize_t n;

	runloop_timer_read(c->read_tfd);
	if (!r->read_pending)
		return;
	r->read_pending = false;
	r->read_done = true;
	event_call_start("read");
	n = read(r->fd, buf, sizeof(buf));
	log_read(c, n, errno, buf, n == -1 && !r->open ? "the data is gone" : NULL);
	if (r->open && c->row->close_after_read)
		req_close(c, "closed right after the delayed read");
	check_end(c);
}

static void
on_server_close(struct client *c)
{
	struct request *r = &c->req;

	r->server_closed = true;
	switch (c->row->on_server_close) {
	case PEER_CLOSE:
		req_close(c, r->read_pending ? "the server closed; our data is still unread" :
		    "the server closed");
		break;
	case PEER_SHUTDOWN:
		shutdown_logged(c, SHUT_WR, "the server closed");
		break;
	case PEER_NOTHING:
	case PEER_BIP:
		req_event(c, "server-close", 0, 0, "the server closed: nothing to do");
		break;
	}
}

static void
on_socket(struct client *c, int n, uint32_t events)
{
	struct request *r = &c->req;
	char note[96];
	struct event e;
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (!r->active || !r->open || n != r->n)
		return;
	event_init(&e, "epoll");
	e.req = r->n;
	e.fd = r->fd;
	e.events = events;
	if ((events & EPOLLERR) || r->connecting) {
		getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
		if (soerr != 0) {
			snprintf(note, sizeof(note), "SO_ERROR %s: %s",
			    errno_name(soerr), strerror(soerr));
			e.note = note;
		}
	}
	event_emit(&e);
	if (r->connecting) {
		if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0)
			return;
		on_connected(c, soerr);
		if (!r->open) {
			check_end(c);
			return;
		}
		if (events & (EPOLLERR | EPOLLHUP))
			return;
	}
	if (events & EPOLLIN)
		on_input(c);
	if (r->open && !r->server_closed && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) &&
	    ((events & EPOLLERR) || server_has_closed(c)))
		on_server_close(c);
	check_end(c);
}

static void
start_request(struct client *c)
{
	struct request *r = &c->req;
	struct sockaddr_storage ss;
	char addr[ADDR_STRLEN];
	struct epoll_event ev;
	struct event e;
	socklen_t len;
	int one = 1, ret;

	memset(r, 0, offsetof(struct request, buf));
	r->n = ++c->started;
	r->active = true;
	event_call_start("socket");
	r->fd = socket(c->ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	event_step("socket", r->fd, errno, r->n, 0, r->fd, NULL);
	if (r->fd == -1)
		goto end;
	r->open = true;
	if (c->opt->linger >= 0) {
		struct linger lg = { 1, (int)c->opt->linger };

		set_opt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg), "SO_LINGER");
	}
	if (c->opt->reuseaddr)
		set_opt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one), "SO_REUSEADDR 1");
	if (c->opt->bind_no_port)
		set_opt(c, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one),
		    "IP_BIND_ADDRESS_NO_PORT 1");
	if (!c->opt->no_bind) {
		uint16_t port = c->opt->bind_no_port ? 0 : c->opt->srcport;

		memset(&ss, 0, sizeof(ss));
		if (c->ai->ai_family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = in6addr_any;
			sin6->sin6_port = htons(port);
			len = sizeof(*sin6);
		} else {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			sin->sin_family = AF_INET;
			sin->sin_addr.s_addr = htonl(INADDR_ANY);
			sin->sin_port = htons(port);
			len = sizeof(*sin);
		}
		addr_format((struct sockaddr *)&ss, addr, sizeof(addr));
		event_call_start("bind");
		ret = bind(r->fd, (struct sockaddr *)&ss, len);
		event_init(&e, "bind");
		e.ret = ret;
		e.err = ret == -1 ? errno : 0;
		e.req = r->n;
		e.fd = r->fd;
		e.local = addr;
		event_emit(&e);
		if (ret == -1) {
			req_close(c, "bind failed");
			goto end;
		}
	}
	if (c->opt->isn >= 0) {
		char what[64];

		snprintf(what, sizeof(what), "TCP_QUEUE_SEQ %ld (the ISN, in TCP_REPAIR)", c->opt->isn);
		event_call_start("setsockopt");
		ret = tcp_set_isn(r->fd, (uint32_t)c->opt->isn);
		req_event(c, "setsockopt", ret, errno, what);
		if (ret == -1) {
			req_close(c, "cannot set the ISN (TCP_REPAIR needs CAP_NET_ADMIN)");
			goto end;
		}
	}
	/* Connect without blocking the loop; its result is logged when known. */
	fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) | O_NONBLOCK);
	event_call_start("connect");
	r->connect_t0 = now_realtime_ns();
	ret = connect(r->fd, c->ai->ai_addr, c->ai->ai_addrlen);
	if (ret == -1 && errno != EINPROGRESS) {
		req_event(c, "connect", -1, errno, NULL);
		req_close(c, "connect failed");
		goto end;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.u64 = TAG(TAG_CONN, r->n);
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, r->fd, &ev) == -1) {
		req_event(c, "epoll_ctl", -1, errno, NULL);
		req_close(c, "cannot watch it");
		goto end;
	}
	if (ret == 0)
		on_connected(c, 0);
	else {
		r->connecting = true;
		if (c->opt->debug || c->opt->close_connecting)
			req_event(c, "connect", -1, EINPROGRESS, "the result comes later");
		if (c->opt->close_connecting) {
			epoll_ctl(c->epfd, EPOLL_CTL_DEL, r->fd, NULL);
			req_close(c, "closed while connecting (SYN_SENT)");
		}
	}
	if (!r->open)
		goto end;
	return;
end:
	check_end(c);
}

/*
 * --next-on-enter: each line on standard input lets one more request
 * start (a line that comes early is kept for the next); once every request
 * is done a line quits, and the end of input always does, as without the
 * option. Returns true to quit.
 */
static bool
on_enter(struct client *c)
{
	char buf[256];
	ssize_t n, i;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (n <= 0) {
		event_step("quit", 0, 0, 0, 0, -1, n == 0 ? "end of standard input" :
		    "standard input failed");
		return true;
	}
	for (i = 0; i < n; i++)
		c->enters += buf[i] == '\n';
	if (c->done && c->enters > 0) {	/* no request left: Enter quits */
		event_step("quit", 0, 0, 0, 0, -1, "Enter pressed");
		return true;
	}
	if (c->awaiting && c->enters > 0) {
		c->awaiting = false;
		c->enters--;
		runloop_arm(c->next_tfd, c->next_delay_ns);
	}
	return false;
}

static int
client_loop(struct client *c)
{
	struct epoll_event evs[MAX_EVENTS];
	int i, n;

	for (;;) {
		if (c->done && c->opt->quit_when_done) {
			event_step("quit", 0, 0, 0, 0, -1, "every request is done");
			return 0;
		}
		n = epoll_wait(c->epfd, evs, MAX_EVENTS, -1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			event_step("epoll_wait", -1, errno, 0, 0, c->epfd, NULL);
			return 1;
		}
		for (i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			switch (TAG_KIND(tag)) {
			case TAG_CONN:
				on_socket(c, TAG_VALUE(tag), evs[i].events);
				break;
			case TAG_READ_TIMER:
				on_read_timer(c);
				break;
			case TAG_NEXT_TIMER:
				runloop_timer_read(c->next_tfd);
				if (!c->req.active && c->started < c->requests)
					start_request(c);
				break;
			case TAG_SIGNAL:
				runloop_on_signal(TAG_VALUE(tag));
			case TAG_STDIN:
				if (c->opt->next_on_enter) {
					if (on_enter(c))
						return 0;
					break;
				}
				if (runloop_on_stdin())
					return 0;
				break;
			default:
				break;
			}
		}
	}
}

static int
resolve(struct client *c, const char *argv0)
{
	struct addrinfo hints;
	char port[8], addr[ADDR_STRLEN], note[400];
	struct event e;
	int err;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", c->opt->port);
	err = getaddrinfo(c->opt->target, port, &hints, &c->ai);
	if (err != 0) {
		fprintf(stderr, "%s: unknown host '%s': %s\n", argv0, c->opt->target,
		    err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err));
		event_step("resolve", -1, 0, 0, 0, -1, "unknown host");
		return -1;
	}
	addr_format(c->ai->ai_addr, addr, sizeof(addr));
	snprintf(note, sizeof(note), "%s is %s", c->target, addr);
	event_init(&e, "resolve");
	e.remote = addr;
	e.note = note;
	event_emit(&e);
	return 0;
}

static void
client_free(struct client *c)
{
	if (c->ai)
		freeaddrinfo(c->ai);
	event_close();
}

int
client_main(int argc, char **argv)
{
	struct client c;
	struct options o;
	char msg[256], note[1024];
	int status;

	if ((status = options_cli(&o, PROG_CLIENT, argc, argv)) != -1)
		return status;
	memset(&c, 0, sizeof(c));
	c.opt = &o;
	c.row = client_row(o.code);
	c.requests = o.requests > 0 ? o.requests : c.row->requests;
	c.read_delay_ns = options_scale(&o, c.row->read_delay_ns);
	c.next_delay_ns = options_scale(&o, c.row->next_delay_ns);
	c.epfd = c.read_tfd = c.next_tfd = -1;
	snprintf(c.target, sizeof(c.target), strchr(o.target, ':') ? "[%s]:%u" : "%s:%u",
	    o.target, o.port);
	if (event_open("client", (int)o.code, o.events_path) == -1) {
		fprintf(stderr, "%s: cannot open %s: %s\n", argv[0], o.events_path,
		    strerror(errno));
		return 1;
	}
	snprintf(note, sizeof(note), "code %ld: %s; %ld request%s to %s from port %s, time scale %g",
	    o.code, c.row->summary, c.requests, c.requests == 1 ? "" : "s", c.target,
	    o.no_bind ? "(kernel's choice)" : o.bind_no_port ? "(chosen at connect)" :
	    (snprintf(msg, sizeof(msg), "%u", o.srcport), msg), o.time_scale);
	event_step("start", 0, 0, 0, 0, -1, note);
	if (resolve(&c, argv[0]) == -1) {
		client_free(&c);
		return 1;
	}
	c.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c.epfd == -1 || runloop_setup(c.epfd, true) == -1 ||
	    (c.read_tfd = runloop_timer(c.epfd, TAG(TAG_READ_TIMER, 0))) == -1 ||
	    (c.next_tfd = runloop_timer(c.epfd, TAG(TAG_NEXT_TIMER, 0))) == -1) {
		fprintf(stderr, "%s: setup failed: %s\n", argv[0], strerror(errno));
		client_free(&c);
		return 1;
	}
	start_request(&c);
	status = client_loop(&c);
	client_free(&c);
	return status;
}
