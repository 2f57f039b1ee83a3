/*
 * events.c - the step log: a human line on standard output and a JSON line
 * in the --events file, both built from one struct event.
 *
 * Each line goes out with a single write(2) (no stdio buffer), so nothing is
 * lost when a signal makes the program _exit(), and a process reading the
 * file while we run sees whole lines only. The file is opened for append, so
 * two writers never overwrite.
 *
 * "/dev/fd/N" is not reopened but used as it is: the lab runner opens each
 * program's log itself and hands the descriptor over, so a program running
 * as nobody writes its log without any right on the file or its folder. A
 * line that cannot be written (ENOSPC, EIO) ends the program with status
 * EVENT_EXIT_IOERR and a message: a log with holes would be believed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "util.h"

#define LINE_MAX_LEN	4096
#define DATA_MAX	1024	/* bytes of data copied into a line */

static const char *log_prog = "?";
static int log_code;
static int log_fd = -1;
static long log_pid;
static const char *mark_step;	/* event_call_start: the call begun ... */
static uint64_t mark_t0;	/* ... and when */

/* A growing line that silently stops at its end: a log line is cut, never overflows. */
struct line {
	char	buf[LINE_MAX_LEN];
	size_t	len;
};

static void
line_add(struct line *l, const char *s, size_t n)
{
	size_t room = sizeof(l->buf) - 1 - l->len;

	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

static void
line_str(struct line *l, const char *s)
{
	line_add(l, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
line_printf(struct line *l, const char *f, ...)
{
	char tmp[LINE_MAX_LEN];
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(tmp, sizeof(tmp), f, ap);
	va_end(ap);
	if (n > 0)
		line_add(l, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A JSON string, quotes included. */
static void
line_json_str(struct line *l, const char *s, size_t n)
{
	size_t i;

	line_str(l, "\"");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			line_add(l, esc, 2);
		} else if (c == '\n')
			line_str(l, "\\n");
		else if (c == '\r')
			line_str(l, "\\r");
		else if (c == '\t')
			line_str(l, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			line_printf(l, "\\u%04x", c);
		else
			line_add(l, (const char *)&c, 1);
	}
	line_str(l, "\"");
}

static bool
printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 || c >= 0x7f) && c != '\r' && c != '\n' && c != '\t')
			return false;
	}
	return true;
}

int
event_open(const char *prog, int code, const char *path)
{
	log_prog = prog;
	log_code = code;
	log_pid = (long)getpid();
	if (path == NULL)
		return 0;
	if (strncmp(path, "/dev/fd/", 8) == 0) {
		long fd;
		int fl;

		if (parse_long(path + 8, 0, 1 << 20, &fd) == -1) {
			errno = EINVAL;
			return -1;
		}
		fl = fcntl((int)fd, F_GETFL);
		if (fl == -1)
			return -1;
		if ((fl & O_ACCMODE) == O_RDONLY) {
			errno = EBADF;
			return -1;
		}
		/* Appending, as a file we open ourselves would be. */
		if (!(fl & O_APPEND))
			(void)fcntl((int)fd, F_SETFL, fl | O_APPEND);
		log_fd = fcntl((int)fd, F_DUPFD_CLOEXEC, 3);
		return log_fd == -1 ? -1 : 0;
	}
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	return log_fd == -1 ? -1 : 0;
}

/* A log line that did not go out: say so and stop (see the top). */
static void
log_write(const struct line *l)
{
	char msg[160];
	int n;

	if (write_all(log_fd, l->buf, l->len) == 0)
		return;
	n = snprintf(msg, sizeof(msg), "timewait_%s: cannot write the event log: %s\n",
	    log_prog, strerror(errno));
	if (n > 0)
		(void)!write(2, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	_exit(EVENT_EXIT_IOERR);
}

void
event_close(void)
{
	if (log_fd != -1)
		close(log_fd);
	log_fd = -1;
}

void
event_forked(void)
{
	log_pid = (long)getpid();
}

void
event_call_start(const char *step)
{
	mark_step = step;
	mark_t0 = now_realtime_ns();
}

void
event_init(struct event *e, const char *step)
{
	memset(e, 0, sizeof(*e));
	e->step = step;
	e->fd = -1;
	e->bytes = -1;
}

void
epoll_events_format(uint32_t ev, char *buf, size_t size)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ EPOLLIN, "EPOLLIN" }, { EPOLLOUT, "EPOLLOUT" },
		{ EPOLLRDHUP, "EPOLLRDHUP" }, { EPOLLHUP, "EPOLLHUP" },
		{ EPOLLERR, "EPOLLERR" }, { EPOLLPRI, "EPOLLPRI" },
	};
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((ev & names[i].bit) == 0)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    len ? "|" : "", names[i].name);
		if (len >= size)
			return;
	}
}

void
addr_format(const struct sockaddr *sa, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		snprintf(buf, size, "%s:%u", ip, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], ip, sizeof(ip));
			snprintf(buf, size, "%s:%u", ip, ntohs(sin6->sin6_port));
		} else {
			inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
			snprintf(buf, size, "[%s]:%u", ip, ntohs(sin6->sin6_port));
		}
	} else
		snprintf(buf, size, "?");
}

void
sock_names(int fd, char *local, char *remote, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len;

	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		addr_format((struct sockaddr *)&ss, local, size);
	else
		snprintf(local, size, "?");
	len = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		addr_format((struct sockaddr *)&ss, remote, size);
	else
		snprintf(remote, size, "?");
}

static void
human_line(struct line *l, const struct event *e, uint64_t t_ns)
{
	time_t secs = (time_t)(t_ns / NSEC_PER_SEC);
	struct tm tm;
	char evs[96];

	gmtime_r(&secs, &tm);
	line_printf(l, "%02d:%02d:%02d.%03u %s", tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (unsigned)(t_ns % NSEC_PER_SEC / NSEC_PER_MSEC), log_prog);
	if (e->req)
		line_printf(l, " req %d", e->req);
	if (e->conn)
		line_printf(l, " conn %llu", e->conn);
	line_printf(l, ": %s", e->step);
	if (e->ret == -1 && e->err != 0) {
		line_printf(l, " failed: %s (%d)", strerror(e->err), e->err);
		if (e->note)
			line_printf(l, ": %s", e->note);
		line_str(l, "\n");
		return;
	}
	if (e->how)
		line_printf(l, " %s", e->how);
	if (e->fd >= 0)
		line_printf(l, " fd %d", e->fd);
	if (e->local && e->remote)
		line_printf(l, " %s -> %s", e->local, e->remote);
	else if (e->local)
		line_printf(l, " %s", e->local);
	if (e->events) {
		epoll_events_format(e->events, evs, sizeof(evs));
		line_printf(l, " %s", evs);
	}
	if (e->bytes >= 0)
		line_printf(l, " %lld bytes", e->bytes);
	if (e->data && e->datalen > 0 && printable(e->data, e->datalen)) {
		line_str(l, " ");
		line_json_str(l, e->data, e->datalen < 80 ? e->datalen : 80);
	}
	if (e->note)
		line_printf(l, ": %s", e->note);
	line_str(l, "\n");
}

static void
json_line(struct line *l, const struct event *e, uint64_t t_ns, uint64_t t0_ns)
{
	char evs[96];

	line_printf(l, "{\"t_ns\":%llu,", (unsigned long long)t_ns);
	if (t0_ns != 0 && t0_ns <= t_ns)
		line_printf(l, "\"t0_ns\":%llu,", (unsigned long long)t0_ns);
	line_str(l, "\"prog\":");
	line_json_str(l, log_prog, strlen(log_prog));
	line_printf(l, ",\"pid\":%ld,\"code\":%d,\"step\":", log_pid, log_code);
	line_json_str(l, e->step, strlen(e->step));
	line_printf(l, ",\"ret\":%lld", e->ret);
	if (e->ret == -1 && e->err != 0) {
		line_printf(l, ",\"errno\":%d,\"err\":", e->err);
		line_json_str(l, strerror(e->err), strlen(strerror(e->err)));
		line_printf(l, ",\"errname\":\"%s\"", errno_name(e->err));
	}
	if (e->req)
		line_printf(l, ",\"req\":%d", e->req);
	if (e->conn)
		line_printf(l, ",\"conn\":%llu", e->conn);
	if (e->fd >= 0)
		line_printf(l, ",\"fd\":%d", e->fd);
	if (e->local) {
		line_str(l, ",\"local\":");
		line_json_str(l, e->local, strlen(e->local));
	}
	if (e->remote) {
		line_str(l, ",\"remote\":");
		line_json_str(l, e->remote, strlen(e->remote));
	}
	if (e->bytes >= 0)
		line_printf(l, ",\"bytes\":%lld", e->bytes);
	if (e->data && e->datalen > 0 && printable(e->data, e->datalen)) {
		line_str(l, ",\"data\":");
		line_json_str(l, e->data, e->datalen < DATA_MAX ? e->datalen : DATA_MAX);
	}
	if (e->events) {
		epoll_events_format(e->events, evs, sizeof(evs));
		line_printf(l, ",\"events\":\"%s\"", evs);
	}
	if (e->how)
		line_printf(l, ",\"how\":\"%s\"", e->how);
	if (e->note) {
		line_str(l, ",\"note\":");
		line_json_str(l, e->note, strlen(e->note));
	}
	/* A cut line must still end as JSON: leave room for the closing. */
	if (l->len > sizeof(l->buf) - 3)
		l->len = sizeof(l->buf) - 3;
	line_str(l, "}\n");
}

void
event_emit(const struct event *e)
{
	uint64_t t_ns = now_realtime_ns(), t0_ns = e->t0_ns;
	int saved = errno;
	struct line l;

	if (mark_step != NULL && strcmp(mark_step, e->step) == 0) {
		if (t0_ns == 0)
			t0_ns = mark_t0;
		mark_step = NULL;
	}

	l.len = 0;
	l.buf[0] = '\0';
	human_line(&l, e, t_ns);
	(void)write_all(STDOUT_FILENO, l.buf, l.len);
	if (log_fd != -1) {
		l.len = 0;
		json_line(&l, e, t_ns, t0_ns);
		log_write(&l);
	}
	errno = saved;
}

void
event_step(const char *step, long long ret, int err, int req,
    unsigned long long conn, int fd, const char *note)
{
	struct event e;

	event_init(&e, step);
	e.ret = ret;
	e.err = ret == -1 ? err : 0;
	e.req = req;
	e.conn = conn;
	e.fd = fd;
	e.note = note;
	event_emit(&e);
}
