/*
 * hosts.c - a lab's hosts: one network namespace per host, a switch
 * namespace holding a bridge, one veth pair per host (created in the switch,
 * its peer moved into the host as eth0), addresses, per-host sysctls, and
 * the lab's hosts file.
 *
 * Built in-process, not by running ip(8), with the host layer (src/host/):
 * a namespace is made by unshare() on the calling thread (which is then
 * moved back), published under /run/netns the way ip does it (so `ip netns
 * exec` sees it), its sysctls written while the thread sits in it, and
 * configured through one route netlink socket opened inside it. Nothing is
 * created in the namespace the caller started in.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/janitor.h"
#include "lab/lab.h"
#include "lab/labint.h"
#include "host/netns.h"
#include "host/rtnl.h"
#include "host/sysctl.h"
#include "util.h"
#define BRIDGE_NAME "br0"

/* What a fresh Linux has: tests must not depend on the machine's tuning. */
const char *const lab_defaults[][2] = {
	{ "net/ipv4/ip_local_port_range", "32768 60999" },
	{ "net/ipv4/tcp_tw_reuse", "2" },
	{ "net/ipv4/tcp_fin_timeout", "60" },
	{ "net/ipv4/tcp_timestamps", "1" },
	{ "net/ipv4/ip_unprivileged_port_start", "0" },	/* port 666 as nobody */
	{ NULL, NULL },
};

/* Plumbing, not under test: IPv6 usable at once (no duplicate address
 * detection) and no router solicitations cluttering the captures. Set on
 * "default" before eth0 arrives, so eth0 inherits them. */
static const char *const host_plumbing[][2] = {
	{ "net/ipv6/conf/all/accept_dad", "0" },
	{ "net/ipv6/conf/default/accept_dad", "0" },
	{ "net/ipv6/conf/default/router_solicitations", "0" },
	{ NULL, NULL },
};

/* The switch speaks no IPv6 of its own: its ports send nothing. */
static const char *const switch_plumbing[][2] = {
	{ "net/ipv6/conf/all/disable_ipv6", "1" },
	{ "net/ipv6/conf/default/disable_ipv6", "1" },
	{ NULL, NULL },
};

static const char *const no_sysctls[][2] = { { NULL, NULL } };

static atomic_int lab_seq;

static void
seterr(char *err, size_t errlen, const char *what, int e)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", what, strerror(e));
}

int
lab_sysctl_set(const struct lab_host *h, const char *key, const char *value)
{
	return host_sysctl_set(h->nsfd, key, value);
}

int
lab_sysctl_get(const struct lab_host *h, const char *key, char *buf, size_t len)
{
	return host_sysctl_get(h->nsfd, key, buf, len);
}

struct lab_host *
lab_host(struct lab *lab, const char *name)
{
	int i;

	for (i = 0; i < lab->nhosts; i++)
		if (strcmp(lab->hosts[i].name, name) == 0)
			return &lab->hosts[i];
	return NULL;
}

int
lab_valid_host_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 12 || strcmp(s, "sw") == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* /run/netns as ip(8) sets it up: a shared mount of itself, so that the
 * namespaces bound under it show in every mount namespace that shares it. */
static int
netns_dir_ready(void)
{
	if (mkdir(LAB_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	if (mount("", LAB_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	/* Not a mount point yet: make it one, then share it. */
	if (mount(LAB_NETNS_DIR, LAB_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
		return -1;
	return mount("", LAB_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL);
}

/*
 * A new namespace, left as the calling thread's: published as
 * /run/netns/NAME, its sysctls written, lo up, a netlink socket opened in
 * it. Records name and fd in *netns / *nsfd as soon as they exist, so a
 * failure part-way is undone by the caller's cleanup.
 */
static int
make_netns(const char *name, char *netns, size_t netnslen, int *nsfd,
    struct rtnl *nl, const char *const kv[][2], const char *const kv2[][2],
    char *err, size_t errlen)
{
	char path[PATH_MAX], what[PATH_MAX + 32];
	const char *key = NULL;
	int fd;

	*nsfd = host_netns_unshare();
	if (*nsfd < 0) {
		seterr(err, errlen, "new network namespace", errno);
		return -1;
	}
	if (fmt(path, sizeof(path), "%s/%s", LAB_NETNS_DIR, name) < 0) {
		seterr(err, errlen, name, ENAMETOOLONG);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		seterr(err, errlen, path, errno);
		return -1;
	}
	close(fd);
	snprintf(netns, netnslen, "%s", name);
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		snprintf(what, sizeof(what), "bind mount of the namespace on %s", path);
		seterr(err, errlen, what, errno);
		return -1;
	}
	if (host_sysctl_set_all(kv, 0, &key) < 0 ||
	    host_sysctl_set_all(kv2, 1, &key) < 0) {	/* no IPv6 here: fine */
		snprintf(what, sizeof(what), "sysctl %s in %s", key, name);
		seterr(err, errlen, what, errno);
		return -1;
	}
	if (rtnl_open(nl, -1, err, errlen) < 0)
		return -1;
	return rtnl_link_up(nl, 1, err, errlen);	/* lo is 1 in a new namespace */
}

static int
write_hosts_file(struct lab *lab, const char *dir)
{
	FILE *f;
	int i;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	if (fmt(lab->hosts_file, sizeof(lab->hosts_file), "%s/hosts", dir) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	f = fopen(lab->hosts_file, "we");
	if (f == NULL)
		return -1;
	/* Readable by programs dropped to nobody, whatever the umask. */
	(void)fchmod(fileno(f), 0644);
	fprintf(f, "# hosts of lab %s (timewait)\n127.0.0.1\tlocalhost\n"
	    "::1\tlocalhost ip6-localhost ip6-loopback\n", lab->id);
	for (i = 0; i < lab->nhosts; i++)
		fprintf(f, "%s\t%s\n", lab->hosts[i].addr, lab->hosts[i].name);
	/* IPv6 under its own name: "server" must mean IPv4, as in the seed. */
	for (i = 0; i < lab->nhosts; i++)
		if (lab->hosts[i].addr6[0] != '\0')
			fprintf(f, "%s\t%s-v6\n", lab->hosts[i].addr6, lab->hosts[i].name);
	if (fclose(f) != 0)
		return -1;
	return 0;
}

static void
lab_init_empty(struct lab *lab)
{
	int i;

	memset(lab, 0, sizeof(*lab));
	lab->switch_nsfd = -1;
	for (i = 0; i < LAB_MAX_HOSTS; i++)
		lab->hosts[i].nsfd = -1;
}

int
lab_build(struct lab *lab, const char *const *names, int n, const char *dir,
    char *err, size_t errlen)
{
	struct rtnl sw = { NULL, 0, 0 }, nl[LAB_MAX_HOSTS];
	int ifindex[LAB_MAX_HOSTS] = { 0 };
	char nsname[64], name[IFNAMSIZ];
	unsigned v, x, y;
	int i, j, rc, orig = -1, bridge, has6;

	lab_init_empty(lab);
	for (i = 0; i < LAB_MAX_HOSTS; i++)
		nl[i].sk = NULL;
	if (n < 1 || n > LAB_MAX_HOSTS) {
		snprintf(err, errlen, "a lab has 1 to %d hosts", LAB_MAX_HOSTS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!lab_valid_host_name(names[i])) {
			snprintf(err, errlen, "bad host name '%s' (1-12 of a-z, 0-9)", names[i]);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0) {
				snprintf(err, errlen, "host '%s' named twice", names[i]);
				return -1;
			}
	}
	/* Whatever becomes of us, nothing of this lab is to outlive us. */
	(void)janitor_start();
	(void)lab_clean(0, 0);
	if (netns_dir_ready() < 0) {
		seterr(err, errlen, LAB_NETNS_DIR, errno);
		return -1;
	}

	lab->owner = getpid();
	rc = atomic_fetch_add(&lab_seq, 1) + 1;
	snprintf(lab->id, sizeof(lab->id), "tw-%d-%d", (int)lab->owner, rc);
	v = (unsigned)lab->owner * 31u + (unsigned)rc;
	x = 16 + v % 224;
	y = (v / 224) % 256;
	has6 = access("/proc/sys/net/ipv6", F_OK) == 0;
	lab->nhosts = n;
	for (i = 0; i < n; i++) {
		struct lab_host *h = &lab->hosts[i];

		snprintf(h->name, sizeof(h->name), "%s", names[i]);
		snprintf(h->ifname, sizeof(h->ifname), "eth0");
		snprintf(h->addr, sizeof(h->addr), "10.%u.%u.%d", x, y, i + 2);
		if (has6)
			snprintf(h->addr6, sizeof(h->addr6), "fd74:7700:%x:%x::%x", x, y, i + 2);
	}

	orig = host_netns_self();
	if (orig < 0) {
		seterr(err, errlen, "our own network namespace", errno);
		goto fail;
	}
	snprintf(nsname, sizeof(nsname), "%s-sw", lab->id);
	rc = make_netns(nsname, lab->switch_netns, sizeof(lab->switch_netns),
	    &lab->switch_nsfd, &sw, no_sysctls, switch_plumbing, err, errlen);
	for (i = 0; rc == 0 && i < n; i++) {
		struct lab_host *h = &lab->hosts[i];

		snprintf(nsname, sizeof(nsname), "%s-%s", lab->id, h->name);
		rc = make_netns(nsname, h->netns, sizeof(h->netns), &h->nsfd, &nl[i],
		    lab_defaults, host_plumbing, err, errlen);
	}
	host_netns_return(orig);	/* closes orig */
	if (rc < 0)
		goto fail;

	if (rtnl_bridge_add(&sw, BRIDGE_NAME, err, errlen) < 0 ||
	    (bridge = rtnl_ifindex(&sw, BRIDGE_NAME, err, errlen)) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		struct lab_host *h = &lab->hosts[i];
		int eth;

		if (fmt(name, sizeof(name), "ve-%s", h->name) < 0) {
			seterr(err, errlen, h->name, ENAMETOOLONG);
			goto fail;
		}
		if (rtnl_veth_add(&sw, name, bridge, h->ifname, h->nsfd, err, errlen) < 0 ||
		    (eth = rtnl_ifindex(&nl[i], h->ifname, err, errlen)) < 0 ||
		    rtnl_link_up(&nl[i], eth, err, errlen) < 0 ||
		    rtnl_addr_add(&nl[i], eth, AF_INET, h->addr, 24, err, errlen) < 0 ||
		    (has6 && rtnl_addr_add(&nl[i], eth, AF_INET6, h->addr6, 64,
		    err, errlen) < 0))
			goto fail;
		ifindex[i] = eth;
	}
	/* IPv6 usable before anyone binds: the kernel takes the tentative
	 * mark off (no duplicate address detection here) in a work item,
	 * which a loaded machine may run some ms later. 2 s at most. */
	for (i = 0; has6 && i < n; i++) {
		int left, tries = 0;

		while ((left = rtnl_tentative(&nl[i], ifindex[i], err, errlen)) > 0 &&
		    tries++ < 1000)
			usleep(2000);
		if (left < 0)
			goto fail;
		if (left > 0) {
			snprintf(err, errlen, "host %s: IPv6 address still tentative after 2 s",
			    lab->hosts[i].name);
			goto fail;
		}
	}
	if (write_hosts_file(lab, dir) < 0) {
		seterr(err, errlen, "hosts file", errno);
		goto fail;
	}
	rtnl_close(&sw);
	for (i = 0; i < n; i++)
		rtnl_close(&nl[i]);
	return 0;

fail:
	rtnl_close(&sw);
	for (i = 0; i < n; i++)
		rtnl_close(&nl[i]);
	lab_destroy(lab);
	return -1;
}

void
lab_destroy(struct lab *lab)
{
	struct lab_nsid ids[LAB_MAX_HOSTS + 1];
	int i, n = 0;

	if (lab_nsid_of_fd(lab->switch_nsfd, &ids[n]) == 0)
		n++;
	for (i = 0; i < lab->nhosts && i < LAB_MAX_HOSTS; i++)
		if (lab_nsid_of_fd(lab->hosts[i].nsfd, &ids[n]) == 0)
			n++;
	(void)lab_kill_inside(ids, n);
	for (i = 0; i < lab->nhosts && i < LAB_MAX_HOSTS; i++) {
		struct lab_host *h = &lab->hosts[i];

		if (h->netns[0] != '\0')
			lab_netns_remove(h->netns);
		if (h->nsfd >= 0)
			close(h->nsfd);
		h->nsfd = -1;
		h->netns[0] = '\0';
	}
	if (lab->switch_netns[0] != '\0')
		lab_netns_remove(lab->switch_netns);
	if (lab->switch_nsfd >= 0)
		close(lab->switch_nsfd);
	lab->switch_nsfd = -1;
	lab->switch_netns[0] = '\0';
}
