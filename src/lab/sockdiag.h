/*
 * sockdiag.h - a snapshot of a host's TCP sockets (IPv4 and IPv6, every
 * state, TIME_WAIT ones with their timers) through netlink sock_diag.
 */
#ifndef TIMEWAIT_SOCKDIAG_H
#define TIMEWAIT_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

struct sd_sock {
	int family;		/* AF_INET or AF_INET6 */
	char local[64];		/* "10.77.3.2:667", "[fd00::2]:667" */
	char remote[64];
	uint8_t state;		/* kernel TCP state number (TCP_ESTABLISHED = 1 ...) */
	uint8_t timer;		/* 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero window probe */
	uint32_t expires_ms;	/* time left on that timer */
	uint32_t rqueue, wqueue;
	uint32_t uid, inode;
};

/* All TCP sockets of the namespace nsfd (-1: the caller's). *out is malloc'd. */
int sockdiag_snapshot(int nsfd, struct sd_sock **out, size_t *n,
    char *err, size_t errlen);
/* Kernel state names: "ESTABLISHED", "TIME_WAIT", "CLOSE_WAIT", ... */
const char *tcp_state_name(int state);

#endif
