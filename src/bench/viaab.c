/*
 * viaab.c - `timewait bench --via ... --load ab`: ApacheBench, the
 * original project's load tool, sends the requests instead of timewait's
 * generator, so that its figures (Complete requests, Failed requests,
 * Non-2xx responses) compare with the original's directly.
 *
 * ab runs in the client host (forked, setns, exec; it dies with us) for
 * the run's duration: `ab -q -r -s 5 -t SECONDS -n 100000000 -c N
 * http://PROXY:666/` (HTTP/1.0, no keep-alive, as the original ran it).
 * Its output goes to ab.out beside the proxy's run folder and is read at
 * the end. While it runs the sampler still counts TIME_WAIT and the
 * proxy's log; the completed count is ab's, known only at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/netns.h"
#include "bench/via.h"
#include "lab/lab.h"
#include "util.h"

#define AB "/usr/bin/ab"

/* "Complete requests:      3000" -> 3000; -1 if absent. */
static long
ab_field(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p ? strtol(p + strlen(name), NULL, 10) : -1;
}

/* "(Connect: 0, Receive: 0, Length: 1999, Exceptions: 0)": what is not Length. */
static long
ab_non_length(const char *text)
{
	long c = ab_field(text, "(Connect: "), rc = ab_field(text, "Receive: ");
	long ex = ab_field(text, "Exceptions: ");

	return (c > 0 ? c : 0) + (rc > 0 ? rc : 0) + (ex > 0 ? ex : 0);
}

static void
read_ab(struct via_ctx *v, const char *path)
{
	struct via_result *x = &v->r->via;
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "re");

	x->ab_complete = x->ab_failed = x->ab_non2xx = -1;
	if (f == NULL)
		return;
	text = calloc(1, 65536);
	if (text)
		len = fread(text, 1, 65535, f);
	fclose(f);
	if (text == NULL)
		return;
	text[len] = '\0';
	x->ab_complete = ab_field(text, "Complete requests:");
	x->ab_failed = ab_field(text, "Failed requests:");
	x->ab_non2xx = ab_field(text, "Non-2xx responses:");
	if (x->ab_non2xx < 0 && x->ab_complete >= 0)
		x->ab_non2xx = 0;
	if (x->ab_complete >= 0) {
		/* ab counts a 502 page as complete (and as a Length failure). */
		v->r->completed = (uint64_t)(x->ab_complete - x->ab_non2xx);
		x->http5xx = (uint64_t)x->ab_non2xx;
		v->r->failed = (uint64_t)(x->ab_non2xx + ab_non_length(text));
	}
	free(text);
}

int
via_ab_run(struct via_ctx *v, char *err, size_t errlen)
{
	char out[128], secs[32], conc[32], url[96];
	char *argv[] = { AB, "-q", "-r", "-s", "5", "-t", secs, "-n", "100000000", "-c", conc,
	    url, NULL };
	pid_t parent = getpid();
	int fd, i;

	if (access(AB, X_OK) != 0) {
		snprintf(err, errlen, "--load ab: no %s (apt-get install apache2-utils)", AB);
		return -1;
	}
	snprintf(out, sizeof(out), "%s/ab.out", v->tmp);
	snprintf(secs, sizeof(secs), "%.0f", v->o->duration < 1 ? 1 : v->o->duration);
	snprintf(conc, sizeof(conc), "%ld", v->o->concurrency);
	snprintf(url, sizeof(url), "http://%s:666/", v->o->via == VIA_DIRECT ?
	    v->backend[0]->addr : v->proxy_host->addr);
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		return -1;
	}
	fflush(NULL);
	v->t0 = now_mono_ns();
	v->load_pid = fork();
	if (v->load_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || host_netns_enter(v->client->nsfd) == -1)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(AB, argv);
		_exit(127);
	}
	close(fd);
	if (v->load_pid == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	via_sample_loop(v, !v->o->quiet && isatty(STDERR_FILENO));
	/* ab stops itself at -t; a little grace, then SIGINT (it prints what it
	 * has), then SIGKILL. */
	for (i = 0; v->load_pid > 0 && i < 600; i++) {
		if (i == 300)
			kill(v->load_pid, SIGINT);
		if (waitpid(v->load_pid, &v->load_status, WNOHANG) == v->load_pid)
			v->load_pid = -1;
		else
			sleep_ns(10 * NSEC_PER_MSEC);
	}
	if (v->load_pid > 0) {
		kill(v->load_pid, SIGKILL);
		waitpid(v->load_pid, &v->load_status, 0);
		v->load_pid = -1;
	}
	read_ab(v, out);
	unlink(out);
	if (v->r->via.ab_complete < 0) {
		snprintf(err, errlen, "ab gave no figures (exit status %d)",
		    WIFEXITED(v->load_status) ? WEXITSTATUS(v->load_status) : -1);
		return -1;
	}
	return 0;
}
