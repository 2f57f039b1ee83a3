/*
 * hosts.c - the two hosts of `timewait bench`: "client" and "server".
 *
 * By default two lab hosts (lab/lab.h: named namespaces, each with a veth
 * to the lab's bridge; a killed bench's leftovers go with the next
 * lab_build or `timewait lab clean`). With --direct, two anonymous
 * namespaces joined by one veth pair (10.99.0.1/24, 10.99.0.2/24), no
 * bridge: one hop less per packet, and since they are held only by the
 * descriptors kept here (never named in /run/netns), the kernel drops them
 * whenever the process ends, even on SIGKILL.
 *
 * Also here, because they work inside a namespace: per-host sysctls (a
 * thread inside a namespace that opens /proc/sys/net/... reaches that
 * namespace's values) and extra addresses for --src-addrs (rtnetlink
 * through libnl-route).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "bench/bench.h"
#include "lab/lab.h"
#include "util.h"

#define CLIENT_ADDR "10.99.0.1"
#define SERVER_ADDR "10.99.0.2"
#define PREFIXLEN 24

int
hosts_in_ns(int nsfd, int (*fn)(void *), void *arg)
{
	int orig, r;

	if (nsfd < 0)
		return fn(arg);
	orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (orig == -1)
		return -1;
	if (setns(nsfd, CLONE_NEWNET) == -1) {
		close(orig);
		return -1;
	}
	r = fn(arg);
	if (setns(orig, CLONE_NEWNET) == -1) {
		/* A thread stuck in the wrong namespace must not go on. */
		perror("timewait bench: setns back");
		abort();
	}
	close(orig);
	return r;
}

/* A fresh anonymous network namespace; its descriptor, or -1. */
static int
ns_new(void)
{
	int orig, fd;

	orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (orig == -1)
		return -1;
	if (unshare(CLONE_NEWNET) == -1) {
		close(orig);
		return -1;
	}
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (setns(orig, CLONE_NEWNET) == -1) {
		perror("timewait bench: setns back");
		abort();
	}
	close(orig);
	return fd;
}

struct nl_job {
	const char *ifname;	/* link to bring up, or to put an address on */
	const char *addr;	/* NULL: only bring ifname (and lo) up */
	int prefixlen;
	int peer_nsfd;		/* >= 0: first make veth ifname with its peer there */
	char *err;
	size_t errlen;
};

static int
link_up(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link = NULL, *change;
	int r;

	r = rtnl_link_get_kernel(sk, 0, name, &link);
	if (r < 0)
		return r;
	change = rtnl_link_alloc();
	if (change == NULL) {
		rtnl_link_put(link);
		return -NLE_NOMEM;
	}
	rtnl_link_set_flags(change, IFF_UP);
	r = rtnl_link_change(sk, link, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(link);
	return r;
}

static int
addr_add(struct nl_sock *sk, const char *ifname, const char *addr, int prefixlen)
{
	struct rtnl_link *link = NULL;
	struct rtnl_addr *ra;
	struct nl_addr *local = NULL;
	int r;

	r = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (r < 0)
		return r;
	ra = rtnl_addr_alloc();
	r = nl_addr_parse(addr, AF_INET, &local);
	if (ra == NULL || r < 0)
		goto out;
	rtnl_addr_set_ifindex(ra, rtnl_link_get_ifindex(link));
	r = rtnl_addr_set_local(ra, local);
	if (r < 0)
		goto out;
	rtnl_addr_set_prefixlen(ra, prefixlen);
	r = rtnl_addr_add(sk, ra, 0);
out:
	if (local)
		nl_addr_put(local);
	if (ra)
		rtnl_addr_put(ra);
	rtnl_link_put(link);
	return r;
}

static int
veth_add(struct nl_sock *sk, const char *name, int peer_nsfd)
{
	struct rtnl_link *veth, *peer;
	int r;

	veth = rtnl_link_veth_alloc();
	if (veth == NULL)
		return -NLE_NOMEM;
	rtnl_link_set_name(veth, name);
	peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(peer, name);
	rtnl_link_set_ns_fd(peer, peer_nsfd);
	r = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_veth_release(veth);
	return r;
}

/* Runs inside the namespace: links and addresses, through rtnetlink. */
static int
nl_job_run(void *arg)
{
	struct nl_job *j = arg;
	struct nl_sock *sk = nl_socket_alloc();
	const char *step = "netlink";
	int r;

	if (sk == NULL) {
		snprintf(j->err, j->errlen, "netlink: out of memory");
		return -1;
	}
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r >= 0 && j->peer_nsfd >= 0) {
		step = "veth";
		r = veth_add(sk, j->ifname, j->peer_nsfd);
	}
	if (r >= 0 && j->addr == NULL) {
		step = "link up";
		r = link_up(sk, "lo");
		if (r >= 0)
			r = link_up(sk, j->ifname);
	}
	if (r >= 0 && j->addr != NULL) {
		step = "address";
		r = addr_add(sk, j->ifname, j->addr, j->prefixlen);
	}
	if (r < 0)
		snprintf(j->err, j->errlen, "%s %s%s%s: %s", step, j->ifname,
		    j->addr ? " " : "", j->addr ? j->addr : "", nl_geterror(r));
	nl_socket_free(sk);
	return r < 0 ? -1 : 0;
}

int
hosts_add_addr(int nsfd, const char *ifname, const char *addr, int prefixlen,
    char *err, size_t errlen)
{
	struct nl_job j = { ifname, addr, prefixlen, -1, err, errlen };

	return hosts_in_ns(nsfd, nl_job_run, &j);
}

static int
link_setup(int nsfd, const char *ifname, int peer_nsfd, char *err, size_t errlen)
{
	struct nl_job j = { ifname, NULL, 0, peer_nsfd, err, errlen };

	return hosts_in_ns(nsfd, nl_job_run, &j);
}

/* The interim pair: two anonymous namespaces and one veth, no bridge. */
static int
hosts_up_direct(struct bench_hosts *h, char *err, size_t errlen)
{
	h->client_nsfd = ns_new();
	h->server_nsfd = ns_new();
	if (h->client_nsfd == -1 || h->server_nsfd == -1) {
		snprintf(err, errlen, "network namespace: %s", strerror(errno));
		return -1;
	}
	snprintf(h->client_addr, sizeof(h->client_addr), "%s", CLIENT_ADDR);
	snprintf(h->server_addr, sizeof(h->server_addr), "%s", SERVER_ADDR);
	snprintf(h->client_ifname, sizeof(h->client_ifname), "eth0");
	h->prefixlen = PREFIXLEN;
	if (link_setup(h->client_nsfd, "eth0", h->server_nsfd, err, errlen) == -1 ||
	    link_setup(h->server_nsfd, "eth0", -1, err, errlen) == -1 ||
	    hosts_add_addr(h->client_nsfd, "eth0", CLIENT_ADDR, PREFIXLEN, err, errlen) == -1 ||
	    hosts_add_addr(h->server_nsfd, "eth0", SERVER_ADDR, PREFIXLEN, err, errlen) == -1)
		return -1;
	return 0;
}

/* Two lab hosts, "client" and "server", through the lab's bridge. */
static int
hosts_up_lab(struct bench_hosts *h, char *err, size_t errlen)
{
	static const char *const names[] = { "client", "server" };
	struct lab *lab = calloc(1, sizeof(*lab));
	struct lab_host *c, *s;

	if (lab == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (lab_tmpdir(h->labdir, sizeof(h->labdir), "bench") == -1) {
		snprintf(err, errlen, "a folder in /tmp: %s", strerror(errno));
		h->labdir[0] = '\0';
		free(lab);
		return -1;
	}
	if (lab_build(lab, names, 2, h->labdir, err, errlen) == -1) {
		free(lab);
		return -1;
	}
	h->lab = lab;
	c = lab_host(lab, "client");
	s = lab_host(lab, "server");
	h->client_nsfd = c->nsfd;
	h->server_nsfd = s->nsfd;
	snprintf(h->client_addr, sizeof(h->client_addr), "%s", c->addr);
	snprintf(h->server_addr, sizeof(h->server_addr), "%s", s->addr);
	snprintf(h->client_ifname, sizeof(h->client_ifname), "%s", c->ifname);
	h->prefixlen = 24;
	return 0;
}

int
hosts_up(struct bench_hosts *h, int direct, char *err, size_t errlen)
{
	int r;

	memset(h, 0, sizeof(*h));
	h->client_nsfd = h->server_nsfd = -1;
	r = direct ? hosts_up_direct(h, err, errlen) : hosts_up_lab(h, err, errlen);
	if (r == -1)
		hosts_down(h);
	return r;
}

void
hosts_down(struct bench_hosts *h)
{

	if (h->lab) {
		lab_destroy(h->lab);
		free(h->lab);
		h->lab = NULL;
	} else {
		if (h->client_nsfd >= 0)
			close(h->client_nsfd);
		if (h->server_nsfd >= 0)
			close(h->server_nsfd);
	}
	if (h->labdir[0]) {
		lab_tmpdir_remove(h->labdir);
		h->labdir[0] = '\0';
	}
	h->client_nsfd = h->server_nsfd = -1;
}

/* The extra client addresses of --src-addrs: .100, .101, ... of its subnet. */
int
hosts_src_addr(const struct bench_hosts *h, int i, char *buf, size_t len)
{
	char net[46], *dot;

	snprintf(net, sizeof(net), "%s", h->client_addr);
	dot = strrchr(net, '.');
	if (dot == NULL || i < 0 || i > 150)
		return -1;
	*dot = '\0';
	return fmt(buf, len, "%s.%d", net, 100 + i);
}

/*
 * Per-host sysctls through the lab's own (they need only the namespace),
 * so that --direct hosts, which are no lab's, get them the same way.
 */
int
hosts_sysctl(int nsfd, const char *key, const char *value)
{
	struct lab_host h = { .nsfd = nsfd };

	return lab_sysctl_set(&h, key, value);
}

int
hosts_sysctl_get(int nsfd, const char *key, char *buf, size_t len)
{
	struct lab_host h = { .nsfd = nsfd };

	return lab_sysctl_get(&h, key, buf, len);
}
