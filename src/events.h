/*
 * events.h - the log of every step the server and the client take.
 *
 * One function, event_emit(), writes a step twice: as one line for a person
 * on standard output and, when --events FILE was given, as one JSON line
 * (docs/formats.md) with a single write(2), so a reader following the file
 * while the program runs never sees half a line. Both come from the same
 * struct, so they always agree.
 */
#ifndef TIMEWAIT_EVENTS_H
#define TIMEWAIT_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ADDR_STRLEN 64	/* "[ffff:...:ffff]:65535" and a NUL */

struct event {
	const char	*step;		/* "bind", "connect", ... */
	long long	 ret;		/* the call's return value */
	int		 err;		/* errno when ret == -1, else 0 */
	int		 req;		/* client request, 0: none */
	unsigned long long conn;	/* server connection, 0: none */
	int		 fd;		/* -1: none */
	const char	*local;		/* "ip:port" or NULL */
	const char	*remote;
	long long	 bytes;		/* -1: none */
	const char	*data;		/* the bytes moved, datalen long */
	size_t		 datalen;
	uint32_t	 events;	/* epoll events, 0: none */
	const char	*how;		/* shutdown's how */
	const char	*note;		/* a few words for a person */
	uint64_t	 t0_ns;		/* when the call began (CLOCK_REALTIME), 0: not known */
};

/* Opens the JSON log (path may be NULL); 0 or -1 with errno set. */
int event_open(const char *prog, int code, const char *path);
/* The exit status of a program whose event log could not be written
 * (EX_IOERR of sysexits.h): the lab runner tells it from the program's own. */
#define EVENT_EXIT_IOERR 74
void event_close(void);

/* In a child after fork(2): its lines carry its own pid. */
void event_forked(void);

/* A blank event for a step: no fd, no bytes, nothing else. */
void event_init(struct event *, const char *step);

/* Just before a system call: its start time goes with the next event of
 * that step (the call's result), as "t0_ns", so a drawing can place the
 * call where it began, before what it caused (a close before its FIN).
 * Each new mark replaces the last; an event of another step ignores it. */
void event_call_start(const char *step);

/* Writes the step as a human line and as a JSON line. */
void event_emit(const struct event *);

/* The usual case: a step, its result, errno if it failed, and a note. */
void event_step(const char *step, long long ret, int err, int req,
    unsigned long long conn, int fd, const char *note);

/* Formats an address as ip:port, [v6]:port; v4-mapped v6 as plain v4. */
void addr_format(const struct sockaddr *, char *buf, size_t size);
void sock_names(int fd, char *local, char *remote, size_t size);

/* "EPOLLIN|EPOLLRDHUP" */
void epoll_events_format(uint32_t, char *buf, size_t size);

#endif
