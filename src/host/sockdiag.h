/*
 * sockdiag.h - a snapshot of a host's TCP sockets (IPv4 and IPv6, every
 * state, TIME_WAIT ones with their timers) through netlink sock_diag.
 */
#ifndef TIMEWAIT_SOCKDIAG_H
#define TIMEWAIT_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

#include "tcpstate.h"

struct sd_sock {
	int family;		/* AF_INET or AF_INET6: the socket's family */
	/* "10.77.3.2:667", "[fd00::2]:667". An IPv4-mapped address of an
	 * AF_INET6 socket ("::ffff:10.77.3.2") is written as plain IPv4. */
	char local[64];
	char remote[64];
	uint8_t state;		/* kernel TCP state number (TCP_ESTABLISHED = 1 ...) */
	uint8_t timer;		/* 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero window probe */
	uint32_t expires_ms;	/* time left on that timer */
	uint32_t rqueue, wqueue;
	uint32_t uid, inode;
};

/*
 * All TCP sockets of the namespace nsfd (-1: the caller's), IPv4 then IPv6,
 * every state including TIME_WAIT (timer 3, expires_ms = what is left of
 * the 60 s) and NEW_SYN_RECV. Kernels from 6.5 on also list sockets that
 * are bound but neither listening nor connected (the seed's client between
 * bind and connect): state CLOSE, remote "0.0.0.0:0". *out is malloc'd (free it; NULL when n is 0
 * is possible). The calling thread never leaves its namespace. 0, or -1
 * with a message in err.
 */
int sockdiag_snapshot(int nsfd, struct sd_sock **out, size_t *n,
    char *err, size_t errlen);
/*
 * 1 if a socket of the namespace nsfd listens on addr:port, or on any
 * address (0.0.0.0, ::) and port; addr NULL: any address at all. 0 if
 * none (yet), -1 with err. No connection is made, so the wait for a
 * server shows in no capture and no kernel trace.
 */
int sockdiag_listening(int nsfd, const char *addr, unsigned port, char *err, size_t errlen);

/*
 * The snapshot as a JSON array (jansson), one object per socket:
 * {"family": "inet"|"inet6", "local", "remote", "state": tcp_state_name(),
 *  "timer": "none"|"retransmit"|"keepalive"|"time_wait"|"zero_window_probe",
 *  "expires_ms", "rqueue", "wqueue", "uid", "inode"}.
 * A new reference (json_decref it), or NULL when out of memory.
 */
struct json_t;
struct json_t *sockdiag_to_json(const struct sd_sock *s, size_t n);


#endif
