/*
 * droplog.c - every segment the lab drops, written to HOST.drops.jsonl
 * (droplog.h).
 *
 * The `drop` rules (lab/impair.c) also log what they drop to an NFLOG
 * group, with a prefix naming the drop line; one netlink socket per
 * sending host, made in that host's namespace (NFLOG groups are per
 * namespace), is read by a thread of ours. The kernel gives no time stamp
 * for a packet logged in the output hook, so the thread stamps each on
 * the realtime clock (the pcaps' clock) as it reads it: the rule sets
 * queue-threshold 1, so the message is sent as the packet is dropped, and
 * the thread runs before ordinary work when it can (SCHED_FIFO, as the
 * delay engine's). The link delay engine calls droplog_lost from its own
 * thread for each packet its loss drops, stamped the same way.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include "host/netns.h"
#include "lab/droplog.h"
#include "pcapread.h"
#include "util.h"

int
droplog_parse(const void *pkt, size_t len, struct drop_hdr *h)
{
	const uint8_t *p = pkt;
	size_t ihl, thl, total;

	memset(h, 0, sizeof(*h));
	if (len < 1)
		return -1;
	if (p[0] >> 4 == 4) {
		if (len < 20)
			return -1;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		total = (size_t)p[2] << 8 | p[3];
		if (ihl < 20 || total < ihl)
			return -1;
		inet_ntop(AF_INET, p + 12, h->src, sizeof(h->src));
		inet_ntop(AF_INET, p + 16, h->dst, sizeof(h->dst));
		h->proto = p[9];
		if (p[9] != 6 || (p[6] & 0x3f) != 0 || p[7] != 0)
			return 1;	/* not TCP, or a fragment */
	} else if (p[0] >> 4 == 6) {
		if (len < 40)
			return -1;
		ihl = 40;
		total = 40 + ((size_t)p[4] << 8 | p[5]);
		inet_ntop(AF_INET6, p + 8, h->src, sizeof(h->src));
		inet_ntop(AF_INET6, p + 24, h->dst, sizeof(h->dst));
		h->proto = p[6];
		if (p[6] != 6)
			return 1;	/* extension headers: the lab's TCP sends none */
	} else {
		return -1;
	}
	if (len < ihl + 20)
		return -1;
	p += ihl;
	thl = (size_t)(p[12] >> 4) * 4;
	if (thl < 20 || total < ihl + thl)
		return -1;
	h->sport = (uint16_t)(p[0] << 8 | p[1]);
	h->dport = (uint16_t)(p[2] << 8 | p[3]);
	h->seq = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	h->ack = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
	h->flags = p[13];
	h->len = (uint32_t)(total - ihl - thl);
	return 0;
}

int
droplog_format(char *buf, size_t buflen, int64_t t_ns, const char *by,
    const char *why, const struct drop_hdr *h)
{
	char fl[8];
	int n;

	if (h->proto != 6) {	/* a line the run model passes over */
		n = snprintf(buf, buflen, "{\"t_ns\":%lld,\"by\":\"%s\",\"why\":\"%s\","
		    "\"src\":\"%s\",\"dst\":\"%s\",\"proto\":%u}\n", (long long)t_ns, by, why,
		    h->src, h->dst, h->proto);
		return n < 0 || (size_t)n >= buflen ? -1 : n;
	}
	tcp_flags_str(h->flags, fl);
	/* why comes from host names and numbers: nothing to escape but quotes */
	n = snprintf(buf, buflen, "{\"t_ns\":%lld,\"by\":\"%s\",\"why\":\"%s\","
	    "\"proto\":6,\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,\"flags\":%u,"
	    "\"flag_names\":\"%s\",\"seq\":%u,\"ack\":%u,\"len\":%u}\n",
	    (long long)t_ns, by, why, h->src, h->sport, h->dst, h->dport, h->flags,
	    fl, h->seq, h->ack, h->len);
	return n < 0 || (size_t)n >= buflen ? -1 : n;
}

void
droplog_drop_why(const struct test_spec *t, int k, char *buf, size_t len)
{
	const struct drop_spec *d = &t->drops[k];
	char fl[8] = "", cnt[24] = "";

	if (d->flags)
		tcp_flags_str(d->flags, fl);
	if (d->count != 1)
		snprintf(cnt, sizeof(cnt), " count %d", d->count);
	snprintf(buf, len, "drop from %s to %s%s%s%s nth %d%s", d->from, d->to,
	    d->flags ? " flags " : "", fl, d->after_fin ? " after FIN" : "", d->nth, cnt);
	for (char *q = buf; *q; q++)
		if (*q == '"' || *q == '\\' || (unsigned char)*q < 0x20)
			*q = '?';
}

struct droplog;

struct dl_sock {
	struct mnl_socket *nl;
	int host;		/* index in t->hosts */
	struct droplog *dl;
};

struct droplog {
	const struct test_spec *t;
	int fds[CAT_MAX_HOSTS];		/* HOST.drops.jsonl, -1 until the first */
	char dir[4096];
	struct dl_sock socks[CAT_MAX_HOSTS];
	int nsocks;
	int stopfd;
	pthread_t thread;
	int running;
	long long logged[CAT_MAX_DROPS];
	char buf[65536];
};

/* The droplog of the run in progress; mu guards it and its files. */
static struct droplog *cur;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static int
host_index(const struct test_spec *t, const char *name)
{
	for (int i = 0; i < CAT_MAX_HOSTS && t->hosts[i] != NULL; i++)
		if (strcmp(t->hosts[i], name) == 0)
			return i;
	return -1;
}

/* One line into host's file; called with mu held. */
static void
put_line(struct droplog *dl, int host, int64_t t_ns, const char *by, const char *why,
    const struct drop_hdr *h)
{
	char line[512], path[4200];
	int n;

	if (host < 0 || host >= CAT_MAX_HOSTS)
		return;
	if (dl->fds[host] == -1) {
		if (fmt(path, sizeof(path), "%s/%s.drops.jsonl", dl->dir, dl->t->hosts[host]) == -1)
			return;
		/* a new file in the test's fresh folder, never through a link */
		dl->fds[host] = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
		if (dl->fds[host] == -1)
			return;
	}
	n = droplog_format(line, sizeof(line), t_ns, by, why, h);
	if (n > 0)
		(void)write_all(dl->fds[host], line, (size_t)n);
}

void
droplog_lost(int link, int d, int full, const void *pkt, size_t len)
{
	int64_t t = (int64_t)now_realtime_ns();
	struct drop_hdr h;
	char why[160];

	if (link < 0 || link >= CAT_MAX_LINKS || d < 0 || d > 1 ||
	    droplog_parse(pkt, len, &h) == -1)	/* not even IP: nothing to write */
		return;
	pthread_mutex_lock(&mu);
	if (cur != NULL && cur->t->links[link].a != NULL) {
		const struct link_spec *l = &cur->t->links[link];
		const char *from = d == 0 ? l->a : l->b, *to = d == 0 ? l->b : l->a;

		if (full)
			snprintf(why, sizeof(why), "the rate's queue full on the link "
			    "from %s to %s", from, to);
		else
			snprintf(why, sizeof(why), "loss %u%% on the link from %s to %s",
			    l->loss_pct[d], from, to);
		put_line(cur, host_index(cur->t, from), t, "loss", why, &h);
	}
	pthread_mutex_unlock(&mu);
}

/* One NFLOG message: a packet a drop rule of host s dropped. */
static int
on_log(const struct nlmsghdr *nlh, void *data)
{
	struct dl_sock *s = data;
	struct droplog *dl = s->dl;
	int64_t t = (int64_t)now_realtime_ns();
	const struct nlattr *a, *payload = NULL, *prefix = NULL;
	struct drop_hdr h;
	char why[160];
	int k;

	if ((nlh->nlmsg_type & 0xff) != NFULNL_MSG_PACKET)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == NFULA_PAYLOAD)
			payload = a;
		else if (mnl_attr_get_type(a) == NFULA_PREFIX)
			prefix = a;
	}
	if (payload == NULL || prefix == NULL ||
	    mnl_attr_validate(prefix, MNL_TYPE_NUL_STRING) < 0 ||
	    strncmp(mnl_attr_get_str(prefix), DROPLOG_PREFIX, strlen(DROPLOG_PREFIX)) != 0)
		return MNL_CB_OK;
	k = atoi(mnl_attr_get_str(prefix) + strlen(DROPLOG_PREFIX));
	if (k < 0 || k >= CAT_MAX_DROPS || dl->t->drops[k].from == NULL ||
	    droplog_parse(mnl_attr_get_payload(payload), mnl_attr_get_payload_len(payload), &h) != 0)
		return MNL_CB_OK;
	droplog_drop_why(dl->t, k, why, sizeof(why));
	pthread_mutex_lock(&mu);
	put_line(dl, s->host, t, "drop", why, &h);
	dl->logged[k]++;
	pthread_mutex_unlock(&mu);
	return MNL_CB_OK;
}

/* Everything waiting on socket s, without blocking. */
static void
drain(struct droplog *dl, struct dl_sock *s)
{
	ssize_t n;

	while ((n = recv(mnl_socket_get_fd(s->nl), dl->buf, sizeof(dl->buf), MSG_DONTWAIT)) > 0)
		(void)mnl_cb_run(dl->buf, (size_t)n, 0, 0, on_log, s);
}

static void *
log_thread(void *arg)
{
	struct droplog *dl = arg;
	struct pollfd pf[CAT_MAX_HOSTS + 1];
	sigset_t all;
	int i;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* A read late by a busy machine is a wrong time: first when it wakes
	 * (best effort: without the right, it runs as it is). */
	(void)pthread_setschedparam(pthread_self(), SCHED_FIFO,
	    &(struct sched_param){ .sched_priority = 10 });
	for (i = 0; i < dl->nsocks; i++)
		pf[i] = (struct pollfd){ .fd = mnl_socket_get_fd(dl->socks[i].nl), .events = POLLIN };
	pf[dl->nsocks] = (struct pollfd){ .fd = dl->stopfd, .events = POLLIN };
	for (;;) {
		if (poll(pf, (nfds_t)dl->nsocks + 1, -1) == -1 && errno != EINTR)
			break;
		for (i = 0; i < dl->nsocks; i++)
			if (pf[i].revents & POLLIN)
				drain(dl, &dl->socks[i]);
		if (pf[dl->nsocks].revents)
			break;
	}
	for (i = 0; i < dl->nsocks; i++)
		drain(dl, &dl->socks[i]);
	return NULL;
}

/* One nfnetlink_log config message for the group, answered (NLM_F_ACK). */
static int
config(struct mnl_socket *nl, uint16_t type, const void *val, size_t vlen, char *err,
    size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	unsigned seq = (unsigned)time(NULL) + type;
	ssize_t n;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(DROPLOG_GROUP);
	mnl_attr_put(nlh, type, vlen, val);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ||
	    (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0 ||
	    mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), NULL, NULL) < 0) {
		snprintf(err, errlen, "NFLOG group %d: %s", DROPLOG_GROUP, strerror(errno));
		return -1;
	}
	return 0;
}

/* A socket bound to the drop group in host h's namespace, whole packets'
 * heads copied. NULL with err. */
static struct mnl_socket *
open_group(const struct lab_host *h, char *err, size_t errlen)
{
	struct nfulnl_msg_config_cmd bind = { .command = NFULNL_CFG_CMD_BIND };
	struct nfulnl_msg_config_mode mode = { .copy_range = htonl(128),
	    .copy_mode = NFULNL_COPY_PACKET };
	uint32_t one = htonl(1);
	struct mnl_socket *nl = NULL;
	int fd = host_netns_socket(h->nsfd, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_NETFILTER);

	if (fd == -1 || (nl = mnl_socket_fdopen(fd)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "an nfnetlink socket in host %s: %s", h->name, strerror(errno));
		if (nl != NULL)
			mnl_socket_close(nl);
		else if (fd != -1)
			close(fd);
		return NULL;
	}
	if (config(nl, NFULA_CFG_CMD, &bind, sizeof(bind), err, errlen) == -1 ||
	    config(nl, NFULA_CFG_MODE, &mode, sizeof(mode), err, errlen) == -1 ||
	    config(nl, NFULA_CFG_QTHRESH, &one, sizeof(one), err, errlen) == -1) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

static void
dl_free(struct droplog *dl)
{
	for (int i = 0; i < dl->nsocks; i++)
		mnl_socket_close(dl->socks[i].nl);
	for (int i = 0; i < CAT_MAX_HOSTS; i++)
		if (dl->fds[i] != -1)
			close(dl->fds[i]);
	if (dl->stopfd != -1)
		close(dl->stopfd);
	free(dl);
}

int
droplog_start(const struct test_spec *t, const struct lab *lab, const char *dir,
    char *err, size_t errlen)
{
	struct droplog *dl;
	int i, k, any = 0;

	droplog_stop(NULL);	/* a run that ended without its stop */
	for (i = 0; i < CAT_MAX_LINKS && t->links[i].a != NULL; i++)
		any |= t->links[i].loss_pct[0] || t->links[i].loss_pct[1];
	any |= t->drops[0].from != NULL;
	if (!any)
		return 0;
	if ((dl = calloc(1, sizeof(*dl))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	dl->t = t;
	dl->stopfd = -1;
	for (i = 0; i < CAT_MAX_HOSTS; i++)
		dl->fds[i] = -1;
	snprintf(dl->dir, sizeof(dl->dir), "%s", dir);
	for (i = 0; i < CAT_MAX_HOSTS && t->hosts[i] != NULL; i++) {
		const struct lab_host *h = lab_host((struct lab *)lab, t->hosts[i]);
		int sends = 0;

		for (k = 0; k < CAT_MAX_DROPS && t->drops[k].from != NULL; k++)
			sends |= strcmp(t->drops[k].from, t->hosts[i]) == 0;
		if (!sends || h == NULL)
			continue;
		dl->socks[dl->nsocks].host = i;
		dl->socks[dl->nsocks].dl = dl;
		if ((dl->socks[dl->nsocks].nl = open_group(h, err, errlen)) == NULL) {
			dl_free(dl);
			return -1;
		}
		dl->nsocks++;
	}
	if (dl->nsocks > 0) {
		if ((dl->stopfd = eventfd(0, EFD_CLOEXEC)) == -1 ||
		    pthread_create(&dl->thread, NULL, log_thread, dl) != 0) {
			snprintf(err, errlen, "cannot start the drop log's thread");
			dl_free(dl);
			return -1;
		}
		dl->running = 1;
	}
	pthread_mutex_lock(&mu);
	cur = dl;
	pthread_mutex_unlock(&mu);
	return 0;
}

void
droplog_stop(long long logged[CAT_MAX_DROPS])
{
	struct droplog *dl;
	uint64_t one = 1;

	pthread_mutex_lock(&mu);
	dl = cur;
	pthread_mutex_unlock(&mu);
	if (dl == NULL)
		return;
	if (dl->running) {
		(void)write(dl->stopfd, &one, sizeof(one));
		pthread_join(dl->thread, NULL);
		dl->running = 0;
	}
	pthread_mutex_lock(&mu);
	cur = NULL;
	pthread_mutex_unlock(&mu);
	if (logged != NULL)
		memcpy(logged, dl->logged, sizeof(dl->logged));
	dl_free(dl);
}
