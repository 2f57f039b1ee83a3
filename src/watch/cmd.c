/*
 * cmd.c - `timewait watch`: the command line, the privileges it needs, and
 * the loop that, once an interval, takes what the trace gathered, adds a
 * sock_diag snapshot and the namespace's counters, and prints it all.
 *
 * Signals (SIGINT, SIGTERM, SIGHUP) are blocked in every thread and taken
 * by the loop with sigtimedwait, so whatever stops watch goes through the
 * same path: the tracing instance removed, tracefs unmounted if watch
 * mounted it, the HTTP endpoint closed.
 */
#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/flags.h"
#include "commands.h"
#include "util.h"
#include "watch/watch.h"

struct opts {
	const char *netns, *listen;
	double interval;
	long count;
	int json;
};

#define OFF(f) offsetof(struct opts, f)

/* --listen: checked here, so a bad address is a usage error before anything starts. */
static int
parse_listen(void *opts, const char *s, char *msg, size_t len)
{
	if (w_prom_check(s)) {
		snprintf(msg, len, "--listen wants ADDR:PORT, :PORT or PORT, not '%s'", s);
		return -1;
	}
	((struct opts *)opts)->listen = s;
	return 0;
}

static const struct flag_row watch_flags[] = {
	FLAG("netns", 0, FLAG_STRING, OFF(netns), "NAME", NULL,
	    "a namespace of 'ip netns list' (default: this host's)"),
	FLAG("interval", 0, FLAG_DOUBLE, OFF(interval), "S", "1",
	    "seconds between two reports", .min = 0.05, .max = 3600),
	FLAG("count", 0, FLAG_LONG, OFF(count), "N", NULL,
	    "stop after N reports (default: until Ctrl+C)", .min = 1, .max = 1000000000),
	FLAG("json", 0, FLAG_BOOL, OFF(json), NULL, NULL,
	    "one JSON object a line and interval (see docs/watch.md)"),
	FLAG("listen", 0, FLAG_FUNC, 0, "ADDR:PORT", NULL,
	    "serve the figures to Prometheus at /metrics (\":PORT\" or \"PORT\": on 127.0.0.1)",
	    .fn = parse_listen),
	FLAG_LAYER_END,
};

const struct flag_cmd watch_cmd = {
	.name = "watch",
	.synopsis = "[OPTIONS]",
	.about = "Watch one network namespace as it is (it changes nothing): per destination\n"
	    "and listening service, connections opened and ended per second, who closes\n"
	    "first, resets, TIME_WAIT held, ephemeral ports in use against the ceiling\n"
	    "they allow (usable ports / 60 s); connect() and bind() failures by errno and\n"
	    "process; the kernel's TCP counters; one line of advice for each problem.\n"
	    "Needs root.",
	.layers = { flags_common, watch_flags, NULL },
};

static int
parse(int argc, char **argv, struct opts *o)
{
	struct flags_result fr;
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = flags_run(&watch_cmd, o, argc, argv, &fr)) != -1)
		return rc == 0 ? -1 : rc;
	if (fr.npos > 0)
		return flags_usage_error(&watch_cmd, argv[0], "unexpected argument '%s'",
		    fr.pos[0]);
	return 0;
}

/* The capabilities watch needs, from /proc/self/status; 0 if all there. */
static int
check_privileges(void)
{
	static const struct { int bit; const char *name, *why; } caps[] = {
		{ 21, "CAP_SYS_ADMIN", "a tracing instance, setns into the namespace" },
		{ 19, "CAP_SYS_PTRACE", "which namespace a failing process is in" },
		{ 1, "CAP_DAC_OVERRIDE", "tracefs files" },
	};
	char line[256];
	unsigned long long eff = 0;
	FILE *f = fopen("/proc/self/status", "re");
	int missing = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	if (f)
		fclose(f);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (eff & (1ULL << caps[i].bit))
			continue;
		if (!missing++)
			fprintf(stderr, "timewait watch: needs root; missing:");
		fprintf(stderr, " %s (%s)", caps[i].name, caps[i].why);
	}
	if (missing)
		fputc('\n', stderr);
	return missing ? -1 : 0;
}

static double
now_s(void)
{
	return now_realtime_ns() / 1e9;
}

struct loop {
	struct opts *o;
	struct w_ns ns;
	struct wtrace *wt;
	struct w_prom *prom;
	uint8_t *listening;
	struct w_interval iv;
	uint64_t prev_counters[W_NCOUNTERS], kernel_lost;
	int have_prev, mode, color;
};

/* One interval: gather, derive, print. 0; 1 when stdout is gone; -1 on a
 * failure to report. */
static int
report(struct loop *L, double t, double span)
{
	struct w_report r;
	struct w_snapstats st;
	char err[256];
	int lo = 1, hi = 0, rc;
	uint64_t klost;

	memset(&r, 0, sizeof(r));
	wtrace_take(L->wt, &L->iv);
	if (w_ns_port_range(&L->ns, &lo, &hi) < 0)
		lo = 1, hi = 0;
	wtrace_set_range(L->wt, lo, hi);
	if (w_snapshot(&L->ns, &L->iv.table, L->listening, lo, hi, &st, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "timewait watch: sock_diag: %s\n", err);
		return -1;
	}
	r.t = t;
	r.interval_s = span;
	r.netns = L->ns.name;
	r.snap = st;
	r.port_lo = lo;
	r.port_hi = hi;
	r.tw_reuse = w_ns_sysctl(L->ns.fd_reuse);
	r.max_tw_buckets = w_ns_sysctl(L->ns.fd_buckets);
	w_ns_counters(&L->ns, r.counters);
	klost = wtrace_kernel_lost(L->wt);
	r.gone = L->iv.gone;
	r.lost = L->iv.missed + (klost > L->kernel_lost ? klost - L->kernel_lost : 0);
	L->kernel_lost = klost;
	if (w_derive(&r, &L->iv, L->have_prev ? L->prev_counters : NULL) < 0)
		return -1;
	memcpy(L->prev_counters, r.counters, sizeof(r.counters));
	L->have_prev = 1;
	rc = w_print(&r, L->mode, L->color) < 0 ? 1 : 0;
	if (L->prom)
		w_prom_update(L->prom, &r);
	w_report_free(&r);
	return rc;
}

static int
run(struct loop *L, const sigset_t *sigs)
{
	double start = now_s(), last = start, next = start + L->o->interval;
	long done = 0;

	for (;;) {
		double wait = next - now_s();
		struct timespec ts;
		int sig;

		if (wait > 0) {
			ts.tv_sec = (time_t)wait;
			ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
			sig = sigtimedwait(sigs, NULL, &ts);
			if (sig > 0)
				return 0;
			if (sig < 0 && errno == EINTR)
				continue;
		}
		if (L->o->count == 0 || done < L->o->count) {
			double t = now_s();

			int rc = report(L, t, t - last);

			if (rc)	/* a failure, or nobody reads any more */
				return rc < 0 ? 1 : 0;
			last = t;
			done++;
		}
		if (L->o->count && done >= L->o->count)
			return 0;
		next += L->o->interval;
		if (next < now_s())	/* fell behind (a stopped process): start again */
			next = now_s() + L->o->interval;
	}
}

int
watch_main(int argc, char **argv)
{
	struct opts o;
	struct loop L;
	sigset_t sigs;
	char err[512];
	const char *nc = getenv("NO_COLOR");
	int rc;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? 0 : rc;
	if (check_privileges() < 0)
		return 1;
	memset(&L, 0, sizeof(L));
	L.o = &o;
	L.mode = o.json ? W_OUT_JSON : isatty(STDOUT_FILENO) ? W_OUT_TERM : W_OUT_PLAIN;
	L.color = L.mode == W_OUT_TERM && !(nc && *nc);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (w_ns_open(&L.ns, o.netns, err, sizeof(err)) < 0) {
		fprintf(stderr, "timewait watch: %s\n", err);
		return 1;
	}
	rc = 1;
	L.listening = calloc(65536, 1);
	if (!L.listening || w_table_init(&L.iv.table) < 0) {
		fprintf(stderr, "timewait watch: out of memory\n");
		goto out;
	}
	{
		struct w_snapstats st;
		int lo = 1, hi = 0;

		w_ns_port_range(&L.ns, &lo, &hi);
		if (w_snapshot(&L.ns, &L.iv.table, L.listening, lo, hi, &st, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "timewait watch: sock_diag: %s\n", err);
			goto out;
		}
	}
	if (o.listen && !(L.prom = w_prom_start(o.listen, err, sizeof(err)))) {
		fprintf(stderr, "timewait watch: --listen %s: %s\n", o.listen, err);
		goto out;
	}
	if (!(L.wt = wtrace_start(&L.ns, L.listening, err, sizeof(err)))) {
		fprintf(stderr, "timewait watch: %s\n", err);
		goto out;
	}
	{
		int lo = 1, hi = 0;

		if (w_ns_port_range(&L.ns, &lo, &hi) == 0)
			wtrace_set_range(L.wt, lo, hi);
	}
	rc = run(&L, &sigs);
out:
	wtrace_stop(L.wt);
	w_prom_stop(L.prom);
	w_table_free(&L.iv.table);
	free(L.listening);
	w_ns_close(&L.ns);
	return rc;
}
