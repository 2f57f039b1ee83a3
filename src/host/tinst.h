/*
 * tinst.h - a tracing instance of timewait's own and the thread that drains
 * it: what a run's kernel trace (ktrace.c) and `timewait watch`
 * (watch/wtrace.c) have in common.
 *
 * The instance lives under instances/ (never the global one, so other
 * tracers on the machine are not disturbed); tracefs is mounted for it when
 * nobody had (ktrace_mount) and the mount goes with it; a thread reads the
 * per-CPU ring buffers (trace_pipe_raw, through tracefs_iterate_raw_events)
 * every period_ns, handing each record to on_record with lock held, so
 * that a burst fits in the buffers between two passes.
 */
#ifndef TIMEWAIT_HOST_TINST_H
#define TIMEWAIT_HOST_TINST_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct tracefs_instance;
struct tep_handle;
struct tep_event;
struct tep_record;

typedef int tinst_record_fn(struct tep_event *e, struct tep_record *r, int cpu,
    void *ctx);

struct tinst {
	struct tracefs_instance *inst;
	struct tep_handle *tep;	/* the owner's; freed by tinst_close */
	int mounted;		/* tracefs was mounted for it: unmount after */
	pthread_mutex_t lock;	/* held while records are handed over; the
				 * owner guards what on_record fills with it */
	tinst_record_fn *on_record;
	void (*each_pass)(void *ctx);	/* before each pass, unlocked; may be NULL */
	void *ctx;
	uint64_t period_ns;
	pthread_t reader;
	int started;
	int stopping;		/* atomics: set by tinst_stop */
};

/* Before anything else: the lock. */
void tinst_init(struct tinst *ti);

/* Mounts tracefs if nobody has (ktrace_mount; ti->mounted: this did).
 * -1 with errno on error. */
int tinst_mount(struct tinst *ti);

/* Creates the instance name with a per-CPU buffer of buffer_kb and, unless
 * NULL, the trace clock clock. -1 with a message in err, prefixed with
 * who; what was made is left for tinst_close. */
int tinst_open(struct tinst *ti, const char *name, size_t buffer_kb,
    const char *clock, const char *who, char *err, size_t errlen);

/* Enables the n events sys[i]:name[i], turns tracing on and starts the
 * reader. -1 with a message in err, prefixed with who. */
int tinst_start(struct tinst *ti, const char *const *sys,
    const char *const *name, int n, const char *who, char *err, size_t errlen);

/* One pass over the buffers, lock held. */
void tinst_drain(struct tinst *ti);

/* Disables every event and stops the reader (the last records wait in the
 * buffers for a tinst_drain). */
void tinst_stop(struct tinst *ti);

/* The instance's per-CPU "overrun" and "dropped events" counters, summed. */
uint64_t tinst_overruns(const struct tinst *ti);

/* Removes the instance, frees the tep, takes away the mount made for it
 * (ktrace_unmount). The lock stays: tinst_fini. */
void tinst_close(struct tinst *ti);
void tinst_fini(struct tinst *ti);

/*
 * Records. Fields are read at offsets looked up once in the event's
 * format, never parsed per record.
 */
static inline uint16_t
tinst_rd16(const uint8_t *d, int off)
{
	uint16_t v;

	memcpy(&v, d + off, 2);
	return v;
}

static inline int32_t
tinst_rd32(const uint8_t *d, int off)
{
	int32_t v;

	memcpy(&v, d + off, 4);
	return v;
}

/* Where the fields of an event lie in its records; -1 where it has none.
 * The TCP events' socket: sock:inet_sock_set_state and
 * tcp:tcp_receive_reset have a family, raw IPv4 addresses and separate
 * IPv6 ones; tcp:tcp_send_reset whole sockaddrs (sockaddr 1). */
struct tinst_fmt {
	int id;
	int sockaddr;
	int family, sport, dport, saddr, daddr, saddr6, daddr6, proto;
	int old, new, state, reason, cookie, sk;
	int ret;		/* a syscall's exit */
	int pid, old_pid;	/* sched_process_exec's */
};
/* -1 if this kernel has no event sys:name. */
int tinst_fmt_load(struct tep_handle *tep, const char *sys, const char *name,
    struct tinst_fmt *f);

/* A TCP event's socket, decoded: local side first, addresses in network
 * byte order (IPv4 in the first 4 bytes), ports in host order. */
struct tinst_sock {
	uint8_t family;		/* AF_INET, AF_INET6 */
	uint16_t sport, dport;
	uint8_t saddr[16], daddr[16];
	int old, new, state;	/* -1 where the event has none */
	int reason;		/* 0 where it has none */
	uint64_t cookie, sk;	/* 0 where it has none */
};

/* An IPv6 socket with an IPv4 peer (a dual-stack listener's child) has
 * v4-mapped addresses, ::ffff:a.b.c.d: given as the IPv4 they are, as the
 * pcaps and event logs have them. -1 if the family is neither IPv4 nor
 * IPv6. */
int tinst_decode(const struct tinst_fmt *f, const uint8_t *d,
    struct tinst_sock *s);

#endif
