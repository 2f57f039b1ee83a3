/*
 * runint.h - the parts of `timewait lab run` and how they talk:
 *
 *   run.c        the options, the choice of tests, `lab list`
 *   supervise.c  one child process per test, a live line each, the table
 *   series.c     one test, --repeat times (or the race in one lab), judged
 *   interp.c     one run of one test: its actions interpreted in time
 *   proxyrun.c   a real proxy as one of its programs
 *   cmdrun.c     a command (curl, python3...) as one of its programs
 *   progress.c   the child's live line to the parent, and the stop flag
 *
 * Each file calls only those below it in this list.
 */
#ifndef TIMEWAIT_RUNINT_H
#define TIMEWAIT_RUNINT_H

#include <limits.h>
#include <signal.h>
#include <stdint.h>

#include "catalogue.h"
#include "checks.h"
#include "host/ktrace.h"
#include "host/capture.h"
#include "lab/delay.h"
#include "lab/lab.h"
#include "lab/results.h"

/* A test child's exit status. */
#define STATUS_PASS 0
#define STATUS_FAIL 1
#define STATUS_ERROR 3
#define STATUS_STOPPED 4
#define STATUS_SKIP 5		/* not run: a program it needs is not installed */

struct run_opts {
	double scale;
	int fast;		/* --fast: scale 0.1 */
	int full;
	int keep;
	int show;
	long repeat;
	int repeat_given;	/* --repeat was on the command line (else a test's own runs) */
	long jobs;
	int no_color;
	int color;		/* derived: colour the live lines */
	const char *out;
	int outfd;		/* out, opened and checked (fs_open_outdir) */
	const char *knobs[CAT_MAX_SYSCTLS];	/* --sysctl HOST:KEY=VALUE, in order */
	int nknobs;
	char exe[PATH_MAX];
	int unprivileged;	/* programs run as nobody */
};

/* testdir.c: each test written in a fresh folder, put in place whole */
#define RUN_FRESH_PREFIX ".tw-"	/* out/.tw-<pid>.XXXXXX/<test>: being written */
/* out/.tw-<pid>.XXXXXX/<test>/ made: its descriptor (of the wrapper, named
 * wrap), the test's folder as a path in dir; -1 (said) if out/<test> is not
 * a folder an earlier run wrote, or on failure. */
int run_testdir_fresh(const struct test_spec *t, const struct run_opts *o, char *wrap,
    size_t wraplen, char *dir, size_t dirlen);
/* The finished folder given to the sudo user and put in place of out/<test>;
 * wfd closed, the wrapper removed. 0, or -1 with err. */
int run_testdir_install(const struct test_spec *t, const struct run_opts *o, int wfd,
    const char *wrap, char *err, size_t errlen);
/* A write that failed for the disk's sake (ENOSPC, EIO...), not the programs'. */
int run_lab_write_error(int e);

/* progress.c */
extern volatile sig_atomic_t run_stop_requested;
void run_on_stop(int sig);
void run_progress_to(int fd);
void progress(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* Sleep until a CLOCK_MONOTONIC deadline; -1 if a stop came first. */
int run_sleep_until(uint64_t deadline);

/* interp.c */
struct run_env {
	struct lab lab;
	struct capture *caps[CAT_MAX_HOSTS];
	struct ktrace *kt;
	struct delay_engine *delay;	/* the links' delays and losses (lab/delay.h) */
};
struct proc_rec *run_proc(struct test_rec *r, const char *name);
int run_setup(struct test_rec *r, const char *dir, struct run_env *e);
void run_teardown(struct test_rec *r, const struct run_opts *o, const char *dir,
    struct run_env *e);
int run_spawn(struct test_rec *r, struct lab *lab, struct proc_rec *p,
    const struct run_opts *o, const char *dir, const char *const *extra, int append);
int run_wait_step(struct test_rec *r, struct proc_rec *p, size_t from,
    const char *step, int req, uint64_t deadline, uint64_t *when);
int run_snapshot(struct test_rec *r, struct lab *lab, const char *name, int settled);
/* One run of the test, in a lab of its own; fills r. */
int run_once(struct test_rec *r, const struct run_opts *o, const char *dir);

/* proxyrun.c: start p, a program "proxy", rendered into dir/NAME/; 0, or
 * -1 with r->error. Stop every proxy started (after the captures). */
int run_proxy_start(struct test_rec *r, struct lab *lab, struct proc_rec *p, const char *dir);
void run_proxies_stop(struct test_rec *r);
/* 1 with why if t cannot run here (its proxy is not installed): skipped. */
int run_proxy_missing(const struct test_spec *t, char *why, size_t len);

/* cmdrun.c: start p, a program "exec" (a command), its output in
 * dir/NAME.log; 0, or -1 with r->error. run_proc_exited: 1 once p has
 * ended by itself (how is kept in p; the leader is left unreaped), else 0.
 * The waits: 0, or -1 with r->error (or a stop) at the deadline
 * (CLOCK_MONOTONIC). */
int run_cmd_start(struct test_rec *r, struct lab *lab, struct proc_rec *p, const char *dir);
int run_proc_exited(struct proc_rec *p);
int run_wait_exit(struct test_rec *r, struct proc_rec *p, uint64_t deadline);
int run_wait_listen(struct test_rec *r, struct lab *lab, const char *host, int port,
    uint64_t deadline);

/* series.c: the child's whole life, one test --repeat times; its status. */
int run_test(const struct test_spec *t, const struct run_opts *o);

/* supervise.c: every test in a child of its own; the exit status. */
int run_all(const struct test_spec **tests, int n, const struct run_opts *o);

#endif
