/*
 * wevent.c - the six tracepoints `timewait watch` reads, and their records
 * decoded: where each field lies (looked up once in the event's format,
 * never parsed per record), the addresses and ports of a socket event with
 * the local side first, IPv4-mapped IPv6 addresses written as the IPv4
 * they are.
 *
 * The tep (libtraceevent's handle) knows these six events and nothing
 * else: tracefs_local_events would parse every event of their systems
 * (the syscalls system alone has hundreds) and all of kallsyms, 20 MB of
 * memory for what watch never reads.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tracefs.h>
#include <event-parse.h>

#include "host/tep.h"
#include "watch/wevent.h"

const char *const wev_sys[EV_N] = {
	"sock", "tcp", "tcp", "syscalls", "syscalls", "sched"
};
const char *const wev_name[EV_N] = {
	"inet_sock_set_state", "tcp_send_reset", "tcp_receive_reset",
	"sys_exit_connect", "sys_exit_bind", "sched_process_exec"
};

int
wev_decode(const struct tinst_fmt *f, const uint8_t *d, struct tinst_sock *s)
{
	if (tinst_decode(f, d, s))
		return -1;
	if (f->state >= 0)
		s->old = s->state;
	return 0;
}

struct tep_handle *
wev_tep(struct tinst_fmt fmt[EV_N], char *err, size_t errlen)
{
	struct tep_handle *tep = host_tep_events(wev_sys, wev_name, EV_N, err, errlen);

	if (!tep)
		return NULL;
	for (int t = 0; t < EV_N; t++)
		if (tinst_fmt_load(tep, wev_sys[t], wev_name[t], &fmt[t])) {
			snprintf(err, errlen, "tracepoint %s:%s lacks a field watch reads",
			    wev_sys[t], wev_name[t]);
			tep_free(tep);
			return NULL;
		}
	return tep;
}
