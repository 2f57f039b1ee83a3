/*
 * nsview.c - the namespace `timewait watch` observes: found by name in
 * /run/netns (as ip-netns does) or our own, its addresses, its TCP
 * counters and the sysctls that decide its ceiling.
 *
 * Files under /proc/net and /proc/sys/net belong to the namespace of the
 * thread that opens them, and stay bound to it: a short-lived thread enters
 * the namespace (setns), opens them and leaves, and the main thread reads
 * them with pread every interval without ever leaving its own namespace.
 * Nothing here writes anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/netns.h"
#include "watch/watch.h"

const char *const w_counter_names[W_NCOUNTERS] = {
	"TW", "TWRecycled", "TWKilled", "TCPTimeWaitOverflow",
	"TCPAbortOnClose", "TCPAbortOnData", "TCPAbortOnLinger",
	"TCPAbortOnTimeout", "TCPAbortOnMemory", "ListenOverflows",
	"ListenDrops", "ActiveOpens", "PassiveOpens", "AttemptFails",
	"EstabResets", "OutRsts",
};

struct in_ns_job {
	struct w_ns *ns;
	int what;		/* 0: open the files, 1: read the addresses */
	int rc, err;
};

static int
open_ro(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

static void
read_addrs(struct w_ns *ns)
{
	struct ifaddrs *ifa, *i;
	static const uint8_t lo6[16] = { [15] = 1 };

	if (getifaddrs(&ifa) < 0)
		return;
	ns->naddrs = 0;
	for (i = ifa; i && ns->naddrs < W_MAX_ADDRS; i = i->ifa_next) {
		uint8_t *a = ns->addr[ns->naddrs];
		int f;

		if (!i->ifa_addr)
			continue;
		f = i->ifa_addr->sa_family;
		memset(a, 0, 16);
		if (f == AF_INET)
			memcpy(a, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		else if (f == AF_INET6)
			memcpy(a, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		else
			continue;
		/*
		 * Loopback exists in every namespace and the tracepoints do not
		 * say which one an event is from: only the machine's own
		 * namespace claims it (see docs/watch.md, "Limits").
		 */
		if (!ns->own && ((f == AF_INET && a[0] == 127) ||
		    (f == AF_INET6 && !memcmp(a, lo6, 16))))
			continue;
		ns->fam[ns->naddrs++] = (uint8_t)f;
	}
	freeifaddrs(ifa);
}

static void *
in_ns_main(void *arg)
{
	struct in_ns_job *j = arg;
	struct w_ns *ns = j->ns;

	if (!ns->own && host_netns_enter(ns->nsfd) < 0) {
		j->rc = -1;
		j->err = errno;
		return NULL;
	}
	if (j->what == 1) {
		read_addrs(ns);
		return NULL;
	}
	ns->fd_netstat = open_ro("/proc/thread-self/net/netstat");
	ns->fd_snmp = open_ro("/proc/thread-self/net/snmp");
	ns->fd_range = open_ro("/proc/sys/net/ipv4/ip_local_port_range");
	ns->fd_reuse = open_ro("/proc/sys/net/ipv4/tcp_tw_reuse");
	ns->fd_buckets = open_ro("/proc/sys/net/ipv4/tcp_max_tw_buckets");
	ns->fd_rtnl = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_ROUTE);
	if (ns->fd_rtnl >= 0) {
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
		    .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };

		if (bind(ns->fd_rtnl, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			close(ns->fd_rtnl);
			ns->fd_rtnl = -1;
		}
	}
	if (ns->fd_netstat < 0 || ns->fd_snmp < 0 || ns->fd_range < 0) {
		j->rc = -1;
		j->err = errno;
	}
	read_addrs(ns);
	return NULL;
}

/* Runs a job in a thread of its own inside the namespace. */
static int
in_ns(struct w_ns *ns, int what)
{
	struct in_ns_job j = { ns, what, 0, 0 };
	pthread_t t;
	int e;

	e = pthread_create(&t, NULL, in_ns_main, &j);
	if (e) {
		errno = e;
		return -1;
	}
	pthread_join(t, NULL);
	errno = j.err;
	return j.rc;
}

int
w_ns_open(struct w_ns *ns, const char *name, char *err, size_t errlen)
{
	struct stat st, own;
	char path[128];

	memset(ns, 0, sizeof(*ns));
	ns->fd_netstat = ns->fd_snmp = ns->fd_range = ns->fd_reuse =
	    ns->fd_buckets = ns->fd_rtnl = -1;
	if (name) {
		if (!*name || strchr(name, '/') || strlen(name) >= sizeof(ns->name)) {
			snprintf(err, errlen, "bad namespace name '%s'", name);
			return -1;
		}
		snprintf(ns->name, sizeof(ns->name), "%s", name);
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	} else {
		snprintf(path, sizeof(path), "/proc/self/ns/net");
	}
	ns->nsfd = open_ro(path);
	if (ns->nsfd < 0) {
		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
		    errno == ENOENT ? " (see 'ip netns list')" : "");
		return -1;
	}
	if (fstat(ns->nsfd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(ns->nsfd);
		return -1;
	}
	ns->ino = (uint64_t)st.st_ino;
	ns->own = stat("/proc/1/ns/net", &own) == 0 && own.st_ino == st.st_ino &&
	    own.st_dev == st.st_dev;
	if (in_ns(ns, 0) < 0) {
		snprintf(err, errlen, "entering namespace %s: %s",
		    name ? name : "(own)", strerror(errno));
		w_ns_close(ns);
		return -1;
	}
	return 0;
}

void
w_ns_close(struct w_ns *ns)
{
	int *fds[] = { &ns->nsfd, &ns->fd_netstat, &ns->fd_snmp, &ns->fd_range,
	    &ns->fd_reuse, &ns->fd_buckets, &ns->fd_rtnl };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int
w_ns_addrs(struct w_ns *ns)
{
	int n = ns->naddrs;
	uint8_t fam[W_MAX_ADDRS], addr[W_MAX_ADDRS][16];

	memcpy(fam, ns->fam, sizeof(fam));
	memcpy(addr, ns->addr, sizeof(addr));
	if (in_ns(ns, 1) < 0)
		return -1;
	return n != ns->naddrs || memcmp(fam, ns->fam, (size_t)n) ||
	    memcmp(addr, ns->addr, (size_t)n * 16);
}

int
w_ns_addrs_changed(struct w_ns *ns)
{
	char buf[8192];
	int any = 0;

	ssize_t n;

	while (ns->fd_rtnl >= 0 && (n = recv(ns->fd_rtnl, buf, sizeof(buf), 0)) != 0) {
		if (n < 0 && errno == ENOBUFS) {	/* overrun: something changed */
			any = 1;
			continue;
		}
		if (n < 0)
			break;
		any = 1;
	}
	return any;
}

/* The whole of a small /proc file into buf (NUL-terminated). */
static ssize_t
read_whole(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	while (got + 1 < len) {
		r = pread(fd, buf + got, len - 1 - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

long
w_ns_sysctl(int fd)
{
	char buf[64];

	if (read_whole(fd, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

int
w_ns_port_range(struct w_ns *ns, int *lo, int *hi)
{
	char buf[64];

	if (read_whole(ns->fd_range, buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%d %d", lo, hi) != 2 || *lo > *hi)
		return -1;
	return 0;
}

/* "Prefix: name name...\nPrefix: value value...\n" pairs, as netstat and
 * snmp write them: each counter we know gets its value. */
static void
parse_pairs(char *text, uint64_t out[W_NCOUNTERS])
{
	char *line = text, *next, *vals, *n, *v, *sn, *sv;

	while (line && *line) {
		next = strchr(line, '\n');
		if (!next)
			break;
		*next = '\0';
		vals = next + 1;
		next = strchr(vals, '\n');
		if (next)
			*next++ = '\0';
		n = strtok_r(line, " ", &sn);
		v = strtok_r(vals, " ", &sv);
		while ((n = strtok_r(NULL, " ", &sn)) && (v = strtok_r(NULL, " ", &sv)))
			for (int i = 0; i < W_NCOUNTERS; i++)
				if (!strcmp(n, w_counter_names[i]))
					out[i] = strtoull(v, NULL, 10);
		line = next;
	}
}

int
w_ns_counters(struct w_ns *ns, uint64_t out[W_NCOUNTERS])
{
	char buf[16384];

	memset(out, 0, W_NCOUNTERS * sizeof(*out));
	if (read_whole(ns->fd_netstat, buf, sizeof(buf)) < 0)
		return -1;
	parse_pairs(buf, out);
	if (read_whole(ns->fd_snmp, buf, sizeof(buf)) < 0)
		return -1;
	parse_pairs(buf, out);
	return 0;
}
