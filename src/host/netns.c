/*
 * netns.c - entering and leaving network namespaces (see netns.h). Before
 * this file the lab, the bench and the sock_diag snapshot each had a copy
 * of "open our namespace, setns, work, setns back or abort".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/netns.h"

#define SELF_NETNS "/proc/thread-self/ns/net"

int
host_netns_self(void)
{
	return open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
}

int
host_netns_enter(int nsfd)
{
	return setns(nsfd, CLONE_NEWNET) == 0 ? 0 : -1;
}

void
host_netns_return(int orig)
{
	if (setns(orig, CLONE_NEWNET) != 0) {
		fprintf(stderr, "timewait: cannot return to the original network "
		    "namespace: %s\n", strerror(errno));
		abort();
	}
	close(orig);
}

int
host_netns_unshare(void)
{
	if (unshare(CLONE_NEWNET) != 0)
		return -1;
	return host_netns_self();
}

int
host_netns_new(void)
{
	int orig = host_netns_self(), fd, e;

	if (orig < 0)
		return -1;
	fd = host_netns_unshare();
	e = errno;
	host_netns_return(orig);
	errno = e;
	return fd;
}

int
host_netns_run(int nsfd, int (*fn)(void *), void *arg)
{
	int orig, rc, e;

	if (nsfd < 0)
		return fn(arg);
	orig = host_netns_self();
	if (orig < 0)
		return -1;
	if (host_netns_enter(nsfd) != 0) {
		e = errno;
		close(orig);
		errno = e;
		return -1;
	}
	rc = fn(arg);
	e = errno;
	host_netns_return(orig);
	errno = e;
	return rc;
}

struct socket_job {
	int nsfd, domain, type, protocol;
	int fd, err;
};

static void *
socket_thread(void *arg)
{
	struct socket_job *j = arg;

	if (host_netns_enter(j->nsfd) != 0) {
		j->err = errno;
		return NULL;
	}
	j->fd = socket(j->domain, j->type, j->protocol);
	if (j->fd < 0)
		j->err = errno;
	return NULL;
}

int
host_netns_socket(int nsfd, int domain, int type, int protocol)
{
	struct socket_job j = { nsfd, domain, type, protocol, -1, 0 };
	sigset_t all, old;
	pthread_t t;
	int rc;

	if (nsfd < 0)
		return socket(domain, type, protocol);
	/* The thread takes no signal meant for the process. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, NULL, socket_thread, &j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	pthread_join(t, NULL);
	if (j.fd < 0)
		errno = j.err;
	return j.fd;
}
