/*
 * test_capture_live.c - capture.c, sockdiag.c and pcapread.c against a real
 * kernel: two network namespaces joined by a veth pair, a TCP connection
 * between them, captures on both ends, socket snapshots of both sides, and
 * tshark as an independent reader of the files we write.
 *
 * Why a private two-namespace setup instead of lab.h: the lab is built on
 * another branch at the same time; this test needs only two hosts and a
 * wire, made with `ip` and always deleted at the end (also when an
 * assertion fails: the group teardown runs in every case). Every name
 * carries our pid ("twc-<pid>-a"), nothing outside those namespaces is
 * touched, and the traffic never leaves them.
 *
 * Needs root: otherwise every test is skipped and the program exits 77
 * ("skip" for tests/run.sh).
 *
 * With the argument "burst [CONNECTIONS [CAPTURES]]" it is also the capture
 * benchmark (bench/capture.sh, tests/integration/capture_sockdiag.sh):
 * CAPTURES captures (half on each end) while CONNECTIONS connections are made
 * as fast as possible, then it prints what each capture wrote and dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "host/capture.h"
#include "host/sockdiag.h"
#include "pcapread.h"
#include "util.h"

#define SIDE_A 0	/* the client: it closes first, ends in TIME_WAIT */
#define SIDE_B 1	/* the server */

static const char *const addr4[2] = { "10.199.77.1", "10.199.77.2" };
static const char *const addr6[2] = { "fd00:77::1", "fd00:77::2" };

static struct {
	int ready;			/* the namespaces exist */
	char ns[2][32];			/* "twc-<pid>-a", "twc-<pid>-b" */
	int nsfd[2];
	char dir[64];			/* temporary folder for the pcaps */
	char setup_err[256];
} net = { .nsfd = { -1, -1 } };

/* Runs a shell command (test setup only); its exit status. */
static int
sh(const char *f, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, f);
	vsnprintf(cmd, sizeof(cmd), f, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc;
}

/* TIME_WAIT sockets of a namespace as ss counts them. */
static int
ss_time_wait(const char *ns)
{
	char cmd[256], line[64];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd),
	    "ip netns exec %s ss -H -4 -tan state time-wait | wc -l", ns);
	f = popen(cmd, "r");
	if (f == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) != NULL)
		n = atoi(line);
	pclose(f);
	return n;
}

/* Removes the pcaps of the folder and the folder. */
static void
remove_dir(void)
{
	if (net.dir[0] == '\0')
		return;
	sh("rm -rf -- '%s'", net.dir);
	net.dir[0] = '\0';
}

static int
net_down(void **state)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (net.nsfd[i] >= 0)
			close(net.nsfd[i]);
		net.nsfd[i] = -1;
		if (net.ns[i][0] != '\0')
			sh("ip netns del %s 2>/dev/null", net.ns[i]);
		net.ns[i][0] = '\0';
	}
	net.ready = 0;
	remove_dir();
	(void)state;
	return 0;
}

static int
net_up(void **state)
{
	char path[96];
	int i;

	if (geteuid() != 0) {
		snprintf(net.setup_err, sizeof(net.setup_err), "needs root");
		return 0;
	}
	snprintf(net.dir, sizeof(net.dir), "/tmp/twc-live-XXXXXX");
	if (mkdtemp(net.dir) == NULL) {
		snprintf(net.setup_err, sizeof(net.setup_err), "mkdtemp: %s",
		    strerror(errno));
		net.dir[0] = '\0';
		return 0;
	}
	for (i = 0; i < 2; i++) {
		snprintf(net.ns[i], sizeof(net.ns[i]), "twc-%d-%c",
		    (int)getpid(), 'a' + i);
		if (sh("ip netns add %s", net.ns[i]) != 0) {
			net.ns[i][0] = '\0';
			goto fail;
		}
	}
	/* Both ends are made inside the namespaces: the host's own
	 * namespace never holds either of them, not even for a moment. */
	if (sh("ip -n %s link add eth0 type veth peer name eth0 netns %s",
	    net.ns[0], net.ns[1]) != 0)
		goto fail;
	for (i = 0; i < 2; i++) {
		if (sh("ip -n %s link set lo up && "
		    "ip -n %s addr add %s/24 dev eth0 && "
		    "ip -n %s addr add %s/64 dev eth0 nodad && "
		    "ip -n %s link set eth0 up",
		    net.ns[i], net.ns[i], addr4[i], net.ns[i], addr6[i],
		    net.ns[i]) != 0)
			goto fail;
		snprintf(path, sizeof(path), "/run/netns/%s", net.ns[i]);
		net.nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (net.nsfd[i] < 0)
			goto fail;
	}
	net.ready = 1;
	return 0;
fail:
	snprintf(net.setup_err, sizeof(net.setup_err), "could not build the "
	    "two test namespaces (see the messages above)");
	net_down(state);
	return 0;
}

/* Skips (no root) or fails (root, but no namespaces) a test. */
static void
need_net(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "needs root: skipped\n");
		skip();
	}
	if (!net.ready)
		fail_msg("%s", net.setup_err);
}

/* ---- A TCP exchange between the two namespaces, from threads. ---- */

struct peer {
	int nsfd;
	int family;
	const char *addr;	/* own address */
	const char *peer;	/* the server's address (client only) */
	uint16_t port;		/* own port */
	uint16_t peer_port;
	int nconn;		/* connections to make / accept */
	int listenfd;		/* server: made before the client starts */
	int rc;
	char err[160];
};

static socklen_t
make_sockaddr(int family, const char *addr, uint16_t port,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	inet_pton(AF_INET6, addr, &s6->sin6_addr);
	return sizeof(*s6);
}

static void
set_timeouts(int fd)
{
	struct timeval tv = { 5, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Accepts p->nconn connections; reads each to its end, then closes. */
static void *
server_thread(void *arg)
{
	struct peer *p = arg;
	char buf[256];
	int i;

	for (i = 0; i < p->nconn; i++) {
		int c = accept(p->listenfd, NULL, NULL);
		ssize_t n;

		if (c < 0) {
			snprintf(p->err, sizeof(p->err), "accept: %s",
			    strerror(errno));
			p->rc = -1;
			return NULL;
		}
		set_timeouts(c);
		while ((n = read(c, buf, sizeof(buf))) > 0)
			;
		if (n < 0) {
			snprintf(p->err, sizeof(p->err), "read: %s",
			    strerror(errno));
			p->rc = -1;
		}
		close(c);
	}
	return NULL;
}

/* Makes p->nconn connections: bind, connect, write "hello", close first. */
static void *
client_thread(void *arg)
{
	struct peer *p = arg;
	struct sockaddr_storage me, srv;
	socklen_t mlen, slen;
	int i;

	if (setns(p->nsfd, CLONE_NEWNET) != 0) {
		snprintf(p->err, sizeof(p->err), "setns: %s", strerror(errno));
		p->rc = -1;
		return NULL;
	}
	slen = make_sockaddr(p->family, p->peer, p->peer_port, &srv);
	for (i = 0; i < p->nconn; i++) {
		int fd = socket(p->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		/* One connection binds its port, as the seed's client
		 * does. Many let connect() choose: a bind to port 0
		 * cannot know the peer, so it must skip every port held
		 * in TIME_WAIT and slows down as they pile up (measured:
		 * 20,000 connections at 580 a second). */
		mlen = make_sockaddr(p->family, p->addr, p->port, &me);
		if (fd < 0 || (p->nconn == 1 &&
		    bind(fd, (struct sockaddr *)&me, mlen) != 0) ||
		    connect(fd, (struct sockaddr *)&srv, slen) != 0 ||
		    write(fd, "hello", 5) != 5) {
			snprintf(p->err, sizeof(p->err), "connection %d: %s",
			    i, strerror(errno));
			p->rc = -1;
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		close(fd);
	}
	return NULL;
}

/* The server's listening socket, made in its namespace by a thread. */
static void *
listen_thread(void *arg)
{
	struct peer *p = arg;
	struct sockaddr_storage me;
	socklen_t len;
	int one = 1;

	if (setns(p->nsfd, CLONE_NEWNET) != 0) {
		snprintf(p->err, sizeof(p->err), "setns: %s", strerror(errno));
		p->rc = -1;
		return NULL;
	}
	len = make_sockaddr(p->family, p->addr, p->port, &me);
	p->listenfd = socket(p->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->listenfd < 0 ||
	    setsockopt(p->listenfd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 ||
	    bind(p->listenfd, (struct sockaddr *)&me, len) != 0 ||
	    listen(p->listenfd, 4096) != 0) {
		snprintf(p->err, sizeof(p->err), "listen: %s", strerror(errno));
		p->rc = -1;
		return NULL;
	}
	set_timeouts(p->listenfd);
	return NULL;
}

/*
 * nconn connections from side A to side B over family; the client closes
 * each first. Returns once both sides are done and the last packets have
 * had time to cross.
 */
static void
exchange(int family, int nconn, uint16_t cport, uint16_t sport)
{
	const char *const *addr = family == AF_INET ? addr4 : addr6;
	struct peer srv = { net.nsfd[SIDE_B], family, addr[SIDE_B], NULL,
	    sport, 0, nconn, -1, 0, "" };
	struct peer cli = { net.nsfd[SIDE_A], family, addr[SIDE_A],
	    addr[SIDE_B], cport, sport, nconn, -1, 0, "" };
	pthread_t ts, tc;

	assert_int_equal(pthread_create(&ts, NULL, listen_thread, &srv), 0);
	pthread_join(ts, NULL);
	if (srv.rc != 0)
		fail_msg("server: %s", srv.err);
	assert_int_equal(pthread_create(&ts, NULL, server_thread, &srv), 0);
	assert_int_equal(pthread_create(&tc, NULL, client_thread, &cli), 0);
	pthread_join(tc, NULL);
	if (cli.rc != 0) {
		/* Unblock the server's accept, then report. */
		shutdown(srv.listenfd, SHUT_RDWR);
		pthread_join(ts, NULL);
		close(srv.listenfd);
		fail_msg("client: %s", cli.err);
	}
	pthread_join(ts, NULL);
	close(srv.listenfd);
	if (srv.rc != 0)
		fail_msg("server: %s", srv.err);
	sleep_ns(100 * NSEC_PER_MSEC);	/* the last ACKs reach both ends */
}

/* ---- Checks on what was written. ---- */

struct flag_counts {
	int syn, synack, fin, rst, data, total;
};

static struct flag_counts
count_flags(const struct tcp_pkt *p, size_t n)
{
	struct flag_counts c = { 0, 0, 0, 0, 0, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t f = p[i].flags;

		c.total++;
		if ((f & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN)
			c.syn++;
		if ((f & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK))
			c.synack++;
		if (f & TCPF_FIN)
			c.fin++;
		if (f & TCPF_RST)
			c.rst++;
		if (p[i].len > 0)
			c.data++;
	}
	return c;
}

/*
 * tshark reads path: the same TCP segments, in the same order, with the
 * same nanosecond times, flags, lengths and raw sequence numbers.
 */
static void
check_with_tshark(const char *path, const struct tcp_pkt *p, size_t n)
{
	char cmd[512], line[512];
	size_t i = 0;
	FILE *f;

	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		fprintf(stderr, "tshark not installed: independent read "
		    "not checked\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "tshark -r '%s' -Y tcp -T fields "
	    "-E separator=/t -e frame.time_epoch -e tcp.flags.str -e tcp.len "
	    "-e tcp.seq_raw 2>/dev/null", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long long sec, frac, seq;
		unsigned len;
		char flags[128], fracs[16];
		uint8_t fl = 0;
		char *q;

		if (sscanf(line, "%llu.%15[0-9]\t%127s\t%u\t%llu", &sec, fracs,
		    flags, &len, &seq) != 5) {
			pclose(f);
			fail_msg("tshark line not understood: %s", line);
		}
		/* Nine digits of fraction: tshark saw a nanosecond file. */
		assert_int_equal(strlen(fracs), 9);
		frac = strtoull(fracs, NULL, 10);
		for (q = flags; *q != '\0'; q++) {
			switch (*q) {
			case 'F': fl |= TCPF_FIN; break;
			case 'S': fl |= TCPF_SYN; break;
			case 'R': fl |= TCPF_RST; break;
			case 'P': fl |= TCPF_PSH; break;
			case 'A': fl |= TCPF_ACK; break;
			case 'U': fl |= TCPF_URG; break;
			case 'E': fl |= TCPF_ECE; break;
			case 'C': fl |= TCPF_CWR; break;
			default: break;	/* the dots between the letters */
			}
		}
		if (i >= n) {
			pclose(f);
			fail_msg("tshark reads more TCP segments than we do");
		}
		assert_int_equal(sec * 1000000000ULL + frac, p[i].t_ns);
		assert_int_equal(fl, p[i].flags);
		assert_int_equal(len, p[i].len);
		assert_int_equal(seq, p[i].seq);
		i++;
	}
	assert_int_equal(pclose(f), 0);
	assert_int_equal(i, n);
}

static void
read_capture(const char *path, struct tcp_pkt **p, size_t *n)
{
	char err[256];

	if (pcap_read_tcp(path, p, n, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static const struct sd_sock *
find_time_wait(const struct sd_sock *s, size_t n, int family, int *count)
{
	const struct sd_sock *tw = NULL;
	size_t i;

	*count = 0;
	for (i = 0; i < n; i++) {
		if (s[i].state != 6 || s[i].family != family)
			continue;
		(*count)++;
		tw = &s[i];
	}
	return tw;
}

/* The namespace nsfd's TIME_WAIT sockets of family: how many in *count,
 * the last one returned; *s holds them all (free it). */
static const struct sd_sock *
time_waits(int nsfd, int family, struct sd_sock **s, int *count)
{
	char err[256];
	size_t n;

	if (sockdiag_snapshot(nsfd, s, &n, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return find_time_wait(*s, n, family, count);
}

/*
 * Two captures' views of one segment: the same fields; each capture
 * stamps a packet on its own, so the times only come close.
 */
static void
assert_same_segment(const struct tcp_pkt *a, const struct tcp_pkt *b)
{
	uint64_t dt = a->t_ns > b->t_ns ? a->t_ns - b->t_ns : b->t_ns - a->t_ns;

	assert_true(dt < 5 * NSEC_PER_MSEC);
	assert_int_equal(a->family, b->family);
	assert_string_equal(a->src, b->src);
	assert_string_equal(a->dst, b->dst);
	assert_int_equal(a->sport, b->sport);
	assert_int_equal(a->dport, b->dport);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->ack, b->ack);
	assert_int_equal(a->len, b->len);
	assert_int_equal(a->win, b->win);
}

/* ---- The tests. ---- */

static void
test_no_such_interface(void **state)
{
	char err[256] = "", path[128];
	struct capture *c;

	need_net();
	snprintf(path, sizeof(path), "%s/none.pcap", net.dir);
	/* The host's own interfaces do not exist in a test namespace. */
	c = capture_start(net.nsfd[SIDE_A], "twc-nosuch0", path, err,
	    sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "no such interface"));
	assert_int_equal(access(path, F_OK), -1);
	(void)state;
}

/* The interface is deleted before the stop: no error, a readable file. */
static void
test_interface_vanishes(void **state)
{
	char err[256], path[128];
	struct capture_stats st;
	struct capture *c;
	struct tcp_pkt *p;
	size_t n;

	need_net();
	assert_int_equal(sh("ip -n %s link add twtmp0 type veth peer name "
	    "twtmp1 && ip -n %s link set twtmp0 up", net.ns[SIDE_A],
	    net.ns[SIDE_A]), 0);
	snprintf(path, sizeof(path), "%s/gone.pcap", net.dir);
	c = capture_start(net.nsfd[SIDE_A], "twtmp0", path, err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(sh("ip -n %s link del twtmp0", net.ns[SIDE_A]), 0);
	sleep_ns(50 * NSEC_PER_MSEC);
	assert_int_equal(capture_stop(c, &st), 0);
	read_capture(path, &p, &n);
	free(p);
	(void)state;
}

/*
 * One IPv4 connection, client closes first: both captures hold the whole
 * conversation, tshark agrees with us, the client holds one TIME_WAIT
 * socket with 50-60 s left and the server none.
 */
static void
test_ipv4_close_by_client(void **state)
{
	char err[256], path[2][128];
	struct capture *c[2];
	struct capture_stats st[2];
	struct tcp_pkt *p[2];
	size_t n[2];
	struct sd_sock *s;
	const struct sd_sock *tw;
	struct flag_counts fc[2];
	uint64_t t_before, t_after;
	int i, count;

	need_net();
	for (i = 0; i < 2; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/v4-%c.pcap", net.dir,
		    'a' + i);
		c[i] = capture_start(net.nsfd[i], "eth0", path[i], err,
		    sizeof(err));
		if (c[i] == NULL)
			fail_msg("%s", err);
	}
	t_before = now_realtime_ns();
	exchange(AF_INET, 1, 667, 666);
	t_after = now_realtime_ns();
	for (i = 0; i < 2; i++)
		assert_int_equal(capture_stop(c[i], &st[i]), 0);

	for (i = 0; i < 2; i++) {
		read_capture(path[i], &p[i], &n[i]);
		fc[i] = count_flags(p[i], n[i]);
		fprintf(stderr, "side %c: %llu packets written, %zu TCP, "
		    "%llu dropped, %llu dropped by the interface\n", 'a' + i,
		    (unsigned long long)st[i].packets, n[i],
		    (unsigned long long)st[i].dropped,
		    (unsigned long long)st[i].if_dropped);
		assert_true(st[i].packets >= n[i]);
		assert_int_equal(st[i].dropped, 0);
		assert_int_equal(fc[i].syn, 1);
		assert_int_equal(fc[i].synack, 1);
		assert_int_equal(fc[i].fin, 2);
		assert_int_equal(fc[i].rst, 0);
		assert_int_equal(fc[i].data, 1);
		assert_true(n[i] >= 7 && n[i] <= 9);
		/* The first segment: the client's SYN from its bound port. */
		assert_string_equal(p[i][0].src, addr4[SIDE_A]);
		assert_string_equal(p[i][0].dst, addr4[SIDE_B]);
		assert_int_equal(p[i][0].sport, 667);
		assert_int_equal(p[i][0].dport, 666);
		assert_int_equal(p[i][0].flags, TCPF_SYN);
		/* Packet times are on the wall clock, the clock of the
		 * programs' event logs, and in order. */
		for (size_t k = 0; k < n[i]; k++) {
			assert_true(p[i][k].t_ns >= t_before);
			assert_true(p[i][k].t_ns <= t_after);
			assert_true(k == 0 || p[i][k].t_ns >= p[i][k - 1].t_ns);
		}
		check_with_tshark(path[i], p[i], n[i]);
	}
	/* Both ends saw the same segments. */
	assert_int_equal(n[0], n[1]);
	assert_memory_equal(&fc[0], &fc[1], sizeof(fc[0]));
	/* The client's FIN comes before the server's. */
	for (i = 0; i < (int)n[0] && !(p[0][i].flags & TCPF_FIN); i++)
		;
	assert_true(i < (int)n[0]);
	assert_string_equal(p[0][i].src, addr4[SIDE_A]);
	free(p[0]);
	free(p[1]);

	tw = time_waits(net.nsfd[SIDE_A], AF_INET, &s, &count);
	assert_int_equal(count, 1);
	assert_string_equal(tw->local, "10.199.77.1:667");
	assert_string_equal(tw->remote, "10.199.77.2:666");
	assert_int_equal(tw->timer, 3);
	fprintf(stderr, "client TIME_WAIT %s -> %s, %u ms left\n", tw->local,
	    tw->remote, tw->expires_ms);
	assert_true(tw->expires_ms >= 50000 && tw->expires_ms <= 60000);
	free(s);

	time_waits(net.nsfd[SIDE_B], AF_INET, &s, &count);
	assert_int_equal(count, 0);
	free(s);
	(void)state;
}

/*
 * IPv6, with ten captures on each end at once: every file on a side holds
 * the same segments; the client's TIME_WAIT shows a bracketed address.
 */
static void
test_ipv6_twenty_captures(void **state)
{
	enum { PER_SIDE = 10 };
	char err[256], path[2 * PER_SIDE][128];
	struct capture *c[2 * PER_SIDE];
	struct capture_stats st[2 * PER_SIDE];
	uint64_t t0, t1, t2;
	struct tcp_pkt *p, *first[2] = { NULL, NULL };
	size_t n, nfirst[2] = { 0, 0 };
	struct sd_sock *s;
	const struct sd_sock *tw;
	int i, count;

	need_net();
	for (i = 0; i < 2 * PER_SIDE; i++) {
		int side = i / PER_SIDE;

		snprintf(path[i], sizeof(path[i]), "%s/v6-%c-%d.pcap", net.dir,
		    'a' + side, i % PER_SIDE);
		c[i] = capture_start(net.nsfd[side], "eth0", path[i], err,
		    sizeof(err));
		if (c[i] == NULL) {
			while (--i >= 0)
				capture_stop(c[i], NULL);
			fail_msg("%s", err);
		}
	}
	exchange(AF_INET6, 1, 6667, 6666);
	/* Side a one by one, side b all at once. */
	t0 = now_mono_ns();
	for (i = 0; i < PER_SIDE; i++) {
		assert_int_equal(capture_stop(c[i], &st[i]), 0);
		c[i] = NULL;
	}
	t1 = now_mono_ns();
	assert_int_equal(capture_stop_all(c + PER_SIDE, PER_SIDE,
	    st + PER_SIDE), 0);
	t2 = now_mono_ns();
	fprintf(stderr, "stopping %d captures: %.1f ms one by one, %.1f ms "
	    "with capture_stop_all\n", PER_SIDE, (t1 - t0) / 1e6,
	    (t2 - t1) / 1e6);
	for (i = 0; i < 2 * PER_SIDE; i++) {
		assert_null(c[i]);
		assert_int_equal(st[i].dropped, 0);
		assert_true(st[i].packets >= 8);
	}
	for (i = 0; i < 2 * PER_SIDE; i++) {
		int side = i / PER_SIDE;

		read_capture(path[i], &p, &n);
		if (first[side] == NULL) {
			struct flag_counts fc = count_flags(p, n);

			assert_int_equal(fc.syn, 1);
			assert_int_equal(fc.synack, 1);
			assert_int_equal(fc.fin, 2);
			assert_int_equal(p[0].family, AF_INET6);
			assert_string_equal(p[0].src, addr6[SIDE_A]);
			first[side] = p;
			nfirst[side] = n;
			continue;
		}
		assert_int_equal(n, nfirst[side]);
		for (size_t k = 0; k < n; k++)
			assert_same_segment(&p[k], &first[side][k]);
		free(p);
	}
	check_with_tshark(path[0], first[0], nfirst[0]);
	free(first[0]);
	free(first[1]);

	tw = time_waits(net.nsfd[SIDE_A], AF_INET6, &s, &count);
	assert_int_equal(count, 1);
	assert_string_equal(tw->local, "[fd00:77::1]:6667");
	assert_string_equal(tw->remote, "[fd00:77::2]:6666");
	assert_true(tw->expires_ms >= 50000 && tw->expires_ms <= 60000);
	free(s);
	(void)state;
}

/* ---- burst: the benchmark. ---- */

static long burst_conns = 2000;
static long burst_captures = 20;

/*
 * burst_conns IPv4 connections as fast as one client thread makes them,
 * while burst_captures captures run (half on each end). Prints one line
 * per capture and a summary; fails on a drop or a missing SYN.
 */
static void
test_burst(void **state)
{
	struct capture **c;
	struct capture_stats *stats;
	char (*path)[128], err[256];
	uint64_t t0, dt, drops = 0, pkts = 0;
	long i, short_syn = 0;
	struct sd_sock *s;
	size_t ns;
	int count;

	need_net();
	c = calloc((size_t)burst_captures, sizeof(*c));
	path = calloc((size_t)burst_captures, sizeof(*path));
	assert_non_null(c);
	assert_non_null(path);
	for (i = 0; i < burst_captures; i++) {
		int side = i % 2;

		snprintf(path[i], sizeof(path[i]), "%s/burst-%ld.pcap",
		    net.dir, i);
		c[i] = capture_start(net.nsfd[side], "eth0", path[i], err,
		    sizeof(err));
		if (c[i] == NULL) {
			while (--i >= 0)
				capture_stop(c[i], NULL);
			fail_msg("%s", err);
		}
	}
	t0 = now_mono_ns();
	exchange(AF_INET, (int)burst_conns, 0, 7777);
	dt = now_mono_ns() - t0 - 100 * NSEC_PER_MSEC;	/* less the settle */
	stats = calloc((size_t)burst_captures, sizeof(*stats));
	assert_non_null(stats);
	t0 = now_mono_ns();
	assert_int_equal(capture_stop_all(c, (size_t)burst_captures, stats), 0);
	printf("stopped %ld captures in %.1f ms\n", burst_captures,
	    (now_mono_ns() - t0) / 1e6);
	for (i = 0; i < burst_captures; i++) {
		struct capture_stats st = stats[i];
		struct tcp_pkt *p;
		struct flag_counts fc;
		size_t n;

		read_capture(path[i], &p, &n);
		fc = count_flags(p, n);
		free(p);
		printf("capture %2ld (side %c): %llu packets, %d SYN, "
		    "%llu dropped, %llu dropped by the interface\n", i,
		    'a' + (int)(i % 2), (unsigned long long)st.packets, fc.syn,
		    (unsigned long long)st.dropped,
		    (unsigned long long)st.if_dropped);
		drops += st.dropped + st.if_dropped;
		pkts += st.packets;
		if (fc.syn != burst_conns)
			short_syn++;
		unlink(path[i]);
	}
	printf("burst: %ld connections in %.1f ms (%.0f a second), "
	    "%ld captures, %llu packets written in all, %llu dropped\n",
	    burst_conns, dt / 1e6, burst_conns / (dt / 1e9), burst_captures,
	    (unsigned long long)pkts, (unsigned long long)drops);
	free(c);
	free(path);
	free(stats);

	/* Every connection left a TIME_WAIT socket on the client: a dump
	 * that spans many netlink reads must bring back each of them. */
	t0 = now_mono_ns();
	if (sockdiag_snapshot(net.nsfd[SIDE_A], &s, &ns, err,
	    sizeof(err)) != 0)
		fail_msg("%s", err);
	dt = now_mono_ns() - t0;
	find_time_wait(s, ns, AF_INET, &count);
	printf("sock_diag: %zu sockets on the client, %d in TIME_WAIT, "
	    "read in %.2f ms\n", ns, count, dt / 1e6);
	free(s);
	/*
	 * Nearly every connection is there; a few may not be (once 1,989 of
	 * 2,000, the kernel's own count agreeing), so the dump is compared
	 * with ss, an independent reader of the same table, read now.
	 */
	assert_true(count >= burst_conns * 95 / 100);
	assert_int_equal(count, ss_time_wait(net.ns[SIDE_A]));
	assert_int_equal(drops, 0);
	assert_int_equal(short_syn, 0);
	(void)state;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest burst[] = {
		cmocka_unit_test(test_burst),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_such_interface),
		cmocka_unit_test(test_interface_vanishes),
		cmocka_unit_test(test_ipv4_close_by_client),
		cmocka_unit_test(test_ipv6_twenty_captures),
	};
	int failed;

	if (argc >= 2 && strcmp(argv[1], "burst") == 0) {
		if ((argc >= 3 && parse_long(argv[2], 1, 20000,
		    &burst_conns) != 0) || (argc >= 4 &&
		    parse_long(argv[3], 1, 64, &burst_captures) != 0)) {
			fprintf(stderr, "usage: %s burst [CONNECTIONS (1-20000) "
			    "[CAPTURES (1-64)]]\n", argv[0]);
			return 2;
		}
		failed = cmocka_run_group_tests(burst, net_up, net_down);
	} else {
		failed = cmocka_run_group_tests(tests, net_up, net_down);
	}
	if (failed == 0 && geteuid() != 0) {
		fflush(stdout);	/* "needs root" must be the log's last line */
		fprintf(stderr, "needs root\n");
		return 77;
	}
	return failed;
}
