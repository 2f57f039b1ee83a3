/*
 * janitor.h - a process that cleans up after this one, however it ends.
 *
 * Before a process first makes something named with its pid that must not
 * outlive it (a lab, a tracing instance, a temporary folder, a tracefs
 * mark, the state of a `lab up` lab), it starts a janitor: a small fork of
 * itself, in a session of its own, that waits for this process to be gone
 * and then removes what is left of its names only (the work of `timewait
 * lab clean`, for one pid). A run that ends normally has removed them all
 * already, and its janitor finds nothing. Implemented in janitor.c.
 */
#ifndef TIMEWAIT_LAB_JANITOR_H
#define TIMEWAIT_LAB_JANITOR_H

#include <sys/types.h>

/* Make sure the calling process has its janitor (once per process; a
 * forked child gets one of its own when it calls this). 0, or -1 with
 * errno if none could be started: the caller goes on without one, and
 * `lab clean` or the next lab_build removes what a killed run left. */
int janitor_start(void);

/* The labs this process leaves on purpose (`lab run --keep`) are not the
 * janitor's: it still removes the rest (tracing instances, temporary
 * folders), but no namespace. */
void janitor_keep_labs(void);

/* Hand the janitor folder dirfd (a descriptor of it travels), where this
 * process makes entries "<prefix><pid>.*" (prefix: 1-15 bytes): once the
 * process is gone, they are removed too (fs_remove_tree). 0 or -1. */
int janitor_add_dir(int dirfd, const char *prefix);

/* What the janitor does once its owner is gone; also what it would do if
 * keep_labs is 0. Never touches a name without owner's pid in it. */
void janitor_clean(pid_t owner, int keep_labs);

#endif
