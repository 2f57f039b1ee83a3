/*
 * netns.h - network namespaces as the rest of timewait uses them: enter one
 * and come back (or stop the program, since a thread stuck in the wrong
 * namespace would carry on talking to the wrong host), make a new one, run
 * a function inside one, open a socket inside one without moving the
 * calling thread. The lab, the bench, the captures and the sock_diag
 * snapshots all come here instead of keeping a copy each.
 *
 * A network namespace belongs to a thread, not to the process: setns moves
 * only the caller, and a socket stays in the namespace it was made in.
 */
#ifndef TIMEWAIT_HOST_NETNS_H
#define TIMEWAIT_HOST_NETNS_H

/* The calling thread's network namespace, as a new descriptor: -1, errno. */
int host_netns_self(void);

/* Moves the calling thread into the namespace nsfd. 0, or -1 and errno. */
int host_netns_enter(int nsfd);

/* Moves the calling thread back to orig (from host_netns_self) and closes
 * orig. Failing to come back aborts the program, with a message. */
void host_netns_return(int orig);

/* A new network namespace, made for the calling thread and left as its
 * own (unshare): its descriptor, or -1 and errno (the thread then is where
 * it was). */
int host_netns_unshare(void);

/* A new anonymous namespace, the calling thread left where it was: its
 * descriptor (the namespace lives as long as a descriptor or a process
 * holds it), or -1 and errno. */
int host_netns_new(void);

/* fn(arg) with the calling thread inside nsfd (-1: where it is), then back.
 * fn's result, or -1 and errno if the namespace could not be entered. */
int host_netns_run(int nsfd, int (*fn)(void *), void *arg);

/* socket(domain, type, protocol) made inside nsfd (-1: the caller's) by a
 * short-lived thread that takes no signals: the calling thread never
 * moves. The descriptor, or -1 and errno. */
int host_netns_socket(int nsfd, int domain, int type, int protocol);

#endif
