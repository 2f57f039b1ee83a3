/*
 * srv.c - the server of `timewait bench`.
 *
 * One thread, inside the server host's network namespace: one listener per
 * port (level-triggered, accept4 in a bounded loop), every connection
 * edge-triggered in the same epoll set. Per connection it keeps two bytes,
 * in arrays indexed by descriptor: its state and how much of the request
 * has come. It reads the request, writes the fixed answer, then:
 *
 *   close server       close() at once: the server sends the first FIN and
 *                      keeps the TIME_WAIT;
 *   close client, rst  wait for the client's FIN or RST (read returns 0 or
 *                      fails), then close().
 *
 * The listeners use TCP_DEFER_ACCEPT, so accept4 mostly hands over a
 * socket whose request is already there and is answered without waiting
 * for another epoll round.
 *
 * Behind a proxy (bench --via) it is a backend speaking HTTP/1.1, as the
 * programs' server codes do: any request ending in an empty line is
 * answered; code 8 answers keep-alive and waits for more requests or the
 * proxy's close (the proxy closes first), code 9 answers Connection: close
 * and closes at once (the backend closes first). Its got[] byte then holds
 * how much of the request's closing CRLF CRLF has come.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/netns.h"
#include "bench/bench.h"
#include "util.h"

#define EVENTS_MAX 512
#define ACCEPT_BATCH 64
#define LISTEN_TAG (1ULL << 32)	/* epoll data of a listener: tag | index */

enum conn_state { C_NONE, C_REQUEST, C_WAIT_CLOSE };

struct srv {
	struct srv_conf *c;
	int ep;
	int lfd[BENCH_MAX_ADDRS];
	uint8_t *state;		/* by descriptor */
	uint8_t *got;		/* request bytes read, by descriptor */
	size_t nfds;		/* size of both arrays */
	uint64_t resume_ns;	/* accepting paused until then; 0: not paused */
};

static const char request[] = BENCH_REQUEST;
static const char answer[] = BENCH_ANSWER;
#define REQUEST_LEN (sizeof(request) - 1)
#define ANSWER_LEN (sizeof(answer) - 1)
static const char answer_keep[] = BENCH_HTTP_ANSWER("keep-alive");
static const char answer_close[] = BENCH_HTTP_ANSWER("close");

/*
 * A failed connection. Once the generator has stopped, it resets what it
 * still had in flight: those are counted apart, not as errors.
 */
static void
srv_error(struct srv *s)
{
	if (atomic_load_explicit(&s->c->ctr->gen_stopped, memory_order_relaxed))
		bench_inc(&s->c->ctr->srv_cut);
	else
		bench_inc(&s->c->ctr->srv_errors);
}

static void
conn_close(struct srv *s, int fd)
{
	s->state[fd] = C_NONE;
	close(fd);
}

/*
 * Read and answer, or read the peer's close. 1: keep waiting, 0: closed.
 * fresh: the socket is not in the epoll set yet; then there is no need to
 * read on to EAGAIN after answering, since EPOLL_CTL_ADD reports what is
 * already pending (one read(2) less per connection).
 */
static int
http_work(struct srv *s, int fd)
{
	static const char end[] = "\r\n\r\n";
	int code9 = s->c->close == CLOSE_SERVER;
	const char *a = code9 ? answer_close : answer_keep;
	size_t alen = code9 ? sizeof(answer_close) - 1 : sizeof(answer_keep) - 1;
	char buf[2048];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf)), i;

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			/* Between two requests a close or reset is how a proxy ends. */
			if (s->got[fd] != 0 || (n < 0 && errno != ECONNRESET))
				srv_error(s);
			conn_close(s, fd);
			return 0;
		}
		if (n < 0) {
			if (errno == EAGAIN)
				return 1;
			continue;
		}
		for (i = 0; i < n; i++) {
			uint8_t g = s->got[fd];

			g = buf[i] == end[g] ? (uint8_t)(g + 1) : (buf[i] == '\r' ? 1 : 0);
			s->got[fd] = g;
			if (g < 4)
				continue;
			s->got[fd] = 0;
			if (send(fd, a, alen, MSG_NOSIGNAL) != (ssize_t)alen) {
				srv_error(s);
				conn_close(s, fd);
				return 0;
			}
			bench_inc(&s->c->ctr->answered);
			if (code9) {
				conn_close(s, fd);
				return 0;
			}
		}
	}
}

static int
conn_work(struct srv *s, int fd, int fresh)
{
	char buf[256];

	if (s->c->http)
		return http_work(s, fd);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0) {
			if (s->state[fd] != C_REQUEST || s->got[fd] + (size_t)n > REQUEST_LEN) {
				srv_error(s);
				conn_close(s, fd);
				return 0;
			}
			s->got[fd] = (uint8_t)(s->got[fd] + n);
			if (s->got[fd] < REQUEST_LEN)
				continue;
			/*
			 * Closing first: MSG_MORE holds the answer back until
			 * close(), which sends it with the FIN in one segment:
			 * a packet less per connection, about 11% less CPU.
			 */
			if (send(fd, answer, ANSWER_LEN, s->c->close == CLOSE_SERVER ?
			    MSG_MORE : 0) != (ssize_t)ANSWER_LEN) {
				srv_error(s);
				conn_close(s, fd);
				return 0;
			}
			bench_inc(&s->c->ctr->answered);
			if (s->c->close == CLOSE_SERVER) {
				conn_close(s, fd);
				return 0;
			}
			s->state[fd] = C_WAIT_CLOSE;
			if (fresh)
				return 1;
			continue;
		}
		if (n == 0) {
			if (s->state[fd] != C_WAIT_CLOSE)
				srv_error(s);
			conn_close(s, fd);
			return 0;
		}
		if (errno == EAGAIN)
			return 1;
		if (errno == EINTR)
			continue;
		/* ECONNRESET is how a --close rst connection ends: no error. */
		if (errno != ECONNRESET || s->state[fd] != C_WAIT_CLOSE)
			srv_error(s);
		conn_close(s, fd);
		return 0;
	}
}

/*
 * Out of descriptors: the listeners stay readable, so a level-triggered
 * loop would spin on accept4. Take them out of the set for 10 ms.
 */
static void
pause_accepting(struct srv *s)
{
	struct epoll_event ev = { 0 };
	int k;

	for (k = 0; k < s->c->nports; k++)
		epoll_ctl(s->ep, EPOLL_CTL_MOD, s->lfd[k], &ev);
	s->resume_ns = now_mono_ns() + 10 * NSEC_PER_MSEC;
}

static void
resume_accepting(struct srv *s)
{
	struct epoll_event ev;
	int k;

	for (k = 0; k < s->c->nports; k++) {
		ev.events = EPOLLIN;
		ev.data.u64 = LISTEN_TAG | (uint64_t)s->lfd[k];
		epoll_ctl(s->ep, EPOLL_CTL_MOD, s->lfd[k], &ev);
	}
	s->resume_ns = 0;
}

static void
accept_some(struct srv *s, int lfd)
{
	struct epoll_event ev;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
				return;
			srv_error(s);
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				pause_accepting(s);
			return;
		}
		bench_inc(&s->c->ctr->accepted);
		if ((size_t)fd >= s->nfds) {
			srv_error(s);
			close(fd);
			continue;
		}
		s->state[fd] = C_REQUEST;
		s->got[fd] = 0;
		if (conn_work(s, fd, 1) == 0)
			continue;
		ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
		ev.data.u64 = (uint64_t)fd;
		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
			srv_error(s);
			conn_close(s, fd);
		}
	}
}

static int
listen_on(struct srv *s, int k, char *err, size_t errlen)
{
	struct sockaddr_in a;
	struct epoll_event ev;
	int fd, one = 1, secs = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)(s->c->port + k));
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	s->lfd[k] = fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof(secs));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1 || listen(fd, 65535) == -1)
		goto fail;
	ev.events = EPOLLIN;
	ev.data.u64 = LISTEN_TAG | (uint64_t)fd;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "listen on port %d: %s", s->c->port + k, strerror(errno));
	return -1;
}

static void
srv_run(struct srv *s)
{
	struct epoll_event ev[EVENTS_MAX];
	int i, n;

	while (!atomic_load_explicit(s->c->stop, memory_order_relaxed)) {
		n = epoll_wait(s->ep, ev, EVENTS_MAX, s->resume_ns ? 10 : 50);
		if (s->resume_ns && now_mono_ns() >= s->resume_ns)
			resume_accepting(s);
		for (i = 0; i < n; i++) {
			uint64_t d = ev[i].data.u64;

			if (d & LISTEN_TAG)
				accept_some(s, (int)(d & 0xffffffffu));
			else if (s->state[d] == C_WAIT_CLOSE &&
			    (ev[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
				conn_close(s, (int)d);	/* the client's FIN or RST: no read needed */
			else if (s->state[d] != C_NONE)
				conn_work(s, (int)d, 0);
		}
	}
}

void *
srv_thread(void *arg)
{
	struct srv_conf *c = arg;
	struct srv s;
	struct rlimit rl;
	size_t fd;
	int k;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.ep = -1;
	for (k = 0; k < BENCH_MAX_ADDRS; k++)
		s.lfd[k] = -1;
	if (c->nsfd >= 0 && host_netns_enter(c->nsfd) == -1) {
		snprintf(c->err, sizeof(c->err), "setns server: %s", strerror(errno));
		goto out;
	}
	bench_pin(c->cpu);
	s.nfds = 65536;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur > s.nfds)
		s.nfds = rl.rlim_cur;
	s.state = calloc(s.nfds, 1);
	s.got = calloc(s.nfds, 1);
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (s.state == NULL || s.got == NULL || s.ep == -1) {
		snprintf(c->err, sizeof(c->err), "server setup: %s", strerror(errno));
		goto out;
	}
	for (k = 0; k < c->nports; k++)
		if (listen_on(&s, k, c->err, sizeof(c->err)) == -1)
			goto out;
	atomic_store(&c->ctr->srv_ready, 1);
	srv_run(&s);
	for (fd = 0; fd < s.nfds; fd++)
		if (s.state[fd] != C_NONE)
			conn_close(&s, (int)fd);
out:
	if (atomic_load(&c->ctr->srv_ready) != 1)
		atomic_store(&c->ctr->srv_ready, -1);
	for (k = 0; k < BENCH_MAX_ADDRS; k++)
		if (s.lfd[k] != -1)
			close(s.lfd[k]);
	if (s.ep != -1)
		close(s.ep);
	free(s.state);
	free(s.got);
	return NULL;
}
