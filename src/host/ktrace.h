/*
 * ktrace.h - the kernel's side of a run: TCP state changes and resets as the
 * kernel itself reports them, through tracepoints, in a tracing instance of
 * our own (never the global one).
 *
 * For the length of a run we enable sock:inet_sock_set_state,
 * tcp:tcp_send_reset, tcp:tcp_receive_reset and tcp:tcp_destroy_sock in
 * instances/<name>, on the "mono" trace clock, drain the per-CPU buffers in a
 * thread while the run goes on, keep only the events whose addresses belong
 * to the lab, and at the end write them as JSON lines on the wall clock of
 * the pcaps and event logs (see docs/formats.md, "Kernel trace").
 */
#ifndef TIMEWAIT_KTRACE_H
#define TIMEWAIT_KTRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ktrace;

struct ktrace_stats {
	uint64_t events;	/* kept (lab addresses) and written */
	uint64_t seen;		/* read from the buffers, before our filter */
	uint64_t lost;		/* lost in the kernel: missed events + overruns */
	uint64_t overrun;	/* per-cpu "overrun" + "dropped events" counters */
	uint64_t buffer_kb;	/* per-CPU buffer size used */
};

/*
 * Start tracing. instance: a name for instances/ ("tw-<pid>-<seq>").
 * addrs[0..naddrs-1]: the lab's addresses (IPv4 or IPv6 text); an event is
 * kept when its local or remote address is one of them. names: the host
 * name of each address (may be NULL: the address is then the host name),
 * written as "host" for the socket's local address. Mounts tracefs at
 * /sys/kernel/tracing when it is not mounted. Returns NULL with a message in
 * err on failure, leaving no instance behind.
 */
struct ktrace *ktrace_start(const char *instance, const char *const *addrs,
    const char *const *names, int naddrs, char *err, size_t errlen);

/*
 * Stop: disable the events, drain what is left, destroy the instance, write
 * the kept events to jsonl_path (NULL: write nothing) and the figures of
 * st beside it (trace.jsonl -> trace.stats.json), fill st (may be NULL),
 * free kt. The instance is removed whatever happens. 0 or -1.
 */
int ktrace_stop(struct ktrace *kt, const char *jsonl_path,
    struct ktrace_stats *st);

/* Where the kernel documents tracefs (host/tracefs.c mounts it there). */
#define TRACEFS_DIR "/sys/kernel/tracing"

/* Mount tracefs at /sys/kernel/tracing if nothing is there: 1 if this
 * mounted it (and marked it so in /run/timewait), 0 if it was there, -1 on
 * error. ktrace_unmount takes away a mount that timewait made once no
 * tracing instance is in use and its maker is this process or dead; one
 * that somebody else made stays. */
int ktrace_mount(void);
void ktrace_unmount(void);
/* ktrace_unmount for pid, a dead process, if it marked the mount; its
 * mark goes if a live process marks the mount too. */
void ktrace_unmount_for(pid_t pid);

/* Per-CPU buffer size (KiB), 4 MiB a CPU: with the buffers drained every 5 ms that holds
 * bursts of well over 20,000 connections a second, and eight tests tracing
 * at once on two CPUs take 64 MiB of kernel memory. */
#define KTRACE_DEFAULT_KB 4096

#endif
