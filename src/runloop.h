/*
 * runloop.h - what the server's and the client's epoll loops share: the tag
 * each registered descriptor carries, signals read as a descriptor, standard
 * input (Enter or end of input quits), relative timers, and the bip.
 */
#ifndef TIMEWAIT_RUNLOOP_H
#define TIMEWAIT_RUNLOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* epoll_event.data.u64 = kind << 32 | value (a descriptor, mostly). */
enum tag_kind {
	TAG_SIGNAL = 1, TAG_STDIN, TAG_TIMER, TAG_LISTEN, TAG_CONN,
	TAG_READ_TIMER, TAG_NEXT_TIMER, TAG_STATS_TIMER, TAG_RST_TIMER,
};
#define TAG(kind, v)	((uint64_t)(kind) << 32 | (uint32_t)(v))
#define TAG_KIND(u)	((enum tag_kind)((u) >> 32))
#define TAG_VALUE(u)	((int)(uint32_t)(u))

#define BIP_LEN 17	/* "BIP:" and 13 digits of milliseconds since the epoch */

/*
 * Ignores SIGPIPE, turns SIGINT and SIGTERM into a signalfd and watches it
 * and (with watch_stdin) standard input in epfd. Standard input that epoll
 * cannot watch (a file, /dev/null) is left alone: the program then runs
 * until a signal. 0 or -1 with errno set.
 */
int runloop_setup(int epfd, bool watch_stdin);

/* The signal arrived: logs a `signal` step and _exit(0)s at once. */
void runloop_on_signal(int sfd) __attribute__((noreturn));

/* Standard input is readable: true when it is time to quit (logs `quit`). */
bool runloop_on_stdin(void);

/* A timerfd (CLOCK_MONOTONIC, non-blocking) added to epfd with this tag. */
int runloop_timer(int epfd, uint64_t tag);

/* Arms a timerfd to fire once, ns from now (0: as soon as possible). */
int runloop_arm(int tfd, uint64_t ns);

/* Consumes a timer's expiry count. */
void runloop_timer_read(int tfd);

/* Fills buf (BIP_LEN + 1 bytes) with a bip; returns its length. */
size_t bip_make(char *buf, size_t size);

#endif
