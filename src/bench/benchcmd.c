/*
 * benchcmd.c - `timewait bench` and `timewait bench compare`.
 *
 * A run: make the two hosts (hosts.c), set the client host's sysctls for
 * the options, start the server thread then the generator thread (each
 * moves itself into its host's namespace), sample every 100 ms until the
 * duration is over or Ctrl+C, stop both, count what is left in TIME_WAIT,
 * drop the hosts. Then a summary on stdout, and on request the JSON file
 * and the SVG plot. `compare` makes one run per variant (the close modes
 * and the ways around the ceiling) with the same settings, then one table.
 *
 * Every option lives in one table below, with its help text.
 */
#include <errno.h>
#include <stddef.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "fsafe.h"
#include "bench/bench.h"
#include "commands.h"
#include "util.h"

#define SAMPLE_NS (100 * NSEC_PER_MSEC)
#define TIME_WAIT_SECONDS 60
#define TW_REUSE_SECONDS 1

struct bench_opts {
	enum bench_close close;
	double duration;
	long concurrency;
	int tw_reuse;
	long dst_ports;
	long src_addrs;
	int bind_no_port;
	long port_lo, port_hi;		/* 0: the kernel's default range */
	uint16_t port;
	const char *json, *plot;
	int quiet;
	int pin;
	int nginx;
	int direct;
	long threads;
};

struct run_result {
	char mode[64];
	struct bench_opts o;
	uint64_t completed, failed, attempts;
	uint64_t errors[BENCH_ERRNO_MAX + 1];
	uint64_t accepted, answered, srv_errors, srv_cut;
	double seconds, rate, ceiling;	/* ceiling < 0: none */
	long ports, tuples, tw_period;
	long tw_client_end, tw_server_end;
	long hwm_kib, rss_max_kib;	/* the generator's process */
	long srv_hwm_kib;		/* the server's process */
	double cpu_s;			/* user + system CPU of generator and server */
	int interrupted;
	double nginx_rate;		/* nginx + wrk measured beside; < 0: not */
	double nginx_us;		/* their CPU per connection; < 0: not known */
	struct bench_series series;
};

/*
 * One generator thread: its settings and its own counters (one writer
 * each, so plain relaxed stores stay right); the sampler adds them up.
 */
#define GEN_MAX 8
struct gen_part {
	struct gen_conf gc;
	struct bench_counters ctr;
	pthread_t tid;
	int started;
};

static uint64_t
gen_total(struct gen_part *g, int n, size_t off)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += bench_get((_Atomic uint64_t *)((char *)&g[i].ctr + off));
	return sum;
}
#define GEN_TOTAL(g, n, field) gen_total((g), (n), offsetof(struct bench_counters, field))

/* What the generator's process shares with the server's: one page. */
struct shared {
	struct bench_counters ctr;
	struct srv_conf sc;
	atomic_int stop_srv;
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* ---- options ---- */

enum opt_id {
	O_CLOSE, O_DURATION, O_CONCURRENCY, O_TW_REUSE, O_DST_PORTS, O_SRC_ADDRS,
	O_BIND_NO_PORT, O_PORT_RANGE, O_PORT, O_JSON, O_PLOT, O_QUIET, O_PIN, O_NGINX, O_DIRECT, O_THREADS, O_HELP
};

static const struct opt {
	enum opt_id id;
	const char *name;
	const char *arg;	/* NULL: a flag */
	const char *help;
} opts[] = {
	{ O_CLOSE, "close", "client|server|rst", "who ends each connection: client FIN first (default), server FIN first, or RST (SO_LINGER 0)" },
	{ O_DURATION, "duration", "SECONDS", "how long the run lasts (default 10)" },
	{ O_CONCURRENCY, "concurrency", "N", "connections kept in flight (default 100)" },
	{ O_TW_REUSE, "tw-reuse", NULL, "tcp_tw_reuse=1 (and timestamps) on the client host" },
	{ O_DST_PORTS, "dst-ports", "N", "the server listens on N ports, used in turn (default 1)" },
	{ O_SRC_ADDRS, "src-addrs", "N", "give the client N addresses and bind() to each in turn (default: no bind)" },
	{ O_BIND_NO_PORT, "bind-no-port", NULL, "IP_BIND_ADDRESS_NO_PORT before bind: the port is chosen at connect" },
	{ O_PORT_RANGE, "port-range", "LO-HI", "the client host's ip_local_port_range (default: the kernel's)" },
	{ O_PORT, "port", "PORT", "the server's first port (default 8080)" },
	{ O_JSON, "json", "FILE", "write the summary and the 100 ms series as JSON" },
	{ O_PLOT, "plot", "FILE.svg", "draw rate and TIME_WAIT against time" },
	{ O_QUIET, "quiet", NULL, "no live line" },
	{ O_NGINX, "nginx", NULL, "also measure nginx answering wrk (Connection: close) between the same hosts" },
	{ O_DIRECT, "direct", NULL, "two bare namespaces on one veth pair instead of lab hosts behind the lab's bridge" },
	{ O_THREADS, "threads", "N", "generator threads, the connections shared among them (default: one per CPU)" },
	{ O_PIN, "pin", NULL, "pin generator thread k to CPU k, the server to the last CPU" },
	{ O_HELP, "help", NULL, "this help" },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static void
usage(FILE *f)
{
	size_t i;
	char left[40];

	fprintf(f, "usage: timewait bench [OPTIONS]\n"
	    "       timewait bench compare [OPTIONS]\n\n"
	    "Connections per second between two isolated hosts, closed the way you\n"
	    "choose, with the TIME_WAIT sockets each host holds, every 100 ms.\n"
	    "'compare' runs every close mode and every way around the ceiling in turn.\n\n");
	for (i = 0; i < NOPTS; i++) {
		snprintf(left, sizeof(left), "--%s%s%s", opts[i].name,
		    opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		fprintf(f, "  %-28s %s\n", left, opts[i].help);
	}
}

static int
parse_close(const char *s, enum bench_close *c)
{
	if (strcmp(s, "client") == 0)
		*c = CLOSE_CLIENT;
	else if (strcmp(s, "server") == 0)
		*c = CLOSE_SERVER;
	else if (strcmp(s, "rst") == 0)
		*c = CLOSE_RST;
	else
		return -1;
	return 0;
}

static const char *
close_name(enum bench_close c)
{
	return c == CLOSE_CLIENT ? "client" : c == CLOSE_SERVER ? "server" : "rst";
}

static int
parse_range(const char *s, long *lo, long *hi)
{
	char a[16], *dash;

	if (strlen(s) >= sizeof(a))
		return -1;
	strcpy(a, s);
	dash = strchr(a, '-');
	if (dash == NULL)
		return -1;
	*dash = '\0';
	if (parse_long(a, 1, 65535, lo) == -1 || parse_long(dash + 1, 1, 65535, hi) == -1 ||
	    *lo > *hi)
		return -1;
	return 0;
}

static int
opt_apply(struct bench_opts *o, enum opt_id id, const char *v)
{
	double d;

	switch (id) {
	case O_CLOSE: return parse_close(v, &o->close);
	case O_DURATION:
		if (parse_double(v, 0.1, 86400, &d) == -1)
			return -1;
		o->duration = d;
		return 0;
	case O_CONCURRENCY: return parse_long(v, 1, 100000, &o->concurrency);
	case O_TW_REUSE: o->tw_reuse = 1; return 0;
	case O_DST_PORTS: return parse_long(v, 1, BENCH_MAX_ADDRS, &o->dst_ports);
	case O_SRC_ADDRS: return parse_long(v, 1, BENCH_MAX_ADDRS, &o->src_addrs);
	case O_BIND_NO_PORT: o->bind_no_port = 1; return 0;
	case O_PORT_RANGE: return parse_range(v, &o->port_lo, &o->port_hi);
	case O_PORT: return parse_port(v, &o->port);
	case O_JSON: o->json = v; return 0;
	case O_PLOT: o->plot = v; return 0;
	case O_QUIET: o->quiet = 1; return 0;
	case O_PIN: o->pin = 1; return 0;
	case O_NGINX: o->nginx = 1; return 0;
	case O_DIRECT: o->direct = 1; return 0;
	case O_THREADS: return parse_long(v, 1, GEN_MAX, &o->threads);
	case O_HELP: return 0;
	}
	return -1;
}

/* 0 ok, 1 help shown, -1 usage error (said). */
static int
parse_opts(int argc, char **argv, int first, struct bench_opts *o)
{
	int i;
	size_t k;

	memset(o, 0, sizeof(*o));
	o->close = CLOSE_CLIENT;
	o->duration = 10;
	o->concurrency = 100;
	o->dst_ports = 1;
	o->port = 8080;
	o->threads = sysconf(_SC_NPROCESSORS_ONLN);
	if (o->threads < 1)
		o->threads = 1;
	if (o->threads > GEN_MAX)
		o->threads = GEN_MAX;
	for (i = first; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		size_t len;

		if (strcmp(a, "-h") == 0)
			a = "--help";
		if (strncmp(a, "--", 2) != 0)
			goto bad;
		a += 2;
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < NOPTS; k++)
			if (strlen(opts[k].name) == len && strncmp(opts[k].name, a, len) == 0)
				break;
		if (k == NOPTS)
			goto bad;
		if (opts[k].id == O_HELP) {
			usage(stdout);
			return 1;
		}
		if (opts[k].arg) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				goto bad;
		} else if (eq) {
			goto bad;
		}
		if (opt_apply(o, opts[k].id, val) == -1) {
			fprintf(stderr, "timewait bench: bad value for --%s: '%s'\n",
			    opts[k].name, val ? val : "");
			return -1;
		}
	}
	if (o->threads > o->concurrency)
		o->threads = o->concurrency;
	if ((long)o->port + o->dst_ports - 1 > 65535) {
		fprintf(stderr, "timewait bench: --port + --dst-ports goes past 65535\n");
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "timewait bench: bad argument '%s' (try --help)\n", argv[i]);
	return -1;
}

/* ---- one run ---- */

static long
proc_status_kib_of(const char *path, const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long v = -1;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static long
proc_status_kib(const char *field)
{
	return proc_status_kib_of("/proc/self/status", field);
}

/*
 * Each process (generator, server) needs a descriptor per connection in
 * flight. Raise the soft limit to what is needed, the hard one too when we
 * may (CAP_SYS_RESOURCE); -1 if even the hard limit is too small.
 */
static int
raise_nofile(long concurrency)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)concurrency + 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 0;
	if (rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max < want) {
		struct rlimit more = { want, want };

		if (setrlimit(RLIMIT_NOFILE, &more) == 0)
			return 0;
		fprintf(stderr, "timewait bench: --concurrency %ld needs %lu descriptors, "
		    "the limit here is %lu (ulimit -Hn)\n", concurrency,
		    (unsigned long)want, (unsigned long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = want;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0 ? 0 : -1;
}

static void
mode_name(const struct bench_opts *o, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%s", close_name(o->close));
	n = strlen(buf);
	if (o->tw_reuse && n < len)
		n += (size_t)snprintf(buf + n, len - n, "+tw-reuse");
	if (o->dst_ports > 1 && n < len)
		n += (size_t)snprintf(buf + n, len - n, "+dst-ports=%ld", o->dst_ports);
	if (o->src_addrs > 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, "+src-addrs=%ld", o->src_addrs);
	if (o->bind_no_port && n < len)
		snprintf(buf + n, len - n, "+bind-no-port");
}

/*
 * The ceiling where one applies: only the side that closes first holds
 * TIME_WAIT, so only --close client limits the client. Each TIME_WAIT pins
 * one 4-tuple for 60 s (about 1 s with tcp_tw_reuse). connect() may reuse
 * a port towards another server address or port, so the tuples multiply;
 * bind() to an address with port 0 must pick a port free for every
 * destination, so only the addresses multiply, and tw_reuse does not help
 * it, unless IP_BIND_ADDRESS_NO_PORT leaves the choice to connect().
 */
static void
ceiling(struct run_result *r)
{
	const struct bench_opts *o = &r->o;
	int bound = o->src_addrs > 0 && !o->bind_no_port;

	r->tuples = bound ? o->src_addrs : (o->src_addrs > 0 ? o->src_addrs : 1) * o->dst_ports;
	r->tw_period = (o->tw_reuse && !bound) ? TW_REUSE_SECONDS : TIME_WAIT_SECONDS;
	r->ceiling = -1;
	if (o->close == CLOSE_CLIENT && r->ports > 0)
		r->ceiling = (double)r->ports * (double)r->tuples / (double)r->tw_period;
}

static int
setup_hosts(const struct bench_opts *o, struct bench_hosts *h, struct run_result *r,
    char *err, size_t errlen)
{
	char buf[64], addr[32];
	long lo, hi, i;

	if (o->port_lo > 0) {
		snprintf(buf, sizeof(buf), "%ld %ld", o->port_lo, o->port_hi);
		if (hosts_sysctl(h->client_nsfd, "net/ipv4/ip_local_port_range", buf) == -1) {
			snprintf(err, errlen, "ip_local_port_range %s: %s", buf, strerror(errno));
			return -1;
		}
	}
	if (o->tw_reuse && (hosts_sysctl(h->client_nsfd, "net/ipv4/tcp_tw_reuse", "1") == -1 ||
	    hosts_sysctl(h->client_nsfd, "net/ipv4/tcp_timestamps", "1") == -1)) {
		snprintf(err, errlen, "tcp_tw_reuse: %s", strerror(errno));
		return -1;
	}
	/* A deep accept queue so that 10,000 connections at once are not dropped. */
	hosts_sysctl(h->server_nsfd, "net/core/somaxconn", "65535");
	hosts_sysctl(h->server_nsfd, "net/ipv4/tcp_max_syn_backlog", "65535");
	if (hosts_sysctl_get(h->client_nsfd, "net/ipv4/ip_local_port_range", buf, sizeof(buf)) == 0 &&
	    sscanf(buf, "%ld %ld", &lo, &hi) == 2)
		r->ports = hi - lo + 1;
	for (i = 0; i < o->src_addrs; i++) {
		if (hosts_src_addr(h, (int)i, addr, sizeof(addr)) == -1) {
			snprintf(err, errlen, "--src-addrs: no address %ld", i);
			return -1;
		}
		if (hosts_add_addr(h->client_nsfd, h->client_ifname, addr, h->prefixlen,
		    err, errlen) == -1)
			return -1;
	}
	return 0;
}

static void
fill_addrs(const struct bench_opts *o, const struct bench_hosts *h, struct gen_conf *g)
{
	long i;

	for (i = 0; i < o->dst_ports; i++) {
		g->dst[i].sin_family = AF_INET;
		g->dst[i].sin_port = htons((uint16_t)(o->port + i));
		inet_pton(AF_INET, h->server_addr, &g->dst[i].sin_addr);
	}
	g->ndst = (int)o->dst_ports;
	for (i = 0; i < o->src_addrs; i++) {
		char addr[32];

		hosts_src_addr(h, (int)i, addr, sizeof(addr));
		g->src[i].sin_family = AF_INET;
		inet_pton(AF_INET, addr, &g->src[i].sin_addr);
	}
	g->nsrc = (int)o->src_addrs;
	g->bind_no_port = o->bind_no_port;
}

/* One line, rewritten in place, short enough for an 80-column terminal. */
/* CPU seconds used so far by this process and its reaped children. */
static double
cpu_seconds(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
	    kids.ru_stime.tv_sec) + (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec +
	    kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
}

static void
live_line(const struct run_result *r, const struct bench_sample *s)
{
	fprintf(stderr, "\r%.14s %6.1fs %8.0f/s done %-9llu TW %ld/%ld fail %llu fly %llu\033[K",
	    r->mode, s->t, s->rate, (unsigned long long)s->completed, s->tw_client,
	    s->tw_server, (unsigned long long)s->failed, (unsigned long long)s->inflight);
}

/*
 * Before the clock starts: one connection from the client host to the
 * server, retried every 100 ms for up to 3 s. A fresh lab's first SYNs
 * can be lost while its links come up, and a lost SYN waits 1 s for its
 * retransmission: that second would be counted in the run. The connection
 * ends with a RST, leaving no TIME_WAIT.
 */
struct reach_job {
	const struct sockaddr_in *dst;
};

static int
reach_job_run(void *arg)
{
	const struct sockaddr_in *dst = ((struct reach_job *)arg)->dst;
	struct linger l = { 1, 0 };
	struct pollfd p;
	int i, fd, err;
	socklen_t len;

	for (i = 0; i < 30; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd == -1)
			return -1;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		err = connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) == 0 ? 0 : errno;
		if (err == EINPROGRESS) {
			p.fd = fd;
			p.events = POLLOUT;
			err = ETIMEDOUT;
			len = sizeof(err);
			if (poll(&p, 1, 100) == 1)
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		}
		close(fd);
		if (err == 0)
			return 0;
		if (err != ETIMEDOUT)
			sleep_ns(100 * NSEC_PER_MSEC);
	}
	return -1;
}

static int
reach_server(int client_nsfd, const struct sockaddr_in *dst)
{
	struct reach_job j = { dst };

	return hosts_in_ns(client_nsfd, reach_job_run, &j);
}

/* Wait for a thread or the server process to say it is set up: 1 or -1. */
static int
wait_ready(_Atomic int *flag, pid_t child)
{
	int i;

	for (i = 0; i < 10000 && atomic_load(flag) == 0; i++) {
		if (child > 0 && waitpid(child, NULL, WNOHANG) == child)
			return -1;
		sleep_ns(NSEC_PER_MSEC);
	}
	return atomic_load(flag) == 1 ? 1 : -1;
}

/*
 * The server runs in a child process: each process has its own descriptor
 * limit (10,000 connections in flight need 10,000 on each side) and the
 * generator's memory is then its own. The child dies with us
 * (PR_SET_PDEATHSIG) and stops when told through the shared page.
 */
static pid_t
spawn_server(struct shared *sh)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	srv_thread(&sh->sc);
	_exit(0);
}

static void
stop_server(struct shared *sh, pid_t pid)
{
	int i;

	atomic_store(&sh->stop_srv, 1);
	for (i = 0; i < 300; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		sleep_ns(10 * NSEC_PER_MSEC);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The sampler: the main thread, every 100 ms until the end or Ctrl+C. */
static void
sample_loop(struct run_result *r, struct gen_part *g, int ng, struct tw_counter *twc,
    struct tw_counter *tws, uint64_t t0, int live)
{
	struct bench_sample s, prev = { 0 };
	uint64_t tick = t0, end = t0 + (uint64_t)(r->o.duration * 1e9);
	long rss;

	while (!interrupted) {
		struct timespec ts;

		tick += SAMPLE_NS;
		if (tick > end)
			tick = end;
		ts.tv_sec = (time_t)(tick / NSEC_PER_SEC);
		ts.tv_nsec = (long)(tick % NSEC_PER_SEC);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
		    !interrupted)
			;
		memset(&s, 0, sizeof(s));
		s.t = (double)(now_mono_ns() - t0) / 1e9;
		s.completed = GEN_TOTAL(g, ng, completed);
		s.failed = GEN_TOTAL(g, ng, failed);
		s.inflight = GEN_TOTAL(g, ng, inflight);
		s.rate = s.t > prev.t ? (double)(s.completed - prev.completed) / (s.t - prev.t) : 0;
		s.tw_client = tw_count_fast(twc);
		s.tw_server = tw_count_fast(tws);
		series_add(&r->series, &s);
		prev = s;
		if ((r->series.n % 10) == 0 && (rss = proc_status_kib("VmRSS")) > r->rss_max_kib)
			r->rss_max_kib = rss;
		if (live)
			live_line(r, &s);
		if (tick >= end)
			break;
	}
	if (live)
		fputc('\n', stderr);
}

static int
run_one(const struct bench_opts *o, struct run_result *r, int live)
{
	struct bench_hosts h;
	struct shared *sh;
	struct bench_counters *ctr;
	struct gen_part *g;
	struct tw_counter twc = { -1 }, tws = { -1 };
	atomic_int stop_gen = 0;
	char err[256] = "", path[64];
	int ng = (int)o->threads, ok = -1, i, k;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pid_t srv = -1;
	uint64_t t0;
	double cpu0 = 0;
	long rss;

	memset(r, 0, sizeof(*r));
	r->o = *o;
	r->rss_max_kib = r->srv_hwm_kib = -1;
	mode_name(o, r->mode, sizeof(r->mode));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	g = calloc((size_t)ng, sizeof(*g));
	if (sh == MAP_FAILED || g == NULL) {
		if (sh != MAP_FAILED)
			munmap(sh, sizeof(*sh));
		free(g);
		fprintf(stderr, "timewait bench: out of memory\n");
		return -1;
	}
	ctr = &sh->ctr;
	if (hosts_up(&h, o->direct, err, sizeof(err)) == -1)
		goto out_mem;
	if (setup_hosts(o, &h, r, err, sizeof(err)) == -1)
		goto out_hosts;
	if (tw_counter_open(&twc, h.client_nsfd) == -1 || tw_counter_open(&tws, h.server_nsfd) == -1) {
		snprintf(err, sizeof(err), "TIME_WAIT counters: %s", strerror(errno));
		goto out_hosts;
	}
	sh->sc.nsfd = h.server_nsfd;
	sh->sc.close = o->close;
	sh->sc.port = o->port;
	sh->sc.nports = (int)o->dst_ports;
	sh->sc.cpu = o->pin ? (int)(ncpu > 1 ? ncpu - 1 : 0) : -1;
	sh->sc.stop = &sh->stop_srv;
	sh->sc.ctr = ctr;
	for (k = 0; k < ng; k++) {
		struct gen_conf *gc = &g[k].gc;

		gc->nsfd = h.client_nsfd;
		gc->close = o->close;
		gc->concurrency = (int)(o->concurrency / ng + (k < o->concurrency % ng));
		gc->cpu = o->pin ? (int)(k % (ncpu > 0 ? ncpu : 1)) : -1;
		gc->stop = &stop_gen;
		gc->ctr = &g[k].ctr;
		fill_addrs(o, &h, gc);
	}
	fflush(NULL);
	cpu0 = cpu_seconds();
	srv = spawn_server(sh);
	if (srv == -1) {
		snprintf(err, sizeof(err), "server process: %s", strerror(errno));
		goto out_hosts;
	}
	if (wait_ready(&ctr->srv_ready, srv) != 1) {
		snprintf(err, sizeof(err), "%s", sh->sc.err[0] ? sh->sc.err : "server did not start");
		goto out_threads;
	}
	if (reach_server(h.client_nsfd, &g[0].gc.dst[0]) == -1) {
		snprintf(err, sizeof(err), "the client host cannot reach %s:%u", h.server_addr,
		    (unsigned)o->port);
		goto out_threads;
	}
	t0 = now_mono_ns();
	for (k = 0; k < ng; k++) {
		if (pthread_create(&g[k].tid, NULL, gen_thread, &g[k].gc) != 0) {
			snprintf(err, sizeof(err), "generator thread: %s", strerror(errno));
			goto out_threads;
		}
		g[k].started = 1;
	}
	for (k = 0; k < ng; k++)
		if (wait_ready(&g[k].ctr.gen_ready, 0) != 1) {
			snprintf(err, sizeof(err), "%s", g[k].gc.err);
			goto out_threads;
		}
	sample_loop(r, g, ng, &twc, &tws, t0, live);
	r->interrupted = interrupted;
	r->seconds = (double)(now_mono_ns() - t0) / 1e9;
	ok = 0;
out_threads:
	/* The generator first: a server gone first would refuse the last connects. */
	atomic_store(&stop_gen, 1);
	atomic_store(&ctr->gen_stopped, 1);
	for (k = 0; k < ng; k++)
		if (g[k].started)
			pthread_join(g[k].tid, NULL);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)srv);
	r->srv_hwm_kib = proc_status_kib_of(path, "VmHWM");
	stop_server(sh, srv);
	r->cpu_s = cpu_seconds() - cpu0;
	for (k = 0; k < ng; k++)
		if (ok == 0 && g[k].gc.err[0]) {
			snprintf(err, sizeof(err), "%s", g[k].gc.err);
			ok = -1;
		}
	r->completed = GEN_TOTAL(g, ng, completed);
	r->failed = GEN_TOTAL(g, ng, failed);
	r->attempts = GEN_TOTAL(g, ng, attempts);
	for (i = 0; i <= BENCH_ERRNO_MAX; i++)
		r->errors[i] = GEN_TOTAL(g, ng, errors[i]);
	r->accepted = bench_get(&ctr->accepted);
	r->answered = bench_get(&ctr->answered);
	r->srv_errors = bench_get(&ctr->srv_errors);
	r->srv_cut = bench_get(&ctr->srv_cut);
	r->rate = r->seconds > 0 ? (double)r->completed / r->seconds : 0;
	r->tw_client_end = tw_count_diag(h.client_nsfd);
	r->tw_server_end = tw_count_diag(h.server_nsfd);
	r->hwm_kib = proc_status_kib("VmHWM");
	if ((rss = proc_status_kib("VmRSS")) > r->rss_max_kib)
		r->rss_max_kib = rss;
	ceiling(r);
out_hosts:
	tw_counter_close(&twc);
	tw_counter_close(&tws);
	hosts_down(&h);
out_mem:
	munmap(sh, sizeof(*sh));
	free(g);
	if (ok == -1)
		fprintf(stderr, "timewait bench: %s\n", err[0] ? err : "failed");
	return ok;
}

/*
 * nginx + wrk between two fresh hosts, with the run's concurrency,
 * duration and sysctls. Their rate; *us_per_conn: their CPU per connection
 * (both are our children, reaped before this returns).
 */
static double
run_nginx(const struct bench_opts *o, double *us_per_conn)
{
	struct bench_hosts h;
	struct run_result dummy;
	char err[256];
	double rate = -1, cpu0;
	uint64_t t0;

	*us_per_conn = -1;
	if (hosts_up(&h, o->direct, err, sizeof(err)) == -1) {
		fprintf(stderr, "timewait bench: nginx: %s\n", err);
		return -1;
	}
	/* The same sysctls as the run it stands beside (port range, tw_reuse). */
	memset(&dummy, 0, sizeof(dummy));
	if (setup_hosts(o, &h, &dummy, err, sizeof(err)) == -1)
		fprintf(stderr, "timewait bench: nginx: %s\n", err);
	else {
		cpu0 = cpu_seconds();
		t0 = now_mono_ns();
		if (nginx_wrk_rate(&h, o->port, o->concurrency, o->duration, &rate, err,
		    sizeof(err)) == -1)
			fprintf(stderr, "timewait bench: nginx: %s\n", err);
		else if (rate > 0)
			*us_per_conn = (cpu_seconds() - cpu0) * 1e6 /
			    (rate * (double)(now_mono_ns() - t0) / 1e9);
	}
	hosts_down(&h);
	return rate;
}

/* ---- output ---- */

static void
print_errors(FILE *f, const struct run_result *r)
{
	int i, any = 0;

	for (i = 0; i <= BENCH_ERRNO_MAX; i++)
		if (r->errors[i]) {
			fprintf(f, "%s%s %llu", any ? ", " : "",
			    i == BENCH_ERR_EOF ? "EOF" : errno_name(i),
			    (unsigned long long)r->errors[i]);
			any = 1;
		}
	if (!any)
		fprintf(f, "none");
}

static void
print_summary(const struct run_result *r)
{
	const struct bench_opts *o = &r->o;

	printf("timewait bench: %s, %.1f s%s, concurrency %ld (%ld thread%s), %ld local ports\n",
	    r->mode, r->seconds, r->interrupted ? " (interrupted)" : "", o->concurrency,
	    o->threads, o->threads == 1 ? "" : "s", r->ports);
	printf("  completed       %llu connections, %.1f/s sustained\n",
	    (unsigned long long)r->completed, r->rate);
	if (r->ceiling >= 0)
		printf("  ceiling         %.1f/s = %ld ports x %ld tuple%s / %ld s TIME_WAIT; rate/ceiling %.2f\n",
		    r->ceiling, r->ports, r->tuples, r->tuples == 1 ? "" : "s", r->tw_period,
		    r->rate / r->ceiling);
	else
		printf("  ceiling         none (the client does not close first)\n");
	printf("  TIME_WAIT end   client %ld, server %ld (sock_diag)\n",
	    r->tw_client_end, r->tw_server_end);
	printf("  errors          ");
	print_errors(stdout, r);
	printf(" (%llu connect attempts)\n", (unsigned long long)r->attempts);
	printf("  server          %llu accepted, %llu answered, %llu errors",
	    (unsigned long long)r->accepted, (unsigned long long)r->answered,
	    (unsigned long long)r->srv_errors);
	if (r->srv_cut)
		printf(" (and %llu cut by the generator's stop)", (unsigned long long)r->srv_cut);
	printf("\n");
	if (r->completed > 0)
		printf("  CPU             %.1f s (generator + server), %.1f us per connection\n",
		    r->cpu_s, r->cpu_s * 1e6 / (double)r->completed);
	if (r->nginx_rate >= 0)
		printf("  nginx + wrk     %.1f/s, %.1f us CPU per connection, same exchange (nginx closes first); "
		    "bench/nginx %.2f\n", r->nginx_rate, r->nginx_us,
		    r->nginx_rate > 0 ? r->rate / r->nginx_rate : 0);
	printf("  memory          generator VmHWM %.1f MiB, VmRSS max %.1f MiB; server VmHWM %.1f MiB\n",
	    (double)r->hwm_kib / 1024, (double)r->rss_max_kib / 1024, (double)r->srv_hwm_kib / 1024);
}

static json_t *
json_summary(const struct run_result *r)
{
	json_t *s = json_object(), *errs = json_object(), *tw = json_object();
	int i;

	for (i = 0; i <= BENCH_ERRNO_MAX; i++)
		if (r->errors[i])
			json_object_set_new(errs, i == BENCH_ERR_EOF ? "EOF" : errno_name(i),
			    json_integer((json_int_t)r->errors[i]));
	json_object_set_new(tw, "client", json_integer(r->tw_client_end));
	json_object_set_new(tw, "server", json_integer(r->tw_server_end));
	json_object_set_new(s, "mode", json_string(r->mode));
	json_object_set_new(s, "close", json_string(close_name(r->o.close)));
	json_object_set_new(s, "completed", json_integer((json_int_t)r->completed));
	json_object_set_new(s, "seconds", json_real(r->seconds));
	json_object_set_new(s, "rate_per_s", json_real(r->rate));
	json_object_set_new(s, "ceiling_per_s", r->ceiling >= 0 ? json_real(r->ceiling) : json_null());
	json_object_set_new(s, "rate_over_ceiling",
	    r->ceiling > 0 ? json_real(r->rate / r->ceiling) : json_null());
	json_object_set_new(s, "errors", errs);
	json_object_set_new(s, "failed", json_integer((json_int_t)r->failed));
	json_object_set_new(s, "attempts", json_integer((json_int_t)r->attempts));
	json_object_set_new(s, "time_wait_end", tw);
	json_object_set_new(s, "concurrency", json_integer(r->o.concurrency));
	json_object_set_new(s, "threads", json_integer(r->o.threads));
	json_object_set_new(s, "ports", json_integer(r->ports));
	json_object_set_new(s, "tuples", json_integer(r->tuples));
	json_object_set_new(s, "time_wait_period_s", json_integer(r->tw_period));
	json_object_set_new(s, "tw_reuse", json_boolean(r->o.tw_reuse));
	json_object_set_new(s, "dst_ports", json_integer(r->o.dst_ports));
	json_object_set_new(s, "src_addrs", json_integer(r->o.src_addrs));
	json_object_set_new(s, "bind_no_port", json_boolean(r->o.bind_no_port));
	json_object_set_new(s, "server_accepted", json_integer((json_int_t)r->accepted));
	json_object_set_new(s, "server_answered", json_integer((json_int_t)r->answered));
	json_object_set_new(s, "server_errors", json_integer((json_int_t)r->srv_errors));
	json_object_set_new(s, "server_cut_at_stop", json_integer((json_int_t)r->srv_cut));
	json_object_set_new(s, "vm_hwm_kib", json_integer(r->hwm_kib));
	json_object_set_new(s, "vm_rss_max_kib", json_integer(r->rss_max_kib));
	json_object_set_new(s, "server_vm_hwm_kib", json_integer(r->srv_hwm_kib));
	json_object_set_new(s, "cpu_s", json_real(r->cpu_s));
	json_object_set_new(s, "cpu_us_per_conn",
	    r->completed ? json_real(r->cpu_s * 1e6 / (double)r->completed) : json_null());
	json_object_set_new(s, "interrupted", json_boolean(r->interrupted));
	json_object_set_new(s, "nginx_wrk_rate_per_s",
	    r->nginx_rate >= 0 ? json_real(r->nginx_rate) : json_null());
	json_object_set_new(s, "nginx_wrk_cpu_us_per_conn",
	    r->nginx_rate >= 0 && r->nginx_us >= 0 ? json_real(r->nginx_us) : json_null());
	return s;
}

static json_t *
json_series(const struct run_result *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->series.n; i++) {
		const struct bench_sample *s = &r->series.v[i];

		json_array_append_new(a, json_pack("{s:f, s:I, s:f, s:I, s:I, s:I, s:I}",
		    "t", s->t, "completed", (json_int_t)s->completed, "rate_per_s", s->rate,
		    "failed", (json_int_t)s->failed, "tw_client", (json_int_t)s->tw_client,
		    "tw_server", (json_int_t)s->tw_server, "in_flight", (json_int_t)s->inflight));
	}
	return a;
}

static int
write_json(const char *path, json_t *root)
{
	char err[512];
	FILE *f = fs_fopen_out(path, err, sizeof(err));
	int r = f == NULL ? -1 : json_dumpf(root, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);

	if (f != NULL && fclose(f) != 0)
		r = -1;
	if (r == -1)
		fprintf(stderr, "timewait bench: cannot write %s: %s\n", path,
		    f == NULL ? err : strerror(errno));
	return r;
}

static int
single(const struct bench_opts *o)
{
	struct run_result *r = calloc(1, sizeof(*r));
	struct plot_line line;
	double nginx_rate, nginx_us = -1;
	char title[160];
	int rc = 0;

	if (r == NULL)
		return 1;
	r->nginx_rate = -1;
	if (o->nginx && (r->nginx_rate = run_nginx(o, &nginx_us)) < 0)
		rc = 1;
	nginx_rate = r->nginx_rate;
	if (run_one(o, r, !o->quiet && isatty(STDERR_FILENO)) == -1) {
		series_free(&r->series);
		free(r);
		return 1;
	}
	r->nginx_rate = nginx_rate;
	r->nginx_us = nginx_us;
	print_summary(r);
	if (o->json) {
		json_t *root = json_object();

		json_object_set_new(root, "summary", json_summary(r));
		json_object_set_new(root, "series", json_series(r));
		if (write_json(o->json, root) == -1)
			rc = 1;
		json_decref(root);
	}
	if (o->plot) {
		line.label = r->mode;
		line.series = &r->series;
		line.ceiling = r->ceiling;
		snprintf(title, sizeof(title), "timewait bench: %s, %ld local ports, concurrency %ld, %.0f s",
		    r->mode, r->ports, o->concurrency, r->seconds);
		if (plot_svg(o->plot, title, &line, 1) == -1) {
			fprintf(stderr, "timewait bench: cannot write %s\n", o->plot);
			rc = 1;
		}
	}
	series_free(&r->series);
	free(r);
	return rc;
}

/* ---- compare ---- */

static void
variants(const struct bench_opts *base, struct bench_opts *v, int *n)
{
	int k = 0;

	v[k] = *base; v[k].close = CLOSE_CLIENT; v[k].tw_reuse = 0;
	v[k].dst_ports = 1; v[k].src_addrs = 0; v[k].bind_no_port = 0; k++;
	v[k] = v[0]; v[k].close = CLOSE_SERVER; k++;
	v[k] = v[0]; v[k].close = CLOSE_RST; k++;
	v[k] = v[0]; v[k].tw_reuse = 1; k++;
	v[k] = v[0]; v[k].dst_ports = 4; k++;
	v[k] = v[0]; v[k].src_addrs = 4; k++;
	v[k] = v[0]; v[k].src_addrs = 4; v[k].bind_no_port = 1; v[k].dst_ports = 4; k++;
	*n = k;
}

static void
print_table(const struct run_result *r, int n)
{
	char ceil[32], tw[32];
	int i;

	printf("\n%-46s %11s %11s %6s %15s %8s  %s\n", "mode", "rate/s", "ceiling/s", "ratio",
	    "TW client/srv", "us/conn", "errors");
	for (i = 0; i < n; i++) {
		if (r[i].ceiling >= 0)
			snprintf(ceil, sizeof(ceil), "%.1f", r[i].ceiling);
		else
			snprintf(ceil, sizeof(ceil), "-");
		snprintf(tw, sizeof(tw), "%ld/%ld", r[i].tw_client_end, r[i].tw_server_end);
		printf("%-46s %11.1f %11s ", r[i].mode, r[i].rate, ceil);
		if (r[i].ceiling > 0)
			printf("%6.2f ", r[i].rate / r[i].ceiling);
		else
			printf("%6s ", "-");
		printf("%15s %8.1f  ", tw, r[i].completed ? r[i].cpu_s * 1e6 / (double)r[i].completed : 0);
		print_errors(stdout, &r[i]);
		printf("\n");
	}
}

static int
compare(const struct bench_opts *o)
{
	struct bench_opts v[8];
	struct run_result *r;
	struct plot_line lines[8];
	double nginx_rate = -1, nginx_us = -1;
	int n, i, done = 0, rc = 0;

	variants(o, v, &n);
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return 1;
	if (o->nginx && (nginx_rate = run_nginx(o, &nginx_us)) < 0)
		rc = 1;
	for (i = 0; i < n && !interrupted; i++) {
		if (run_one(&v[i], &r[i], !o->quiet && isatty(STDERR_FILENO)) == -1) {
			rc = 1;
			break;
		}
		if (o->quiet || !isatty(STDERR_FILENO))
			fprintf(stderr, "%s: %.1f/s\n", r[i].mode, r[i].rate);
		done++;
	}
	print_table(r, done);
	if (nginx_rate >= 0)
		printf("%-46s %11.1f %11s %6s %15s %8.1f  (wrk's count)\n",
		    "nginx+wrk (nginx closes first)", nginx_rate, "-", "-", "-", nginx_us);
	if (o->json) {
		json_t *root = json_object(), *runs = json_array();

		for (i = 0; i < done; i++)
			json_array_append_new(runs, json_pack("{s:o, s:o}", "summary",
			    json_summary(&r[i]), "series", json_series(&r[i])));
		json_object_set_new(root, "runs", runs);
		json_object_set_new(root, "nginx_wrk_rate_per_s",
		    nginx_rate >= 0 ? json_real(nginx_rate) : json_null());
		json_object_set_new(root, "nginx_wrk_cpu_us_per_conn",
		    nginx_us >= 0 ? json_real(nginx_us) : json_null());
		if (write_json(o->json, root) == -1)
			rc = 1;
		json_decref(root);
	}
	if (o->plot && done > 0) {
		for (i = 0; i < done; i++) {
			lines[i].label = r[i].mode;
			lines[i].series = &r[i].series;
			lines[i].ceiling = r[i].ceiling;
		}
		if (plot_svg(o->plot, "timewait bench compare", lines, done) == -1) {
			fprintf(stderr, "timewait bench: cannot write %s\n", o->plot);
			rc = 1;
		}
	}
	for (i = 0; i < n; i++)
		series_free(&r[i].series);
	free(r);
	return rc;
}

int
bench_main(int argc, char **argv)
{
	struct bench_opts o;
	struct sigaction sa;
	int is_compare = argc > 1 && strcmp(argv[1], "compare") == 0;
	int p;

	p = parse_opts(argc, argv, is_compare ? 2 : 1, &o);
	if (p != 0)
		return p == 1 ? 0 : EXIT_USAGE;
	if (geteuid() != 0) {
		fprintf(stderr, "timewait bench: needs root (it makes network namespaces)\n");
		return 1;
	}
	{	/* Refused now, not after the run: folders only root or the caller can change. */
		char err[512];

		if ((o.json && fs_check_out_file(o.json, err, sizeof(err)) == -1) ||
		    (o.plot && fs_check_out_file(o.plot, err, sizeof(err)) == -1)) {
			fprintf(stderr, "timewait bench: %s\n", err);
			return 1;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (raise_nofile(o.concurrency) == -1)
		return 1;
	return is_compare ? compare(&o) : single(&o);
}
