/*
 * nginx.c - the yardstick: nginx answering wrk, between the same two
 * hosts, for the same exchange as `--close server` (one small HTTP request,
 * a small answer, nginx closes first since keep-alive is off).
 *
 * nginx runs in the server host as one process (master_process off,
 * daemon off), wrk in the client host with one thread and the same number
 * of connections; both are children that setns() into their host before
 * exec and carry PR_SET_PDEATHSIG, so they die with the bench. nginx's
 * files live in a private folder in /run/timewait/tmp (lab_tmpdir),
 * removed at the end, or by the bench's janitor if this run was killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/netns.h"
#include "bench/bench.h"
#include "lab/lab.h"
#include "util.h"

static const char *const nginx_paths[] = { "/usr/sbin/nginx", "/usr/bin/nginx", NULL };
static const char *const wrk_paths[] = { "/usr/bin/wrk", "/usr/local/bin/wrk", NULL };

static const char *
find_exe(const char *const *paths)
{
	for (; *paths; paths++)
		if (access(*paths, X_OK) == 0)
			return *paths;
	return NULL;
}

/* fork, enter nsfd, exec path argv; stdout to out_fd (-1: /dev/null). */
static pid_t
spawn_in(int nsfd, const char *path, char *const argv[], int out_fd)
{
	pid_t pid = fork();
	int devnull;

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(127);
	if (host_netns_enter(nsfd) == -1)
		_exit(126);
	devnull = open("/dev/null", O_RDWR);
	if (devnull != -1) {
		dup2(devnull, 0);
		dup2(out_fd >= 0 ? out_fd : devnull, 1);
		dup2(devnull, 2);
	}
	execv(path, argv);
	_exit(127);
}

static int
write_conf(const char *dir, uint16_t port, long concurrency)
{
	char path[256], text[1024];
	int fd, r;

	if (fmt(path, sizeof(path), "%s/nginx.conf", dir) == -1 ||
	    fmt(text, sizeof(text),
	    "daemon off;\nmaster_process off;\nworker_processes 1;\n"
	    "pid %s/nginx.pid;\nerror_log %s/error.log;\n"
	    "events { worker_connections %ld; }\n"
	    "http {\n access_log off;\n keepalive_timeout 0;\n"
	    " server {\n  listen %u backlog=65535;\n"
	    "  location / { return 200 \"ok\"; }\n }\n}\n",
	    dir, dir, concurrency * 2 + 1024, (unsigned)port) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	r = write_all(fd, text, strlen(text));
	close(fd);
	return r;
}


/* "Requests/sec:  16806.25" in wrk's report. */
static double
parse_wrk(const char *out)
{
	const char *p = strstr(out, "Requests/sec:");

	return p ? strtod(p + strlen("Requests/sec:"), NULL) : -1;
}

static void
stop_child(pid_t pid)
{
	int i;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		sleep_ns(20 * NSEC_PER_MSEC);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int
nginx_wrk_rate(const struct bench_hosts *h, uint16_t port, long concurrency, double duration,
    double *rate, char *err, size_t errlen)
{
	const char *nginx = find_exe(nginx_paths), *wrk = find_exe(wrk_paths);
	char dir[PATH_MAX], conf[PATH_MAX + 16], conns[32], secs[32], url[96];
	char out[8192];
	size_t got = 0;
	pid_t npid = -1, wpid = -1;
	int pipefd[2] = { -1, -1 }, status, ret = -1;
	ssize_t n;

	*rate = -1;
	if (nginx == NULL || wrk == NULL) {
		snprintf(err, errlen, "nginx or wrk is not installed (make deps)");
		return -1;
	}
	if (lab_tmpdir(dir, sizeof(dir), "nginx") == -1) {
		snprintf(err, errlen, "a folder in /tmp: %s", strerror(errno));
		return -1;
	}
	if (write_conf(dir, port, concurrency) == -1 ||
	    fmt(conf, sizeof(conf), "%s/nginx.conf", dir) == -1) {
		snprintf(err, errlen, "nginx.conf: %s", strerror(errno));
		goto out;
	}
	{
		char *const argv[] = { (char *)nginx, "-q", "-p", dir, "-e",
		    (char *)"/dev/null", "-c", conf, NULL };

		npid = spawn_in(h->server_nsfd, nginx, argv, -1);
	}
	if (npid == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	sleep_ns(300 * NSEC_PER_MSEC);	/* let it bind */
	if (waitpid(npid, &status, WNOHANG) == npid) {
		npid = -1;
		snprintf(err, errlen, "nginx exited at once (see its error log)");
		goto out;
	}
	snprintf(conns, sizeof(conns), "%ld", concurrency);
	snprintf(secs, sizeof(secs), "%lds", (long)(duration + 0.5) < 1 ? 1 : (long)(duration + 0.5));
	snprintf(url, sizeof(url), "http://%s:%u/", h->server_addr, (unsigned)port);
	if (pipe2(pipefd, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	{
		char *const argv[] = { (char *)wrk, "-t1", "-c", conns, "-d", secs,
		    "-H", "Connection: close", url, NULL };

		wpid = spawn_in(h->client_nsfd, wrk, argv, pipefd[1]);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	if (wpid == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	while ((n = read(pipefd[0], out + got, sizeof(out) - 1 - got)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
		if (got == sizeof(out) - 1)
			break;
	}
	out[got] = '\0';
	waitpid(wpid, &status, 0);
	wpid = -1;
	*rate = parse_wrk(out);
	if (*rate < 0) {
		snprintf(err, errlen, "wrk gave no rate");
		goto out;
	}
	ret = 0;
out:
	if (pipefd[0] != -1)
		close(pipefd[0]);
	if (pipefd[1] != -1)
		close(pipefd[1]);
	stop_child(wpid);
	stop_child(npid);
	lab_tmpdir_remove(dir);
	return ret;
}
