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
off(struct tep_event *e, const char *name)
{
	struct tep_format_field *f = tep_find_field(e, name);

	return f ? f->offset : -1;
}

static int
load_fmt(struct tep_handle *tep, int t, struct ev_fmt *f)
{
	struct tep_event *e = tep_find_event_by_name(tep, wev_sys[t], wev_name[t]);
	struct tep_format_field *sa;

	if (!e)
		return -1;
	f->id = e->id;
	f->old = off(e, "oldstate");
	f->new = off(e, "newstate");
	f->sport = off(e, "sport");
	f->dport = off(e, "dport");
	f->family = off(e, "family");
	f->saddr = off(e, "saddr");
	f->daddr = off(e, "daddr");
	f->saddr6 = off(e, "saddr_v6");
	f->daddr6 = off(e, "daddr_v6");
	f->state = off(e, "state");
	f->reason = off(e, "reason");
	f->ret = off(e, "ret");
	f->sk = off(e, "skaddr");
	f->pid = off(e, "pid");
	f->old_pid = off(e, "old_pid");
	sa = tep_find_field(e, "saddr");
	f->sockaddr = sa && sa->size >= 28;
	return 0;
}

static uint16_t
rd16(const uint8_t *d, int o)
{
	uint16_t v;

	memcpy(&v, d + o, 2);
	return v;
}

static int32_t
rd32(const uint8_t *d, int o)
{
	int32_t v;

	memcpy(&v, d + o, 4);
	return v;
}

static void
rd_sockaddr(const uint8_t *d, int o, uint8_t *family, uint8_t a[16], uint16_t *port)
{
	uint16_t p;

	memcpy(&p, d + o + 2, 2);
	*port = ntohs(p);
	if (rd16(d, o) == AF_INET6) {
		*family = AF_INET6;
		memcpy(a, d + o + 8, 16);
	} else {
		*family = AF_INET;
		memcpy(a, d + o + 4, 4);
	}
}

static void
unmap_v4(struct sev *s)
{
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };

	if (s->family != AF_INET6 || memcmp(s->saddr, pre, 12) ||
	    memcmp(s->daddr, pre, 12))
		return;
	s->family = AF_INET;
	memmove(s->saddr, s->saddr + 12, 4);
	memmove(s->daddr, s->daddr + 12, 4);
	memset(s->saddr + 4, 0, 12);
	memset(s->daddr + 4, 0, 12);
}

int
wev_decode(const struct ev_fmt *f, const uint8_t *d, struct sev *s)
{
	memset(s, 0, sizeof(*s));
	s->old = s->new = -1;
	if (f->sockaddr) {
		uint8_t fam2;

		rd_sockaddr(d, f->saddr, &s->family, s->saddr, &s->sport);
		rd_sockaddr(d, f->daddr, &fam2, s->daddr, &s->dport);
	} else {
		s->family = f->family >= 0 ? rd16(d, f->family) : AF_INET;
		s->sport = rd16(d, f->sport);
		s->dport = rd16(d, f->dport);
		if (s->family == AF_INET6) {
			memcpy(s->saddr, d + f->saddr6, 16);
			memcpy(s->daddr, d + f->daddr6, 16);
		} else if (s->family == AF_INET) {
			memcpy(s->saddr, d + f->saddr, 4);
			memcpy(s->daddr, d + f->daddr, 4);
		} else {
			return -1;
		}
	}
	unmap_v4(s);
	if (f->old >= 0)
		s->old = rd32(d, f->old);
	if (f->new >= 0)
		s->new = rd32(d, f->new);
	if (f->state >= 0)
		s->old = rd32(d, f->state);
	if (f->reason >= 0)
		s->reason = rd32(d, f->reason);
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
