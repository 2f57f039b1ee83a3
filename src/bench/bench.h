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
#include <pthread.h>
#include <sys/types.h>
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
/* Through a proxy (--via): what the generator asks, as ab does, and what the
 * backends answer (code 8: "keep-alive", code 9: "close"). */
#define BENCH_HTTP_REQUEST "GET / HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n"
#define BENCH_HTTP_ANSWER(conn) \
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: " conn "\r\n\r\nok"

struct bench_counters {
	_Atomic uint64_t completed;	/* generator: exchanges done and closed */
	_Atomic uint64_t attempts;	/* generator: connect() calls */
	_Atomic uint64_t failed;	/* generator: sum of errors[] */
	_Atomic uint64_t errors[BENCH_ERRNO_MAX + 1];	/* by errno; [0] early EOF */
	_Atomic uint64_t inflight;	/* generator: sockets open now */
	_Atomic uint64_t http5xx;	/* generator, --via: 5xx answers (also in failed) */
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
	int http;			/* through a proxy: HTTP, read to the proxy's FIN */
	const char *request;		/* set by gen_thread */
	size_t request_len;
	atomic_int *stop;		/* set by anyone: stop now */
	struct bench_counters *ctr;
	char err[160];			/* why it failed, if gen_ready == -1 */
};

struct srv_conf {
	int nsfd;			/* server host's network namespace */
	enum bench_close close;
	uint16_t port;			/* first port */
	int nports;			/* listen on port .. port+nports-1 */
	int http;			/* a backend behind a proxy (srv.c says how) */
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
	/* --via: the proxy's TIME_WAIT by side, the backends', 5xx answers,
	 * the proxy's upstream errors so far (its log) */
	long tw_proxy_client, tw_proxy_backend;
	uint64_t http5xx;
	long upstream_eaddrnotavail, upstream_errors;
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
	int via;			/* TIME_WAIT panel: the proxy's two sides */
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
	int via;			/* VIA_NONE, VIA_NGINX, VIA_HAPROXY, VIA_APACHE */
	const char *proxy_mode;		/* template proxies/<via>-<mode>...; NULL: default */
	long backends;			/* 1..VIA_MAX_BACKENDS */
	long backend_code;		/* 8: proxy closes first, 9: backend closes first */
	int load_ab;			/* --load ab */
};

/* VIA_ALL: `compare --via` with no proxy named; VIA_DIRECT: compare's run
 * with no proxy, the generator's HTTP straight to the backend. */
enum { VIA_NONE, VIA_NGINX, VIA_HAPROXY, VIA_APACHE, VIA_ALL, VIA_DIRECT };
#define VIA_MAX_BACKENDS 2

/* A run through a proxy: what the proxy and its hosts did. */
struct via_result {
	char template[64];		/* proxies/ file used */
	uint64_t http5xx;		/* answers 5xx from the proxy */
	long tw_proxy_client_end;	/* the proxy's TIME_WAIT towards the client */
	long tw_proxy_backend_end;	/* towards its backends */
	long tw_backends_end;		/* held by the backends */
	long upstream_by_errno[8];	/* the proxy's log, as proxy_upstream_errors */
	char upstream_names[8][16];
	int nupstream;
	long upstream_total, upstream_unavailable;
	long shared_ports_max;		/* most proxy ports seen towards 2 backends at once */
	char shared_example[200];	/* one such port, its two sockets */
	int proxy_holds_tw;		/* the proxy closes its backend hop first (FIN) */
	double per_backend_s;		/* ports / TIME_WAIT period: per backend address */
	long ab_complete, ab_failed, ab_non2xx;	/* --load ab: ab's own counts; -1 */
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
	struct via_result via;		/* when o.via */
	struct bench_series series;
};

/* via.c */
const char *via_name(int via);
const char *via_mode(const struct bench_opts *o);
void via_run_name(const struct bench_opts *o, char *buf, size_t len);
/* The template's path for the options; 0, or -1 with err. */
int via_template(const struct bench_opts *o, char *buf, size_t len, char *err, size_t errlen);
int via_proxy_holds_tw(const struct bench_opts *o);
int bench_run_via(const struct bench_opts *o, struct run_result *r, int live);
/* viaout.c */
void via_print_summary(FILE *f, const struct run_result *r);
void via_print_line(FILE *f, const struct run_result *r);
struct json_t *via_json_proxy(const struct run_result *r);

/* benchrun.c, its parts that via.c uses too */
/*
 * One generator thread: its settings and its own counters (one writer
 * each, so plain relaxed stores stay right); the sampler adds them up.
 */
struct gen_part {
	struct gen_conf gc;
	struct bench_counters ctr;
	pthread_t tid;
	int started;
};
uint64_t gen_total(struct gen_part *g, int n, size_t off);
#define GEN_TOTAL(g, n, field) gen_total((g), (n), offsetof(struct bench_counters, field))
/* What the generator's process shares with a server's: one page. */
struct bench_shared {
	struct bench_counters ctr;
	struct srv_conf sc;
	atomic_int stop_srv;
};
pid_t spawn_server(struct bench_shared *sh);	/* a child running srv_thread */
void stop_server(struct bench_shared *sh, pid_t pid);
int wait_ready(_Atomic int *flag, pid_t child);	/* 1 or -1 */
int reach_server(int client_nsfd, const struct sockaddr_in *dst);	/* 0 or -1 */
double cpu_seconds(void);
long proc_status_kib_of(const char *path, const char *field);

extern volatile sig_atomic_t bench_interrupted;	/* set by SIGINT/SIGTERM */
#define BENCH_SAMPLE_NS (100 * NSEC_PER_MSEC)	/* a sample every 100 ms */
/* Sleep until the next sample: *tick moves on by BENCH_SAMPLE_NS, never
 * past end (CLOCK_MONOTONIC ns); a stop (bench_interrupted) wakes it early. */
void bench_sleep_tick(uint64_t *tick, uint64_t end);
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
#define COMPARE_MAX 16			/* runs in one compare */
/* The JSON (runs[]) and the plot of done runs; 0 or 1. */
int compare_write_outputs(const struct bench_opts *o, struct run_result *r, int done,
    double nginx_rate, double nginx_us);
/* comparevia.c: compare --via, the original's table and its fixes. */
int bench_compare_via(const struct bench_opts *o);

#endif
