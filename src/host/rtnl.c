/*
 * rtnl.c - route netlink requests built flat with libmnl (see rtnl.h):
 * header, fixed part, attributes, nests; sent one at a time, each waited
 * for by one walk of the answer (mnl_cb_run), which turns the kernel's
 * error message into errno.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "host/netns.h"
#include "host/rtnl.h"

/* Every request here is a few hundred bytes at most: fixed names, at most
 * 15 characters each, and addresses. */
#define REQ_SIZE 1024

static int
fail(char *err, size_t errlen, int e, const char *what, const char *name)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "netlink: %s%s%s: %s", what,
		    name != NULL ? " " : "", name != NULL ? name : "",
		    strerror(e));
	errno = e;
	return -1;
}

int
rtnl_open(struct rtnl *nl, int nsfd, char *err, size_t errlen)
{
	int fd, one = 1, e;

	nl->sk = NULL;
	nl->seq = 0;
	fd = host_netns_socket(nsfd, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE);
	if (fd < 0)
		return fail(err, errlen, errno, "route socket", NULL);
	nl->sk = mnl_socket_fdopen(fd);
	if (nl->sk == NULL) {
		e = errno;
		close(fd);
		return fail(err, errlen, e, "route socket", NULL);
	}
	/* Acknowledgements without a copy of the request: smaller reads. */
	(void)mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		e = errno;
		rtnl_close(nl);
		return fail(err, errlen, e, "binding the route socket", NULL);
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	return 0;
}

void
rtnl_close(struct rtnl *nl)
{
	if (nl->sk != NULL)
		mnl_socket_close(nl->sk);
	nl->sk = NULL;
}

static struct nlmsghdr *
request(char *buf, struct rtnl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);

	h->nlmsg_type = type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	h->nlmsg_seq = ++nl->seq;
	return h;
}

/* Sends h and waits for its acknowledgement: 0, or -1 and errno. */
static int
talk(struct rtnl *nl, const struct nlmsghdr *h)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	int rc = MNL_CB_OK;
	ssize_t n;

	if (mnl_socket_sendto(nl->sk, h, h->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* No data callback: a request's answer is its ack alone. */
		rc = mnl_cb_run(buf, (size_t)n, h->nlmsg_seq, nl->portid, NULL, NULL);
	} while (n < 0 || rc == MNL_CB_OK);
	return rc == MNL_CB_ERROR ? -1 : 0;
}

int
rtnl_ifindex(struct rtnl *nl, const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;

	/* Any socket answers SIOCGIFINDEX for its own namespace. */
	memset(&ifr, 0, sizeof(ifr));
	if (strlen(name) >= sizeof(ifr.ifr_name))
		return fail(err, errlen, ENAMETOOLONG, "index of link", name);
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	if (ioctl(mnl_socket_get_fd(nl->sk), SIOCGIFINDEX, &ifr) < 0)
		return fail(err, errlen, errno, "index of link", name);
	return ifr.ifr_ifindex;
}

static struct ifinfomsg *
put_ifinfo(struct nlmsghdr *h, int ifindex, unsigned int up)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = up ? IFF_UP : 0;
	return ifi;
}

int
rtnl_link_up(struct rtnl *nl, int ifindex, char *err, size_t errlen)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h = request(buf, nl, RTM_NEWLINK, 0);
	char what[32];

	put_ifinfo(h, ifindex, 1);
	if (talk(nl, h) == 0)
		return 0;
	snprintf(what, sizeof(what), "%d", ifindex);
	return fail(err, errlen, errno, "set up link index", what);
}

int
rtnl_bridge_add(struct rtnl *nl, const char *name, char *err, size_t errlen)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h = request(buf, nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info, *data;

	put_ifinfo(h, 0, 1);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	mnl_attr_put_u8(h, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	if (talk(nl, h) == 0)
		return 0;
	return fail(err, errlen, errno, "new bridge", name);
}

int
rtnl_veth_add(struct rtnl *nl, const char *name, int master,
    const char *peer_name, int peer_nsfd, char *err, size_t errlen)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h = request(buf, nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info, *data, *peer;
	char what[64];

	put_ifinfo(h, 0, 1);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	if (master > 0)
		mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)master);
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	/* The peer: an ifinfomsg of its own, then its attributes. */
	peer = mnl_attr_nest_start(h, VETH_INFO_PEER);
	put_ifinfo(h, 0, 0);
	mnl_attr_put_strz(h, IFLA_IFNAME, peer_name);
	if (peer_nsfd >= 0)
		mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)peer_nsfd);
	mnl_attr_nest_end(h, peer);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	if (talk(nl, h) == 0)
		return 0;
	snprintf(what, sizeof(what), "%s (peer %s)", name, peer_name);
	return fail(err, errlen, errno, "new veth", what);
}

int
rtnl_addr_add(struct rtnl *nl, int ifindex, int family, const char *text,
    int prefix, char *err, size_t errlen)
{
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	unsigned char bin[16];
	size_t alen = family == AF_INET ? 4 : 16;
	struct nlmsghdr *h;
	struct ifaddrmsg *ifa;
	char what[96];

	snprintf(what, sizeof(what), "%s/%d on link index %d", text, prefix, ifindex);
	if ((family != AF_INET && family != AF_INET6) ||
	    inet_pton(family, text, bin) != 1)
		return fail(err, errlen, EINVAL, "new address", what);
	h = request(buf, nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)ifindex;
	if (family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	mnl_attr_put(h, IFA_LOCAL, alen, bin);
	mnl_attr_put(h, IFA_ADDRESS, alen, bin);
	if (talk(nl, h) == 0)
		return 0;
	return fail(err, errlen, errno, "new address", what);
}

struct tentative_walk {
	int ifindex;
	int n;
};

static int
count_tentative(const struct nlmsghdr *h, void *data)
{
	struct tentative_walk *w = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	const struct nlattr *a;
	uint32_t flags = ifa->ifa_flags;

	if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != w->ifindex)
		return MNL_CB_OK;
	mnl_attr_for_each(a, h, sizeof(*ifa))	/* the 32-bit flags, when given */
		if (mnl_attr_get_type(a) == IFA_FLAGS &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			flags = mnl_attr_get_u32(a);
	if (flags & IFA_F_TENTATIVE)
		w->n++;
	return MNL_CB_OK;
}

int
rtnl_tentative(struct rtnl *nl, int ifindex, char *err, size_t errlen)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct tentative_walk w = { ifindex, 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int rc;
	ssize_t n;

	h->nlmsg_type = RTM_GETADDR;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	h->nlmsg_seq = ++nl->seq;
	ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	if (mnl_socket_sendto(nl->sk, h, h->nlmsg_len) < 0)
		return fail(err, errlen, errno, "listing the addresses", NULL);
	do {
		n = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail(err, errlen, errno, "listing the addresses", NULL);
		}
		rc = mnl_cb_run(buf, (size_t)n, nl->seq, nl->portid, count_tentative, &w);
	} while (n < 0 || rc == MNL_CB_OK);
	if (rc == MNL_CB_ERROR)
		return fail(err, errlen, errno, "listing the addresses", NULL);
	return w.n;
}
