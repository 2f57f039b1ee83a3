/*
 * rtnl.c - the lab's route-netlink client: requests built by appending
 * attributes to one buffer, sent one at a time, each waited for (see
 * rtnl.h for why it is not libnl). Errors come back as -errno so the
 * caller can word the message.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/rtnl.h"

int
rtnl_open(struct rtnl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	nl->seq = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -1;
	/* Acknowledgements without a copy of the request: smaller reads. */
	(void)setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(nl->fd);
		nl->fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

void
rtnl_close(struct rtnl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

static void *
tail(struct rtnl_req *r)
{
	return r->u.buf + NLMSG_ALIGN(r->u.hdr.nlmsg_len);
}

void *
rtnl_append(struct rtnl_req *r, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(r->u.hdr.nlmsg_len);
	void *p;

	if (at + RTA_ALIGN(len) > sizeof(r->u.buf)) {
		r->overflow = 1;
		return NULL;
	}
	p = r->u.buf + at;
	memset(p, 0, RTA_ALIGN(len));
	if (data != NULL)
		memcpy(p, data, len);
	r->u.hdr.nlmsg_len = (uint32_t)(at + RTA_ALIGN(len));
	return p;
}

void *
rtnl_req_init(struct rtnl_req *r, uint16_t type, uint16_t flags, size_t fixed_len)
{
	memset(&r->u.hdr, 0, sizeof(r->u.hdr));
	r->overflow = 0;
	r->u.hdr.nlmsg_len = NLMSG_HDRLEN;
	r->u.hdr.nlmsg_type = type;
	r->u.hdr.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	return rtnl_append(r, NULL, fixed_len);
}

struct rtattr *
rtnl_attr(struct rtnl_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = tail(r);

	if (rtnl_append(r, NULL, RTA_LENGTH(len)) == NULL)
		return NULL;
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (data != NULL && len > 0)	/* else left zeroed */
		memcpy(RTA_DATA(a), data, len);
	return a;
}

struct rtattr *
rtnl_attr_str(struct rtnl_req *r, unsigned short type, const char *s)
{
	return rtnl_attr(r, type, s, strlen(s) + 1);
}

struct rtattr *
rtnl_attr_u32(struct rtnl_req *r, unsigned short type, uint32_t v)
{
	return rtnl_attr(r, type, &v, sizeof(v));
}

struct rtattr *
rtnl_nest(struct rtnl_req *r, unsigned short type)
{
	return rtnl_attr(r, type, NULL, 0);
}

void
rtnl_nest_end(struct rtnl_req *r, struct rtattr *nest)
{
	if (nest != NULL)
		nest->rta_len = (unsigned short)((char *)tail(r) - (char *)nest);
}

int
rtnl_talk(struct rtnl *nl, struct rtnl_req *r)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char buf[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
	uint32_t seq;
	ssize_t n;

	if (r->overflow)
		return -EMSGSIZE;
	seq = ++nl->seq;
	r->u.hdr.nlmsg_seq = seq;
	if (sendto(nl->fd, r->u.buf, r->u.hdr.nlmsg_len, 0,
	    (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *h;
		size_t left;

		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		left = (size_t)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error;	/* 0 is the acknowledgement */
			}
		}
	}
}

int
rtnl_ifindex(struct rtnl *nl, const char *name)
{
	struct ifreq ifr;

	/* Any socket answers SIOCGIFINDEX for its own namespace. */
	memset(&ifr, 0, sizeof(ifr));
	if (strlen(name) >= sizeof(ifr.ifr_name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(ifr.ifr_name, name);
	if (ioctl(nl->fd, SIOCGIFINDEX, &ifr) < 0)
		return -1;
	return ifr.ifr_ifindex;
}
