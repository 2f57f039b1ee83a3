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

/* A tep that knows the six events, their formats in fmt; NULL with a
 * message in err (tep_free it). */
struct tep_handle *wev_tep(struct tinst_fmt fmt[EV_N], char *err, size_t errlen);
/* A socket event's record into s (tinst_decode), tcp_send_reset's state
 * in old; -1 if it is no TCP/IP socket's. */
int wev_decode(const struct tinst_fmt *f, const uint8_t *d, struct tinst_sock *s);

#endif
