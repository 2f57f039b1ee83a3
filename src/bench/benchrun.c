/*
 * benchrun.c - one run of `timewait bench`: make the two hosts (hosts.c),
 * set the client host's sysctls for the options, start the server process
 * then the generator threads (each moves itself into its host's
 * namespace), sample every 100 ms until the duration is over or Ctrl+C,
 * stop both, count what is left in TIME_WAIT, drop the hosts. Also nginx
 * and wrk measured beside, between two fresh hosts of the same kind.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
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

#include "bench/bench.h"
#include "util.h"


volatile sig_atomic_t bench_interrupted;

void
bench_sleep_tick(uint64_t *tick, uint64_t end)
{
	struct timespec ts;

	*tick += BENCH_SAMPLE_NS;
	if (*tick > end)
		*tick = end;
	ts.tv_sec = (time_t)(*tick / NSEC_PER_SEC);
	ts.tv_nsec = (long)(*tick % NSEC_PER_SEC);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
	    !bench_interrupted)
		;
}

const char *
bench_close_name(int c)
{
	return c == CLOSE_CLIENT ? "client" : c == CLOSE_SERVER ? "server" : "rst";
}

uint64_t
gen_total(struct gen_part *g, int n, size_t off)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += bench_get((_Atomic uint64_t *)((char *)&g[i].ctr + off));
	return sum;
}

long
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

void
bench_mode_name(const struct bench_opts *o, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%s", bench_close_name(o->close));
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

/* CPU seconds used so far by this process and its reaped children. */
double
cpu_seconds(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
	    kids.ru_stime.tv_sec) + (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec +
	    kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
}

/*
 * The live line, rewritten in place under the run's mode name (printed
 * whole on its own line before, so that no name is ever cut), short
 * enough for an 80-column terminal.
 */
static void
live_line(const struct bench_sample *s)
{
	fprintf(stderr, "\r  %6.1fs %8.0f/s done %-9llu TW %ld/%ld fail %llu fly %llu\033[K",
	    s->t, s->rate, (unsigned long long)s->completed, s->tw_client,
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

int
reach_server(int client_nsfd, const struct sockaddr_in *dst)
{
	struct reach_job j = { dst };

	return hosts_in_ns(client_nsfd, reach_job_run, &j);
}

/* Wait for a thread or the server process to say it is set up: 1 or -1. */
int
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
pid_t
spawn_server(struct bench_shared *sh)
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

void
stop_server(struct bench_shared *sh, pid_t pid)
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

	if (live)
		fprintf(stderr, "%s\n", r->mode);
	while (!bench_interrupted) {
		bench_sleep_tick(&tick, end);
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
			live_line(&s);
		if (tick >= end)
			break;
	}
	/* Both lines go: the run's own line (summary or compare's) replaces them. */
	if (live)
		fputs("\r\033[K\033[A\r\033[K", stderr);
}

int
bench_run(const struct bench_opts *o, struct run_result *r, int live)
{
	struct bench_hosts h;
	struct bench_shared *sh;
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
	bench_mode_name(o, r->mode, sizeof(r->mode));
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
	r->interrupted = bench_interrupted;
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
	bench_ceiling(o, r->ports, r->seconds, &r->ceil);
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
double
bench_run_nginx(const struct bench_opts *o, double *us_per_conn)
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

