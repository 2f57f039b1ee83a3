/*
 * labint.h - what the lab's own files (hosts, spawn, clean, labkeep,
 * labcmd) share and the rest of timewait does not need: how a namespace is
 * recognised (its nsfs device and inode, the same for a /run/netns bind
 * mount, an open fd and /proc/PID/ns/net), how every process inside a set
 * of namespaces is killed, how a /run/netns name is removed, and how a lab
 * name tells whether its owner is still there.
 */
#ifndef TIMEWAIT_LAB_INT_H
#define TIMEWAIT_LAB_INT_H

#include <sys/types.h>

#define LAB_NETNS_DIR "/run/netns"
#define LAB_TRACING_DIR "/sys/kernel/tracing"

struct lab_nsid {
	dev_t dev;
	ino_t ino;
};

/* 0 if fd (or path) is a network namespace, filling id; else -1. */
int lab_nsid_of_fd(int fd, struct lab_nsid *id);
int lab_nsid_of_path(const char *path, struct lab_nsid *id);

/* SIGKILL every process (not this one) whose network namespace is one of
 * ids[0..n-1], again until none is left. Returns how many were signalled. */
int lab_kill_inside(const struct lab_nsid *ids, int n);

/* Detach /run/netns/NAME and delete the file. Quiet: it may be half made. */
void lab_netns_remove(const char *name);

/* The owner pid encoded in a lab name "tw-PID-SEQ..." (0 if not one). */
pid_t lab_name_owner(const char *name, int *seq);

/* What a /run/netns name is: one of ours, and is its owner still there? */
enum {
	LAB_NS_NOT_OURS = -1,	/* not named tw-PID-SEQ... */
	LAB_NS_LIVE,		/* owner alive and holding it (or still building) */
	LAB_NS_DEAD_OWNER,	/* owner gone (or a zombie) */
	LAB_NS_RECYCLED_PID,	/* the pid lives, but holds none of it: reused */
};
int lab_netns_state(const char *name, pid_t *owner, int *seq);
const char *lab_ns_state_name(int state);

/* lab_clean(0, 0) for the names of one dead owner only (its janitor's
 * work): its namespaces (not if keep_labs) with what runs in them, its
 * tracing instances, temporary folders and tracefs mark. How many labs. */
int lab_clean_owner(pid_t owner, int keep_labs);

#endif
