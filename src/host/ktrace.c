/*
 * ktrace.c - TCP state changes and resets from the kernel's tracepoints, in
 * a tracing instance of our own, for the length of a run.
 *
 * Built this way:
 *  - one instance per run under instances/, created in ktrace_start and
 *    destroyed in ktrace_stop (and on every error path): the global
 *    instance is never touched, so other tracers on the machine are not
 *    disturbed and two runs never see each other's settings;
 *  - trace clock "mono" (CLOCK_MONOTONIC), mapped to the wall clock of the
 *    pcaps and event logs with an offset sampled at start (the sample with
 *    the tightest monotonic bracket around a CLOCK_REALTIME read);
 *  - a thread drains the per-CPU ring buffers (trace_pipe_raw, through
 *    tracefs_iterate_raw_events) every few milliseconds, so a big burst of
 *    connections fits in the buffer between two passes; lost events are
 *    counted from the records' missed-events marks and from the per-CPU
 *    "overrun" / "dropped events" counters;
 *  - the kernel filters on the lab's IPv4 addresses where the event has
 *    them (set_filters), so other traffic on the machine costs little;
 *  - fields are read at offsets looked up once in the event formats, not
 *    parsed per record; records whose addresses are not the lab's are
 *    dropped at once, the rest kept in memory and written at stop, sorted
 *    by time.
 * The instance, its reader and the decoding of records are host/tinst.c,
 * shared with `timewait watch`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>
#include <event-parse.h>

#include "host/ktrace.h"
#include "host/tep.h"
#include "host/tinst.h"
#include "tcpstate.h"
#include "util.h"

enum kev_type { KEV_STATE, KEV_SEND_RST, KEV_RECV_RST, KEV_DESTROY, KEV_NTYPES };

static const char *const kev_system[KEV_NTYPES] = { "sock", "tcp", "tcp", "tcp" };
static const char *const kev_name[KEV_NTYPES] = {
	"inet_sock_set_state", "tcp_send_reset", "tcp_receive_reset",
	"tcp_destroy_sock"
};

/* One kept record, addresses in network byte order. */
struct kev {
	uint64_t ts;		/* trace clock (mono) ns */
	uint64_t seq;		/* arrival order, to keep sorting stable */
	uint64_t cookie;	/* sock_cookie, when the event has it */
	uint64_t sk;		/* the socket's address, to follow one socket */
	uint8_t type;		/* enum kev_type */
	uint8_t family;		/* AF_INET, AF_INET6 */
	uint8_t cpu;
	int8_t oldstate, newstate;	/* set_state; send_reset: newstate = state */
	uint16_t sport, dport;	/* host order */
	int32_t reason;		/* send_reset's sk_rst_reason */
	uint8_t saddr[16], daddr[16];
};

struct lab_addr {
	int family;
	uint8_t bytes[16];
	char text[46];
	char name[32];
};

struct ktrace {
	struct tinst t;		/* the instance, its reader, and the lock of ev */
	struct tinst_fmt fmt[KEV_NTYPES];
	struct lab_addr *addrs;
	int naddrs;
	int64_t mono_to_real;	/* add to a mono time to get wall time */
	uint64_t sk_key;	/* kernel addresses are written mixed with it */
	struct kev *ev;
	size_t nev, cap;
	int oom;
	uint64_t seen, missed, overrun;
	size_t buffer_kb;
};

static void
seterr(char *err, size_t errlen, const char *what, int e)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", what, e ? strerror(e) : "failed");
}

static const struct lab_addr *
find_addr(const struct ktrace *kt, int family, const uint8_t *a)
{
	for (int i = 0; i < kt->naddrs; i++) {
		const struct lab_addr *l = &kt->addrs[i];

		if (l->family == family &&
		    !memcmp(l->bytes, a, family == AF_INET ? 4 : 16))
			return l;
	}
	return NULL;
}

/* Fills k from a record; 0 when it concerns the lab, -1 to drop it. */
static int
decode(const struct ktrace *kt, int type, const uint8_t *d, struct kev *k)
{
	const struct tinst_fmt *f = &kt->fmt[type];
	struct tinst_sock s;

	if (!f->sockaddr && f->proto >= 0 && tinst_rd16(d, f->proto) != IPPROTO_TCP)
		return -1;
	if (tinst_decode(f, d, &s) || (!find_addr(kt, s.family, s.saddr) &&
	    !find_addr(kt, s.family, s.daddr)))
		return -1;
	memset(k, 0, sizeof(*k));
	k->type = type;
	k->family = s.family;
	k->sport = s.sport;
	k->dport = s.dport;
	memcpy(k->saddr, s.saddr, sizeof(k->saddr));
	memcpy(k->daddr, s.daddr, sizeof(k->daddr));
	k->oldstate = s.old;
	k->newstate = f->state >= 0 ? s.state : s.new;	/* send_reset's state */
	k->reason = s.reason;
	k->cookie = s.cookie;
	k->sk = s.sk;
	return 0;
}

static int
on_record(struct tep_event *e, struct tep_record *r, int cpu, void *ctx)
{
	struct ktrace *kt = ctx;
	struct kev k;
	int type;

	kt->seen++;
	if (r->missed_events)
		kt->missed += r->missed_events > 0 ? (uint64_t)r->missed_events : 1;
	for (type = 0; type < KEV_NTYPES; type++)
		if (kt->fmt[type].id == e->id)
			break;
	if (type == KEV_NTYPES || decode(kt, type, r->data, &k))
		return 0;
	k.ts = r->ts;
	k.cpu = cpu;
	k.seq = kt->nev;
	if (kt->nev == kt->cap) {
		size_t cap = kt->cap ? kt->cap * 2 : 4096;
		struct kev *n = realloc(kt->ev, cap * sizeof(*n));

		if (!n) {
			kt->oom = 1;
			kt->missed++;
			return 0;
		}
		kt->ev = n;
		kt->cap = cap;
	}
	kt->ev[kt->nev++] = k;
	return 0;
}

/* Wall minus monotonic, from the sample whose monotonic bracket is tightest. */
static int64_t
sample_clock_offset(void)
{
	uint64_t best = UINT64_MAX;
	int64_t off = 0;

	for (int i = 0; i < 7; i++) {
		uint64_t m1 = now_mono_ns(), r = now_realtime_ns(),
		    m2 = now_mono_ns();

		if (m2 - m1 < best) {
			best = m2 - m1;
			off = (int64_t)(r - (m1 + (m2 - m1) / 2));
		}
	}
	return off;
}

static int
parse_addrs(struct ktrace *kt, const char *const *addrs,
    const char *const *names, int n)
{
	kt->addrs = calloc(n > 0 ? n : 1, sizeof(*kt->addrs));
	if (!kt->addrs)
		return -1;
	for (int i = 0; i < n; i++) {
		struct lab_addr *l = &kt->addrs[kt->naddrs];

		if (inet_pton(AF_INET, addrs[i], l->bytes) == 1)
			l->family = AF_INET;
		else if (inet_pton(AF_INET6, addrs[i], l->bytes) == 1)
			l->family = AF_INET6;
		else
			return -1;
		snprintf(l->text, sizeof(l->text), "%s", addrs[i]);
		snprintf(l->name, sizeof(l->name), "%s",
		    names && names[i] ? names[i] : addrs[i]);
		kt->naddrs++;
	}
	return 0;
}

static void
ktrace_free(struct ktrace *kt)
{
	if (!kt)
		return;
	tinst_close(&kt->t);	/* the instance, and the mount made for it */
	tinst_fini(&kt->t);
	free(kt->addrs);
	free(kt->ev);
	free(kt);
}

/*
 * The kernel keeps only the lab's events where it can: a 4-byte address
 * array compares as one 32-bit number (its bytes as they lie in memory),
 * so IPv4 addresses go into the filters of the events that have them;
 * IPv6 ones cannot, so every AF_INET6 event passes (also for the
 * v4-mapped sockets of a dual-stack server), and tcp_send_reset (whole
 * sockaddrs) is not filtered. Whatever
 * passes is matched again here, so a filter the kernel refuses only costs
 * time, never correctness.
 */
static void
set_filters(struct ktrace *kt)
{
	char f[2048] = "", one[96];
	int v6 = 0;
	size_t len = 0;

	for (int i = 0; i < kt->naddrs; i++) {
		uint32_t v;

		if (kt->addrs[i].family == AF_INET6) {
			v6 = 1;
			continue;
		}
		memcpy(&v, kt->addrs[i].bytes, 4);
		snprintf(one, sizeof(one), "%ssaddr == 0x%08x || daddr == 0x%08x",
		    len ? " || " : "", v, v);
		if (len + strlen(one) + 40 >= sizeof(f))
			return;		/* too many: the protocol filter only */
		memcpy(f + len, one, strlen(one) + 1);
		len += strlen(one);
	}
	/* AF_INET6 always passes: IPv6 lab addresses cannot be filtered on,
	 * and a dual-stack server's sockets have v4-mapped ones. */
	(void)v6;
	if (len) {
		snprintf(one, sizeof(one), " || family == 10");
		memcpy(f + len, one, strlen(one) + 1);
		len += strlen(one);
	}
	for (int t = 0; t < KEV_NTYPES; t++) {
		char full[2200];

		if (t == KEV_SEND_RST)
			continue;
		if (t == KEV_STATE)
			snprintf(full, sizeof(full), len ? "protocol == 6 && (%s)" : "protocol == 6", f);
		else if (len)
			snprintf(full, sizeof(full), "%s", f);
		else
			continue;
		if (tracefs_event_file_write(kt->t.inst, kev_system[t], kev_name[t],
		    "filter", full) < 0 && t == KEV_STATE)
			tracefs_event_file_write(kt->t.inst, kev_system[t], kev_name[t],
			    "filter", "protocol == 6");
	}
}

struct ktrace *
ktrace_start(const char *instance, const char *const *addrs,
    const char *const *names, int naddrs, char *err, size_t errlen)
{
	struct ktrace *kt;
	char terr[200];

	if (!instance || !*instance || strchr(instance, '/')) {
		seterr(err, errlen, "ktrace: bad instance name", EINVAL);
		return NULL;
	}
	kt = calloc(1, sizeof(*kt));
	if (!kt) {
		seterr(err, errlen, "ktrace", ENOMEM);
		return NULL;
	}
	tinst_init(&kt->t);
	kt->t.on_record = on_record;
	kt->t.ctx = kt;
	kt->t.period_ns = 5 * NSEC_PER_MSEC;
	if (tinst_mount(&kt->t) < 0) {
		seterr(err, errlen, "ktrace: cannot mount tracefs at " TRACEFS_DIR, errno);
		goto fail;
	}
	if (tracefs_instance_exists(instance)) {
		seterr(err, errlen, "ktrace: tracing instance already exists",
		    EEXIST);
		goto fail;
	}
	if (parse_addrs(kt, addrs, names, naddrs)) {
		seterr(err, errlen, "ktrace: bad lab address", EINVAL);
		goto fail;
	}
	/* Only the four formats (tep.h): not every event and kallsyms. */
	kt->t.tep = host_tep_events(kev_system, kev_name, KEV_NTYPES, terr, sizeof(terr));
	if (!kt->t.tep) {
		snprintf(err, errlen, "ktrace: %s", terr);
		goto fail;
	}
	for (int t = 0; t < KEV_NTYPES; t++) {
		if (tinst_fmt_load(kt->t.tep, kev_system[t], kev_name[t], &kt->fmt[t])) {
			snprintf(err, errlen, "ktrace: no tracepoint %s:%s in this kernel",
			    kev_system[t], kev_name[t]);
			goto fail;
		}
	}
	kt->buffer_kb = KTRACE_DEFAULT_KB;
	if (tinst_open(&kt->t, instance, kt->buffer_kb, "mono", "ktrace: ", err,
	    errlen) < 0)
		goto fail;
	set_filters(kt);
	kt->mono_to_real = sample_clock_offset();
	kt->sk_key = now_realtime_ns() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	if (tinst_start(&kt->t, kev_system, kev_name, KEV_NTYPES, "ktrace: ", err,
	    errlen) < 0)
		goto fail;
	return kt;
fail:
	ktrace_free(kt);	/* removes the instance, and the mount made for it */
	return NULL;
}

static int
cmp_kev(const void *a, const void *b)
{
	const struct kev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void
addr_text(int family, const uint8_t *a, char *buf, size_t len)
{
	if (!inet_ntop(family, a, buf, len))
		snprintf(buf, len, "?");
}

static const char *const rst_reasons[] = {
	"NOT_SPECIFIED", "NO_SOCKET", "TCP_INVALID_ACK_SEQUENCE",
	"TCP_RFC7323_PAWS", "TCP_TOO_OLD_ACK", "TCP_ACK_UNSENT_DATA",
	"TCP_FLAGS", "TCP_OLD_ACK", "TCP_ABORT_ON_DATA", "TCP_TIMEWAIT_SOCKET",
	"INVALID_SYN", "TCP_ABORT_ON_CLOSE", "TCP_ABORT_ON_LINGER",
	"TCP_ABORT_ON_MEMORY", "TCP_STATE", "TCP_KEEPALIVE_TIMEOUT",
	"TCP_DISCONNECT_WITH_DATA"
};

static int
write_jsonl(const struct ktrace *kt, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	for (size_t i = 0; i < kt->nev; i++) {
		const struct kev *k = &kt->ev[i];
		const struct lab_addr *local = find_addr(kt, k->family, k->saddr);
		char sa[46], da[46];

		addr_text(k->family, k->saddr, sa, sizeof(sa));
		addr_text(k->family, k->daddr, da, sizeof(da));
		fprintf(f, "{\"t_ns\":%llu,\"t_mono_ns\":%llu,\"host\":\"%s\","
		    "\"event\":\"%s\",\"cpu\":%u,\"family\":%u,"
		    "\"saddr\":\"%s\",\"sport\":%u,\"daddr\":\"%s\",\"dport\":%u",
		    (unsigned long long)((int64_t)k->ts + kt->mono_to_real),
		    (unsigned long long)k->ts, local ? local->name : "",
		    kev_name[k->type], k->cpu, k->family == AF_INET6 ? 6 : 4,
		    sa, k->sport, da, k->dport);
		switch (k->type) {
		case KEV_STATE:
			fprintf(f, ",\"oldstate\":\"%s\",\"newstate\":\"%s\"",
			    tcp_state_name(k->oldstate), tcp_state_name(k->newstate));
			break;
		case KEV_SEND_RST:
			fprintf(f, ",\"state\":\"%s\",\"reason\":\"%s\"",
			    k->newstate ? tcp_state_name(k->newstate) : "NONE",
			    k->reason >= 0 && k->reason <
			    (int)(sizeof(rst_reasons) / sizeof(rst_reasons[0])) ?
			    rst_reasons[k->reason] : "OTHER");
			break;
		default:
			fprintf(f, ",\"cookie\":%llu", (unsigned long long)k->cookie);
			break;
		}
		/* A socket's id, the same for all its events: its kernel address
		 * mixed with a per-run key, so that no address is written. */
		if (k->sk)
			fprintf(f, ",\"sk\":\"%016llx\"", (unsigned long long)
			    ((k->sk ^ kt->sk_key) * 0xff51afd7ed558ccdULL));
		fputs("}\n", f);
	}
	if (fclose(f) != 0)
		return -1;
	return 0;
}

/* Beside trace.jsonl, trace.stats.json: what was kept, seen and lost. */
static int
write_stats(const struct ktrace *kt, const char *jsonl_path)
{
	char path[4200];
	size_t l = strlen(jsonl_path);
	FILE *f;

	if (l > 6 && !strcmp(jsonl_path + l - 6, ".jsonl"))
		l -= 6;
	snprintf(path, sizeof(path), "%.*s.stats.json", (int)l, jsonl_path);
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "{\"events\":%zu,\"seen\":%llu,\"lost\":%llu,\"missed\":%llu,"
	    "\"overrun\":%llu,\"buffer_kb\":%zu,\"clock\":\"mono\","
	    "\"mono_to_realtime_ns\":%lld}\n", kt->nev, (unsigned long long)kt->seen,
	    (unsigned long long)(kt->missed + kt->overrun),
	    (unsigned long long)kt->missed, (unsigned long long)kt->overrun,
	    kt->buffer_kb, (long long)kt->mono_to_real);
	return fclose(f);
}

int
ktrace_stop(struct ktrace *kt, const char *jsonl_path, struct ktrace_stats *st)
{
	int rc = 0;

	if (!kt)
		return -1;
	/* The events stop first so that the last drain sees everything. */
	tinst_stop(&kt->t);
	tinst_drain(&kt->t);
	kt->overrun = tinst_overruns(&kt->t);
	if (st) {
		memset(st, 0, sizeof(*st));
		st->events = kt->nev;
		st->seen = kt->seen;
		st->lost = kt->missed + kt->overrun;
		st->overrun = kt->overrun;
		st->buffer_kb = kt->buffer_kb;
	}
	tinst_close(&kt->t);
	if (kt->oom)
		rc = -1;
	if (kt->nev > 0)	/* qsort may not take a null array, even empty */
		qsort(kt->ev, kt->nev, sizeof(*kt->ev), cmp_kev);
	if (jsonl_path && (write_jsonl(kt, jsonl_path) ||
	    write_stats(kt, jsonl_path)))
		rc = -1;
	ktrace_free(kt);
	return rc;
}
