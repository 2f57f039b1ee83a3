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

static int
load_fmt(struct tep_handle *tep, int t, struct ev_fmt *f)
{
	struct tep_event *e = tep_find_event_by_name(tep, wev_sys[t], wev_name[t]);

	if (!e)
		return -1;
	f->id = e->id;
	tinst_sock_fmt(e, &f->sock);
	f->old = tinst_field_off(e, "oldstate");
	f->new = tinst_field_off(e, "newstate");
	f->state = tinst_field_off(e, "state");
	f->reason = tinst_field_off(e, "reason");
	f->ret = tinst_field_off(e, "ret");
	f->sk = tinst_field_off(e, "skaddr");
	f->pid = tinst_field_off(e, "pid");
	f->old_pid = tinst_field_off(e, "old_pid");
	return 0;
}

int
wev_decode(const struct ev_fmt *f, const uint8_t *d, struct sev *s)
{
	memset(s, 0, sizeof(*s));
	s->old = s->new = -1;
	if (tinst_sock_decode(&f->sock, d, &s->family, &s->sport, &s->dport,
	    s->saddr, s->daddr))
		return -1;
	if (f->old >= 0)
		s->old = tinst_rd32(d, f->old);
	if (f->new >= 0)
		s->new = tinst_rd32(d, f->new);
	if (f->state >= 0)
		s->old = tinst_rd32(d, f->state);
	if (f->reason >= 0)
		s->reason = tinst_rd32(d, f->reason);
	if (f->sk >= 0)
		memcpy(&s->sk, d + f->sk, 8);
	return 0;
}

struct tep_handle *
wev_tep(struct ev_fmt fmt[EV_N], char *err, size_t errlen)
{
	struct tep_handle *tep = host_tep_events(wev_sys, wev_name, EV_N, err, errlen);

	if (!tep)
		return NULL;
	for (int t = 0; t < EV_N; t++)
		if (load_fmt(tep, t, &fmt[t])) {
			snprintf(err, errlen, "tracepoint %s:%s lacks a field watch reads",
			    wev_sys[t], wev_name[t]);
			tep_free(tep);
			return NULL;
		}
	return tep;
}
