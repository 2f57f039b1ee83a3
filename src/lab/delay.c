/*
 * delay.c - delay, jitter and random loss on the lab's links (delay.h).
 *
 * This kernel has no netem and no native nftables queue expression; it has
 * NFQUEUE through iptables' compat layer, and br_netfilter, which passes
 * bridged IPv4 and IPv6 packets through the FORWARD chain of the switch
 * namespace. There, one rule per impaired direction (physdev in the
 * sender's port, out the receiver's) sends the packets to a queue of their
 * own, `--queue-bypass` so that nothing is lost if the thread is gone. The
 * thread reads the queues over one nfnetlink socket made in the switch
 * namespace (libmnl, no other library), holds each packet for its delay
 * (plus a uniform jitter of +-J, never before the previous packet of the
 * same direction: no reordering) and then accepts it, or drops it at once
 * with the link's loss probability. The rules live in the switch namespace
 * only and go with it.
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
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

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

struct held {
	uint32_t id;
	uint64_t due_ns;	/* CLOCK_MONOTONIC */
};

struct direction {
	int on;
	uint64_t delay_ns, jitter_ns;
	unsigned loss_pct;
	struct held ring[HELD_MAX];
	size_t head, n;
	uint64_t last_due;
	struct delay_count count;
};

struct delay_engine {
	struct mnl_socket *nl;
	int stopfd;
	pthread_t thread;
	int running;
	unsigned seed;
	struct direction dir[CAT_MAX_LINKS][2];
	char buf[65536];
};

int
delay_wanted(const struct test_spec *t)
{
	for (int i = 0; i < CAT_MAX_LINKS && t->links[i].a != NULL; i++)
		for (int d = 0; d < 2; d++)
			if (t->links[i].delay_ms[d] || t->links[i].loss_pct[d])
				return 1;
	return 0;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
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

			if (!l->delay_ms[d] && !l->loss_pct[d])
				continue;
			snprintf(in, sizeof(in), "ve-%s", d == 0 ? l->a : l->b);
			snprintf(out, sizeof(out), "ve-%s", d == 0 ? l->b : l->a);
			snprintf(q, sizeof(q), "%d", QUEUE_BASE + 2 * i + d);
			for (int k = 0; k < 2; k++) {
				const char *path = tool(tools[k]);
				char *argv[] = { (char *)path, "-w", "-I", "FORWARD", "-m", "physdev",
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

/* Bind queue q. */
static int
bind_queue(struct delay_engine *e, uint16_t q, char *err, size_t errlen)
{
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
	/* the head of each packet: a lost one is written down with its headers */
	struct nfqnl_msg_config_params params = { .copy_range = htonl(128),
	    .copy_mode = NFQNL_COPY_PACKET };
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

/* A packet queue k's loss dropped: written down for the drawings
 * (lab/droplog.c), from the head of it the queue copies. */
static void
report_lost(const struct nlmsghdr *nlh, int k)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFQA_PAYLOAD)
			droplog_lost(k / 2, k % 2, mnl_attr_get_payload(a),
			    mnl_attr_get_payload_len(a));
}

/* A packet from the kernel: held for its delay, or dropped, or passed. */
static int
on_packet(const struct nlmsghdr *nlh, void *data)
{
	struct delay_engine *e = data;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;
	const struct nfqnl_msg_packet_hdr *ph = NULL;
	uint16_t q = ntohs(nfg->res_id);
	int k = q - QUEUE_BASE;
	struct direction *dir;
	uint64_t due;

	if ((nlh->nlmsg_type & 0xff) != NFQNL_MSG_PACKET)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*nfg))
		if (mnl_attr_get_type(a) == NFQA_PACKET_HDR &&
		    mnl_attr_get_payload_len(a) >= sizeof(*ph))
			ph = mnl_attr_get_payload(a);
	if (ph == NULL)
		return MNL_CB_OK;
	if (k < 0 || k >= 2 * CAT_MAX_LINKS || !e->dir[k / 2][k % 2].on) {
		verdict(e, q, ntohl(ph->packet_id), 1);
		return MNL_CB_OK;
	}
	dir = &e->dir[k / 2][k % 2];
	if (dir->loss_pct && (unsigned)(rand_r(&e->seed) % 100) < dir->loss_pct) {
		dir->count.lost++;
		verdict(e, q, ntohl(ph->packet_id), 0);
		report_lost(nlh, k);
		return MNL_CB_OK;
	}
	if (dir->n == HELD_MAX || dir->delay_ns == 0) {
		dir->count.overflow += dir->delay_ns != 0;
		dir->count.passed++;
		verdict(e, q, ntohl(ph->packet_id), 1);
		return MNL_CB_OK;
	}
	due = mono_ns() + dir->delay_ns;
	if (dir->jitter_ns) {
		uint64_t span = 2 * dir->jitter_ns + 1;

		due = due - dir->jitter_ns + ((uint64_t)rand_r(&e->seed) * 1000003ULL) % span;
	}
	if (due < dir->last_due)	/* never before the one ahead: no reordering */
		due = dir->last_due;
	dir->last_due = due;
	dir->ring[(dir->head + dir->n) % HELD_MAX] = (struct held){ ntohl(ph->packet_id), due };
	dir->n++;
	return MNL_CB_OK;
}

/* Accept what is due (everything with all != 0); the next due time, or 0. */
static uint64_t
release(struct delay_engine *e, int all)
{
	uint64_t now = mono_ns(), next = 0;

	for (int i = 0; i < CAT_MAX_LINKS; i++)
		for (int d = 0; d < 2; d++) {
			struct direction *dir = &e->dir[i][d];

			while (dir->n > 0 && (all || dir->ring[dir->head].due_ns <= now)) {
				verdict(e, (uint16_t)(QUEUE_BASE + 2 * i + d), dir->ring[dir->head].id, 1);
				dir->count.passed++;
				dir->head = (dir->head + 1) % HELD_MAX;
				dir->n--;
			}
			if (dir->n > 0 && (next == 0 || dir->ring[dir->head].due_ns < next))
				next = dir->ring[dir->head].due_ns;
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
		uint64_t next = release(e, 0), now = mono_ns();
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
	free(e);
}

struct delay_engine *
delay_start(const struct test_spec *t, const struct lab *lab, char *err, size_t errlen)
{
	struct delay_engine *e;
	int fd;

	err[0] = '\0';
	if (!delay_wanted(t))
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->stopfd = eventfd(0, EFD_CLOEXEC);
	e->seed = (unsigned)mono_ns();
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
	for (int i = 0; i < CAT_MAX_LINKS && t->links[i].a != NULL; i++)
		for (int d = 0; d < 2; d++) {
			const struct link_spec *l = &t->links[i];
			struct direction *dir = &e->dir[i][d];

			if (!l->delay_ms[d] && !l->loss_pct[d])
				continue;
			dir->on = 1;
			dir->delay_ns = (uint64_t)l->delay_ms[d] * 1000000ULL;
			dir->jitter_ns = (uint64_t)l->jitter_ms[d] * 1000000ULL;
			dir->loss_pct = l->loss_pct[d];
			if (bind_queue(e, (uint16_t)(QUEUE_BASE + 2 * i + d), err, errlen) == -1) {
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
	engine_free(e);
}
