/*
 * rtnl.h - a very small route-netlink client, private to the lab: build one
 * request in a fixed buffer, send it, wait for the kernel's acknowledgement.
 *
 * Why not libnl-route: the lab makes a dozen fixed requests (a bridge, veth
 * pairs whose peer lands in another namespace, addresses, links up) and
 * never reads a cache; a flat request builder keeps each request readable in
 * one place, costs nothing at start-up and keeps the build under 10 ms.
 * A socket is bound to the network namespace of the thread that opened it,
 * so one socket per namespace lets the lab talk to every namespace without
 * moving the thread again.
 */
#ifndef TIMEWAIT_LAB_RTNL_H
#define TIMEWAIT_LAB_RTNL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

struct rtnl {
	int fd;
	uint32_t seq;
};

struct rtnl_req {
	int overflow;		/* set when an append did not fit */
	union {
		struct nlmsghdr hdr;
		char buf[1024];
	} u;
};

/* Opens a socket in the calling thread's network namespace. 0 or -1. */
int rtnl_open(struct rtnl *nl);
void rtnl_close(struct rtnl *nl);

/* Starts a request: header, then a fixed part (ifinfomsg, ifaddrmsg). */
void *rtnl_req_init(struct rtnl_req *r, uint16_t type, uint16_t flags,
    size_t fixed_len);
struct rtattr *rtnl_attr(struct rtnl_req *r, unsigned short type,
    const void *data, size_t len);
struct rtattr *rtnl_attr_str(struct rtnl_req *r, unsigned short type,
    const char *s);
struct rtattr *rtnl_attr_u32(struct rtnl_req *r, unsigned short type,
    uint32_t v);
/* Raw bytes inside the current attribute (VETH_INFO_PEER's ifinfomsg). */
void *rtnl_append(struct rtnl_req *r, const void *data, size_t len);
struct rtattr *rtnl_nest(struct rtnl_req *r, unsigned short type);
void rtnl_nest_end(struct rtnl_req *r, struct rtattr *nest);

/* Sends the request and waits for the acknowledgement: 0 or -errno. */
int rtnl_talk(struct rtnl *nl, struct rtnl_req *r);

/* Interface index of name in the socket's namespace: > 0, or -1. */
int rtnl_ifindex(struct rtnl *nl, const char *name);

#endif
