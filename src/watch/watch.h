/*
 * watch.h - the parts of `timewait watch` and the data they pass around.
 *
 * watch observes one network namespace and never changes it. Two sources:
 *  - the kernel's tracepoints (wtrace.c), in a tracing instance of its own:
 *    every connection opened, ended, closed first by this side or the
 *    peer, reset; every connect()/bind() that failed, by errno and process;
 *  - once an interval, a sock_diag snapshot (snap.c) for what is held now
 *    (TIME_WAIT, ports in use per source address and destination) and the
 *    namespace's counters and sysctls (nsview.c).
 * Both land in one table of rows (table.c), one per destination (remote
 * address and port, from one source address) and one per local listening
 * service; derive.c turns a table into rates, ceilings and advice, and the
 * outputs (output.c, prom.c) print it.
 */
#ifndef TIMEWAIT_WATCH_H
#define TIMEWAIT_WATCH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define W_RST_REASONS 26	/* sk_rst_reason values the kernel names (0..25) */
#define W_TABLE_CAP 4096	/* rows per interval; more go into 'overflow' */
#define W_ERR_CAP 256		/* (syscall, errno, process) rows per interval */
#define W_TW_LEN_MS 60000	/* TCP_TIMEWAIT_LEN: fixed in the kernel */

enum w_kind { W_DEST = 1, W_SERVICE = 2 };

/* A row's identity. DEST: local = source address, remote:port = the peer.
 * SERVICE: local:port = the listening address, remote all zero. */
struct w_key {
	uint8_t kind;		/* enum w_kind */
	uint8_t family;		/* AF_INET, AF_INET6 */
	uint16_t port;		/* the destination's or the service's port */
	uint8_t local[16];
	uint8_t remote[16];
};

struct w_row {
	struct w_key key;
	uint8_t used;
	/* from the trace, in the interval */
	uint64_t opened, ended, fin_local, fin_peer, rst_sent, rst_recv;
	uint32_t rst_reason[W_RST_REASONS];	/* sent resets by reason */
	/* from the snapshot, at the end of the interval */
	uint32_t time_wait, tw_oldest_ms, ports_in_use, sockets;
};

struct w_table {
	struct w_row *rows;	/* W_TABLE_CAP of them, open addressing */
	size_t n;
	uint64_t overflow;	/* events that found no free row */
};

struct w_err {
	uint8_t used;
	uint8_t bind;		/* 0 connect, 1 bind */
	int err;		/* errno */
	char comm[16];
	uint64_t count;
};

/* What the trace thread fills in an interval (swapped out whole). */
struct w_interval {
	struct w_table table;
	struct w_err errs[W_ERR_CAP];
	uint64_t errs_dropped;	/* no free error row */
	uint64_t events;	/* records read */
	uint64_t missed;	/* records the kernel says it dropped */
	uint64_t other_ns;	/* syscall errors of processes of other namespaces */
	uint64_t gone;		/* ... of processes gone before watch could look */
};

/* table.c */
int w_table_init(struct w_table *t);
void w_table_free(struct w_table *t);
void w_table_clear(struct w_table *t);
/* The row of k, made if need be; NULL when the table is full. */
struct w_row *w_table_get(struct w_table *t, const struct w_key *k);
/* "10.0.0.5:8080", "[fd00::5]:8080" of a key's remote (DEST) or local
 * (SERVICE) side; and the bare address of its local side. */
void w_key_endpoint(const struct w_key *k, char *buf, size_t len);
void w_key_local_addr(const struct w_key *k, char *buf, size_t len);
/* Parse "a.b.c.d:p" / "[v6]:p" as sock_diag writes them. 0 or -1. */
int w_parse_endpoint(const char *s, uint8_t *family, uint8_t addr[16],
    uint16_t *port);

/* skmap.c: the side that opened each connection seen opening. */
#define W_SKMAP_CAP 65536
struct w_skmap;
struct w_skmap *w_skmap_new(void);
void w_skmap_free(struct w_skmap *m);
void w_skmap_put(struct w_skmap *m, uint64_t sk, int kind);
int w_skmap_get(const struct w_skmap *m, uint64_t sk);	/* 0: not known */
void w_skmap_del(struct w_skmap *m, uint64_t sk);
size_t w_skmap_count(const struct w_skmap *m);
/* For a socket nobody saw open: SERVICE if its local port is listened on,
 * or is fixed (outside lo-hi) while the peer's is ephemeral; else DEST. */
int w_guess_kind(const uint8_t *listening, int lo, int hi, uint16_t lport,
    uint16_t rport);

/* The namespace watched: addresses, counters, sysctls (nsview.c). */
#define W_MAX_ADDRS 64
struct w_ns {
	char name[64];		/* --netns NAME, or "" for our own */
	int nsfd;		/* its descriptor */
	uint64_t ino;		/* its inode: /proc/PID/ns/net of its processes */
	int own;		/* the machine's own (that of pid 1) */
	int fd_netstat, fd_snmp, fd_range, fd_reuse, fd_buckets;
	int fd_rtnl;		/* rtnetlink, told of address changes */
	int naddrs;
	uint8_t fam[W_MAX_ADDRS];
	uint8_t addr[W_MAX_ADDRS][16];
};

/* Open NAME (NULL: our own). -1 with a message in err. */
int w_ns_open(struct w_ns *ns, const char *name, char *err, size_t errlen);
void w_ns_close(struct w_ns *ns);
/* Read its addresses again (interfaces come and go): 1 if they changed,
 * 0 if not, -1 on error. w_ns_addrs_changed: 1 if rtnetlink said an
 * address came or went since the last call (never blocks). */
int w_ns_addrs_changed(struct w_ns *ns);
int w_ns_addrs(struct w_ns *ns);
/* ip_local_port_range, tcp_tw_reuse, tcp_max_tw_buckets: -1 if unknown. */
int w_ns_port_range(struct w_ns *ns, int *lo, int *hi);
long w_ns_sysctl(int fd);

/* The TCP counters that matter here, from netstat (TcpExt) and snmp (Tcp). */
#define W_NCOUNTERS 16
extern const char *const w_counter_names[W_NCOUNTERS];
int w_ns_counters(struct w_ns *ns, uint64_t out[W_NCOUNTERS]);

/* The tracing side (wtrace.c). */
struct wtrace;
struct wtrace *wtrace_start(struct w_ns *ns, const uint8_t *listening,
    char *err, size_t errlen);
/* The namespace's ip_local_port_range, for w_guess_kind. */
void wtrace_set_range(struct wtrace *wt, int lo, int hi);
/* Swap the interval out: *out gets what was gathered since the last call. */
void wtrace_take(struct wtrace *wt, struct w_interval *out);
/* The kernel's own count of events it dropped (overrun + dropped). */
uint64_t wtrace_kernel_lost(struct wtrace *wt);
/* The addresses to keep changed: set the filters again. */
void wtrace_set_addrs(struct wtrace *wt);
void wtrace_stop(struct wtrace *wt);
/* Remove instances left by a watch killed outright. */
void wtrace_clean_dead(void);

/* snap.c: the sockets held now, into t (listening: bitmap of ports). */
struct w_snapstats {
	uint32_t sockets, time_wait, tw_oldest_ms, established;
	uint32_t bound_idle;	/* bound to a port, neither connected nor listening */
};
int w_snapshot(struct w_ns *ns, struct w_table *t, uint8_t *listening,
    int port_lo, int port_hi, struct w_snapstats *st, char *err, size_t errlen);

/* derive.c: one interval, in figures (what every output prints). */
struct w_line {
	struct w_key key;
	char endpoint[64];	/* remote (DEST) or listening (SERVICE) address:port */
	char local[48];		/* source address (DEST) */
	uint64_t opened, ended, fin_local, fin_peer, rst_sent, rst_recv;
	uint32_t rst_reason[W_RST_REASONS];
	double opened_per_s, ended_per_s;
	double fin_local_share;	/* < 0: no FIN seen */
	uint32_t time_wait, tw_oldest_ms, ports_in_use, ports_usable;
	double ceiling_per_s;	/* < 0: none (the peer closes first) */
	double ceiling_share;	/* < 0: no ceiling */
	double exhausted_in_s;	/* < 0: not at this rate */
};

#define W_ADVICE_MAX 8
struct w_report {
	double t;		/* wall clock, seconds */
	double interval_s;	/* the time the figures cover */
	const char *netns;	/* "" for the machine's own */
	struct w_snapstats snap;
	struct w_line *lines;	/* destinations (by ceiling share) then services */
	size_t n, ndest;
	struct w_err errs[W_ERR_CAP];
	size_t nerr;
	uint64_t counters[W_NCOUNTERS];
	double counter_rate[W_NCOUNTERS];	/* < 0: first interval */
	int port_lo, port_hi;
	long tw_reuse, max_tw_buckets;
	uint64_t events, lost, lost_total, other_ns, gone, overflow;
	char advice[W_ADVICE_MAX][320];
	int nadvice;
};

/* Fill r from an interval (its table already holding the snapshot too).
 * prev_counters: the last interval's (NULL: none). */
int w_derive(struct w_report *r, const struct w_interval *iv,
    const uint64_t *prev_counters);
void w_report_free(struct w_report *r);
/* errno count of the interval for one name ("EADDRNOTAVAIL"), all processes. */
uint64_t w_report_errno(const struct w_report *r, int err, int bind);
/* "EADDRNOTAVAIL" for EADDRNOTAVAIL, any errno glibc knows. */
const char *w_errno_name(int err);
/* sk_rst_reason names, as the kernel prints them. */
extern const char *const w_rst_reason_names[W_RST_REASONS];

/* advice.c: the lines of advice for what r shows. */
void w_advise(struct w_report *r);

/* output.c */
enum w_mode { W_OUT_TERM, W_OUT_PLAIN, W_OUT_JSON };
/* -1 when stdout is gone (a closed pipe: `watch | head`). */
int w_print(const struct w_report *r, enum w_mode mode, int color);

/* prom.c: the OpenMetrics / Prometheus endpoint. */
struct w_prom;
/* addr: "ADDR:PORT", ":PORT" or "PORT" (loopback). -1 with err. */
int w_prom_check(const char *addr);	/* 0 if addr is well formed */
struct w_prom *w_prom_start(const char *addr, char *err, size_t errlen);
void w_prom_update(struct w_prom *p, const struct w_report *r);
void w_prom_stop(struct w_prom *p);
/* The port it listens on. */
int w_prom_port(const struct w_prom *p);

#endif
