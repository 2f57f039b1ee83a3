/*
 * delay.c - delay, jitter and random loss on the lab's links (delay.h).
 *
 * This kernel has no netem and no native nftables queue expression; it has
 * NFQUEUE through iptables' compat layer, and br_netfilter, which passes
 * bridged IPv4 and IPv6 packets through the FORWARD chain of the switch
 * namespace. There, one rule per impaired direction (physdev in the
 * sender's port, out the receiver's) sends the TCP segments (not the
 * neighbour discovery the hosts do at start) to a queue of their
 * own, `--queue-bypass` so that nothing is lost if the thread is gone. The
 * thread reads the queues over one nfnetlink socket made in the switch
 * namespace (libmnl, no other library), holds each packet for its delay
 * (plus a uniform jitter of +-J, never before the previous packet of the
 * same direction: no reordering) and then accepts it, or drops it at once
 * with the link's loss probability. The rules live in the switch namespace
 * only and go with it.
 *
 * The same thread makes a link's rate, duplication and reordering, so that
 * they compose with its delay in one place, per direction:
 * - rate: each packet is sent once the one before it has had its time on
 *   the wire (its Ethernet frame's bits over the rate), then its delay;
 *   a packet that would wait longer than 1000 full frames is dropped (a
 *   tail-drop queue as long as a default txqueuelen).
 * - duplicate: the packet is accepted, and a copy of it (its bytes come up
 *   with it) is sent right behind it out of the receiver's bridge port by
 *   a packet socket in the switch namespace: the receiver's capture has
 *   it twice, the sender's once.
 * - reorder: the packet waits aside until the next packet of its
 *   direction is accepted, and goes right behind it (at most 100 ms; then
 *   alone, not counted as reordered, "held" in the log).
 * Every packet so treated is written to links.jsonl in the test's folder
 * (delay_set_log), with its addresses, sequence numbers and flags.
 */
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
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include "host/netns.h"
#include "lab/delay.h"
#include "lab/droplog.h"
#include "util.h"

#define QUEUE_BASE 7100		/* queue of link i, direction d: QUEUE_BASE + 2i + d */
#define HELD_MAX 4096		/* packets held per direction */
#define REORDER_WAIT_NS (100ULL * 1000000ULL)	/* a reordered packet waits at most */
#define RATE_QUEUE_FRAMES 1000	/* full frames a rate's queue holds */
#define FRAME_MAX 1514		/* a full Ethernet frame on the lab's links */
#define LOG_MAX 20000		/* links.jsonl lines kept */

struct held {
	uint32_t id;
	uint64_t due_ns;	/* CLOCK_MONOTONIC */
	unsigned char *copy;	/* duplicate: the frame sent again behind it */
	size_t copylen;
	long logline;		/* reorder: its line in the log (-1: none) */
};

struct direction {
	int on;
	uint64_t delay_ns, jitter_ns;
	unsigned loss_pct, dup_pct, reorder_pct;
	uint64_t rate_bps;
	uint64_t free_ns;	/* rate: when the wire is next free */
	struct held ring[HELD_MAX];
	size_t head, n;
	uint64_t last_due;
	struct held aside;	/* reorder: the packet waiting for the next */
	int has_aside;
	uint64_t aside_until;
	/* duplicate: the receiver's bridge port and the frame's addresses */
	int out_ifindex;
	unsigned char mac_src[ETH_ALEN], mac_dst[ETH_ALEN];
	struct delay_count count;
};

/* A packet the lab did something to, for links.jsonl. */
struct log_line {
	uint64_t t_ns;		/* CLOCK_REALTIME, as the captures */
	uint8_t link, d;
	const char *what;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	uint16_t sport, dport;
	uint32_t seq, ack, len;
	uint8_t flags, tcp;
};

struct delay_engine {
	struct mnl_socket *nl;
	int stopfd;
	int pktfd;		/* AF_PACKET in the switch namespace, for copies */
	pthread_t thread;
	int running;
	unsigned seed;
	struct direction dir[CAT_MAX_LINKS][2];
	const char *names[CAT_MAX_LINKS][2];	/* [link][0]: a, [1]: b */
	struct log_line *log;
	size_t nlog;
	long long log_lost;	/* lines beyond LOG_MAX */
	char logpath[4096];
	char buf[65536];
};

/* Whether direction d of l (0: a to b) goes through the thread. */
int
delay_dir_on(const struct link_spec *l, int d)
{
	return l->delay_ms[d] || l->loss_pct[d] || l->rate_bps[d] || l->dup_pct[d] ||
	    l->reorder_pct[d];
}

int
delay_wanted(const struct test_spec *t)
{
	for (int i = 0; i < CAT_MAX_LINKS && t->links[i].a != NULL; i++)
		for (int d = 0; d < 2; d++)
			if (delay_dir_on(&t->links[i], d))
				return 1;
	return 0;
}

/* argv run inside the namespace nsfd; its first line of error into err. */
static int
run_in_ns(int nsfd, char *const argv[], char *err, size_t errlen)
{
	int p[2], st;
	char msg[512];
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null != -1) {
			dup2(null, 0);
			dup2(null, 1);
		}
		dup2(p[1], 2);
		if (setns(nsfd, CLONE_NEWNET) == -1)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	snprintf(err, errlen, "%s failed%s%s", argv[0], msg[0] ? ": " : "",
	    msg[0] ? msg : (WIFEXITED(st) && WEXITSTATUS(st) == 127 ? " to start" : ""));
	return -1;
}

static const char *
tool(const char *name)
{
	static char path[64];

	snprintf(path, sizeof(path), "/usr/sbin/%s", name);
	if (access(path, X_OK) == 0)
		return path;
	snprintf(path, sizeof(path), "/sbin/%s", name);
	return access(path, X_OK) == 0 ? path : NULL;
}

/* The FORWARD rules of every impaired direction, IPv4 and IPv6. */
static int
add_rules(const struct test_spec *t, const struct lab *lab, char *err, size_t errlen)
{
	static const char *const tools[] = { "iptables", "ip6tables" };

	for (int i = 0; i < CAT_MAX_LINKS && t->links[i].a != NULL; i++)
		for (int d = 0; d < 2; d++) {
			const struct link_spec *l = &t->links[i];
			char in[20], out[20], q[16];

			if (!delay_dir_on(l, d))
				continue;
			snprintf(in, sizeof(in), "ve-%s", d == 0 ? l->a : l->b);
			snprintf(out, sizeof(out), "ve-%s", d == 0 ? l->b : l->a);
			snprintf(q, sizeof(q), "%d", QUEUE_BASE + 2 * i + d);
			for (int k = 0; k < 2; k++) {
				const char *path = tool(tools[k]);
				char *argv[] = { (char *)path, "-w", "-I", "FORWARD", "-p", "tcp",
				    "-m", "physdev",
				    "--physdev-in", in, "--physdev-out", out, "-j", "NFQUEUE",
				    "--queue-num", q, "--queue-bypass", NULL };

				if (path == NULL) {
					snprintf(err, errlen, "%s not found (apt-get install iptables): "
					    "a link's delay needs its NFQUEUE target", tools[k]);
					return -1;
				}
				if (run_in_ns(lab->switch_nsfd, argv, err, errlen) == -1)
					return -1;
			}
		}
	return 0;
}

/* One nfnetlink_queue message to queue q; NLM_F_ACK waits for its answer. */
static struct nlmsghdr *
queue_msg(char *buf, int type, uint16_t q, int ack)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | (ack ? NLM_F_ACK : 0);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(q);
	return nlh;
}

static int
send_ack(struct delay_engine *e, struct nlmsghdr *nlh, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned portid = mnl_socket_get_portid(e->nl);
	ssize_t n;

	nlh->nlmsg_seq = (uint32_t)time(NULL);
	if (mnl_socket_sendto(e->nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errlen, "nfnetlink: %s", strerror(errno));
		return -1;
	}
	n = mnl_socket_recvfrom(e->nl, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, NULL, NULL) < 0) {
		snprintf(err, errlen, "binding an NFQUEUE queue: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Bind queue q, with each packet's bytes: a copy needs them, and the log
 * its addresses and sequence numbers. */
static int
bind_queue(struct delay_engine *e, uint16_t q, char *err, size_t errlen)
{
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
	struct nfqnl_msg_config_params params = {
		.copy_range = htonl(0xffff), .copy_mode = NFQNL_COPY_PACKET,
	};
	struct nlmsghdr *nlh;

	nlh = queue_msg(e->buf, NFQNL_MSG_CONFIG, q, 1);
	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	if (send_ack(e, nlh, err, errlen) == -1)
		return -1;
	nlh = queue_msg(e->buf, NFQNL_MSG_CONFIG, q, 1);
	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
	mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(HELD_MAX));
	return send_ack(e, nlh, err, errlen);
}

static void
verdict(struct delay_engine *e, uint16_t q, uint32_t id, int accept)
{
	char buf[256];
	struct nfqnl_msg_verdict_hdr vh = {
		.verdict = htonl(accept ? NF_ACCEPT : NF_DROP), .id = htonl(id),
	};
	struct nlmsghdr *nlh = queue_msg(buf, NFQNL_MSG_VERDICT, q, 0);

	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
	(void)mnl_socket_sendto(e->nl, nlh, nlh->nlmsg_len);
}

/* One line for links.jsonl: what happened to the IP packet pkt of len
 * bytes; its index, or -1 when the log is full. */
static long
log_packet(struct delay_engine *e, int k, const char *what, const unsigned char *pkt,
    size_t len)
{
	struct log_line *l;
	size_t ihl = 0;
	int proto = -1;

	if (e->nlog == LOG_MAX) {
		e->log_lost++;
		return -1;
	}
	l = &e->log[e->nlog++];
	memset(l, 0, sizeof(*l));
	l->t_ns = now_realtime_ns();
	l->link = (uint8_t)(k / 2);
	l->d = (uint8_t)(k % 2);
	l->what = what;
	if (len >= 20 && pkt[0] >> 4 == 4) {
		ihl = (size_t)(pkt[0] & 15) * 4;
		proto = pkt[9];
		inet_ntop(AF_INET, pkt + 12, l->src, sizeof(l->src));
		inet_ntop(AF_INET, pkt + 16, l->dst, sizeof(l->dst));
	} else if (len >= 40 && pkt[0] >> 4 == 6) {
		ihl = 40;
		proto = pkt[6];		/* TCP right after the header: the lab sets no options */
		inet_ntop(AF_INET6, pkt + 8, l->src, sizeof(l->src));
		inet_ntop(AF_INET6, pkt + 24, l->dst, sizeof(l->dst));
	}
	if (proto == 6 && ihl >= 20 && len >= ihl + 20) {
		const unsigned char *t = pkt + ihl;
		size_t doff = (size_t)(t[12] >> 4) * 4;

		l->tcp = 1;
		l->sport = (uint16_t)(t[0] << 8 | t[1]);
		l->dport = (uint16_t)(t[2] << 8 | t[3]);
		l->seq = (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | (uint32_t)t[6] << 8 | t[7];
		l->ack = (uint32_t)t[8] << 24 | (uint32_t)t[9] << 16 | (uint32_t)t[10] << 8 | t[11];
		l->flags = t[13];
		l->len = len > ihl + doff ? (uint32_t)(len - ihl - doff) : 0;
	}
	return (long)e->nlog - 1;
}

/* The copy of a duplicated packet, out of the receiver's bridge port. */
static void
send_copy(struct delay_engine *e, struct direction *dir, struct held *h)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET, .sll_ifindex = dir->out_ifindex, .sll_halen = ETH_ALEN,
	};

	if (h->copy == NULL)
		return;
	memcpy(to.sll_addr, dir->mac_dst, ETH_ALEN);
	if (sendto(e->pktfd, h->copy, h->copylen, 0, (struct sockaddr *)&to, sizeof(to)) ==
	    (ssize_t)h->copylen) {
		dir->count.duplicated++;
		dir->count.bytes += (long long)h->copylen;
	} else {
		dir->count.dup_failed++;
	}
	free(h->copy);
	h->copy = NULL;
}

/* Accept h (and send its copy). */
static void
pass(struct delay_engine *e, int k, struct held *h)
{
	struct direction *dir = &e->dir[k / 2][k % 2];

	verdict(e, (uint16_t)(QUEUE_BASE + k), h->id, 1);
	dir->count.passed++;
	send_copy(e, dir, h);
}

/* A packet from the kernel: dropped, or held for its time, aside, or passed. */
static int
on_packet(const struct nlmsghdr *nlh, void *data)
{
	struct delay_engine *e = data;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;
	const struct nfqnl_msg_packet_hdr *ph = NULL;
	const unsigned char *pkt = NULL;
	size_t len = 0;
	uint16_t q = ntohs(nfg->res_id);
	int k = q - QUEUE_BASE;
	struct direction *dir;
	struct held h = { 0 };
	uint64_t now, base, due;

	if ((nlh->nlmsg_type & 0xff) != NFQNL_MSG_PACKET)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*nfg)) {
		if (mnl_attr_get_type(a) == NFQA_PACKET_HDR &&
		    mnl_attr_get_payload_len(a) >= sizeof(*ph))
			ph = mnl_attr_get_payload(a);
		else if (mnl_attr_get_type(a) == NFQA_PAYLOAD) {
			pkt = mnl_attr_get_payload(a);
			len = mnl_attr_get_payload_len(a);
		}
	}
	if (ph == NULL)
		return MNL_CB_OK;
	h.id = ntohl(ph->packet_id);
	if (k < 0 || k >= 2 * CAT_MAX_LINKS || !e->dir[k / 2][k % 2].on) {
		verdict(e, q, h.id, 1);
		return MNL_CB_OK;
	}
	dir = &e->dir[k / 2][k % 2];
	now = now_mono_ns();
	if (dir->loss_pct && (unsigned)(rand_r(&e->seed) % 100) < dir->loss_pct) {
		dir->count.lost++;
		droplog_lost(k / 2, k % 2, 0, pkt, len);	/* drawn as lost */
		verdict(e, q, h.id, 0);
		return MNL_CB_OK;
	}
	if (dir->n == HELD_MAX) {
		dir->count.overflow++;
		dir->count.passed++;
		verdict(e, q, h.id, 1);
		return MNL_CB_OK;
	}
	base = now;
	if (dir->rate_bps) {
		/* its frame's bits on the wire, after the frames ahead of it */
		uint64_t wire = ((uint64_t)(len + ETH_HLEN) * 8ULL * 1000000000ULL) / dir->rate_bps;

		if (dir->free_ns > now &&
		    dir->free_ns - now > RATE_QUEUE_FRAMES * (FRAME_MAX * 8ULL * 1000000000ULL /
		    dir->rate_bps)) {
			dir->count.queue_drops++;
			droplog_lost(k / 2, k % 2, 1, pkt, len);
			verdict(e, q, h.id, 0);
			return MNL_CB_OK;
		}
		base = (dir->free_ns > now ? dir->free_ns : now) + wire;
		dir->free_ns = base;
	}
	due = base + dir->delay_ns;
	if (dir->jitter_ns) {
		uint64_t span = 2 * dir->jitter_ns + 1;

		due = due - dir->jitter_ns + ((uint64_t)rand_r(&e->seed) * 1000003ULL) % span;
	}
	if (due < dir->last_due)	/* never before the one ahead: no reordering */
		due = dir->last_due;
	dir->last_due = due;
	h.due_ns = due;
	dir->count.bytes += (long long)(len + ETH_HLEN);
	if (dir->dup_pct && pkt != NULL && len > 0 &&
	    (unsigned)(rand_r(&e->seed) % 100) < dir->dup_pct &&
	    (h.copy = malloc(len + ETH_HLEN)) != NULL) {
		memcpy(h.copy, dir->mac_dst, ETH_ALEN);
		memcpy(h.copy + ETH_ALEN, dir->mac_src, ETH_ALEN);
		memcpy(h.copy + 2 * ETH_ALEN, &ph->hw_protocol, 2);
		memcpy(h.copy + ETH_HLEN, pkt, len);
		h.copylen = len + ETH_HLEN;
		log_packet(e, k, "duplicate", pkt, len);
	}
	if (dir->reorder_pct && !dir->has_aside &&
	    (unsigned)(rand_r(&e->seed) % 100) < dir->reorder_pct) {
		dir->aside = h;
		dir->has_aside = 1;
		dir->aside_until = due + REORDER_WAIT_NS;
		dir->aside.logline = log_packet(e, k, "reorder", pkt, len);
		return MNL_CB_OK;
	}
	dir->ring[(dir->head + dir->n) % HELD_MAX] = h;
	dir->n++;
	return MNL_CB_OK;
}

/* Accept what is due (everything with all != 0); the next due time, or 0. */
static uint64_t
release(struct delay_engine *e, int all)
{
	uint64_t now = now_mono_ns(), next = 0;

	for (int i = 0; i < CAT_MAX_LINKS; i++)
		for (int d = 0; d < 2; d++) {
			struct direction *dir = &e->dir[i][d];
			int k = 2 * i + d;

			while (dir->n > 0 && (all || dir->ring[dir->head].due_ns <= now)) {
				pass(e, k, &dir->ring[dir->head]);
				dir->head = (dir->head + 1) % HELD_MAX;
				dir->n--;
				if (dir->has_aside) {	/* right behind the one after it */
					pass(e, k, &dir->aside);
					dir->has_aside = 0;
					dir->count.reordered++;
				}
			}
			if (dir->has_aside && (all || dir->aside_until <= now)) {
				pass(e, k, &dir->aside);	/* nothing came after it */
				dir->has_aside = 0;
				dir->count.reorder_alone++;
				if (dir->aside.logline >= 0)	/* only late, not reordered */
					e->log[dir->aside.logline].what = "held";
			}
			if (dir->n > 0 && (next == 0 || dir->ring[dir->head].due_ns < next))
				next = dir->ring[dir->head].due_ns;
			if (dir->has_aside && (next == 0 || dir->aside_until < next))
				next = dir->aside_until;
		}
	return next;
}

static void *
engine_thread(void *arg)
{
	struct delay_engine *e = arg;
	struct pollfd pf[2] = {
		{ .fd = mnl_socket_get_fd(e->nl), .events = POLLIN },
		{ .fd = e->stopfd, .events = POLLIN },
	};
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* A verdict late by a busy machine is a wrong delay: this thread
	 * sleeps nearly always, and runs before ordinary work when it wakes
	 * (best effort: without the right, it runs as it is). */
	(void)pthread_setschedparam(pthread_self(), SCHED_FIFO,
	    &(struct sched_param){ .sched_priority = 10 });
	for (;;) {
		uint64_t next = release(e, 0), now = now_mono_ns();
		struct timespec ts, *tp = NULL;
		ssize_t n;

		if (next != 0) {
			uint64_t wait = next > now ? next - now : 0;

			ts.tv_sec = (time_t)(wait / 1000000000ULL);
			ts.tv_nsec = (long)(wait % 1000000000ULL);
			tp = &ts;
		}
		if (ppoll(pf, 2, tp, NULL) == -1 && errno != EINTR)
			break;
		if (pf[1].revents)
			break;
		if (!(pf[0].revents & POLLIN))
			continue;
		while ((n = recv(pf[0].fd, e->buf, sizeof(e->buf), MSG_DONTWAIT)) > 0)
			mnl_cb_run(e->buf, (size_t)n, 0, 0, on_packet, e);
	}
	release(e, 1);
	return NULL;
}

static void
engine_free(struct delay_engine *e)
{
	if (e->nl != NULL)
		mnl_socket_close(e->nl);
	if (e->stopfd != -1)
		close(e->stopfd);
	if (e->pktfd != -1)
		close(e->pktfd);
	for (int i = 0; i < CAT_MAX_LINKS; i++)
		for (int d = 0; d < 2; d++) {
			struct direction *dir = &e->dir[i][d];

			for (size_t j = 0; j < dir->n; j++)
				free(dir->ring[(dir->head + j) % HELD_MAX].copy);
			if (dir->has_aside)
				free(dir->aside.copy);
		}
	free(e->log);
	free(e);
}

/* The MAC address of host's interface, read in its namespace. */
static int
host_mac(const struct lab_host *h, unsigned char mac[ETH_ALEN])
{
	struct ifreq ifr;
	int fd = host_netns_socket(h->nsfd, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", h->ifname);
	rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (rc == -1)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return 0;
}

/* Where direction d of link l sends its copies: the receiver's bridge
 * port (ve-B in the switch) and the two hosts' addresses. */
static int
copy_path(struct delay_engine *e, const struct lab *lab, const struct link_spec *l, int d,
    struct direction *dir, char *err, size_t errlen)
{
	const char *from = d == 0 ? l->a : l->b, *to = d == 0 ? l->b : l->a;
	const struct lab_host *hf = NULL, *ht = NULL;
	struct ifreq ifr;

	for (int i = 0; i < lab->nhosts; i++) {
		if (strcmp(lab->hosts[i].name, from) == 0)
			hf = &lab->hosts[i];
		if (strcmp(lab->hosts[i].name, to) == 0)
			ht = &lab->hosts[i];
	}
	if (e->pktfd == -1 &&
	    (e->pktfd = host_netns_socket(lab->switch_nsfd, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errlen, "a packet socket in the lab's switch: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "ve-%s", to);
	if (hf == NULL || ht == NULL || host_mac(hf, dir->mac_src) == -1 ||
	    host_mac(ht, dir->mac_dst) == -1 || ioctl(e->pktfd, SIOCGIFINDEX, &ifr) == -1) {
		snprintf(err, errlen, "the interfaces of %s and %s: %s", from, to, strerror(errno));
		return -1;
	}
	dir->out_ifindex = ifr.ifr_ifindex;
	return 0;
}

struct delay_engine *
delay_start(const struct test_spec *t, const struct lab *lab, char *err, size_t errlen)
{
	struct delay_engine *e;
	int fd, rcvbuf = 8 << 20;

	err[0] = '\0';
	if (!delay_wanted(t))
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->log = calloc(LOG_MAX, sizeof(*e->log))) == NULL) {
		free(e);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->pktfd = -1;
	e->stopfd = eventfd(0, EFD_CLOEXEC);
	e->seed = (unsigned)now_mono_ns();
	fd = host_netns_socket(lab->switch_nsfd, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_NETFILTER);
	if (e->stopfd == -1 || fd == -1 || (e->nl = mnl_socket_fdopen(fd)) == NULL ||
	    mnl_socket_bind(e->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "an nfnetlink socket in the lab's switch: %s", strerror(errno));
		if (fd != -1 && e->nl == NULL)
			close(fd);
		engine_free(e);
		return NULL;
	}
	/* Packets come up whole now: room for a burst of them, or the
	 * kernel drops what the socket cannot take. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	for (int i = 0; i < CAT_MAX_LINKS && t->links[i].a != NULL; i++)
		for (int d = 0; d < 2; d++) {
			const struct link_spec *l = &t->links[i];
			struct direction *dir = &e->dir[i][d];

			e->names[i][d] = d == 0 ? l->a : l->b;
			if (!delay_dir_on(l, d))
				continue;
			dir->on = 1;
			dir->delay_ns = (uint64_t)l->delay_ms[d] * 1000000ULL;
			dir->jitter_ns = (uint64_t)l->jitter_ms[d] * 1000000ULL;
			dir->loss_pct = l->loss_pct[d];
			dir->rate_bps = l->rate_bps[d];
			dir->dup_pct = l->dup_pct[d];
			dir->reorder_pct = l->reorder_pct[d];
			if ((dir->dup_pct && copy_path(e, lab, l, d, dir, err, errlen) == -1) ||
			    bind_queue(e, (uint16_t)(QUEUE_BASE + 2 * i + d), err, errlen) == -1) {
				engine_free(e);
				return NULL;
			}
		}
	/* The queues are read before any packet is sent to them. */
	if (add_rules(t, lab, err, errlen) == -1) {
		engine_free(e);
		return NULL;
	}
	if (pthread_create(&e->thread, NULL, engine_thread, e) != 0) {
		snprintf(err, errlen, "cannot start the delay thread");
		engine_free(e);
		return NULL;
	}
	e->running = 1;
	return e;
}

void
delay_set_log(struct delay_engine *e, const char *path)
{
	if (e != NULL)
		snprintf(e->logpath, sizeof(e->logpath), "%s", path);
}

/* links.jsonl: one line per packet the links lost, copied, set aside or
 * dropped for a full queue (docs/formats.md). */
static void
write_log(const struct delay_engine *e)
{
	FILE *f;

	if (e->logpath[0] == '\0' || (f = fopen(e->logpath, "we")) == NULL)
		return;
	for (size_t i = 0; i < e->nlog; i++) {
		const struct log_line *l = &e->log[i];

		fprintf(f, "{\"t_ns\":%llu,\"from\":\"%s\",\"to\":\"%s\",\"what\":\"%s\"",
		    (unsigned long long)l->t_ns, e->names[l->link][l->d], e->names[l->link][!l->d],
		    l->what);
		if (l->tcp)
			fprintf(f, ",\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,"
			    "\"seq\":%u,\"ack\":%u,\"flags\":%u,\"len\":%u", l->src, l->sport, l->dst,
			    l->dport, l->seq, l->ack, l->flags, l->len);
		fputs("}\n", f);
	}
	if (e->log_lost)
		fprintf(f, "{\"t_ns\":%llu,\"what\":\"log-full\",\"left_out\":%lld}\n",
		    (unsigned long long)now_realtime_ns(), e->log_lost);
	fclose(f);
}

void
delay_stop(struct delay_engine *e, struct delay_count counts[CAT_MAX_LINKS][2])
{
	uint64_t one = 1;

	if (e == NULL)
		return;
	if (e->running) {
		(void)write(e->stopfd, &one, sizeof(one));
		pthread_join(e->thread, NULL);
	}
	for (int i = 0; i < CAT_MAX_LINKS; i++)
		for (int d = 0; d < 2; d++)
			counts[i][d] = e->dir[i][d].count;
	write_log(e);
	engine_free(e);
}
