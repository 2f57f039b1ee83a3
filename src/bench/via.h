/*
 * via.h - the parts of `timewait bench --via` (a run through a real
 * proxy): via.c makes the lab, the backends and the proxy and runs the
 * generator; viasample.c samples every 100 ms (TIME_WAIT per host and per
 * side of the proxy, the proxy's log) and fills the run's result;
 * viaab.c runs ab, the original's load tool, instead of the generator.
 */
#ifndef TIMEWAIT_BENCH_VIA_H
#define TIMEWAIT_BENCH_VIA_H

#include "bench/bench.h"
#include "proxy/proxy.h"

struct lab;
struct lab_host;

struct via_ctx {
	const struct bench_opts *o;
	struct run_result *r;
	struct lab *lab;
	char labdir[64];
	struct lab_host *client, *proxy_host, *backend[VIA_MAX_BACKENDS];
	struct bench_shared *sh[VIA_MAX_BACKENDS];
	pid_t srv[VIA_MAX_BACKENDS];
	struct proxy px;
	int px_prepared;
	char tmp[64];			/* /run/timewait/tmp/PID-via.XXXXXX (lab_tmpdir) */
	char rundir[96];		/* tmp/<proxy>: the proxy's run folder */
	struct gen_part *g;
	int ng;
	uint64_t t0;
	pid_t load_pid;			/* ab, when --load ab, until reaped; else -1 */
	int load_status;		/* its wait status once reaped */
	/* viasample.c */
	struct tw_counter twc, twb[VIA_MAX_BACKENDS], twp;
	long log_off;			/* bytes of the proxy's log counted */
	struct proxy_upstream_errors up;
};

/* viasample.c */
int via_sample_open(struct via_ctx *v, char *err, size_t errlen);
/* Until the duration is over, Ctrl+C, or the load tool (v->load_pid) exits. */
void via_sample_loop(struct via_ctx *v, int live);
void via_sample_end(struct via_ctx *v);	/* final counts into v->r */
void via_sample_close(struct via_ctx *v);

/* viaab.c: ab in the client host for the run's duration; its counts into v->r. */
int via_ab_run(struct via_ctx *v, char *err, size_t errlen);

#endif
