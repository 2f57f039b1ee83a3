/*
 * tinst.c - a tracing instance of our own and its reader thread (tinst.h),
 * for ktrace.c and watch/wtrace.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tracefs.h>
#include <event-parse.h>

#include "host/ktrace.h"
#include "host/tinst.h"
#include "util.h"

void
tinst_init(struct tinst *ti)
{
	memset(ti, 0, sizeof(*ti));
	pthread_mutex_init(&ti->lock, NULL);
}

int
tinst_mount(struct tinst *ti)
{
	int m = ktrace_mount();

	if (m < 0)
		return -1;
	ti->mounted = m == 1;
	return 0;
}

int
tinst_open(struct tinst *ti, const char *name, size_t buffer_kb,
    const char *clock, const char *who, char *err, size_t errlen)
{
	char kb[32];

	if (!(ti->inst = tracefs_instance_create(name))) {
		snprintf(err, errlen, "%screating tracing instance %s: %s", who,
		    name, strerror(errno));
		return -1;
	}
	snprintf(kb, sizeof(kb), "%zu", buffer_kb);
	if (tracefs_instance_file_write(ti->inst, "buffer_size_kb", kb) < 0 ||
	    (clock && tracefs_instance_file_write(ti->inst, "trace_clock", clock) < 0)) {
		snprintf(err, errlen, "%ssetting the trace buffer size%s: %s", who,
		    clock ? " and clock" : "", strerror(errno));
		return -1;
	}
	return 0;
}

void
tinst_drain(struct tinst *ti)
{
	pthread_mutex_lock(&ti->lock);
	tracefs_iterate_raw_events(ti->tep, ti->inst, NULL, 0, ti->on_record, ti->ctx);
	pthread_mutex_unlock(&ti->lock);
}

static void *
reader_main(void *arg)
{
	struct tinst *ti = arg;

	while (!__atomic_load_n(&ti->stopping, __ATOMIC_ACQUIRE)) {
		if (ti->each_pass)
			ti->each_pass(ti->ctx);
		tinst_drain(ti);
		sleep_ns(ti->period_ns);
	}
	return NULL;
}

int
tinst_start(struct tinst *ti, const char *const *sys, const char *const *name,
    int n, const char *who, char *err, size_t errlen)
{
	int e;

	for (int t = 0; t < n; t++)
		if (tracefs_event_enable(ti->inst, sys[t], name[t]) < 0) {
			snprintf(err, errlen, "%senabling %s:%s: %s", who, sys[t],
			    name[t], strerror(errno));
			return -1;
		}
	tracefs_instance_file_write(ti->inst, "tracing_on", "1");
	if ((e = pthread_create(&ti->reader, NULL, reader_main, ti))) {
		snprintf(err, errlen, "%strace reader thread: %s", who, strerror(e));
		return -1;
	}
	ti->started = 1;
	return 0;
}

void
tinst_stop(struct tinst *ti)
{
	/* Events off first, so that a last drain sees everything. */
	if (ti->inst)
		tracefs_event_disable(ti->inst, NULL, NULL);
	__atomic_store_n(&ti->stopping, 1, __ATOMIC_RELEASE);
	if (ti->started)
		pthread_join(ti->reader, NULL);
	ti->started = 0;
}

uint64_t
tinst_overruns(const struct tinst *ti)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	uint64_t total = 0;

	for (long cpu = 0; cpu < ncpu; cpu++) {
		char path[64], *text, *p;

		snprintf(path, sizeof(path), "per_cpu/cpu%ld/stats", cpu);
		if (!(text = tracefs_instance_file_read(ti->inst, path, NULL)))
			continue;
		if ((p = strstr(text, "overrun:")))
			total += strtoull(p + 8, NULL, 10);
		if ((p = strstr(text, "dropped events:")))
			total += strtoull(p + 15, NULL, 10);
		free(text);
	}
	return total;
}

void
tinst_close(struct tinst *ti)
{
	if (ti->inst) {
		tracefs_event_disable(ti->inst, NULL, NULL);
		tracefs_instance_file_write(ti->inst, "tracing_on", "0");
		tracefs_instance_destroy(ti->inst);
		tracefs_instance_free(ti->inst);
		ti->inst = NULL;
	}
	if (ti->tep) {
		tep_free(ti->tep);
		ti->tep = NULL;
	}
	if (ti->mounted)
		ktrace_unmount();
	ti->mounted = 0;
}

void
tinst_fini(struct tinst *ti)
{
	pthread_mutex_destroy(&ti->lock);
}

static int
field(struct tep_event *e, const char *name)
{
	struct tep_format_field *f = tep_find_field(e, name);

	return f ? f->offset : -1;
}

int
tinst_fmt_load(struct tep_handle *tep, const char *sys, const char *name,
    struct tinst_fmt *f)
{
	struct tep_event *e = tep_find_event_by_name(tep, sys, name);
	struct tep_format_field *sa;

	if (!e)
		return -1;
	f->id = e->id;
	f->family = field(e, "family");
	f->sport = field(e, "sport");
	f->dport = field(e, "dport");
	f->saddr = field(e, "saddr");
	f->daddr = field(e, "daddr");
	f->saddr6 = field(e, "saddr_v6");
	f->daddr6 = field(e, "daddr_v6");
	f->proto = field(e, "protocol");
	f->old = field(e, "oldstate");
	f->new = field(e, "newstate");
	f->state = field(e, "state");
	f->reason = field(e, "reason");
	f->cookie = field(e, "sock_cookie");
	f->sk = field(e, "skaddr");
	f->ret = field(e, "ret");
	f->pid = field(e, "pid");
	f->old_pid = field(e, "old_pid");
	/* tcp_send_reset stores whole sockaddrs (28 bytes), the others a raw
	 * IPv4 address plus a separate IPv6 one. */
	sa = tep_find_field(e, "saddr");
	f->sockaddr = sa && sa->size >= (int)sizeof(struct sockaddr_in6);
	return 0;
}

/* A struct sockaddr_in / sockaddr_in6 as the kernel stored it. */
static void
rd_sockaddr(const uint8_t *d, int off, uint8_t *family, uint8_t addr[16],
    uint16_t *port)
{
	uint16_t p;

	memcpy(&p, d + off + 2, 2);
	*port = ntohs(p);
	if (tinst_rd16(d, off) == AF_INET6) {
		*family = AF_INET6;
		memcpy(addr, d + off + 8, 16);
	} else {
		*family = AF_INET;
		memcpy(addr, d + off + 4, 4);
	}
}

static void
unmap_v4(struct tinst_sock *s)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (s->family != AF_INET6 || memcmp(s->saddr, mapped, 12) ||
	    memcmp(s->daddr, mapped, 12))
		return;
	s->family = AF_INET;
	memmove(s->saddr, s->saddr + 12, 4);
	memmove(s->daddr, s->daddr + 12, 4);
	memset(s->saddr + 4, 0, 12);
	memset(s->daddr + 4, 0, 12);
}

int
tinst_decode(const struct tinst_fmt *f, const uint8_t *d, struct tinst_sock *s)
{
	memset(s, 0, sizeof(*s));
	s->old = s->new = s->state = -1;
	if (f->sockaddr) {
		uint8_t fam2;

		rd_sockaddr(d, f->saddr, &s->family, s->saddr, &s->sport);
		rd_sockaddr(d, f->daddr, &fam2, s->daddr, &s->dport);
	} else {
		s->family = f->family >= 0 ? tinst_rd16(d, f->family) : AF_INET;
		s->sport = tinst_rd16(d, f->sport);
		s->dport = tinst_rd16(d, f->dport);
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
		s->old = tinst_rd32(d, f->old);
	if (f->new >= 0)
		s->new = tinst_rd32(d, f->new);
	if (f->state >= 0)
		s->state = tinst_rd32(d, f->state);
	if (f->reason >= 0)
		s->reason = tinst_rd32(d, f->reason);
	if (f->cookie >= 0)
		memcpy(&s->cookie, d + f->cookie, 8);
	if (f->sk >= 0)
		memcpy(&s->sk, d + f->sk, 8);
	return 0;
}
