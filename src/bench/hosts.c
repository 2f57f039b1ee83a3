/*
 * hosts.c - the two hosts of `timewait bench`: "client" and "server".
 *
 * By default two lab hosts (lab/lab.h: named namespaces, each with a veth
 * to the lab's bridge; a killed bench's leftovers go with its janitor,
 * lab/janitor.h, else the next lab_build or `timewait lab clean`). With
 * --direct, two anonymous namespaces joined by one veth pair
 * (10.99.0.1/24, 10.99.0.2/24), no bridge: one hop less per packet, and
 * since they are held only by the descriptors kept here (never named in
 * /run/netns), the kernel drops them whenever the process ends, even on
 * SIGKILL.
 *
 * Also here: per-host sysctls and extra addresses for --src-addrs. All of
 * it through the host layer (src/host/: namespaces, sysctls, route
 * netlink), the same code the lab builds its hosts with.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/bench.h"
#include "host/netns.h"
#include "host/rtnl.h"
#include "host/sysctl.h"
#include "lab/lab.h"
#include "util.h"

#define CLIENT_ADDR "10.99.0.1"
#define SERVER_ADDR "10.99.0.2"
#define PREFIXLEN 24

int
hosts_in_ns(int nsfd, int (*fn)(void *), void *arg)
{
	return host_netns_run(nsfd, fn, arg);
}

int
hosts_add_addr(int nsfd, const char *ifname, const char *addr, int prefixlen,
    char *err, size_t errlen)
{
	struct rtnl nl;
	int ifindex, rc = -1;

	if (rtnl_open(&nl, nsfd, err, errlen) < 0)
		return -1;
	ifindex = rtnl_ifindex(&nl, ifname, err, errlen);
	if (ifindex > 0)
		rc = rtnl_addr_add(&nl, ifindex, AF_INET, addr, prefixlen, err, errlen);
	rtnl_close(&nl);
	return rc;
}

/* lo and ifname up in the namespace of nl. */
static int
links_up(struct rtnl *nl, const char *ifname, char *err, size_t errlen)
{
	int ifindex;

	if (rtnl_link_up(nl, 1, err, errlen) < 0)
		return -1;
	ifindex = rtnl_ifindex(nl, ifname, err, errlen);
	if (ifindex < 0)
		return -1;
	return rtnl_link_up(nl, ifindex, err, errlen);
}

/* The interim pair: two anonymous namespaces and one veth, no bridge. */
static int
hosts_up_direct(struct bench_hosts *h, char *err, size_t errlen)
{
	struct rtnl c, sv;
	int rc;

	h->client_nsfd = host_netns_new();
	h->server_nsfd = host_netns_new();
	if (h->client_nsfd == -1 || h->server_nsfd == -1) {
		snprintf(err, errlen, "network namespace: %s", strerror(errno));
		return -1;
	}
	snprintf(h->client_addr, sizeof(h->client_addr), "%s", CLIENT_ADDR);
	snprintf(h->server_addr, sizeof(h->server_addr), "%s", SERVER_ADDR);
	snprintf(h->client_ifname, sizeof(h->client_ifname), "eth0");
	h->prefixlen = PREFIXLEN;
	if (rtnl_open(&c, h->client_nsfd, err, errlen) < 0)
		return -1;
	if (rtnl_open(&sv, h->server_nsfd, err, errlen) < 0) {
		rtnl_close(&c);
		return -1;
	}
	rc = rtnl_veth_add(&c, "eth0", 0, "eth0", h->server_nsfd, err, errlen) < 0 ||
	    links_up(&c, "eth0", err, errlen) < 0 ||
	    links_up(&sv, "eth0", err, errlen) < 0 ? -1 : 0;
	rtnl_close(&c);
	rtnl_close(&sv);
	if (rc < 0 ||
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

int
hosts_sysctl(int nsfd, const char *key, const char *value)
{
	return host_sysctl_set(nsfd, key, value);
}

int
hosts_sysctl_get(int nsfd, const char *key, char *buf, size_t len)
{
	return host_sysctl_get(nsfd, key, buf, len);
}
