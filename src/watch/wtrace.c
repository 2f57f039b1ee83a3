/*
 * wtrace.c - what the kernel reports as it happens, for `timewait watch`:
 * TCP state changes and resets of the watched namespace, and the connect()
 * and bind() calls of its processes that failed, by errno.
 *
 * The pattern is host/ktrace.c's, and the instance and its reader are the
 * same code (host/tinst.c): a tracing instance of our own (never the
 * global one), named "tw-<pid>-1-watch" so that the watch's janitor, `lab
 * clean` and the next watch recognise one left by a watch killed outright
 * (the janitor removes it at once, the others should it be killed too);
 * tracefs mounted for the time of the watch if nobody had; the per-CPU
 * buffers drained by a thread every 20 ms. What differs: nothing is kept per event. Each event
 * adds to the row of its destination or service (table.c) and the rows are
 * handed over whole once an interval, so the cost is a few hash lookups an
 * event and memory stays fixed whatever the rate.
 *
 * The kernel filters what it can: only the state changes that matter
 * (ESTABLISHED: opened; FIN_WAIT1 / CLOSE_WAIT: who closed first; CLOSE:
 * ended) of sockets whose source address is one of the namespace's; only
 * failed syscalls (EINPROGRESS of non-blocking connect() is no failure).
 * Tracepoints are machine-wide: an event belongs to the namespace when its
 * socket's own address is one of the namespace's, and a failed syscall
 * when its thread's /proc/TID/ns/net is the namespace (looked up once per
 * thread and interval).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tracefs.h>
#include <event-parse.h>

#include "host/ktrace.h"
#include "host/tinst.h"
#include "lab/janitor.h"
#include "tcpstate.h"
#include "util.h"
#include "watch/watch.h"
#include "watch/wevent.h"

#define PID_CACHE 1024
struct pid_entry {
	int pid;		/* 0: free */
	int ours;		/* 1: in the namespace, 0: in another, -1: gone */
	char comm[16];
};

struct wtrace {
	struct tinst t;		/* its lock guards cur, addrs, pids */
	struct tinst_fmt fmt[EV_N];
	char name[64];
	struct w_ns *ns;
	const uint8_t *listening;	/* per port: 1 if a socket listens on it */
	struct w_skmap *skmap;	/* reader thread only */
	int port_lo, port_hi;	/* atomics: set by the main loop */
	struct w_interval cur;
	int naddrs;
	uint8_t fam[W_MAX_ADDRS], addr[W_MAX_ADDRS][16];
	struct pid_entry pids[PID_CACHE];
};

static int
is_ours(const struct wtrace *wt, int family, const uint8_t *a)
{
	for (int i = 0; i < wt->naddrs; i++)
		if (wt->fam[i] == family &&
		    !memcmp(wt->addr[i], a, family == AF_INET ? 4 : 16))
			return 1;
	return 0;
}

/* Which side opened the connection of an event (see skmap.c). */
static int
kind_of(struct wtrace *wt, const struct tinst_sock *s, int t)
{
	int k;

	if (t == EV_STATE && s->old == TS_SYN_SENT)
		return W_DEST;
	if (t == EV_STATE && s->old == TS_SYN_RECV)
		return W_SERVICE;
	if (s->sk && (k = w_skmap_get(wt->skmap, s->sk)))
		return k;
	if (t == EV_SEND_RST && s->old <= 0)
		return W_SERVICE;	/* no socket: that port refused a segment */
	return w_guess_kind(wt->listening,
	    __atomic_load_n(&wt->port_lo, __ATOMIC_RELAXED),
	    __atomic_load_n(&wt->port_hi, __ATOMIC_RELAXED), s->sport, s->dport);
}

/* The row an event of socket s counts in; NULL if not the namespace's. */
static struct w_row *
row_of(struct wtrace *wt, const struct tinst_sock *s, int t)
{
	struct w_key k;

	if (!is_ours(wt, s->family, s->saddr))
		return NULL;
	memset(&k, 0, sizeof(k));
	k.family = s->family;
	memcpy(k.local, s->saddr, 16);
	k.kind = (uint8_t)kind_of(wt, s, t);
	if (k.kind == W_DEST) {
		memcpy(k.remote, s->daddr, 16);
		k.port = s->dport;
	} else {
		k.port = s->sport;
	}
	return w_table_get(&wt->cur.table, &k);
}

static void
on_state(struct wtrace *wt, const uint8_t *d)
{
	struct tinst_sock s;
	struct w_row *r;

	if (wev_decode(&wt->fmt[EV_STATE], d, &s) || !(r = row_of(wt, &s, EV_STATE)))
		return;
	switch (s.new) {
	case TS_ESTABLISHED:
		if (s.old == TS_SYN_SENT || s.old == TS_SYN_RECV) {
			r->opened++;
			if (s.sk)
				w_skmap_put(wt->skmap, s.sk, r->key.kind);
		}
		break;
	case TS_FIN_WAIT1:
		if (s.old == TS_ESTABLISHED || s.old == TS_SYN_RECV)
			r->fin_local++;
		break;
	case TS_CLOSE_WAIT:
		r->fin_peer++;
		break;
	case TS_CLOSE:
		if (s.old != TS_SYN_SENT && s.old != TS_SYN_RECV &&
		    s.old != TS_LISTEN && s.old != TS_CLOSE)
			r->ended++;
		if (s.sk)
			w_skmap_del(wt->skmap, s.sk);
		break;
	}
}

static void
on_reset(struct wtrace *wt, int t, const uint8_t *d)
{
	struct tinst_sock s;
	struct w_row *r;

	if (wev_decode(&wt->fmt[t], d, &s) || !(r = row_of(wt, &s, t)))
		return;
	if (t == EV_RECV_RST) {
		r->rst_recv++;
		return;
	}
	r->rst_sent++;
	if (s.reason >= 0 && s.reason < W_RST_REASONS)
		r->rst_reason[s.reason]++;
}

/* Is thread pid in the namespace, and its name: cached for the interval. */
static struct pid_entry *
pid_lookup(struct wtrace *wt, int pid)
{
	struct pid_entry *p = &wt->pids[(unsigned)pid % PID_CACHE];
	char path[64];
	struct stat st;
	FILE *f;

	if (p->pid == pid)
		return p;
	p->pid = pid;
	p->ours = -1;
	snprintf(p->comm, sizeof(p->comm), "?");
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	if (stat(path, &st) < 0)
		return p;	/* gone: its namespace is unknown (ours -1) */
	p->ours = (uint64_t)st.st_ino == wt->ns->ino;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if ((f = fopen(path, "re"))) {
		if (fgets(p->comm, sizeof(p->comm), f))
			p->comm[strcspn(p->comm, "\n")] = '\0';
		fclose(f);
	}
	return p;
}

static void
on_syscall(struct wtrace *wt, int t, struct tep_record *rec)
{
	const uint8_t *d = rec->data;
	int64_t ret;
	int pid = tinst_rd32(d, 4), err;	/* common_pid: the thread */
	struct pid_entry *p;
	uint32_t h;

	memcpy(&ret, d + wt->fmt[t].ret, 8);
	if (ret >= 0 || ret == -EINPROGRESS)
		return;
	err = (int)-ret;
	p = pid_lookup(wt, pid);
	if (p->ours != 1) {
		if (p->ours == 0)
			wt->cur.other_ns++;
		else
			wt->cur.gone++;
		return;
	}
	h = ((uint32_t)err * 31u + (uint32_t)t) % W_ERR_CAP;
	for (int i = 0; i < W_ERR_CAP; i++, h = (h + 1) % W_ERR_CAP) {
		struct w_err *e = &wt->cur.errs[h];

		if (!e->used) {
			e->used = 1;
			e->bind = t == EV_BIND;
			e->err = err;
			memcpy(e->comm, p->comm, sizeof(e->comm));
		} else if (e->err != err || e->bind != (t == EV_BIND) ||
		    strcmp(e->comm, p->comm)) {
			continue;
		}
		e->count++;
		return;
	}
	wt->cur.errs_dropped++;
}

/* A thread ran a new program: what is cached of it (its name, and its
 * namespace: `ip netns exec` enters one, then execs) is no longer so.
 * Without this, a pyenv shim (bash) that failed a connect() to nscd's
 * socket, then exec'd python3, had python3's failures counted as bash's. */
static void
on_exec(struct wtrace *wt, const uint8_t *d)
{
	int pids[2] = { tinst_rd32(d, wt->fmt[EV_EXEC].pid), tinst_rd32(d, wt->fmt[EV_EXEC].old_pid) };

	for (int i = 0; i < 2; i++) {
		struct pid_entry *p = &wt->pids[(unsigned)pids[i] % PID_CACHE];

		if (p->pid == pids[i])
			p->pid = 0;
	}
}

static int
on_record(struct tep_event *e, struct tep_record *r, int cpu, void *ctx)
{
	struct wtrace *wt = ctx;

	(void)cpu;
	wt->cur.events++;
	if (r->missed_events)
		wt->cur.missed += r->missed_events > 0 ? (uint64_t)r->missed_events : 1;
	if (e->id == wt->fmt[EV_STATE].id)
		on_state(wt, r->data);
	else if (e->id == wt->fmt[EV_SEND_RST].id)
		on_reset(wt, EV_SEND_RST, r->data);
	else if (e->id == wt->fmt[EV_RECV_RST].id)
		on_reset(wt, EV_RECV_RST, r->data);
	else if (e->id == wt->fmt[EV_CONNECT].id)
		on_syscall(wt, EV_CONNECT, r);
	else if (e->id == wt->fmt[EV_BIND].id)
		on_syscall(wt, EV_BIND, r);
	else if (e->id == wt->fmt[EV_EXEC].id)
		on_exec(wt, r->data);
	return 0;
}

/* Before each pass of the reader: an address came or went, so know it
 * before reading the events that may use it (they wait in the buffer
 * meanwhile). */
static void
each_pass(void *ctx)
{
	struct wtrace *wt = ctx;

	if (w_ns_addrs_changed(wt->ns) && w_ns_addrs(wt->ns) == 1)
		wtrace_set_addrs(wt);
}

void
wtrace_take(struct wtrace *wt, struct w_interval *out)
{
	struct w_interval tmp;

	w_table_clear(&out->table);
	pthread_mutex_lock(&wt->t.lock);
	tmp = wt->cur;
	wt->cur = *out;
	memset(wt->cur.errs, 0, sizeof(wt->cur.errs));
	wt->cur.errs_dropped = wt->cur.events = wt->cur.missed = wt->cur.other_ns =
	    wt->cur.gone = 0;
	memset(wt->pids, 0, sizeof(wt->pids));	/* pids are reused: look again */
	pthread_mutex_unlock(&wt->t.lock);
	*out = tmp;
}

void
wtrace_set_range(struct wtrace *wt, int lo, int hi)
{
	__atomic_store_n(&wt->port_lo, lo, __ATOMIC_RELAXED);
	__atomic_store_n(&wt->port_hi, hi, __ATOMIC_RELAXED);
}

uint64_t
wtrace_kernel_lost(struct wtrace *wt)
{
	return tinst_overruns(&wt->t);
}

/* Kernel filters: source address one of ours (IPv4: an address array of 4
 * bytes compares as one number; IPv6 always passes and is matched here). */
void
wtrace_set_addrs(struct wtrace *wt)
{
	char addrs[2048] = "family == 10", state[2300], one[64];
	size_t len = strlen(addrs);
	int v4 = 0;

	pthread_mutex_lock(&wt->t.lock);
	wt->naddrs = wt->ns->naddrs;
	memcpy(wt->fam, wt->ns->fam, sizeof(wt->fam));
	memcpy(wt->addr, wt->ns->addr, sizeof(wt->addr));
	pthread_mutex_unlock(&wt->t.lock);
	for (int i = 0; i < wt->naddrs; i++) {
		uint32_t v;

		if (wt->fam[i] != AF_INET)
			continue;
		memcpy(&v, wt->addr[i], 4);
		v4++;
		snprintf(one, sizeof(one), " || saddr == 0x%08x", v);
		if (len + strlen(one) >= sizeof(addrs)) {
			snprintf(addrs, sizeof(addrs), "family == 2 || family == 10");
			break;
		}
		memcpy(addrs + len, one, strlen(one) + 1);
		len += strlen(one);
	}
	if (!v4)	/* none yet: let all through, matched here once known */
		snprintf(addrs, sizeof(addrs), "family == 2 || family == 10");
	snprintf(state, sizeof(state), "protocol == 6 && (newstate == 1 || "
	    "newstate == 4 || newstate == 7 || newstate == 8) && (%s)", addrs);
	if (tracefs_event_file_write(wt->t.inst, "sock", "inet_sock_set_state",
	    "filter", state) < 0)
		tracefs_event_file_write(wt->t.inst, "sock", "inet_sock_set_state",
		    "filter", "protocol == 6");
	tracefs_event_file_write(wt->t.inst, "tcp", "tcp_receive_reset", "filter", addrs);
}

static void
destroy(struct wtrace *wt)
{
	tinst_close(&wt->t);	/* the instance, and the mount made for it */
	tinst_fini(&wt->t);
	w_table_free(&wt->cur.table);
	w_skmap_free(wt->skmap);
	free(wt);
}

struct wtrace *
wtrace_start(struct w_ns *ns, const uint8_t *listening, char *err, size_t errlen)
{
	struct wtrace *wt = calloc(1, sizeof(*wt));

	if (!wt || w_table_init(&wt->cur.table) || !(wt->skmap = w_skmap_new())) {
		if (wt)
			w_table_free(&wt->cur.table);
		free(wt);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	tinst_init(&wt->t);
	wt->t.on_record = on_record;
	wt->t.each_pass = each_pass;
	wt->t.ctx = wt;
	wt->t.period_ns = 20 * NSEC_PER_MSEC;
	wt->ns = ns;
	wt->listening = listening;
	snprintf(wt->name, sizeof(wt->name), "tw-%d-1-watch", (int)getpid());
	(void)janitor_start();	/* the instance and the mount go even on SIGKILL */
	if (tinst_mount(&wt->t) < 0) {
		snprintf(err, errlen, "cannot mount tracefs at /sys/kernel/tracing: %s",
		    strerror(errno));
		goto fail;
	}
	wtrace_clean_dead();
	if (!(wt->t.tep = wev_tep(wt->fmt, err, errlen)))
		goto fail;
	/* 4 MiB a CPU: at 30,000 connections a second (three events each,
	 * 80 bytes an event, two CPUs) over a second of events, for a reader
	 * that a loaded machine does not schedule for a while. */
	if (tinst_open(&wt->t, wt->name, 4096, NULL, "", err, errlen) < 0)
		goto fail;
	wtrace_set_addrs(wt);
	for (int t = EV_CONNECT; t <= EV_BIND; t++)
		tracefs_event_file_write(wt->t.inst, wev_sys[t], wev_name[t], "filter",
		    "ret < 0 && ret != -115");
	if (tinst_start(&wt->t, wev_sys, wev_name, EV_N, "", err, errlen) < 0)
		goto fail;
	return wt;
fail:
	destroy(wt);
	return NULL;
}

void
wtrace_stop(struct wtrace *wt)
{
	if (!wt)
		return;
	tinst_stop(&wt->t);
	destroy(wt);
}

void
wtrace_clean_dead(void)
{
	DIR *d = opendir("/sys/kernel/tracing/instances");
	struct dirent *e;
	char path[512];
	int pid, n;

	while (d && (e = readdir(d))) {
		n = 0;
		if (sscanf(e->d_name, "tw-%d-1-watch%n", &pid, &n) != 1 ||
		    e->d_name[n] != '\0' || pid <= 0 || pid_alive(pid))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/tracing/instances/%s",
		    e->d_name);
		(void)rmdir(path);
	}
	if (d)
		closedir(d);
}
