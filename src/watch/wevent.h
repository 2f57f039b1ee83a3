/*
 * wevent.h - the tracepoints `timewait watch` reads and their records
 * decoded (wevent.c); used by the tracing side, wtrace.c.
 */
#ifndef TIMEWAIT_WATCH_WEVENT_H
#define TIMEWAIT_WATCH_WEVENT_H

#include <stddef.h>
#include <stdint.h>

#include "host/tinst.h"

struct tep_handle;

enum { EV_STATE, EV_SEND_RST, EV_RECV_RST, EV_CONNECT, EV_BIND, EV_EXEC, EV_N };

extern const char *const wev_sys[EV_N];	/* "sock", "tcp", ..., "sched" */
extern const char *const wev_name[EV_N];	/* "inet_sock_set_state", ... */

/* Where each field lies in a record of one event; -1 when it has none. */
struct ev_fmt {
	int id;
	struct tinst_sock_fmt sock;	/* family, addresses, ports */
	int old, new;
	int state, reason, ret, sk;
	int pid, old_pid;	/* sched_process_exec's */
};

/* A socket event, decoded: local side first. */
struct sev {
	uint8_t family;
	uint16_t sport, dport;
	uint8_t saddr[16], daddr[16];
	int old, new, reason;
	uint64_t sk;		/* the kernel's socket address: 0 if none */
};

/* A tep that knows the six events, their formats in fmt; NULL with a
 * message in err (tep_free it). */
struct tep_handle *wev_tep(struct ev_fmt fmt[EV_N], char *err, size_t errlen);
/* A socket event's record into s; -1 if it is no TCP/IP socket's. */
int wev_decode(const struct ev_fmt *f, const uint8_t *d, struct sev *s);

#endif
