/*
 * bench.h - the parts of `timewait bench` and how they talk.
 *
 * Three threads share one struct bench_counters: the generator (gen.c,
 * inside the client host) and the server (srv.c, inside the server host)
 * each write their own counters with relaxed atomic stores, and the
 * sampler (sample.c, in the main thread) reads them every 100 ms. Nothing
 * else is shared, so no locks. hosts.c makes the two hosts, plot.c draws
 * a run. The command: benchcmd.c (options), benchrun.c (one run),
 * ceiling.c (what the ports allow), benchout.c (summary, JSON, plot),
 * compare.c (every variant in turn).
 */
#ifndef TIMEWAIT_BENCH_H
#define TIMEWAIT_BENCH_H

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_ADDRS 64	/* --src-addrs, --dst-ports */
#define BENCH_ERRNO_MAX 160	/* errno values counted one by one; above: lumped */
#define BENCH_ERR_EOF 0		/* slot 0 of the errno table: peer closed before answering */

enum bench_close { CLOSE_CLIENT, CLOSE_SERVER, CLOSE_RST };

/* The exchange: a minimal HTTP/1.0 request and a fixed answer. */
#define BENCH_REQUEST "GET / HTTP/1.0\r\n\r\n"
#define BENCH_ANSWER "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"

struct bench_counters {
	_Atomic uint64_t completed;	/* generator: exchanges done and closed */
	_Atomic uint64_t attempts;	/* generator: connect() calls */
	_Atomic uint64_t failed;	/* generator: sum of errors[] */
	_Atomic uint64_t errors[BENCH_ERRNO_MAX + 1];	/* by errno; [0] early EOF */
	_Atomic uint64_t inflight;	/* generator: sockets open now */
	_Atomic uint64_t accepted;	/* server */
	_Atomic uint64_t answered;	/* server */
	_Atomic uint64_t srv_errors;	/* server: accept/read/write failures */
	_Atomic uint64_t srv_cut;	/* server: connections reset by the generator's stop */
	atomic_int gen_stopped;		/* set when the generator has stopped */
	_Atomic int gen_ready, srv_ready;	/* set once set up (1) or failed (-1) */
};

/* Count one more: single writer, so a relaxed load + store is enough. */
static inline void
bench_inc(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
	    memory_order_relaxed);
}

static inline uint64_t
bench_get(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

struct gen_conf {
	int nsfd;			/* client host's network namespace */
	enum bench_close close;
	int concurrency;
	struct sockaddr_in dst[BENCH_MAX_ADDRS];
	int ndst;
	struct sockaddr_in src[BENCH_MAX_ADDRS];	/* bind() to these if nsrc > 0 */
	int nsrc;
	int bind_no_port;		/* IP_BIND_ADDRESS_NO_PORT before bind */
	int cpu;			/* pin to this CPU; -1: no */
	atomic_int *stop;		/* set by anyone: stop now */
	struct bench_counters *ctr;
	char err[160];			/* why it failed, if gen_ready == -1 */
};

struct srv_conf {
	int nsfd;			/* server host's network namespace */
	enum bench_close close;
	uint16_t port;			/* first port */
	int nports;			/* listen on port .. port+nports-1 */
	int cpu;			/* pin to this CPU; -1: no */
	atomic_int *stop;
	struct bench_counters *ctr;
	char err[160];
};

/* Pin the calling thread to one CPU (cpu < 0: leave it). */
void bench_pin(int cpu);

void *gen_thread(void *conf);	/* struct gen_conf * */
void *srv_thread(void *conf);	/* struct srv_conf * */

struct lab;

/* hosts.c: two hosts, "client" and "server", each a network namespace. */
struct bench_hosts {
	int client_nsfd, server_nsfd;
	char client_addr[46], server_addr[46];
	char client_ifname[16];
	int prefixlen;
	struct lab *lab;		/* when made by the lab (not --direct) */
	char labdir[64];		/* the lab's folder (its hosts file) */
};
/* direct: two anonymous namespaces and one veth instead of lab hosts. */
int hosts_up(struct bench_hosts *h, int direct, char *err, size_t errlen);
/* The client's i-th extra address for --src-addrs. 0 or -1. */
int hosts_src_addr(const struct bench_hosts *h, int i, char *buf, size_t len);
void hosts_down(struct bench_hosts *h);
/* key under /proc/sys, e.g. "net/ipv4/tcp_tw_reuse". 0 or -1. */
int hosts_sysctl(int nsfd, const char *key, const char *value);
int hosts_sysctl_get(int nsfd, const char *key, char *buf, size_t len);
/* Add address addr/prefixlen to ifname inside the namespace nsfd. */
int hosts_add_addr(int nsfd, const char *ifname, const char *addr, int prefixlen,
    char *err, size_t errlen);
/* Run fn(arg) with the calling thread inside the namespace nsfd. */
int hosts_in_ns(int nsfd, int (*fn)(void *), void *arg);

/* nginx.c: nginx answering wrk between the two hosts; wrk's rate. 0 or -1. */
int nginx_wrk_rate(const struct bench_hosts *h, uint16_t port, long concurrency,
    double duration, double *rate, char *err, size_t errlen);

/* sample.c: TIME_WAIT counts and the 100 ms series. */
struct tw_counter {
	int sockstat_fd;		/* /proc/net/sockstat of the host */
};
int tw_counter_open(struct tw_counter *c, int nsfd);
void tw_counter_close(struct tw_counter *c);
long tw_count_fast(struct tw_counter *c);	/* the kernel's tw figure; -1 */
long tw_count_diag(int nsfd);	/* sock_diag snapshot, counted; -1 */

struct bench_sample {
	double t;			/* seconds since start */
	uint64_t completed, failed;
	double rate;			/* completed per second over the last interval */
	long tw_client, tw_server;
	uint64_t inflight;
};

struct bench_series {
	struct bench_sample *v;
	size_t n, cap;
};
int series_add(struct bench_series *s, const struct bench_sample *x);
void series_free(struct bench_series *s);

/* plot.c: rate and TIME_WAIT against time, as SVG. */
struct plot_line {
	const char *label;
	const struct bench_series *series;
	double ceiling;			/* < 0: none */
};
int plot_svg(const char *path, const char *title, const struct plot_line *lines,
    int nlines);

/* ---- the command ---- */

#define TIME_WAIT_SECONDS 60
#define TW_REUSE_SECONDS 1
#define GEN_MAX 8			/* generator threads */

struct bench_opts {
	int close;			/* enum bench_close */
	double duration;
	long concurrency;
	int tw_reuse;
	long dst_ports;
	long src_addrs;
	int bind_no_port;
	long port_lo, port_hi;		/* 0: the kernel's default range */
	uint16_t port;
	const char *json, *plot;	/* json "-": standard output */
	int quiet;
	int pin;
	int nginx;
	int direct;
	long threads;
};

/*
 * ceiling.c: what the client's ports allow when the client closes first.
 * Each TIME_WAIT pins one 4-tuple for period_s; so over a long run at most
 * ports x tuples / period_s a second (per_s). Over a window of the run's
 * length, the ports allow ports x tuples connections in each TIME_WAIT
 * period started (a run shorter than a period: one period, all the ports
 * at once): allowed, and window_per_s = allowed / seconds, the figure a
 * run's rate is compared with.
 */
struct bench_ceiling {
	long ports, tuples, period_s;
	double per_s;			/* sustained; < 0: none (not client-first) */
	double seconds;			/* the window: the run's length */
	long periods;			/* TIME_WAIT periods started in the window */
	double allowed;			/* connections the ports allow in the window */
	double window_per_s;		/* allowed / seconds; < 0: none */
	int short_run;			/* the window is shorter than one period */
};
void bench_ceiling(const struct bench_opts *o, long ports, double seconds,
    struct bench_ceiling *c);
/* rate / window ceiling; < 0 when there is none. */
double bench_ceiling_ratio(const struct bench_ceiling *c, double rate);

struct run_result {
	char mode[64];
	struct bench_opts o;
	uint64_t completed, failed, attempts;
	uint64_t errors[BENCH_ERRNO_MAX + 1];
	uint64_t accepted, answered, srv_errors, srv_cut;
	double seconds, rate;
	long ports;
	struct bench_ceiling ceil;
	long tw_client_end, tw_server_end;
	long hwm_kib, rss_max_kib;	/* the generator's process */
	long srv_hwm_kib;		/* the server's process */
	double cpu_s;			/* user + system CPU of generator and server */
	int interrupted;
	double nginx_rate;		/* nginx + wrk measured beside; < 0: not */
	double nginx_us;		/* their CPU per connection; < 0: not known */
	struct bench_series series;
};

/* benchrun.c */
extern volatile sig_atomic_t bench_interrupted;	/* set by SIGINT/SIGTERM */
void bench_mode_name(const struct bench_opts *o, char *buf, size_t len);
const char *bench_close_name(int close);
/* One run; live: a live line on stderr. 0 or -1 (said). */
int bench_run(const struct bench_opts *o, struct run_result *r, int live);
/* nginx + wrk beside: their rate, *us_per_conn their CPU per connection. */
double bench_run_nginx(const struct bench_opts *o, double *us_per_conn);

/* benchout.c */
void bench_print_summary(FILE *f, const struct run_result *r);
void bench_print_errors(FILE *f, const struct run_result *r);
/* The one line a run leaves on screen in compare. */
void bench_print_line(FILE *f, const struct run_result *r);
struct json_t;
struct json_t *bench_json_summary(const struct run_result *r);
struct json_t *bench_json_series(const struct run_result *r);
/* To path, or standard output for "-"; 0 or -1 (said). */
int bench_write_json(const char *path, struct json_t *root);

/* compare.c: every close mode and way around the ceiling; exit status. */
int bench_compare(const struct bench_opts *o);

#endif
