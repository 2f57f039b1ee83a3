/*
 * sysctl.h - a network namespace's sysctls, by the namespace's descriptor.
 * The kernel resolves /proc/sys/net against the namespace of the thread
 * that opens the file, so a value is read or written by a thread that
 * briefly enters the namespace (host/netns.h).
 */
#ifndef TIMEWAIT_HOST_SYSCTL_H
#define TIMEWAIT_HOST_SYSCTL_H

#include <stddef.h>

/* key: a path under /proc/sys, "net/ipv4/tcp_tw_reuse" (no "..", no
 * leading '/': EINVAL). nsfd: the namespace; -1: the calling thread's.
 * 0, or -1 and errno. */
int host_sysctl_set(int nsfd, const char *key, const char *value);
/* The value without its trailing newline, in buf. 0, or -1 and errno. */
int host_sysctl_get(int nsfd, const char *key, char *buf, size_t len);

/* Sets key/value pairs (ending with { NULL, NULL }) in the calling thread's
 * namespace; optional: a key this kernel lacks (ENOENT) is skipped. On
 * failure, -1 and errno, and *failed (may be NULL) names the key. */
int host_sysctl_set_all(const char *const kv[][2], int optional,
    const char **failed);

#endif
