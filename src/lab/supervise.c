/*
 * supervise.c - the runner's parent process: one child per test (at most
 * --jobs at once), each in a lab of its own, so tests run in parallel and a
 * test that goes wrong cannot take the others with it. A child tells how
 * far it got through a pipe, one line per change; the parent draws a live
 * line per test (rewritten in place on a terminal, every few seconds
 * otherwise), forwards a stop to the children, and prints the verdicts.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/runint.h"
#include "util.h"

/* The tests' ids as one column: 17 wide, or as wide as the longest. */
static int id_width = 17;

struct child {
	const struct test_spec *t;
	pid_t pid;
	int fd;
	int status;		/* STATUS_*, -1 while running */
	char line[200];
	uint64_t start, end;
	uint64_t printed;	/* without a terminal: when its line was last printed */
};

/* The mark before a test's live line, coloured unless NO_COLOR or --no-color. */
static const char *
mark_of(const struct child *c, int color)
{
	if (c->status == -1)
		return color ? "\033[33m..\033[0m" : "..";
	if (c->status == STATUS_PASS)
		return color ? "\033[32mok\033[0m" : "ok";
	if (c->status == STATUS_SKIP)
		return color ? "\033[33m--\033[0m" : "--";
	return color ? "\033[31m!!\033[0m" : "!!";
}

static void
draw(struct child *c, int n, int tty, int redraw, int color)
{
	int i;

	if (!tty)
		return;
	if (redraw)
		printf("\033[%dA", n);
	for (i = 0; i < n; i++) {
		const char *mark = mark_of(&c[i], color);

		printf("\033[2K %s %-*s %s\n", c[i].start ? mark : "  ", id_width, c[i].t->id,
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
		run_progress_to(p[1]);
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
	snprintf(c->line, sizeof(c->line), "%.*s", (int)sizeof(c->line) - 1,
	    last ? last + 1 : buf);	/* the line cut to the screen's */
}

static const char *
status_word(int s)
{
	switch (s) {
	case STATUS_PASS: return "pass";
	case STATUS_FAIL: return "FAIL";
	case STATUS_STOPPED: return "stopped";
	case STATUS_SKIP: return "skipped";
	default: return "ERROR";
	}
}

int
run_all(const struct test_spec **tests, int n, const struct run_opts *o)
{
	struct child *c = calloc((size_t)n, sizeof(*c));
	int tty = isatty(STDOUT_FILENO), running = 0, next = 0, done = 0, i, failed = 0;
	int stopped = 0, skipped = 0;
	struct sigaction sa;

	if (c == NULL)
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = run_on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (i = 0; i < n; i++) {
		if ((int)strlen(tests[i]->id) > id_width)
			id_width = (int)strlen(tests[i]->id);
		c[i].t = tests[i];
		c[i].status = -1;
		c[i].fd = -1;
	}
	printf("timewait lab run: %d test%s, time scale %g%s, results in %s/\n", n,
	    n == 1 ? "" : "s", o->scale, o->full ? ", --full" : "", o->out);
	draw(c, n, tty, 0, o->color);
	while (done < n) {
		struct pollfd pf[64];
		int np = 0, idx[64];

		while (!run_stop_requested && running < o->jobs && next < n) {
			if (start_child(&c[next], o) == -1) {
				c[next].status = STATUS_ERROR;
				snprintf(c[next].line, sizeof(c[next].line), "cannot fork: %s", strerror(errno));
				done++;
			} else {
				running++;
			}
			next++;
		}
		if (run_stop_requested && next < n) {
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
					printf("  %-*s ...     %s\n", id_width, c[i].t->id, c[i].line);
					fflush(stdout);
					c[i].printed = now_mono_ns();
				}
		} else if (np == 0) {
			sleep_ns(10 * NSEC_PER_MSEC);
		}
		if (run_stop_requested)
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
					printf("  %-*s %s  [%.2f s]\n", id_width, c[i].t->id, c[i].line,
					    (double)(c[i].end - c[i].start) / 1e9);
			}
		}
		draw(c, n, tty, 1, o->color);
	}
	printf("\n%-*s %-7s %7s  %s\n", id_width, "test", "verdict", "seconds", "what it shows");
	for (i = 0; i < n; i++) {
		failed += c[i].status != STATUS_PASS && c[i].status != STATUS_SKIP;
		skipped += c[i].status == STATUS_SKIP;
		printf("%-*s %-7s %7.2f  %s\n", id_width, c[i].t->id, status_word(c[i].status),
		    c[i].end ? (double)(c[i].end - c[i].start) / 1e9 : 0.0,
		    c[i].status == STATUS_SKIP ? c[i].line : c[i].t->shows);
	}
	for (i = 0; i < n; i++)
		stopped += c[i].status == STATUS_STOPPED;
	if (stopped)
		printf("\n%d passed, %d failed, %d stopped before the end\n", n - failed - skipped,
		    failed - stopped, stopped);
	else
		printf("\n%d passed, %d failed%s%.0d%s; reports: %s/<test>/report.md\n",
		    n - failed - skipped, failed, skipped ? ", " : "", skipped,
		    skipped ? " skipped" : "", o->out);
	free(c);
	if (run_stop_requested)
		return 130;
	return failed ? 1 : 0;
}

