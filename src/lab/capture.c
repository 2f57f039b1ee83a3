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
 * Why immediate mode: with it libpcap hands each packet over as it arrives
 * (no block timeout), so the drain in capture_stop() is a plain non-blocking
 * pcap_dispatch() until nothing is left.
 *
 * The interface drop counter of pcap_stats() (ps_ifdrop) is read by libpcap
 * from /proc/net/dev, which is the namespace of the process's main thread,
 * not ours; we read /proc/thread-self/net/dev ourselves instead.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "lab/capture.h"

#define CAPTURE_SNAPLEN		65535		/* any one packet, whole */
#define CAPTURE_BUFFER		(8 * 1024 * 1024)	/* kernel ring, bytes */

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
	int rc;

	p = pcap_create(c->ifname, ebuf);
	if (p == NULL) {
		snprintf(c->err, sizeof(c->err), "capture on %s: %s",
		    c->ifname, ebuf);
		return -1;
	}
	if (pcap_set_snaplen(p, CAPTURE_SNAPLEN) != 0 ||
	    pcap_set_promisc(p, 0) != 0 ||
	    pcap_set_immediate_mode(p, 1) != 0 ||
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
	/* The handle's precision is nanoseconds, so the file gets the
	 * nanosecond pcap magic (0xa1b23c4d). */
	c->dumper = pcap_dump_open(p, c->path);
	if (c->dumper == NULL) {
		snprintf(c->err, sizeof(c->err), "capture on %s: %s",
		    c->ifname, pcap_geterr(p));
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

/* Everything pending in the kernel ring, without waiting. 0 or -1. */
static int
drain(struct capture *c)
{
	int n;

	while ((n = pcap_dispatch(c->pcap, -1, write_packet, (u_char *)c)) > 0)
		;
	if (n == PCAP_ERROR) {
		snprintf(c->err, sizeof(c->err), "capture on %s: %s",
		    c->ifname, pcap_geterr(c->pcap));
		return -1;
	}
	return 0;
}

/* Drains, collects the counters, closes the file and the handle. */
static int
finish(struct capture *c)
{
	struct pcap_stat ps;
	int rc = drain(c);
	long long ifdrop;

	memset(&ps, 0, sizeof(ps));
	if (pcap_stats(c->pcap, &ps) == 0) {
		c->stats.dropped = ps.ps_drop;
		c->stats.if_dropped = ps.ps_ifdrop;
	}
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

	if (c->nsfd >= 0 && setns(c->nsfd, CLONE_NEWNET) != 0) {
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
			/* The interface went away (its namespace was
			 * deleted): keep what we have, wait for stop. */
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

int
capture_stop(struct capture *c, struct capture_stats *st)
{
	uint64_t one = 1;
	int rc;

	if (c == NULL)
		return -1;
	if (write(c->stopfd, &one, sizeof(one)) != sizeof(one))
		return -1;	/* cannot happen with an eventfd short of overflow */
	pthread_join(c->thread, NULL);
	if (st != NULL)
		*st = c->stats;
	rc = c->result;
	if (rc != 0)
		fprintf(stderr, "%s\n", c->err);
	capture_free(c);
	return rc;
}
