/*
 * util.c - clocks, strict number parsing, errno names, full writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t
now_realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

uint64_t
now_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

void
sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / NSEC_PER_SEC), (long)(ns % NSEC_PER_SEC) };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || isnan(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
parse_port(const char *s, uint16_t *port)
{
	long v;

	if (parse_long(s, 1, 65535, &v) == -1)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

const char *
errno_name(int err)
{
	static __thread char other[16];

	switch (err) {
	case 0: return "OK";
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ECONNRESET: return "ECONNRESET";
	case ECONNABORTED: return "ECONNABORTED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EPIPE: return "EPIPE";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case EINPROGRESS: return "EINPROGRESS";
	case EINTR: return "EINTR";
	case EINVAL: return "EINVAL";
	case ENOTCONN: return "ENOTCONN";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ENETUNREACH: return "ENETUNREACH";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case ENOBUFS: return "ENOBUFS";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EISCONN: return "EISCONN";
	case EALREADY: return "EALREADY";
	default:
		snprintf(other, sizeof(other), "E%d", err);
		return other;
	}
}

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

_Noreturn void
exec_child_fail(int pipefd, int step)
{
	int report[2] = { errno, step };

	(void)!write(pipefd, report, sizeof(report));
	_exit(127);
}

void
exec_child_die_with(pid_t parent, int pipefd, int step)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		exec_child_fail(pipefd, step);
	if (getppid() != parent)	/* the parent died before prctl */
		_exit(127);
}

void
exec_child_default_signals(void)
{
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int i = 1; i < NSIG; i++)
		(void)sigaction(i, &dfl, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

ssize_t
read_small_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

int
proc_stat_read(pid_t pid, char *buf, size_t len, char **paren)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((n = read_small_file(path, buf, len)) <= 0) {
		if (n == 0)
			errno = EIO;
		return -1;
	}
	*paren = strrchr(buf, ')');
	return 0;
}

int
exec_child_wait(pid_t pid, const int fds[2], int report[2])
{
	int status;
	ssize_t n;

	close(fds[1]);
	do
		n = read(fds[0], report, 2 * sizeof(int));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n != (ssize_t)(2 * sizeof(int)))
		return 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

int
pid_alive(pid_t pid)
{
	char buf[256], *p;

	if (kill(pid, 0) == -1 && errno != EPERM)
		return 0;
	if (proc_stat_read(pid, buf, sizeof(buf), &p) < 0)
		return 0;
	return p == NULL || p[1] == '\0' || p[2] != 'Z';
}
