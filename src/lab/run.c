/*
 * run.c - `timewait lab run` and `timewait lab list`.
 *
 * Each test runs in a child process of its own, in a lab of its own, so
 * tests run in parallel and a test that goes wrong cannot take the others
 * with it. A child interprets its test's actions in time, records the
 * three witnesses (event logs, one pcap per host, socket snapshots), tears
 * everything down, judges the checks and writes the test's folder. It
 * tells the parent how far it got through a pipe, one line per change; the
 * parent draws a live line per test and the verdict table.
 *
 * Teardown order matters: captures stop before the programs are told to
 * quit, so the FINs of quitting are not mistaken for the test's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "checks.h"
#include "commands.h"
#include "lab/lab.h"
#include "lab/results.h"
#include "lab/run.h"
#include "events.h"
#include "fsafe.h"
#include "ktrace.h"
#include "render/render.h"
#include "util.h"

#define STATUS_PASS 0
#define STATUS_FAIL 1
#define STATUS_ERROR 3
#define STATUS_STOPPED 4

struct run_opts {
	double scale;
	int full;
	int keep;
	int show;
	int repeat;
	int jobs;
	char out[PATH_MAX];
	int outfd;		/* out, opened and checked (fs_open_outdir) */
	char exe[PATH_MAX];
	int unprivileged;	/* programs run as nobody */
};

static volatile sig_atomic_t stop_requested;
static int progress_fd = -1;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* One line for the parent's live display. */
static void
progress(const char *f, ...) __attribute__((format(printf, 1, 2)));

static void
progress(const char *f, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (progress_fd < 0)
		return;
	va_start(ap, f);
	n = vsnprintf(line, sizeof(line) - 1, f, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)write_all(progress_fd, line, (size_t)n);
}

/* Sleep until a CLOCK_MONOTONIC deadline, waking early on a stop. */
static int
sleep_until(uint64_t deadline)
{
	for (;;) {
		uint64_t now = now_mono_ns();

		if (stop_requested)
			return -1;
		if (now >= deadline)
			return 0;
		sleep_ns(deadline - now > 10 * NSEC_PER_MSEC ? 10 * NSEC_PER_MSEC : deadline - now);
	}
}

static struct proc_rec *
proc_by_name(struct test_rec *r, const char *name)
{
	return (struct proc_rec *)rec_proc(r, name);
}

/*
 * Start a program of the test in its host. extra: more arguments (NULL
 * ends them); append: add to the event log of an earlier start instead of
 * beginning a new one.
 */
static int
spawn_proc(struct test_rec *r, struct lab *lab, struct proc_rec *p,
    const struct run_opts *o, const char *dir, const char *const *extra, int append)
{
	const struct proc_spec *ps = p->spec;
	struct lab_host *h = lab_host(lab, ps->host);
	char logpath[PATH_MAX], scale[32];
	char *argv[32];
	int in[2], logfd, evfd, argc = 0, i;
	struct lab_proc_opts po;

	if (h == NULL) {
		snprintf(r->error, sizeof(r->error), "no host %s for %s", ps->host, ps->name);
		return -1;
	}
	if (fmt(logpath, sizeof(logpath), "%s/%s.log", dir, ps->name) == -1 ||
	    fmt(p->events_path, sizeof(p->events_path), "%s/%s.%s.events.jsonl",
	    dir, ps->host, ps->name) == -1) {
		snprintf(r->error, sizeof(r->error), "run folder path too long");
		return -1;
	}
	/* In the test's fresh folder, which only root can write (run_test). */
	logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	evfd = open(p->events_path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC |
	    (append ? 0 : O_TRUNC), 0644);
	if (logfd == -1 || evfd == -1 || pipe2(in, O_CLOEXEC) == -1) {
		snprintf(r->error, sizeof(r->error), "cannot create %s's files: %s",
		    ps->name, strerror(errno));
		if (logfd != -1)
			close(logfd);
		if (evfd != -1)
			close(evfd);
		return -1;
	}
	/* The program writes through this descriptor, its fd 3, as it is
	 * (events.c): as user nobody it needs no right on the file. */
	snprintf(scale, sizeof(scale), "%g", r->scale);
	argv[argc++] = (char *)o->exe;
	argv[argc++] = (char *)ps->prog;
	argv[argc++] = "--events";
	argv[argc++] = "/dev/fd/3";
	argv[argc++] = "--time-scale";
	argv[argc++] = scale;
	for (i = 0; ps->args[i] != NULL && argc < 31; i++)
		argv[argc++] = (char *)ps->args[i];
	for (i = 0; extra != NULL && extra[i] != NULL && argc < 31; i++)
		argv[argc++] = (char *)extra[i];
	argv[argc] = NULL;

	memset(&po, 0, sizeof(po));
	po.stdin_fd = in[0];
	po.stdout_fd = logfd;
	po.stderr_fd = -1;
	po.extra_fd = evfd;
	po.unprivileged = o->unprivileged;
	p->pid = lab_spawn(lab, h, argv, &po);
	close(in[0]);
	close(logfd);
	close(evfd);
	if (p->pid == -1) {
		snprintf(r->error, sizeof(r->error), "cannot start %s in host %s: %s",
		    ps->name, ps->host, strerror(errno));
		close(in[1]);
		return -1;
	}
	p->stdin_w = in[1];
	p->started = 1;
	return 0;
}

/* The program ended because it could not write its event log (events.c):
 * the lab's error (a full disk), not the program's. */
static int
lab_write_failed(struct test_rec *r, struct proc_rec *p)
{
	int st;

	if (p->pid <= 0 || waitpid(p->pid, &st, WNOHANG) != p->pid)
		return 0;
	p->pid = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != EVENT_EXIT_IOERR)
		return 0;
	snprintf(r->error, sizeof(r->error), "lab error: %s could not write its event log "
	    "(the run folder's disk is full or failing)", p->spec->name);
	return 1;
}

/* Wait until p's log holds step for request req (0: any); *when: its time. */
static int
wait_step_from(struct test_rec *r, struct proc_rec *p, size_t from,
    const char *step, int req, uint64_t deadline, uint64_t *when)
{
	size_t i;

	for (;;) {
		if (rec_load_events(p) == -1) {
			snprintf(r->error, sizeof(r->error), "cannot read %s", p->events_path);
			return -1;
		}
		for (i = from; i < p->nev; i++)
			if (strcmp(p->ev[i].step, step) == 0 && (req == 0 || p->ev[i].req == req)) {
				if (when != NULL)
					*when = p->ev[i].t_ns;
				return 0;
			}
		if (stop_requested)
			return -1;
		if (lab_write_failed(r, p))
			return -1;
		if (now_mono_ns() >= deadline) {
			snprintf(r->error, sizeof(r->error),
			    "%s never logged '%s'%s%.0d in time", p->spec->name, step,
			    req ? " for request " : "", req);
			return -1;
		}
		sleep_ns(NSEC_PER_MSEC / 2);
	}
}

static int
wait_step(struct test_rec *r, struct proc_rec *p, const char *step, int req,
    uint64_t deadline, uint64_t *when)
{
	return wait_step_from(r, p, 0, step, req, deadline, when);
}

/* A socket half-way through opening or closing: the kernel is not done. */
static int
unsettled(const struct snap_rec *s, int nhosts)
{
	static const char *const moving[] = {
		"SYN_SENT", "SYN_RECV", "NEW_SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
		"CLOSING", "LAST_ACK", NULL,
	};
	size_t k;
	int h, m;

	for (h = 0; h < nhosts; h++)
		for (k = 0; k < s->n[h]; k++)
			for (m = 0; moving[m] != NULL; m++)
				if (strcmp(tcp_state_name(s->s[h][k].state), moving[m]) == 0)
					return 1;
	return 0;
}

static int
take_snapshot(struct test_rec *r, struct lab *lab, const char *name, int settled)
{
	uint64_t deadline = now_mono_ns() + 2 * NSEC_PER_SEC;
	struct snap_rec *s;
	char err[256];
	int i;

	if (r->nsnaps == REC_MAX_SNAPS)
		return -1;
	s = &r->snaps[r->nsnaps++];
	for (;;) {
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->t_ns = now_realtime_ns();
		for (i = 0; i < r->nhosts; i++) {
			struct lab_host *h = lab_host(lab, r->hosts[i].name);

			if (h == NULL || sockdiag_snapshot(h->nsfd, &s->s[i], &s->n[i],
			    err, sizeof(err)) == -1) {
				snprintf(r->error, sizeof(r->error), "snapshot of %s: %s",
				    r->hosts[i].name, h ? err : "no such host");
				return -1;
			}
		}
		if (!settled || !unsettled(s, r->nhosts) || now_mono_ns() > deadline ||
		    stop_requested)
			return 0;
		for (i = 0; i < r->nhosts; i++)
			free(s->s[i]);
		sleep_ns(2 * NSEC_PER_MSEC);
	}
}

/* --full: wait until host holds no TIME_WAIT socket, counting down. */
static int
wait_timewait(struct test_rec *r, struct lab *lab, const char *hostname)
{
	struct lab_host *h = lab_host(lab, hostname);
	uint64_t deadline = now_mono_ns() + 75 * NSEC_PER_SEC;
	char err[256];

	while (h != NULL && !stop_requested) {
		struct sd_sock *s = NULL;
		size_t n = 0, i, tw = 0;
		uint32_t left = 0;

		if (sockdiag_snapshot(h->nsfd, &s, &n, err, sizeof(err)) == -1) {
			snprintf(r->error, sizeof(r->error), "snapshot of %s: %s", hostname, err);
			return -1;
		}
		for (i = 0; i < n; i++)
			if (strcmp(tcp_state_name(s[i].state), "TIME_WAIT") == 0) {
				tw++;
				if (s[i].expires_ms > left)
					left = s[i].expires_ms;
			}
		free(s);
		if (tw == 0)
			return 0;
		if (now_mono_ns() > deadline) {
			snprintf(r->error, sizeof(r->error), "TIME_WAIT on %s outlived 75 s", hostname);
			return -1;
		}
		progress("TIME_WAIT on %s: %u s left", hostname, (left + 999) / 1000);
		sleep_until(now_mono_ns() + (left > 1000 ? 1000 : left + 20) * NSEC_PER_MSEC);
	}
	return -1;
}

static void
stop_programs(struct test_rec *r)
{
	uint64_t deadline;
	int i, left;

	/* Enter, as a person would, or end of input for the same effect. */
	for (i = 0; i < r->nprocs; i++)
		if (r->procs[i].stdin_w != -1) {
			close(r->procs[i].stdin_w);
			r->procs[i].stdin_w = -1;
		}
	deadline = now_mono_ns() + 500 * NSEC_PER_MSEC;
	do {
		left = 0;
		for (i = 0; i < r->nprocs; i++) {
			struct proc_rec *p = &r->procs[i];

			if (p->pid > 0 && waitpid(p->pid, NULL, WNOHANG) == 0)
				left++;
			else
				p->pid = 0;
		}
		if (left)
			sleep_ns(2 * NSEC_PER_MSEC);
	} while (left && now_mono_ns() < deadline);
	for (i = 0; i < r->nprocs; i++)
		if (r->procs[i].pid > 0) {
			kill(r->procs[i].pid, SIGKILL);
			waitpid(r->procs[i].pid, NULL, 0);
			r->procs[i].pid = 0;
		}
}

/* An action in a few words, for the live line. */
static const char *
action_word(const struct action *a)
{
	switch (a->kind) {
	case ACT_START: return "a program starts";
	case ACT_WAIT: return "a step awaited";
	case ACT_SIGINT: return "Ctrl+C";
	case ACT_ENTER: return "Enter";
	case ACT_SNAPSHOT: return "a socket snapshot";
	case ACT_WAIT_TW: return "the TIME_WAIT countdown";
	default: return "the end";
	}
}

/* Stop the captures still running, all at once; keep their counts. */
static void
stop_captures(struct test_rec *r, struct capture **caps)
{
	struct capture_stats st[CAT_MAX_HOSTS];
	int i, running = 0;

	for (i = 0; i < r->nhosts; i++)
		running += caps[i] != NULL;
	if (running == 0)
		return;
	capture_stop_all(caps, (size_t)r->nhosts, st);
	for (i = 0; i < r->nhosts; i++)
		if (st[i].packets || st[i].dropped || st[i].if_dropped)
			r->hosts[i].cs = st[i];
}

/* Interpret the test's actions; the record fills as it goes. */
static int
run_actions(struct test_rec *r, struct lab *lab, const struct run_opts *o,
    const char *dir, struct capture **caps)
{
	const struct test_spec *t = r->spec;
	uint64_t base_mono = 0, when = 0;
	int i;

	for (i = 0; i < CAT_MAX_ACTIONS && t->actions[i].kind != 0; i++) {
		const struct action *a = &t->actions[i];
		struct proc_rec *p = a->proc ? proc_by_name(r, a->proc) : NULL;
		uint64_t due;

		if (a->proc && p == NULL) {
			snprintf(r->error, sizeof(r->error), "action names unknown program %s", a->proc);
			return -1;
		}
		/* Time zero: when the first client starts, every server listening. */
		if (base_mono == 0 && a->kind == ACT_START && strcmp(p->spec->prog, "client") == 0) {
			base_mono = now_mono_ns();
			r->t0_ns = now_realtime_ns();
		}
		due = base_mono + (uint64_t)(a->at_ms * r->scale * NSEC_PER_MSEC) +
		    a->settle_ms * NSEC_PER_MSEC;
		if (base_mono != 0 && due > now_mono_ns() + 100 * NSEC_PER_MSEC)
			progress("t=%.1f s: next, %s at t=%.1f s",
			    (double)(now_mono_ns() - base_mono) / 1e9, action_word(a),
			    (double)(due - base_mono) / 1e9);
		if (base_mono != 0 && sleep_until(due) == -1)
			return -1;
		r->act_t[i] = now_realtime_ns();
		switch (a->kind) {
		case ACT_START:
			progress("running: %s starts in host %s", p->spec->name, p->spec->host);
			if (spawn_proc(r, lab, p, o, dir, NULL, 0) == -1)
				return -1;
			if (strcmp(p->spec->prog, "server") == 0 &&
			    wait_step(r, p, "listen", 0, now_mono_ns() + 5 * NSEC_PER_SEC, NULL) == -1)
				return -1;
			break;
		case ACT_WAIT:
			progress("waiting for %s to log '%s'", p->spec->name, a->step);
			if (wait_step(r, p, a->step, a->req, now_mono_ns() +
			    a->timeout_ms * NSEC_PER_MSEC, &when) == -1)
				return -1;
			if (a->mark) {
				/* The event's own time, on the monotonic clock. */
				uint64_t ago = now_realtime_ns() - when;

				base_mono = now_mono_ns() - (ago < now_mono_ns() ? ago : 0);
			}
			break;
		case ACT_SIGINT:
			progress("running: Ctrl+C to %s at t=%.1f s", p->spec->name,
			    (double)(r->act_t[i] - r->t0_ns) / 1e9);
			if (p->pid > 0)
				kill(p->pid, SIGINT);
			break;
		case ACT_ENTER:
			if (p->stdin_w != -1)
				(void)write_all(p->stdin_w, "\n", 1);
			break;
		case ACT_SNAPSHOT:
			if (take_snapshot(r, lab, a->snap, a->settled) == -1)
				return -1;
			break;
		case ACT_WAIT_TW:
			if (!o->full) {
				while (i + 1 < CAT_MAX_ACTIONS && t->actions[i + 1].kind != ACT_END)
					i++;
				break;
			}
			if (wait_timewait(r, lab, p->spec->host) == -1)
				return -1;
			break;
		case ACT_END:
			stop_captures(r, caps);
			stop_programs(r);
			return 0;
		}
	}
	return 0;
}

/* The test's folder, empty: made fresh by run_test; emptied for the next
 * of --repeat runs by descriptors, never by name patterns. */
static int
clear_dir(const char *dir)
{
	int fd, rc;

	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return -1;
	rc = fs_empty_dir(fd);
	close(fd);
	return rc;
}

/* Build the test's lab and start a capture on every host. */
static int
setup(struct test_rec *r, const char *dir, struct lab *lab, struct capture **caps,
    struct ktrace **kt)
{
	const char *addrs[2 * CAT_MAX_HOSTS], *names[2 * CAT_MAX_HOSTS];
	int naddrs = 0;
	const struct test_spec *t = r->spec;
	char err[256], path[PATH_MAX];
	int i;

	if (clear_dir(dir) == -1) {
		snprintf(r->error, sizeof(r->error), "cannot prepare %s: %s", dir, strerror(errno));
		return -1;
	}
	progress("building lab");
	if (lab_build(lab, t->hosts, test_nhosts(t), dir, err, sizeof(err)) == -1) {
		snprintf(r->error, sizeof(r->error), "lab: %s", err);
		return -1;
	}
	r->nhosts = test_nhosts(t);
	for (i = 0; i < r->nhosts; i++) {
		struct lab_host *h = lab_host(lab, t->hosts[i]);

		snprintf(r->hosts[i].name, sizeof(r->hosts[i].name), "%s", h->name);
		snprintf(r->hosts[i].addr, sizeof(r->hosts[i].addr), "%s", h->addr);
		snprintf(r->hosts[i].addr6, sizeof(r->hosts[i].addr6), "%s", h->addr6);
	}
	results_write_lab(dir, lab);
	/* The kernels' TCP state changes: worth having, not worth failing for. */
	for (i = 0; i < r->nhosts; i++) {
		addrs[naddrs] = r->hosts[i].addr;
		names[naddrs++] = r->hosts[i].name;
		addrs[naddrs] = r->hosts[i].addr6;
		names[naddrs++] = r->hosts[i].name;
	}
	*kt = ktrace_start(lab->id, addrs, names, naddrs, err, sizeof(err));
	if (*kt == NULL)
		snprintf(r->trace_error, sizeof(r->trace_error), "%s", err);
	for (i = 0; i < r->nhosts; i++) {
		struct lab_host *h = lab_host(lab, t->hosts[i]);

		if (fmt(path, sizeof(path), "%s/%s.pcap", dir, h->name) == -1 ||
		    (caps[i] = capture_start(h->nsfd, h->ifname, path, err, sizeof(err))) == NULL) {
			snprintf(r->error, sizeof(r->error), "%s: %s", h->name, err);
			return -1;
		}
	}
	return 0;
}

/* Stop what still runs and remove the lab (unless --keep). */
static void
teardown(struct test_rec *r, const struct run_opts *o, const char *dir,
    struct lab *lab, struct capture **caps, struct ktrace **kt)
{
	char path[PATH_MAX];

	stop_captures(r, caps);
	stop_programs(r);
	if (*kt != NULL) {
		if (fmt(path, sizeof(path), "%s/trace.jsonl", dir) == -1 ||
		    ktrace_stop(*kt, path, &r->trace) == -1)
			snprintf(r->trace_error, sizeof(r->trace_error), "the kernel trace could not be written");
		*kt = NULL;
	}
	if (o->keep) {
		progress("kept: %s (remove with 'timewait lab clean')", lab->id);
		fprintf(stderr, "lab %s kept for a look: ip netns exec %s ss -tan; "
		    "then 'timewait lab clean'\n", lab->id, lab->hosts[0].netns);
	} else {
		lab_destroy(lab);
	}
	if (stop_requested && r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "stopped");
}

/* Run one test once, in a lab of its own; fills r. */
static int
run_once(struct test_rec *r, const struct run_opts *o, const char *dir)
{
	struct capture *caps[CAT_MAX_HOSTS] = { 0 };
	struct ktrace *kt = NULL;
	struct lab lab;
	int rc;

	memset(&lab, 0, sizeof(lab));
	rc = setup(r, dir, &lab, caps, &kt);
	if (rc == 0)
		rc = run_actions(r, &lab, o, dir, caps);
	if (lab.nhosts > 0)
		teardown(r, o, dir, &lab, caps, &kt);
	else if (kt != NULL)
		ktrace_stop(kt, NULL, NULL);
	return rc;
}

static void judge_files(struct test_rec *r, const char *dir);

#define RACE_PORT_BASE 10000	/* the Nth repeat's client binds port 10000 + N */

/*
 * The close race, repeated: one lab, one server, one capture per host for
 * the whole series, and the client started N times, each a fresh process
 * from a source port of its own (a client that ended in TIME_WAIT holds
 * its port for 60 s). Each connection is then classified by its 4-tuple.
 */
static int
run_race_repeat(struct test_rec *r, const struct run_opts *o, const char *dir,
    struct outcome_count *oc, int *noc, int maxoc, int *consistent_runs)
{
	struct capture *caps[CAT_MAX_HOSTS] = { 0 };
	struct proc_rec *server = proc_by_name(r, "server"), *client = proc_by_name(r, "client");
	struct ktrace *kt = NULL;
	struct lab lab;
	char port[16], path[PATH_MAX], (*details)[RACE_DETAIL];
	const char *extra[] = { "-f", port, "--quit-when-done", NULL };
	FILE *runs = NULL;
	const char **names;
	int i, rc, *agree, ran = 0;

	memset(&lab, 0, sizeof(lab));
	if (server == NULL || client == NULL) {
		snprintf(r->error, sizeof(r->error), "the race needs a server and a client");
		return -1;
	}
	rc = setup(r, dir, &lab, caps, &kt);
	if (rc == 0)
		rc = spawn_proc(r, &lab, server, o, dir, NULL, 0);
	if (rc == 0)
		rc = wait_step(r, server, "listen", 0, now_mono_ns() + 5 * NSEC_PER_SEC, NULL);
	r->t0_ns = now_realtime_ns();
	for (i = 0; rc == 0 && i < o->repeat && !stop_requested; i++) {
		size_t from = client->nev;
		int st;

		snprintf(port, sizeof(port), "%d", RACE_PORT_BASE + i);
		if (i % 25 == 0)
			progress("run %d of %d", i + 1, o->repeat);
		rc = spawn_proc(r, &lab, client, o, dir, extra, i > 0);
		if (rc == 0)
			rc = wait_step_from(r, client, from, "close", 1,
			    now_mono_ns() + 3 * NSEC_PER_SEC, NULL);
		if (client->pid > 0 && waitpid(client->pid, &st, 0) == client->pid)
			client->pid = 0;
		if (client->stdin_w != -1) {
			close(client->stdin_w);
			client->stdin_w = -1;
		}
		ran += rc == 0;
	}
	if (rc == 0)
		rc = take_snapshot(r, &lab, "end", 1);
	if (lab.nhosts > 0)
		teardown(r, o, dir, &lab, caps, &kt);
	else if (kt != NULL)
		ktrace_stop(kt, NULL, NULL);
	/* Judge every connection from the captures. */
	judge_files(r, dir);
	*consistent_runs = 0;
	names = calloc((size_t)ran + 1, sizeof(*names));
	agree = calloc((size_t)ran + 1, sizeof(*agree));
	details = calloc((size_t)ran + 1, sizeof(*details));
	if (names == NULL || agree == NULL || details == NULL ||
	    race_classify_ports(r, RACE_PORT_BASE, ran, names, agree, details) == -1) {
		snprintf(r->error, sizeof(r->error), "cannot classify the runs");
		ran = 0;
	}
	if (fmt(path, sizeof(path), "%s/runs.jsonl", dir) == 0)
		runs = fopen(path, "w");
	for (i = 0; i < ran; i++) {
		outcome_add(oc, noc, maxoc, names[i] ? names[i] : "unknown");
		*consistent_runs += names[i] != NULL && agree[i];
		if (runs != NULL) {
			json_t *j = json_pack("{s:i,s:i,s:s,s:b}", "run", i + 1,
			    "client_port", RACE_PORT_BASE + i, "outcome",
			    names[i] ? names[i] : "unknown", "sockets_agree", agree[i]);

			/* The rare outcomes say how they came about. */
			if (names[i] == NULL || strcmp(names[i], RACE_SERVER) != 0)
				json_object_set_new(j, "detail", json_string(details[i]));
			json_dumpf(j, runs, JSON_COMPACT);
			fputc('\n', runs);
			json_decref(j);
		}
	}
	if (runs != NULL && fclose(runs) != 0)
		snprintf(r->error, sizeof(r->error), "lab error: cannot write runs.jsonl: %s",
		    strerror(errno));
	free(names);
	free(agree);
	free(details);
	return ran;
}

/* Read back the run's event logs and pcaps into r. */
static void
judge_files(struct test_rec *r, const char *dir)
{
	char path[PATH_MAX], err[256];
	int i;

	for (i = 0; i < r->nprocs; i++)
		if (r->procs[i].started)
			rec_load_events(&r->procs[i]);
	for (i = 0; i < r->nhosts; i++) {
		if (fmt(path, sizeof(path), "%s/%s.pcap", dir, r->hosts[i].name) == -1)
			continue;
		free(r->hosts[i].pkt);
		r->hosts[i].pkt = NULL;
		r->hosts[i].npkt = 0;
		if (pcap_read_tcp(path, &r->hosts[i].pkt, &r->hosts[i].npkt, err, sizeof(err)) == -1 &&
		    r->error[0] == '\0')
			snprintf(r->error, sizeof(r->error), "reading %s: %s", path, err);
	}
}

/* Judge a run from its files; 1 if every check passed. */
static int
judge(struct test_rec *r, const char *dir, struct check_result *res, int *nres)
{
	int i, passed = 0;

	judge_files(r, dir);
	*nres = checks_run(r, res);
	for (i = 0; i < *nres; i++)
		passed += !res[i].judged || res[i].pass;
	return r->error[0] == '\0' && passed == *nres;
}

static void
rec_init(struct test_rec *r, const struct test_spec *t, const struct run_opts *o)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->spec = t;
	r->scale = o->scale;
	r->full = o->full;
	r->nprocs = test_nprocs(t);
	for (i = 0; i < r->nprocs; i++) {
		r->procs[i].spec = &t->procs[i];
		r->procs[i].stdin_w = -1;
	}
}

/* What a test's runs came to, over --repeat runs. */
struct series {
	struct check_result res[CAT_MAX_CHECKS];
	int nres;
	struct outcome_count outcomes[8];
	int noutcomes;
	int runs, passed_runs;
	int ok;
};

/* The close race repeated: one lab, the runs told apart by client port. */
static void
race_series(struct test_rec *r, const struct run_opts *o, const char *dir,
    struct series *sr)
{
	int consistent = 0;

	sr->runs = run_race_repeat(r, o, dir, sr->outcomes, &sr->noutcomes, 8, &consistent);
	sr->ok = r->error[0] == '\0' && sr->runs == o->repeat && consistent == sr->runs;
	sr->nres = 1;
	sr->res[0].spec = &r->spec->checks[0];
	sr->res[0].judged = 1;
	sr->res[0].pass = sr->ok;
	snprintf(sr->res[0].seen, sizeof(sr->res[0].seen),
	    "%d of %d runs ended in a legitimate outcome that the TIME_WAIT sockets agree with",
	    consistent, o->repeat);
	sr->passed_runs = consistent;
}

/* Any other test, run --repeat times, each in a lab of its own. */
static void
plain_series(struct test_rec *r, const struct run_opts *o, const char *dir,
    struct series *sr)
{
	const struct test_spec *t = r->spec;

	sr->ok = 1;
	for (sr->runs = 0; sr->runs < o->repeat && !stop_requested; sr->runs++) {
		int this_ok;

		if (sr->runs > 0)
			rec_free(r);
		rec_init(r, t, o);
		if (o->repeat > 1)
			progress("run %d of %d", sr->runs + 1, o->repeat);
		run_once(r, o, dir);
		progress("checking");
		this_ok = judge(r, dir, sr->res, &sr->nres);
		sr->passed_runs += this_ok;
		sr->ok &= this_ok;
		if (r->error[0] != '\0') {
			sr->runs++;
			break;
		}
	}
}

/* The final live line: the verdict, the checks' count, what failed. */
static void
progress_verdict(const struct test_rec *r, const struct series *sr)
{
	int i, passed = 0, judged = 0;
	const char *first_failed = NULL;

	for (i = 0; i < sr->nres; i++) {
		judged += sr->res[i].judged;
		passed += sr->res[i].judged && sr->res[i].pass;
		if (sr->res[i].judged && !sr->res[i].pass && first_failed == NULL)
			first_failed = sr->res[i].spec->what;
	}
	if (stop_requested) {
		progress("stopped (Ctrl+C or a signal): not judged");
		return;
	}
	progress("%s  %d of %d checks%s%s%s", sr->ok ? "PASS" : "FAIL", passed, judged,
	    judged < sr->nres ? " (more with --full)" : "",
	    r->error[0] ? "; " : first_failed ? "; failed: " : "",
	    r->error[0] ? r->error : first_failed ? first_failed : "");
}

/* Markers of a test folder an earlier run wrote (fs_may_replace). */
static const char *const test_markers[] = { "result.json", "lab.json", NULL };
#define FRESH_PREFIX ".tw-"	/* out/.tw-<pid>.XXXXXX/<test>: being written */

/*
 * The test's folder is built fresh: out/.tw-<pid>.XXXXXX/<test>/, made by
 * root now, so nobody else can plant anything in it. Its path is safe to
 * use as a path: every folder on it was checked by fs_open_outdir (root's
 * or the invoking user's, not writable by others unless sticky) or made
 * by us (a path, not a descriptor, because the programs' private mount
 * namespace binds the hosts file from it). Once written it is given to the
 * user who ran sudo and put in place of out/<test> as a whole
 * (fs_replace_dir), by descriptors.
 */
static int
fresh_test_dir(const struct test_spec *t, const struct run_opts *o, char *wrap,
    size_t wraplen, char *dir, size_t dirlen)
{
	char prefix[32], err[PATH_MAX + 128], shown[PATH_MAX + 64];
	int wfd;

	(void)fmt(shown, sizeof(shown), "%s/%s", o->out, t->id);
	if (!fs_valid_id(t->id)) {	/* it becomes a folder name */
		progress("ERROR bad test id '%s'", t->id);
		return -1;
	}
	if (fs_may_replace(o->outfd, t->id, shown, test_markers, err, sizeof(err)) == -1) {
		progress("ERROR %s", err);
		return -1;
	}
	if (fmt(prefix, sizeof(prefix), FRESH_PREFIX "%d.", (int)getpid()) == -1 ||
	    (wfd = fs_mkdtempat(o->outfd, prefix, wrap, wraplen)) == -1) {
		progress("ERROR cannot make a folder in %s: %s", o->out, strerror(errno));
		return -1;
	}
	if (mkdirat(wfd, t->id, 0755) == -1 ||
	    fmt(dir, dirlen, "%s/%s/%s", o->out, wrap, t->id) == -1) {
		progress("ERROR cannot make a folder in %s: %s", o->out, strerror(errno));
		(void)fs_remove_tree(o->outfd, wrap);
		close(wfd);
		return -1;
	}
	return wfd;
}

/* The finished folder: to the sudo user, in place of the old one. */
static int
install_test_dir(const struct test_spec *t, const struct run_opts *o, int wfd,
    const char *wrap, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;
	int rc = 0;

	fs_result_owner(&uid, &gid);
	/* A filesystem without owners (vfat) keeps root's: said, not fatal. */
	if (geteuid() == 0 && (uid != 0 || gid != 0) &&
	    fs_chown_tree(wfd, t->id, uid, gid) == -1)
		fprintf(stderr, "lab run: cannot give %s/%s to uid %u: %s\n", o->out, t->id,
		    (unsigned)uid, strerror(errno));
	rc = fs_replace_dir(wfd, t->id, o->outfd, t->id, err, errlen);
	close(wfd);
	(void)fs_remove_tree(o->outfd, wrap);
	return rc;
}

/* A write that failed for the disk's sake, not the programs'. */
static int
lab_write_error(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EIO || e == EFBIG || e == EROFS;
}

/* The test ends as an error of the lab; the first such reason stays. */
static void
lab_error(struct test_rec *r, struct series *sr, const char *what,
    const struct test_spec *t, const struct run_opts *o, int e)
{
	sr->ok = 0;
	if (strncmp(r->error, "lab error", 9) == 0)
		return;
	snprintf(r->error, sizeof(r->error), "lab error: %s in %s/%s: %s", what, o->out,
	    t->id, strerror(e));
}

/* The child's whole life: one test, --repeat times. Returns its status. */
static int
run_test(const struct test_spec *t, const struct run_opts *o)
{
	struct series sr;
	struct test_rec r;
	char dir[PATH_MAX], wrap[NAME_MAX + 1], err[PATH_MAX + 128];
	uint64_t start = now_mono_ns();
	int status, wfd;

	wfd = fresh_test_dir(t, o, wrap, sizeof(wrap), dir, sizeof(dir));
	if (wfd == -1)
		return STATUS_ERROR;
	memset(&sr, 0, sizeof(sr));
	rec_init(&r, t, o);
	if (o->repeat > 1 && t->checks[0].kind == CK_RACE)
		race_series(&r, o, dir, &sr);
	else
		plain_series(&r, o, dir, &sr);
	if (results_write(dir, &r, sr.res, sr.nres, sr.ok, o->repeat > 1 ? sr.outcomes : NULL,
	    sr.noutcomes, sr.runs, sr.passed_runs, (double)(now_mono_ns() - start) / 1e9) == -1) {
		/* The lab failed, whatever the programs did (a full disk). */
		lab_error(&r, &sr, "cannot write the results", t, o, errno);
	}
	progress("drawing");
	errno = 0;
	if (render_all(dir, 0, r.draw_error, sizeof(r.draw_error)) == -1) {
		int e = errno;

		if (r.draw_error[0] == '\0')
			snprintf(r.draw_error, sizeof(r.draw_error), "the drawings failed");
		if (lab_write_error(e))
			lab_error(&r, &sr, "cannot write the drawings", t, o, e);
	}
	results_append_drawings(dir, &r);
	if (install_test_dir(t, o, wfd, wrap, err, sizeof(err)) == -1) {
		snprintf(r.error, sizeof(r.error), "lab error: %s", err);
		sr.ok = 0;
	}
	progress_verdict(&r, &sr);
	status = stop_requested ? STATUS_STOPPED :
	    sr.ok ? STATUS_PASS : r.error[0] ? STATUS_ERROR : STATUS_FAIL;
	rec_free(&r);
	return status;
}

/* ---- the parent: one child per test, a live line each, the verdict table ---- */

struct child {
	const struct test_spec *t;
	pid_t pid;
	int fd;
	int status;		/* STATUS_*, -1 while running */
	char line[200];
	uint64_t start, end;
	uint64_t printed;	/* without a terminal: when its line was last printed */
};

static void
draw(struct child *c, int n, int tty, int redraw)
{
	int i;

	if (!tty)
		return;
	if (redraw)
		printf("\033[%dA", n);
	for (i = 0; i < n; i++) {
		const char *mark = c[i].status == -1 ? "\033[33m..\033[0m" :
		    c[i].status == STATUS_PASS ? "\033[32mok\033[0m" : "\033[31m!!\033[0m";

		printf("\033[2K %s %-17s %s\n", c[i].start ? mark : "  ", c[i].t->id,
		    c[i].start ? c[i].line : "waiting");
	}
	fflush(stdout);
}

static int
start_child(struct child *c, const struct run_opts *o)
{
	pid_t parent;
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	c->start = now_mono_ns();
	parent = getpid();
	c->pid = fork();
	if (c->pid == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (c->pid == 0) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)	/* the runner died before prctl */
			_exit(STATUS_STOPPED);
		/* With the runner gone, a progress line must fail (EPIPE), not
		 * kill this process before it has removed its lab. */
		signal(SIGPIPE, SIG_IGN);
		progress_fd = p[1];
		_exit(run_test(c->t, o));
	}
	close(p[1]);
	c->fd = p[0];
	snprintf(c->line, sizeof(c->line), "starting");
	return 0;
}

static void
read_progress(struct child *c)
{
	char buf[1024];
	ssize_t n = read(c->fd, buf, sizeof(buf) - 1);
	char *last, *end;

	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	buf[n] = '\0';
	/* Keep the last complete line. */
	end = strrchr(buf, '\n');
	if (end == NULL)
		return;
	*end = '\0';
	last = strrchr(buf, '\n');
	snprintf(c->line, sizeof(c->line), "%s", last ? last + 1 : buf);
}

static const char *
status_word(int s)
{
	switch (s) {
	case STATUS_PASS: return "pass";
	case STATUS_FAIL: return "FAIL";
	case STATUS_STOPPED: return "stopped";
	default: return "ERROR";
	}
}

static int
run_all(const struct test_spec **tests, int n, const struct run_opts *o)
{
	struct child *c = calloc((size_t)n, sizeof(*c));
	int tty = isatty(STDOUT_FILENO), running = 0, next = 0, done = 0, i, failed = 0;
	int stopped = 0;
	struct sigaction sa;

	if (c == NULL)
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (i = 0; i < n; i++) {
		c[i].t = tests[i];
		c[i].status = -1;
		c[i].fd = -1;
	}
	printf("timewait lab run: %d test%s, time scale %g%s, results in %s/\n", n,
	    n == 1 ? "" : "s", o->scale, o->full ? ", --full" : "", o->out);
	draw(c, n, tty, 0);
	while (done < n) {
		struct pollfd pf[64];
		int np = 0, idx[64];

		while (!stop_requested && running < o->jobs && next < n) {
			if (start_child(&c[next], o) == -1) {
				c[next].status = STATUS_ERROR;
				snprintf(c[next].line, sizeof(c[next].line), "cannot fork: %s", strerror(errno));
				done++;
			} else {
				running++;
			}
			next++;
		}
		if (stop_requested && next < n) {
			for (; next < n; next++) {
				c[next].status = STATUS_STOPPED;
				done++;
			}
		}
		for (i = 0; i < n && np < 64; i++)
			if (c[i].fd != -1) {
				pf[np].fd = c[i].fd;
				pf[np].events = POLLIN;
				idx[np++] = i;
			}
		if (np > 0 && poll(pf, (nfds_t)np, 100) > 0) {
			for (i = 0; i < np; i++)
				if (pf[i].revents)
					read_progress(&c[idx[i]]);
			/* Without a terminal, a long test still shows it is alive. */
			for (i = 0; !tty && i < n; i++)
				if (c[i].status == -1 && c[i].fd != -1 &&
				    now_mono_ns() - (c[i].printed ? c[i].printed : c[i].start) >
				    5 * NSEC_PER_SEC) {
					printf("  %-17s ...     %s\n", c[i].t->id, c[i].line);
					fflush(stdout);
					c[i].printed = now_mono_ns();
				}
		} else if (np == 0) {
			sleep_ns(10 * NSEC_PER_MSEC);
		}
		if (stop_requested)
			for (i = 0; i < n; i++)
				if (c[i].pid > 0 && c[i].status == -1)
					kill(c[i].pid, SIGTERM);
		for (i = 0; i < n; i++) {
			int st;

			if (c[i].pid <= 0 || c[i].status != -1 || c[i].fd != -1)
				continue;
			if (waitpid(c[i].pid, &st, 0) == c[i].pid) {
				c[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : STATUS_ERROR;
				c[i].end = now_mono_ns();
				running--;
				done++;
				if (!tty)
					printf("  %-17s %s  [%.2f s]\n", c[i].t->id, c[i].line,
					    (double)(c[i].end - c[i].start) / 1e9);
			}
		}
		draw(c, n, tty, 1);
	}
	printf("\n%-17s %-7s %7s  %s\n", "test", "verdict", "seconds", "what it shows");
	for (i = 0; i < n; i++) {
		failed += c[i].status != STATUS_PASS;
		printf("%-17s %-7s %7.2f  %s\n", c[i].t->id, status_word(c[i].status),
		    c[i].end ? (double)(c[i].end - c[i].start) / 1e9 : 0.0, c[i].t->shows);
	}
	for (i = 0; i < n; i++)
		stopped += c[i].status == STATUS_STOPPED;
	if (stopped)
		printf("\n%d passed, %d failed, %d stopped before the end\n", n - failed,
		    failed - stopped, stopped);
	else
		printf("\n%d passed, %d failed; reports: %s/<test>/report.md\n", n - failed,
		    failed, o->out);
	free(c);
	if (stop_requested)
		return 130;
	return failed ? 1 : 0;
}

/* Can user nobody execute our binary? If not, the programs run as root. */
static int
nobody_can_exec(const char *exe)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (setgroups(0, NULL) == -1 || setgid(65534) == -1 || setuid(65534) == -1)
			_exit(1);
		_exit(access(exe, X_OK) == 0 ? 0 : 1);
	}
	if (pid == -1 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void
run_usage(FILE *f)
{
	fprintf(f,
	    "usage: timewait lab run [OPTIONS] TEST... | all | seed\n\n"
	    "Run tests in labs of their own, in parallel; check every result.\n\n"
	    "  --fast            every scenario delay times 0.1\n"
	    "  --time-scale F    every scenario delay times F (0.01-10)\n"
	    "  --full            wait out TIME_WAIT (60 s, with a countdown) where a test shows it\n"
	    "  --out DIR         where results go (default runs/): DIR/<test>/\n"
	    "  --keep            leave each lab up for a look; 'timewait lab clean' removes it\n"
	    "  --show            print each test's text timeline at the end\n"
	    "  --repeat N        run each test N times (the close race: counts its outcomes)\n"
	    "  --jobs N          at most N tests at once (default: all)\n\n"
	    "'timewait lab list' lists the tests. Exit status 0 only if every check passed.\n");
}

static int
add_test(const struct test_spec **tests, int *n, const struct test_spec *t)
{
	int i;

	for (i = 0; i < *n; i++)
		if (tests[i] == t)
			return 0;
	tests[(*n)++] = t;
	return 0;
}

int
lab_run_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "fast", no_argument, NULL, 'F' },
		{ "time-scale", required_argument, NULL, 'S' },
		{ "full", no_argument, NULL, 'L' },
		{ "out", required_argument, NULL, 'o' },
		{ "keep", no_argument, NULL, 'k' },
		{ "show", no_argument, NULL, 's' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct test_spec *tests[64];
	struct run_opts o;
	int ch, n = 0, i, j;
	long v;
	ssize_t len;

	memset(&o, 0, sizeof(o));
	o.scale = 1.0;
	o.repeat = 1;
	o.jobs = 64;
	snprintf(o.out, sizeof(o.out), "runs");
	optind = 0;	/* a fresh start for glibc, which also lets options follow names */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			o.scale = 0.1;
			break;
		case 'S':
			if (parse_double(optarg, 0.01, 10, &o.scale) == -1) {
				fprintf(stderr, "lab run: --time-scale wants a number from 0.01 to 10, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'L':
			o.full = 1;
			break;
		case 'o':
			if (fmt(o.out, sizeof(o.out), "%s", optarg) == -1 || optarg[0] == '\0') {
				fprintf(stderr, "lab run: --out wants a folder\n");
				return EXIT_USAGE;
			}
			break;
		case 'k':
			o.keep = 1;
			break;
		case 's':
			o.show = 1;
			break;
		case 'r':
			if (parse_long(optarg, 1, 50000, &v) == -1) {
				fprintf(stderr, "lab run: --repeat wants a number from 1 to 50000, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o.repeat = (int)v;
			break;
		case 'j':
			if (parse_long(optarg, 1, 64, &v) == -1) {
				fprintf(stderr, "lab run: --jobs wants a number from 1 to 64, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o.jobs = (int)v;
			break;
		case 'h':
			run_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "lab run: unknown or incomplete option '%s' (try 'timewait lab run --help')\n",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "lab run: name the tests to run, or 'all' (see 'timewait lab list')\n");
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		const struct test_spec *t = catalogue_find(argv[i]);

		if (strcmp(argv[i], "all") == 0 || strcmp(argv[i], "seed") == 0) {
			for (j = 0; j < catalogue_len; j++)
				if (catalogue[j].seed || strcmp(argv[i], "all") == 0)
					add_test(tests, &n, &catalogue[j]);
		} else if (t != NULL) {
			add_test(tests, &n, t);
		} else {
			fprintf(stderr, "lab run: no test '%s' (see 'timewait lab list')\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (lab_check_privileges() == -1)
		return 1;
	{
		char err[PATH_MAX + 256];

		o.outfd = fs_open_outdir(o.out, 1, err, sizeof(err));
		if (o.outfd == -1) {
			fprintf(stderr, "lab run: --out %s\n", err);
			return 1;
		}
		fs_remove_dead(o.outfd, FRESH_PREFIX);	/* of runs killed outright */
	}
	len = readlink("/proc/self/exe", o.exe, sizeof(o.exe) - 1);
	if (len <= 0) {
		fprintf(stderr, "lab run: cannot find the timewait binary: %s\n", strerror(errno));
		return 1;
	}
	o.exe[len] = '\0';
	o.unprivileged = nobody_can_exec(o.exe);
	if (!o.unprivileged)
		fprintf(stderr, "lab run: user nobody cannot run %s (a folder on its path is closed);"
		    " the programs run as root instead\n", o.exe);
	lab_clean(0, 0);
	(void)ktrace_mount();	/* once, before the tests trace in parallel */
	i = run_all(tests, n, &o);
	ktrace_unmount();	/* ours, or a dead run's, once nobody traces */
	if (!stop_requested) {
		char err[256], page[PATH_MAX + 16];

		if (report_html(o.out, NULL, err, sizeof(err)) == 0 &&
		    fmt(page, sizeof(page), "%s/report.html", o.out) == 0) {
			uid_t uid;
			gid_t gid;

			fs_result_owner(&uid, &gid);
			(void)fchownat(o.outfd, "report.html", uid, gid, AT_SYMLINK_NOFOLLOW);
			printf("the whole run on one page: %s\n", page);
		}
		else
			fprintf(stderr, "lab run: no report.html: %s\n", err);
	}
	if (o.show)
		for (j = 0; j < n; j++)
			results_show(o.out, tests[j]->id, stdout);
	return i;
}

/* The behaviour code a program runs with: the word after -s. */
static const char *
code_of(const struct proc_spec *p)
{
	int i;

	for (i = 0; p != NULL && p->args[i] != NULL; i++)
		if (strcmp(p->args[i], "-s") == 0 && p->args[i + 1] != NULL)
			return p->args[i + 1];
	return "-";
}

int
lab_list_main(int argc, char **argv)
{
	int i;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: timewait lab list\n\nThe tests 'timewait lab run' knows, with what each shows.\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "lab list: takes no arguments\n");
		return EXIT_USAGE;
	}
	printf("%-17s %-7s %s\n", "test", "server", "client   what it shows");
	for (i = 0; i < catalogue_len; i++) {
		const struct test_spec *t = &catalogue[i];
		const struct proc_spec *s = test_proc(t, "server"), *c = test_proc(t, "client");

		printf("%-17s %-7s %-8s %s\n", t->id, code_of(s), code_of(c), t->shows);
	}
	printf("\nseed: 000-007 (the user's eight); all: every test above.\n");
	return 0;
}
