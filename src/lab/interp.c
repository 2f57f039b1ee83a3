/*
 * interp.c - one run of one test: the interpreter of the catalogue's
 * actions (catalogue.h), in time. It builds the test's lab, starts a
 * capture on every host and the kernel trace, then runs the actions in
 * order (start a program, wait for a step in its event log, Ctrl+C, Enter,
 * a socket snapshot), and tears everything down again.
 *
 * Teardown order matters: captures stop before the programs are told to
 * quit, so the FINs of quitting are not mistaken for the test's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/droplog.h"
#include "lab/impair.h"
#include "lab/janitor.h"
#include "lab/labjson.h"
#include "events.h"
#include "fsafe.h"
#include "options.h"
#include "lab/runint.h"
#include "scen/expand.h"
#include "scen/knobs.h"
#include "util.h"

struct proc_rec *
run_proc(struct test_rec *r, const char *name)
{
	return (struct proc_rec *)rec_proc(r, name);
}

/*
 * Start a program of the test in its host. extra: more arguments (NULL
 * ends them); append: add to the event log of an earlier start instead of
 * beginning a new one.
 */
int
run_spawn(struct test_rec *r, struct lab *lab, struct proc_rec *p,
    const struct run_opts *o, const char *dir, const char *const *extra, int append)
{
	const struct proc_spec *ps = p->spec;
	struct lab_host *h = lab_host(lab, ps->host);
	char logpath[PATH_MAX], scale[32], xargs[CAT_MAX_ARGS][512];
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
	/* In the test's fresh folder, which only root can write (series.c). */
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
	for (i = 0; i < CAT_MAX_ARGS && ps->args[i] != NULL && argc < 31; i++) {
		/* {server}, {client-v6}, {dir}...: the lab's own addresses and folders */
		if (scen_expand_lab(r->spec, lab, dir, ps->args[i], xargs[i], sizeof(xargs[i])) == -1) {
			snprintf(r->error, sizeof(r->error), "%s: cannot expand '%s'", ps->name, ps->args[i]);
			close(in[0]);
			close(in[1]);
			close(logfd);
			close(evfd);
			return -1;
		}
		argv[argc++] = xargs[i];
	}
	for (i = 0; extra != NULL && extra[i] != NULL && argc < 31; i++)
		argv[argc++] = (char *)extra[i];
	argv[argc] = NULL;

	memset(&po, 0, sizeof(po));
	po.stdin_fd = in[0];
	po.stdout_fd = logfd;
	po.stderr_fd = -1;
	po.extra_fd = evfd;
	po.unprivileged = o->unprivileged;
	/* A server that forges RSTs, a client that sets its ISN: it keeps
	 * CAP_NET_ADMIN and CAP_NET_RAW, in its host's namespace only (what
	 * its own parser makes of its arguments decides). */
	if (po.unprivileged && options_need_net_caps(strcmp(ps->prog, "server") == 0 ?
	    PROG_SERVER : PROG_CLIENT, argc - 1, &argv[1]))
		po.unprivileged = LAB_NOBODY_NET_CAPS;
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

/* Wait until p's log holds step for request req (0: any); *when: its time. */
/* The program ended because it could not write its event log (events.c):
 * the lab's error (a full disk), not the program's. */
static int
lab_write_failed(struct test_rec *r, struct proc_rec *p)
{
	int st;

	if (p->pid <= 0 || !run_proc_exited(p) || waitpid(p->pid, &st, WNOHANG) != p->pid)
		return 0;
	p->pid = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != EVENT_EXIT_IOERR)
		return 0;
	snprintf(r->error, sizeof(r->error), "lab error: %s could not write its event log "
	    "(the run folder's disk is full or failing)", p->spec->name);
	return 1;
}

int
run_wait_step(struct test_rec *r, struct proc_rec *p, size_t from,
    const char *step, int req, uint64_t deadline, uint64_t *when)
{
	char err[512];
	size_t i;

	for (;;) {
		if (rec_load_events(p, err, sizeof(err)) == -1) {
			snprintf(r->error, sizeof(r->error), "%.255s", err);	/* cut to fit */
			return -1;
		}
		for (i = from; i < p->nev; i++)
			if (strcmp(p->ev[i].step, step) == 0 && (req == 0 || p->ev[i].req == req)) {
				if (when != NULL)
					*when = p->ev[i].t_ns;
				return 0;
			}
		if (run_stop_requested)
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

int
run_snapshot(struct test_rec *r, struct lab *lab, const char *name, int settled)
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
				snprintf(r->error, sizeof(r->error), "snapshot of %.16s: %.200s",
				    r->hosts[i].name, h ? err : "no such host");
				return -1;
			}
		}
		s->t_end_ns = now_realtime_ns();
		if (!settled || !unsettled(s, r->nhosts) || now_mono_ns() > deadline ||
		    run_stop_requested)
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

	while (h != NULL && !run_stop_requested) {
		struct sd_sock *s = NULL;
		size_t n = 0, i, tw = 0;
		uint32_t left = 0;

		if (sockdiag_snapshot(h->nsfd, &s, &n, err, sizeof(err)) == -1) {
			snprintf(r->error, sizeof(r->error), "snapshot of %.16s: %.200s", hostname, err);
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
		run_sleep_until(now_mono_ns() + (left > 1000 ? 1000 : left + 20) * NSEC_PER_MSEC);
	}
	return -1;
}

/* Gone: a program of its own group once its leader has exited (left a
 * zombie, so the group's id is still ours to signal), any other once
 * reaped. */
static int
proc_gone(struct proc_rec *p)
{
	siginfo_t si;

	if (p->pid <= 0)
		return 1;
	if (!p->group)
		return waitpid(p->pid, NULL, WNOHANG) != 0;
	memset(&si, 0, sizeof(si));
	return waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
	    si.si_pid == p->pid;
}

static void
stop_programs(struct test_rec *r)
{
	uint64_t deadline;
	int i, left;

	/* What ended by itself before now, for the exit checks. */
	for (i = 0; i < r->nprocs; i++) {
		struct proc_rec *p = &r->procs[i];

		if (p->pid > 0 && !run_proc_exited(p))
			p->stopped = 1;
	}
	/* Enter, as a person would, or end of input for the same effect;
	 * a command is told to go as a shell would tell it. */
	for (i = 0; i < r->nprocs; i++) {
		if (r->procs[i].stdin_w != -1) {
			close(r->procs[i].stdin_w);
			r->procs[i].stdin_w = -1;
		}
		if (r->procs[i].group && r->procs[i].pid > 0)
			kill(-r->procs[i].pid, SIGTERM);
	}
	deadline = now_mono_ns() + 500 * NSEC_PER_MSEC;
	do {
		left = 0;
		for (i = 0; i < r->nprocs; i++) {
			struct proc_rec *p = &r->procs[i];

			if (!proc_gone(p))
				left++;
			else if (!p->group)
				p->pid = 0;
		}
		if (left)
			sleep_ns(2 * NSEC_PER_MSEC);
	} while (left && now_mono_ns() < deadline);
	for (i = 0; i < r->nprocs; i++)
		if (r->procs[i].pid > 0) {
			/* The whole group: a shell's children go with it. */
			kill(r->procs[i].group ? -r->procs[i].pid : r->procs[i].pid, SIGKILL);
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
	case ACT_WAIT_EXIT: return "a program's exit awaited";
	case ACT_WAIT_LISTEN: return "a listener awaited";
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
/* The links' delay engine stopped, its counts kept in the record. */
static void
run_delay_stop(struct test_rec *r, struct run_env *e)
{
	struct delay_count counts[CAT_MAX_LINKS][2];

	if (e == NULL || e->delay == NULL)
		return;
	delay_stop(e->delay, counts);
	e->delay = NULL;
	for (int i = 0; i < CAT_MAX_LINKS; i++)
		for (int d = 0; d < 2; d++) {
			r->link_passed[i][d] = counts[i][d].passed;
			r->link_lost[i][d] = counts[i][d].lost;
			r->link_dup[i][d] = counts[i][d].duplicated;
			r->link_reordered[i][d] = counts[i][d].reordered;
			r->link_qdrop[i][d] = counts[i][d].queue_drops;
			r->link_bytes[i][d] = counts[i][d].bytes;
		}
	r->links_read = 1;
}

static int
has_client(const struct test_spec *t)
{
	for (int i = 0; i < test_nprocs(t); i++)
		if (strcmp(t->procs[i].prog, "client") == 0)
			return 1;
	return 0;
}

static int
run_actions(struct test_rec *r, struct run_env *env, const struct run_opts *o,
    const char *dir)
{
	struct lab *lab = &env->lab;
	struct capture **caps = env->caps;
	const struct test_spec *t = r->spec;
	uint64_t base_mono = 0, when = 0;
	int i;

	for (i = 0; i < CAT_MAX_ACTIONS && t->actions[i].kind != 0; i++) {
		const struct action *a = &t->actions[i];
		struct proc_rec *p = a->proc ? run_proc(r, a->proc) : NULL;
		uint64_t due;

		if (a->proc && p == NULL) {
			snprintf(r->error, sizeof(r->error), "action names unknown program %s", a->proc);
			return -1;
		}
		/* Time zero: when the first client starts, every server
		 * listening; in a test without one, when the first command does. */
		if (base_mono == 0 && a->kind == ACT_START && (strcmp(p->spec->prog, "client") == 0 ||
		    (strcmp(p->spec->prog, "exec") == 0 && !has_client(t)))) {
			base_mono = now_mono_ns();
			r->t0_ns = now_realtime_ns();
		}
		due = base_mono + (uint64_t)(a->at_ms * r->scale * NSEC_PER_MSEC) +
		    a->settle_ms * NSEC_PER_MSEC;
		if (base_mono != 0 && due > now_mono_ns() + 100 * NSEC_PER_MSEC)
			progress("t=%.1f s: next, %s at t=%.1f s",
			    (double)(now_mono_ns() - base_mono) / 1e9, action_word(a),
			    (double)(due - base_mono) / 1e9);
		if (base_mono != 0 && run_sleep_until(due) == -1)
			return -1;
		r->act_t[i] = now_realtime_ns();
		switch (a->kind) {
		case ACT_START:
			if (strcmp(p->spec->prog, "proxy") == 0) {
				if (run_proxy_start(r, lab, p, dir) == -1)
					return -1;
				break;
			}
			if (strcmp(p->spec->prog, "exec") == 0) {
				if (run_cmd_start(r, lab, p, dir) == -1)
					return -1;
				break;
			}
			progress("running: %s starts in host %s", p->spec->name, p->spec->host);
			if (run_spawn(r, lab, p, o, dir, NULL, 0) == -1)
				return -1;
			if (strcmp(p->spec->prog, "server") == 0 &&
			    run_wait_step(r, p, 0, "listen", 0, now_mono_ns() + 5 * NSEC_PER_SEC, NULL) == -1)
				return -1;
			break;
		case ACT_WAIT:
			progress("waiting for %s to log '%s'", p->spec->name, a->step);
			if (run_wait_step(r, p, 0, a->step, a->req, now_mono_ns() +
			    a->timeout_ms * NSEC_PER_MSEC, &when) == -1)
				return -1;
			if (a->mark) {
				/* The event's own time, on the monotonic clock. */
				uint64_t ago = now_realtime_ns() - when;

				base_mono = now_mono_ns() - (ago < now_mono_ns() ? ago : 0);
			}
			break;
		case ACT_WAIT_EXIT:
			progress("waiting for %s to exit", p->spec->name);
			if (run_wait_exit(r, p, now_mono_ns() + a->timeout_ms * NSEC_PER_MSEC) == -1)
				return -1;
			if (a->mark)
				base_mono = now_mono_ns();
			break;
		case ACT_WAIT_LISTEN:
			progress("waiting for a listener on %s port %d", a->host, a->port);
			if (run_wait_listen(r, lab, a->host, a->port,
			    now_mono_ns() + a->timeout_ms * NSEC_PER_MSEC) == -1)
				return -1;
			if (a->mark)
				base_mono = now_mono_ns();
			break;
		case ACT_SIGINT:
			progress("running: Ctrl+C to %s at t=%.1f s", p->spec->name,
			    (double)(r->act_t[i] - r->t0_ns) / 1e9);
			/* A terminal's Ctrl+C reaches the foreground group. */
			if (p->pid > 0 && !run_proc_exited(p))
				kill(p->group ? -p->pid : p->pid, SIGINT);
			break;
		case ACT_ENTER:
			if (p->stdin_w != -1)
				(void)write_all(p->stdin_w, "\n", 1);
			break;
		case ACT_SNAPSHOT:
			if (run_snapshot(r, lab, a->snap, a->settled) == -1)
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
			/* Programs first: the packets of their last closes are
			 * captured too, for the drawings; the checks judge only
			 * what came before this moment (rec_load_model). */
			stop_programs(r);
			stop_captures(r, caps);
			run_proxies_stop(r);
			impair_read(r, lab);
			run_delay_stop(r, env);
			droplog_stop(NULL);
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
int
run_setup(struct test_rec *r, const char *dir, struct run_env *e)
{
	struct lab *lab = &e->lab;
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
		snprintf(r->error, sizeof(r->error), "lab: %.240s", err);
		return -1;
	}
	r->nhosts = test_nhosts(t);
	for (i = 0; i < r->nhosts; i++) {
		struct lab_host *h = lab_host(lab, t->hosts[i]);

		snprintf(r->hosts[i].name, sizeof(r->hosts[i].name), "%s", h->name);
		snprintf(r->hosts[i].addr, sizeof(r->hosts[i].addr), "%s", h->addr);
		snprintf(r->hosts[i].addr6, sizeof(r->hosts[i].addr6), "%s", h->addr6);
	}
	if (knobs_apply(r->spec, lab, r->error, sizeof(r->error)) == -1)
		return -1;
	/* Every drop written down as it happens: before the rules that drop. */
	if (droplog_start(r->spec, lab, dir, err, sizeof(err)) == -1) {
		snprintf(r->error, sizeof(r->error), "drop log: %.240s", err);
		return -1;
	}
	if (impair_apply(r->spec, lab, dir, err, sizeof(err)) == -1) {
		snprintf(r->error, sizeof(r->error), "drops: %.240s", err);
		return -1;
	}
	e->delay = delay_start(t, lab, err, sizeof(err));
	if (e->delay == NULL && err[0] != '\0') {
		snprintf(r->error, sizeof(r->error), "link delay: %.240s", err);
		return -1;
	}
	if (e->delay != NULL && fmt(path, sizeof(path), "%s/links.jsonl", dir) == 0)
		delay_set_log(e->delay, path);
	lab_json_write(dir, lab, LAB_JSON_RUN, NULL, NULL);
	/* The kernels' TCP state changes: worth having, not worth failing for. */
	for (i = 0; i < r->nhosts; i++) {
		addrs[naddrs] = r->hosts[i].addr;
		names[naddrs++] = r->hosts[i].name;
		addrs[naddrs] = r->hosts[i].addr6;
		names[naddrs++] = r->hosts[i].name;
	}
	e->kt = ktrace_start(lab->id, addrs, names, naddrs, err, sizeof(err));
	if (e->kt == NULL)
		snprintf(r->trace_error, sizeof(r->trace_error), "%s", err);
	for (i = 0; i < r->nhosts; i++) {
		struct lab_host *h = lab_host(lab, t->hosts[i]);

		if (fmt(path, sizeof(path), "%s/%s.pcap", dir, h->name) == -1 ||
		    (e->caps[i] = capture_start(h->nsfd, h->ifname, path, err, sizeof(err))) == NULL) {
			snprintf(r->error, sizeof(r->error), "%.16s: %.200s", h->name, err);
			return -1;
		}
	}
	return 0;
}

/* Stop what still runs and remove the lab (unless --keep). */
void
run_teardown(struct test_rec *r, const struct run_opts *o, const char *dir,
    struct run_env *e)
{
	struct lab *lab = &e->lab;
	char path[PATH_MAX];

	if (lab->nhosts == 0) {	/* the lab was never built */
		if (e->kt != NULL)
			ktrace_stop(e->kt, NULL, NULL);
		e->kt = NULL;
		return;
	}
	stop_captures(r, e->caps);
	stop_programs(r);
	run_proxies_stop(r);
	impair_read(r, lab);
	run_delay_stop(r, e);
	droplog_stop(NULL);
	if (e->kt != NULL) {
		if (fmt(path, sizeof(path), "%s/trace.jsonl", dir) == -1 ||
		    ktrace_stop(e->kt, path, &r->trace) == -1)
			snprintf(r->trace_error, sizeof(r->trace_error), "the kernel trace could not be written");
		e->kt = NULL;
	}
	if (o->keep) {
		progress("kept: %s (remove with 'timewait lab clean')", lab->id);
		fprintf(stderr, "lab %s kept for a look: ip netns exec %s ss -tan; "
		    "then 'timewait lab clean'\n", lab->id, lab->hosts[0].netns);
		janitor_keep_labs();
	} else {
		lab_destroy(lab);
	}
	if (run_stop_requested && r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "stopped");
}

/* Run one test once, in a lab of its own; fills r. */
int
run_once(struct test_rec *r, const struct run_opts *o, const char *dir)
{
	struct run_env e;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = run_setup(r, dir, &e);
	if (rc == 0)
		rc = run_actions(r, &e, o, dir);
	run_teardown(r, o, dir, &e);
	return rc;
}
