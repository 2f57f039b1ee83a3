/*
 * runloop.c - signals, standard input and timers as descriptors, so each
 * program has one epoll loop and never blocks anywhere else.
 *
 * SIGINT and SIGTERM are blocked and read from a signalfd: the loop logs the
 * `signal` step, then _exit()s without closing anything, so the kernel closes
 * the sockets as it would for a killed process (test 002). The log has been
 * written with write(2) all along, so nothing is left in a buffer.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "events.h"
#include "runloop.h"
#include "util.h"

int
runloop_setup(int epfd, bool watch_stdin)
{
	struct epoll_event ev;
	sigset_t set;
	int sfd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd == -1)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = TAG(TAG_SIGNAL, sfd);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev) == -1)
		return -1;
	if (!watch_stdin)
		return 0;
	ev.events = EPOLLIN;
	ev.data.u64 = TAG(TAG_STDIN, STDIN_FILENO);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, STDIN_FILENO, &ev) == -1)
		event_step("stdin", 0, 0, 0, 0, STDIN_FILENO,
		    "standard input is a file or /dev/null, not watched: quit with a signal");
	return 0;
}

void
runloop_on_signal(int sfd)
{
	struct signalfd_siginfo si;
	char note[96];
	ssize_t n;

	n = read(sfd, &si, sizeof(si));
	snprintf(note, sizeof(note), "SIG%s: exiting now, the kernel closes what is open",
	    n == (ssize_t)sizeof(si) ? sigabbrev_np((int)si.ssi_signo) : "?");
	event_step("signal", n == (ssize_t)sizeof(si) ? (long long)si.ssi_signo : -1,
	    errno, 0, 0, -1, note);
	_exit(0);
}

bool
runloop_on_stdin(void)
{
	char buf[256];
	ssize_t n;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (n > 0 && memchr(buf, '\n', (size_t)n) == NULL)
		return false;
	event_step("quit", 0, 0, 0, 0, -1, n == 0 ? "end of standard input" :
	    n == -1 ? "standard input failed" : "Enter pressed");
	return true;
}

int
runloop_timer(int epfd, uint64_t tag)
{
	struct epoll_event ev;
	int tfd;

	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tfd == -1)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = tag;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev) == -1) {
		close(tfd);
		return -1;
	}
	return tfd;
}

int
runloop_arm(int tfd, uint64_t ns)
{
	struct itimerspec its;

	if (ns == 0)
		ns = 1;		/* 0 would disarm */
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(ns / NSEC_PER_SEC);
	its.it_value.tv_nsec = (long)(ns % NSEC_PER_SEC);
	return timerfd_settime(tfd, 0, &its, NULL);
}

void
runloop_timer_read(int tfd)
{
	uint64_t expirations;

	(void)!read(tfd, &expirations, sizeof(expirations));
}

size_t
bip_make(char *buf, size_t size)
{
	int n;

	n = snprintf(buf, size, "BIP:%llu",
	    (unsigned long long)(now_realtime_ns() / NSEC_PER_MSEC));
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}
