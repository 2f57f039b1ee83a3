/*
 * capture.c - one live packet capture per host interface, written to a pcap
 * file with nanosecond timestamps.
 *
 * Why a thread per capture: a network namespace is a property of a thread
 * (setns(2) moves only the caller), and the packet socket libpcap opens
 * belongs to the namespace of the thread that creates it. So each capture
 * runs in its own thread that enters the host's namespace, opens the
 * interface there and then loops on poll(2) over two descriptors: the
 * capture's selectable fd and an eventfd that capture_stop() rings.
 *
 * Why capture_start() waits: a test sends its first SYN right after the
 * captures are started; the thread reports back only once pcap_activate()
 * has bound the packet socket, so no packet sent afterwards can be missed.
 *
 * Why not immediate mode: libpcap then falls back to TPACKET_V2, a ring of
 * fixed-size frames, each as big as the snapshot length allows; with whole
 * packets that is a few dozen frames, and a burst of connections overflows
 * it (measured: thousands of drops out of 32,000 packets at 15,000
 * connections a second, two captures). Without it libpcap uses TPACKET_V3,
 * whose blocks hold packets back to back: 8 MiB holds tens of thousands
 * of small TCP segments, and one wake-up hands over a block, not a packet
 * (measured: no drop, 20 captures, 2,000 connections at 8,000 a second on
 * 2 cores; 4 MiB still dropped a little with two more test programs
 * competing for the same 2 cores, 8 MiB did not). The price is latency: a
 * block is handed over when full or CAPTURE_TIMEOUT_MS after its first
 * packet, so capture_stop() waits for the kernel to close the last block
 * before draining it.
 *
 * The interface drop counter of pcap_stats() (ps_ifdrop) is read by libpcap
 * through /proc/net or /sys/class/net, which show the namespace of the
 * process's main thread or of the mount, not the capture thread's; we read
 * /proc/thread-self/net/dev ourselves instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "host/capture.h"
#include "host/netns.h"

#define CAPTURE_SNAPLEN		262144		/* whole packets, even GRO ones */
#define CAPTURE_BUFFER		(8 * 1024 * 1024)	/* kernel ring, bytes */
#define CAPTURE_TIMEOUT_MS	10	/* a block is handed over this late at most */
#define CAPTURE_STOP_MAX_MS	1000	/* drain at most this long on stop */

struct capture {
	pthread_t thread;
	int nsfd;
	int stopfd;			/* eventfd: written by capture_stop */
	char ifname[64];
	char *path;

	pthread_mutex_t lock;		/* guards started, failed, err */
	pthread_cond_t cond;
	int started;			/* the thread has reported (ok or not) */
	int failed;
	char err[PCAP_ERRBUF_SIZE + 128];

	/* Owned by the thread until it exits. */
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	uint64_t packets;
	int gone;			/* the interface disappeared */
	long long ifdrop_start;		/* -1: unknown */
	struct capture_stats stats;
	int result;			/* of the drain and close: 0 or -1 */
};

/*
 * The receive drop counter of ifname in the calling thread's namespace
 * (column 4 of the receive half of /proc/thread-self/net/dev), or -1.
 */
static long long
if_rx_dropped(const char *ifname)
{
	char line[512];
	FILE *f;
	long long drops = -1;
	size_t len = strlen(ifname);

	f = fopen("/proc/thread-self/net/dev", "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line;
		unsigned long long bytes, pkts, errs, drop;

		while (*p == ' ')
			p++;
		if (strncmp(p, ifname, len) != 0 || p[len] != ':')
			continue;
		if (sscanf(p + len + 1, "%llu %llu %llu %llu",
		    &bytes, &pkts, &errs, &drop) == 4)
			drops = (long long)drop;
		break;
	}
	fclose(f);
	return drops;
}

static void
report_start(struct capture *c, int failed)
{
	pthread_mutex_lock(&c->lock);
	c->started = 1;
	c->failed = failed;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Opens and activates the capture in the current namespace; 0 or -1 (c->err). */
static int
open_capture(struct capture *c)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;
	FILE *f;
	int rc, fd, flags;

	p = pcap_create(c->ifname, ebuf);
	if (p == NULL) {
		snprintf(c->err, sizeof(c->err), "capture on %s: %s",
		    c->ifname, ebuf);
		return -1;
	}
	if (pcap_set_snaplen(p, CAPTURE_SNAPLEN) != 0 ||
	    pcap_set_promisc(p, 0) != 0 ||
	    pcap_set_immediate_mode(p, 0) != 0 ||
	    pcap_set_timeout(p, CAPTURE_TIMEOUT_MS) != 0 ||
	    pcap_set_buffer_size(p, CAPTURE_BUFFER) != 0 ||
	    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) != 0) {
		snprintf(c->err, sizeof(c->err), "capture on %s: setting "
		    "options: %s", c->ifname, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	rc = pcap_activate(p);
	if (rc < 0) {
		const char *why = pcap_statustostr(rc);

		if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			why = "no such interface in that namespace";
		else if (rc == PCAP_ERROR_PERM_DENIED)
			why = "not permitted (needs root or CAP_NET_RAW)";
		snprintf(c->err, sizeof(c->err), "capture on %s: %s (%s)",
		    c->ifname, why, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	/* rc > 0 is a warning (for example: promiscuous mode not
	 * supported); the capture works, so we go on. */
	if (pcap_setnonblock(p, 1, ebuf) != 0) {
		snprintf(c->err, sizeof(c->err), "capture on %s: "
		    "non-blocking mode: %s", c->ifname, ebuf);
		pcap_close(p);
		return -1;
	}
	/* Programs the lab starts while we capture must not inherit the
	 * packet socket or the file (libpcap opens neither close-on-exec). */
	fd = pcap_get_selectable_fd(p);
	if (fd >= 0 && (flags = fcntl(fd, F_GETFD)) >= 0)
		(void)fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	f = fopen(c->path, "we");
	if (f == NULL) {
		snprintf(c->err, sizeof(c->err), "capture on %s: %s: %s",
		    c->ifname, c->path, strerror(errno));
		pcap_close(p);
		return -1;
	}
	/* The handle's precision is nanoseconds, so the file gets the
	 * nanosecond pcap magic (0xa1b23c4d). */
	c->dumper = pcap_dump_fopen(p, f);
	if (c->dumper == NULL) {
		snprintf(c->err, sizeof(c->err), "capture on %s: %s",
		    c->ifname, pcap_geterr(p));
		fclose(f);
		unlink(c->path);
		pcap_close(p);
		return -1;
	}
	c->pcap = p;
	return 0;
}

static void
write_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture *c = (struct capture *)user;

	pcap_dump((u_char *)c->dumper, h, bytes);
	c->packets++;
}

/*
 * Everything pending in the kernel ring, without waiting. 0 or -1. An
 * interface that disappeared (its veth peer or namespace was deleted
 * first) ends the capture quietly: what it saw is all there was.
 */
static int
drain(struct capture *c)
{
	int n;

	if (c->gone)
		return 0;
	while ((n = pcap_dispatch(c->pcap, -1, write_packet, (u_char *)c)) > 0)
		;
	if (n == PCAP_ERROR && if_nametoindex(c->ifname) == 0) {
		c->gone = 1;
		return 0;
	}
	if (n == PCAP_ERROR) {
		snprintf(c->err, sizeof(c->err), "capture on %s: %s",
		    c->ifname, pcap_geterr(c->pcap));
		return -1;
	}
	return 0;
}

/*
 * After the stop request: the kernel closes the block being filled at
 * most CAPTURE_TIMEOUT_MS after its first packet, and only then may we
 * read it. So drain, wait for more, and stop when a wait of twice that
 * time brings nothing (or after CAPTURE_STOP_MAX_MS of steady traffic).
 */
static int
drain_last(struct capture *c)
{
	struct pollfd pfd = { pcap_get_selectable_fd(c->pcap), POLLIN, 0 };
	uint64_t waited = 0;

	if (pfd.fd < 0 || c->gone)
		return drain(c);
	for (;;) {
		int n;

		if (drain(c) != 0)
			return -1;
		if (waited >= CAPTURE_STOP_MAX_MS)
			return 0;
		n = poll(&pfd, 1, 2 * CAPTURE_TIMEOUT_MS);
		if (n == 0 || (n > 0 && (pfd.revents & (POLLERR | POLLNVAL))))
			return drain(c);
		if (n < 0 && errno != EINTR)
			return drain(c);
		waited += 2 * CAPTURE_TIMEOUT_MS;
	}
}

/* Drains, collects the counters, closes the file and the handle. */
static int
finish(struct capture *c)
{
	struct pcap_stat ps;
	int rc = drain_last(c);
	long long ifdrop;

	memset(&ps, 0, sizeof(ps));
	if (pcap_stats(c->pcap, &ps) == 0)
		c->stats.dropped = ps.ps_drop;
	/* Not ps.ps_ifdrop: see the top of the file. 0 when unknown. */
	ifdrop = if_rx_dropped(c->ifname);
	if (ifdrop >= 0 && c->ifdrop_start >= 0 && ifdrop >= c->ifdrop_start)
		c->stats.if_dropped = (uint64_t)(ifdrop - c->ifdrop_start);
	c->stats.packets = c->packets;

	pcap_dump_flush(c->dumper);
	if (ferror(pcap_dump_file(c->dumper))) {
		snprintf(c->err, sizeof(c->err), "capture on %s: writing %s "
		    "failed", c->ifname, c->path);
		rc = -1;
	}
	pcap_dump_close(c->dumper);	/* also fcloses the file */
	c->dumper = NULL;
	pcap_close(c->pcap);
	c->pcap = NULL;
	return rc;
}

static void *
capture_thread(void *arg)
{
	struct capture *c = arg;
	struct pollfd pfd[2];
	int fd;

	if (c->nsfd >= 0 && host_netns_enter(c->nsfd) != 0) {
		snprintf(c->err, sizeof(c->err), "capture on %s: entering the "
		    "network namespace: %s", c->ifname, strerror(errno));
		report_start(c, 1);
		return NULL;
	}
	if (open_capture(c) != 0) {
		report_start(c, 1);
		return NULL;
	}
	fd = pcap_get_selectable_fd(c->pcap);
	c->ifdrop_start = if_rx_dropped(c->ifname);
	report_start(c, 0);	/* from here on c belongs to us and stop */

	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = c->stopfd;
	pfd[1].events = POLLIN;
	for (;;) {
		int n = poll(pfd, 2, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(c->err, sizeof(c->err), "capture on %s: poll: "
			    "%s", c->ifname, strerror(errno));
			c->result = -1;
			break;
		}
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents & (POLLERR | POLLNVAL)) {
			/* Most likely the interface went away (drain
			 * then says nothing): keep what we have, wait
			 * for the stop. */
			if (drain(c) != 0)
				c->result = -1;
			pfd[0].fd = -1;
			continue;
		}
		if (pfd[0].revents != 0 && drain(c) != 0) {
			c->result = -1;
			pfd[0].fd = -1;
		}
	}
	if (finish(c) != 0)
		c->result = -1;
	return NULL;
}

static void
capture_free(struct capture *c)
{
	if (c->stopfd >= 0)
		close(c->stopfd);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c->path);
	free(c);
}

struct capture *
capture_start(int nsfd, const char *ifname, const char *path,
    char *err, size_t errlen)
{
	struct capture *c;
	sigset_t all, old;
	int rc, failed;

	if (strlen(ifname) >= sizeof(c->ifname) || ifname[0] == '\0') {
		snprintf(err, errlen, "capture: bad interface name '%s'", ifname);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "capture: out of memory");
		free(c);
		return NULL;
	}
	c->nsfd = nsfd;
	c->ifdrop_start = -1;
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->stopfd < 0) {
		snprintf(err, errlen, "capture: eventfd: %s", strerror(errno));
		capture_free(c);
		return NULL;
	}

	/* The thread takes no signals: they stay with the program's own
	 * threads, which decide what Ctrl+C means. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&c->thread, NULL, capture_thread, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "capture: thread: %s", strerror(rc));
		capture_free(c);
		return NULL;
	}

	pthread_mutex_lock(&c->lock);
	while (!c->started)
		pthread_cond_wait(&c->cond, &c->lock);
	failed = c->failed;
	pthread_mutex_unlock(&c->lock);
	if (failed) {
		pthread_join(c->thread, NULL);
		snprintf(err, errlen, "%s", c->err);
		capture_free(c);
		return NULL;
	}
	return c;
}

/* Asks the thread to finish; it drains and closes on its own. */
static void
ring_stop(struct capture *c)
{
	uint64_t one = 1;

	/* An eventfd write fails only on overflow of its 64-bit counter. */
	if (write(c->stopfd, &one, sizeof(one)) != sizeof(one))
		abort();
}

/* Waits for the thread, hands over its counters, frees c. */
static int
reap(struct capture *c, struct capture_stats *st)
{
	int rc;

	pthread_join(c->thread, NULL);
	if (st != NULL)
		*st = c->stats;
	rc = c->result;
	if (rc != 0)
		fprintf(stderr, "%s\n", c->err);
	capture_free(c);
	return rc;
}

int
capture_stop(struct capture *c, struct capture_stats *st)
{
	if (c == NULL)
		return -1;
	ring_stop(c);
	return reap(c, st);
}

int
capture_stop_all(struct capture **c, size_t n, struct capture_stats *st)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++)
		if (c[i] != NULL)
			ring_stop(c[i]);
	for (i = 0; i < n; i++) {
		if (c[i] == NULL) {
			if (st != NULL)
				memset(&st[i], 0, sizeof(st[i]));
			continue;
		}
		if (reap(c[i], st != NULL ? &st[i] : NULL) != 0)
			rc = -1;
		c[i] = NULL;
	}
	return rc;
}
