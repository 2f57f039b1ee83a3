/*
 * util.h - small helpers every part of timewait uses: clocks, strict number
 * parsing for command lines, errno names, full writes.
 */
#ifndef TIMEWAIT_UTIL_H
#define TIMEWAIT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL

uint64_t now_realtime_ns(void);	/* CLOCK_REALTIME: the clock of pcaps and event logs */
uint64_t now_mono_ns(void);	/* CLOCK_MONOTONIC: for durations and deadlines */
void sleep_ns(uint64_t ns);	/* sleeps the whole time, across signals */

/* Strict parsers: the whole string must be a number in [min, max]. 0 or -1. */
int parse_long(const char *s, long min, long max, long *out);
int parse_double(const char *s, double min, double max, double *out);
int parse_port(const char *s, uint16_t *port);	/* 1-65535 */

/* "EADDRINUSE" for EADDRINUSE; "E<number>" for one it does not know. */
const char *errno_name(int err);

/* write(2) until done or a real error; -1 with errno set on error. */
int write_all(int fd, const void *buf, size_t len);

/* snprintf that never truncates silently: -1 if it would have. */
int fmt(char *buf, size_t size, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

/* In a child between fork and exec: report errno and which step failed
 * (two ints) on pipefd for the parent to read, then _exit(127). */
_Noreturn void exec_child_fail(int pipefd, int step);

/* In a child between fork and exec: SIGKILL when parent dies (failing:
 * exec_child_fail with step), _exit(127) if it already has. */
void exec_child_die_with(pid_t parent, int pipefd, int step);

/* In a child between fork and exec: every signal's action back to the
 * default, none blocked (what the parent set is not the program's). */
void exec_child_default_signals(void);

/* A small file (/proc, /sys) read into buf with one read(2), at most
 * len - 1 bytes, NUL-terminated: how many bytes, or -1 with errno. */
ssize_t read_small_file(const char *path, char *buf, size_t len);

/* /proc/PID/stat read into buf (len bytes at most, NUL-terminated);
 * *paren points at the ')' that ends the process's name (the name may
 * hold spaces and parentheses: the last one), so paren[2] is the state
 * letter when paren[1] is ' ', or is NULL if there is none. -1 with errno
 * when it cannot be read (ENOENT: no such process; EIO: empty). */
int proc_stat_read(pid_t pid, char *buf, size_t len, char **paren);
/* pid is alive and not a zombie (a killed process may wait a while to be
 * reaped). */
int pid_alive(pid_t pid);

/* In the parent, after fork: closes fds[1] (the child's end of the
 * O_CLOEXEC pipe), reads what the child reported with exec_child_fail,
 * closes fds[0]. 0 when the child reached exec (the pipe closed empty);
 * -1 when it failed before: the child is reaped and report holds its
 * errno and step. */
int exec_child_wait(pid_t pid, const int fds[2], int report[2]);

#endif
