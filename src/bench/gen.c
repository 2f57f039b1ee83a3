/*
 * gen.c - the connection-rate generator of `timewait bench`.
 *
 * One thread, inside the client host's network namespace, keeps
 * `concurrency` connections in flight with one epoll set. Each connection
 * lives in a slot of an array allocated once (no malloc per connection):
 * non-blocking connect, one small request, one small answer, then the
 * close the run asks for:
 *
 *   client  close() right after the answer: the client sends the first FIN
 *           and keeps the TIME_WAIT (the seed's test 003);
 *   server  wait for the server's FIN (read returns 0), then close();
 *   rst     SO_LINGER {1, 0} then close(): a RST, no TIME_WAIT anywhere.
 *
 * A connect that fails (EADDRNOTAVAIL when the ports are all held by
 * TIME_WAIT, EADDRINUSE from bind, ECONNREFUSED...) is counted by errno and
 * its slot is parked in a FIFO. While slots are parked, one of them probes
 * once a millisecond; when a probe gets through (a TIME_WAIT expired), the
 * parked slots restart one after the other until one fails again. So an
 * exhausted generator neither spins nor stops: it takes ports as fast as
 * the kernel frees them, which is what draws the steps in the plot.
 *
 * Through a proxy (--via) it asks HTTP/1.1 with Connection: close, as ab
 * does, and reads until the proxy's FIN: the status line's first digit says
 * whether the exchange is done (2xx) or failed (5xx from the proxy: the
 * backend could not be reached; counted apart from connect errors). A
 * slot whose request got a 5xx waits HOLD_5XX_NS before its next request:
 * an exhausted proxy answers 502 at once, and without the wait the
 * generator would make it write 35,000 error lines a second to its log.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/netns.h"
#include "bench/bench.h"
#include "util.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define NO_SLOT UINT32_MAX
#define PROBE_NS (1 * NSEC_PER_MSEC)
#define PROBE_MAX_NS (8 * NSEC_PER_MSEC)
#define EVENTS_MAX 512
#define HOLD_5XX_NS (100 * NSEC_PER_MSEC)

enum slot_state { S_IDLE, S_CONNECTING, S_ANSWER, S_WAIT_FIN, S_PARKED };

struct slot {
	int fd;
	uint8_t state;
	uint8_t got;		/* answer bytes read so far */
	uint32_t next;		/* parked or held FIFO link */
	uint64_t until;		/* held after a 5xx until then */
};

struct gen {
	struct gen_conf *c;
	struct bench_counters *ctr;
	int ep;
	struct slot *slots;
	uint32_t park_head, park_tail;
	uint32_t hold_head, hold_tail;	/* slots waiting after a 5xx, oldest first */
	uint64_t next_probe;
	uint64_t probe_ns;	/* wait between probes: 1 ms, doubling to 8 ms */
	uint64_t rr;		/* round robin over source addresses and ports */
	uint64_t inflight;
	int draining;		/* stopping: start nothing new */
};

static const char request[] = BENCH_REQUEST;
static const char answer[] = BENCH_ANSWER;
#define REQUEST_LEN (sizeof(request) - 1)
#define ANSWER_LEN (sizeof(answer) - 1)
static const char http_request[] = BENCH_HTTP_REQUEST;

/* got[] of a slot through a proxy: what the status line said. */
enum { HTTP_NONE, HTTP_OK, HTTP_5XX, HTTP_OTHER };

static void
count_error(struct gen *g, int err)
{
	if (err < 0 || err > BENCH_ERRNO_MAX)
		err = BENCH_ERRNO_MAX;
	bench_inc(&g->ctr->errors[err]);
	bench_inc(&g->ctr->failed);
}

static void
set_inflight(struct gen *g, int delta)
{
	g->inflight += (uint64_t)(int64_t)delta;
	atomic_store_explicit(&g->ctr->inflight, g->inflight, memory_order_relaxed);
}

/* Slot i, parked, at the end of the queue head..tail; 1 if it was empty. */
static int
enqueue(struct gen *g, uint32_t *head, uint32_t *tail, uint32_t i)
{
	int was_empty = *tail == NO_SLOT;

	g->slots[i].state = S_PARKED;
	g->slots[i].next = NO_SLOT;
	if (was_empty)
		*head = i;
	else
		g->slots[*tail].next = i;
	*tail = i;
	return was_empty;
}

static void
park(struct gen *g, uint32_t i)
{
	if (g->draining)
		return;
	if (enqueue(g, &g->park_head, &g->park_tail, i)) {
		g->probe_ns = PROBE_NS;
		g->next_probe = now_mono_ns() + PROBE_NS;
	}
}

static uint32_t
unpark(struct gen *g)
{
	uint32_t i = g->park_head;

	if (i == NO_SLOT)
		return NO_SLOT;
	g->park_head = g->slots[i].next;
	if (g->park_head == NO_SLOT)
		g->park_tail = NO_SLOT;
	g->slots[i].state = S_IDLE;
	return i;
}

/* Close a slot's socket; rst: with SO_LINGER {1, 0} so a RST goes out. */
static void
slot_close(struct gen *g, struct slot *s, int rst)
{
	if (rst) {
		struct linger l = { 1, 0 };

		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	close(s->fd);
	s->fd = -1;
	s->state = S_IDLE;
	set_inflight(g, -1);
}

/* Open a connection in slot i. 0, or -1 (counted, socket closed). */
static int
slot_start(struct gen *g, uint32_t i)
{
	struct gen_conf *c = g->c;
	struct slot *s = &g->slots[i];
	struct epoll_event ev;
	int fd, one = 1, zero = 0;
	uint64_t k = g->rr++;
	const struct sockaddr_in *dst = &c->dst[k % (uint64_t)c->ndst];

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		count_error(g, errno);
		return -1;
	}
	bench_inc(&g->ctr->attempts);
	if (c->nsrc > 0) {
		const struct sockaddr_in *src =
		    &c->src[(k / (uint64_t)c->ndst) % (uint64_t)c->nsrc];

		if (c->bind_no_port)
			setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(fd, (const struct sockaddr *)src, sizeof(*src)) == -1)
			goto fail;
	}
	/*
	 * TCP_QUICKACK 0 (ping-pong mode) delays the handshake's last ACK so
	 * that it rides on the request, and later ACKs on our FIN or RST:
	 * fewer segments, 5-8% less CPU per connection in paired runs.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof(zero));
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) == -1 &&
	    errno != EINPROGRESS)
		goto fail;
	/*
	 * Over veth the handshake mostly completes inside connect() itself
	 * (the peer's softirq runs on this CPU), so try the request at once:
	 * that saves waiting for EPOLLOUT. EAGAIN: still connecting.
	 */
	s->state = S_CONNECTING;
	if (write(fd, c->request, c->request_len) == (ssize_t)c->request_len)
		s->state = S_ANSWER;
	else if (errno != EAGAIN)
		goto fail;
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.u64 = i;
	if (epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		goto fail;
	s->fd = fd;
	s->got = 0;
	set_inflight(g, 1);
	return 0;
fail:
	count_error(g, errno);
	close(fd);
	return -1;
}

/* Start slot i, or park it if that fails. */
static void
slot_next(struct gen *g, uint32_t i)
{
	if (g->draining)
		return;
	if (g->park_head != NO_SLOT) {
		/* Others wait already: queue behind them, keep the order fair. */
		park(g, i);
		return;
	}
	if (slot_start(g, i) == -1)
		park(g, i);
}

/*
 * Read what is there. 1: the exchange is over, 0: wait, -1: failed.
 * events: what epoll reported. When it holds EPOLLRDHUP the server's FIN is
 * already queued behind the answer, so --close server needs no read(2)
 * returning 0 to know it: one system call less per connection.
 */
static int
http_read(struct gen *g, struct slot *s)
{
	char buf[2048];

	for (;;) {
		ssize_t n = read(s->fd, buf, sizeof(buf));

		if (n > 0) {
			if (s->got == HTTP_NONE)
				s->got = n < 12 || strncmp(buf, "HTTP/1.", 7) != 0 ? HTTP_OTHER :
				    buf[9] == '2' ? HTTP_OK : buf[9] == '5' ? HTTP_5XX : HTTP_OTHER;
			continue;
		}
		if (n == 0) {
			if (s->got == HTTP_OK)
				return 1;
			if (s->got == HTTP_5XX) {
				bench_inc(&g->ctr->http5xx);
				bench_inc(&g->ctr->failed);
				return -2;
			} else
				count_error(g, s->got == HTTP_NONE ? BENCH_ERR_EOF : EPROTO);
			return -1;
		}
		if (errno == EAGAIN)
			return 0;
		if (errno == EINTR)
			continue;
		count_error(g, errno);
		return -1;
	}
}

static int
slot_read(struct gen *g, struct slot *s, uint32_t events)
{
	char buf[256];

	if (g->c->http)
		return http_read(g, s);

	for (;;) {
		ssize_t n = read(s->fd, buf, sizeof(buf));

		if (n > 0) {
			if (s->state == S_WAIT_FIN || s->got + (size_t)n > ANSWER_LEN) {
				count_error(g, EPROTO);
				return -1;
			}
			s->got = (uint8_t)(s->got + n);
			if (s->got == ANSWER_LEN) {
				if (g->c->close != CLOSE_SERVER || (events & EPOLLRDHUP))
					return 1;
				s->state = S_WAIT_FIN;
			}
			continue;
		}
		if (n == 0) {
			if (s->state == S_WAIT_FIN)
				return 1;
			count_error(g, BENCH_ERR_EOF);
			return -1;
		}
		if (errno == EAGAIN)
			return 0;
		if (errno == EINTR)
			continue;
		count_error(g, errno);
		return -1;
	}
}

/* After a 5xx: the slot's next request in HOLD_5XX_NS. */
static void
hold(struct gen *g, uint32_t i)
{
	if (g->draining)
		return;
	g->slots[i].until = now_mono_ns() + HOLD_5XX_NS;
	(void)enqueue(g, &g->hold_head, &g->hold_tail, i);
}

static void
release_held(struct gen *g)
{
	uint64_t now = now_mono_ns();
	uint32_t i;

	while ((i = g->hold_head) != NO_SLOT && g->slots[i].until <= now) {
		g->hold_head = g->slots[i].next;
		if (g->hold_head == NO_SLOT)
			g->hold_tail = NO_SLOT;
		g->slots[i].state = S_IDLE;
		slot_next(g, i);
	}
}

static void
slot_event(struct gen *g, uint32_t i, uint32_t events)
{
	struct slot *s = &g->slots[i];
	int r;

	if (s->state == S_CONNECTING) {
		if (events & (EPOLLERR | EPOLLHUP)) {
			int err = 0;
			socklen_t len = sizeof(err);

			getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
			count_error(g, err ? err : ECONNABORTED);
			slot_close(g, s, 0);
			park(g, i);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		if (write(s->fd, g->c->request, g->c->request_len) != (ssize_t)g->c->request_len) {
			count_error(g, errno);
			slot_close(g, s, 1);
			park(g, i);
			return;
		}
		s->state = S_ANSWER;
	}
	/* Only writable (the first report after EPOLL_CTL_ADD): nothing to read. */
	if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
		return;
	r = slot_read(g, s, events);
	if (r == 0)
		return;
	if (r == 1) {
		slot_close(g, s, g->c->close == CLOSE_RST);
		bench_inc(&g->ctr->completed);
		slot_next(g, i);
		return;
	}
	/* A 5xx is a whole exchange: closed as ab closes it, with a FIN. */
	slot_close(g, s, r != -2);
	if (r == -2)
		hold(g, i);
	else
		park(g, i);
}

/*
 * While slots are parked: probe with the first one. The wait between two
 * probes doubles from 1 ms up to 8 ms while they fail (an exhausted port
 * range makes each failing connect() walk all of it) and drops back to
 * 1 ms as soon as one gets through.
 */
static void
probe(struct gen *g)
{
	uint32_t i;
	int any = 0;

	while ((i = unpark(g)) != NO_SLOT) {
		if (slot_start(g, i) == -1) {
			if (!any && g->probe_ns < PROBE_MAX_NS)
				g->probe_ns *= 2;
			else if (any)
				g->probe_ns = PROBE_NS;
			g->next_probe = now_mono_ns() + g->probe_ns;
			/* Still no luck: back to the head, try again next tick. */
			g->slots[i].state = S_PARKED;
			g->slots[i].next = g->park_head;
			g->park_head = i;
			if (g->park_tail == NO_SLOT)
				g->park_tail = i;
			return;
		}
		any = 1;
	}
	g->probe_ns = PROBE_NS;
}

static int
probe_timeout_ms(struct gen *g)
{
	uint64_t now = now_mono_ns();

	if (g->hold_head != NO_SLOT && g->park_head == NO_SLOT)
		return g->slots[g->hold_head].until <= now ? 0 :
		    (int)((g->slots[g->hold_head].until - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
	if (g->park_head == NO_SLOT)
		return 50;
	if (now >= g->next_probe)
		return 0;
	return (int)((g->next_probe - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
}

static void
gen_run(struct gen *g)
{
	struct epoll_event ev[EVENTS_MAX];
	uint64_t deadline;
	int i, n;

	for (i = 0; i < g->c->concurrency; i++)
		slot_next(g, (uint32_t)i);
	while (!atomic_load_explicit(g->c->stop, memory_order_relaxed)) {
		n = epoll_wait(g->ep, ev, EVENTS_MAX, probe_timeout_ms(g));
		if (n == -1 && errno != EINTR) {
			snprintf(g->c->err, sizeof(g->c->err), "epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++)
			slot_event(g, (uint32_t)ev[i].data.u64, ev[i].events);
		if (g->park_head != NO_SLOT && now_mono_ns() >= g->next_probe)
			probe(g);
		if (g->hold_head != NO_SLOT)
			release_held(g);
	}
	/* Stop: no new connections; let those in flight finish, for 200 ms at most. */
	g->draining = 1;
	deadline = now_mono_ns() + 200 * NSEC_PER_MSEC;
	while (g->inflight > 0 && now_mono_ns() < deadline) {
		n = epoll_wait(g->ep, ev, EVENTS_MAX, 10);
		for (i = 0; i < n; i++)
			slot_event(g, (uint32_t)ev[i].data.u64, ev[i].events);
	}
	/* Whatever is still open goes with a RST, adding no TIME_WAIT. */
	for (i = 0; i < g->c->concurrency; i++)
		if (g->slots[i].fd != -1)
			slot_close(g, &g->slots[i], 1);
}

void
bench_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

void *
gen_thread(void *arg)
{
	struct gen_conf *c = arg;
	struct gen g;
	int i;

	memset(&g, 0, sizeof(g));
	g.c = c;
	g.ctr = c->ctr;
	g.ep = -1;
	g.park_head = g.park_tail = NO_SLOT;
	g.hold_head = g.hold_tail = NO_SLOT;
	c->request = c->http ? http_request : request;
	c->request_len = c->http ? sizeof(http_request) - 1 : REQUEST_LEN;
	if (c->nsfd >= 0 && host_netns_enter(c->nsfd) == -1) {
		snprintf(c->err, sizeof(c->err), "setns client: %s", strerror(errno));
		goto fail;
	}
	bench_pin(c->cpu);
	g.slots = calloc((size_t)c->concurrency, sizeof(*g.slots));
	g.ep = epoll_create1(EPOLL_CLOEXEC);
	if (g.slots == NULL || g.ep == -1) {
		snprintf(c->err, sizeof(c->err), "generator setup: %s", strerror(errno));
		goto fail;
	}
	for (i = 0; i < c->concurrency; i++)
		g.slots[i].fd = -1;
	atomic_store(&c->ctr->gen_ready, 1);
	gen_run(&g);
	close(g.ep);
	free(g.slots);
	return NULL;
fail:
	if (g.ep != -1)
		close(g.ep);
	free(g.slots);
	atomic_store(&c->ctr->gen_ready, -1);
	return NULL;
}
