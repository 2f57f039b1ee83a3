/*
 * rtnl.h - links and addresses of a network namespace through route
 * netlink (libmnl): bridges, veth pairs whose peer lands in another
 * namespace, links up, addresses.
 *
 * Why libmnl and not libnl-route: the lab and the bench make a dozen fixed
 * requests and never read a cache; libmnl builds each request flat in one
 * buffer and walks the answer with one callback (mnl_cb_run), costs nothing
 * at start-up and keeps a 2-host lab's build under 10 ms.
 * A socket is bound to the network namespace it was opened in, so one
 * socket per namespace lets the caller talk to every namespace without
 * moving its thread.
 *
 * Every function returns 0, or -1 with errno set and a message in err that
 * says what was asked and why it failed ("netlink: new veth ve-client (peer
 * eth0): File exists").
 */
#ifndef TIMEWAIT_HOST_RTNL_H
#define TIMEWAIT_HOST_RTNL_H

#include <stddef.h>
#include <stdint.h>

struct mnl_socket;

struct rtnl {
	struct mnl_socket *sk;
	unsigned int portid;
	uint32_t seq;
};

/* A route netlink socket in namespace nsfd (-1: the calling thread's). */
int rtnl_open(struct rtnl *nl, int nsfd, char *err, size_t errlen);
/* Closes the socket (if open); safe twice. */
void rtnl_close(struct rtnl *nl);

/* Interface index of name in the socket's namespace: > 0, or -1. */
int rtnl_ifindex(struct rtnl *nl, const char *name, char *err, size_t errlen);

/* Sets the link up (ifindex 1 is lo in a new namespace). */
int rtnl_link_up(struct rtnl *nl, int ifindex, char *err, size_t errlen);

/* A bridge, up, with multicast snooping off (else it joins 224.0.0.106
 * and its IGMP reports land in every host's capture). */
int rtnl_bridge_add(struct rtnl *nl, const char *name, char *err, size_t errlen);

/* A veth pair: name here, up, on bridge master (0: none); its peer
 * peer_name made straight inside namespace peer_nsfd (-1: here), left down
 * (a veth carries packets once both ends are up). */
int rtnl_veth_add(struct rtnl *nl, const char *name, int master,
    const char *peer_name, int peer_nsfd, char *err, size_t errlen);

/* Address text/prefix (AF_INET or AF_INET6, IPv6 without duplicate address
 * detection: usable at once) on link ifindex. */
int rtnl_addr_add(struct rtnl *nl, int ifindex, int family, const char *text,
    int prefix, char *err, size_t errlen);

/* How many IPv6 addresses of link ifindex are still tentative, or -1. The
 * kernel marks a new address tentative and clears the mark in a work item
 * even without duplicate address detection; until then a bind() to it
 * fails (EADDRNOTAVAIL). */
int rtnl_tentative(struct rtnl *nl, int ifindex, char *err, size_t errlen);

#endif
