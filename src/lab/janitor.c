/*
 * janitor.c - the process that removes what a run leaves, however it ends.
 *
 * A run ended by SIGKILL (its own, or its whole process group's: a shell
 * or CI killing a job) cannot clean up, and its names with its pid in them
 * (/run/netns/tw-PID-*, tracing instances tw-PID-*, /run/timewait/tmp/
 * PID-*, the state of a `lab up` keeper) would stay until somebody runs
 * `lab clean` or builds a lab. So, before a process first makes one, it
 * forks a janitor:
 *
 *  - twice (the middle child exits at once and is reaped here): the
 *    janitor is nobody's zombie of ours, init (or a subreaper) adopts it;
 *  - in a session of its own (setsid), so that neither Ctrl+C nor a
 *    SIGKILL of the caller's process group reaches it;
 *  - holding nothing but one end of a pipe (a socket pair: a message to a
 *    janitor that was killed must fail, not raise SIGPIPE in the run, and
 *    a folder's descriptor can travel on it) whose other end only the
 *    owner holds: O_CLOEXEC, so no program it starts inherits it, and
 *    closed in every child it forks (pthread_atfork), so that a fork that
 *    never execs cannot keep the janitor waiting either;
 *  - no exec: a fork of the running binary, which shares its pages with
 *    the owner until either writes them; it names itself "tw-janitor",
 *    command line too, so that nobody takes it for the run itself.
 *
 * The janitor blocks on that pipe. End of file means the owner is gone,
 * however it ended (the kernel closes a dead process's descriptors); it
 * then waits until the owner's pid is dead or a zombie (a process closes
 * its files before it has finished exiting), does what `lab clean` does
 * for that one pid (lab_clean_owner, lab_state_clean_owner) and exits. An
 * owner that ended normally has removed everything, and the janitor finds
 * nothing. Names with another pid in them are never looked at twice.
 *
 * The owner may also hand it a folder (janitor_add_dir: the descriptor
 * itself, passed on the socket) where it makes "<prefix><pid>.*" entries,
 * such as a test's half-written folder in the user's --out: removed the
 * same way, by a walk of descriptors from that one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsafe.h"
#include "lab/janitor.h"
#include "lab/labint.h"
#include "lab/labkeep.h"
#include "util.h"

#define JANITOR_NAME "tw-janitor"
#define MSG_KEEP_LABS 'K'
#define MSG_DIR 'D'		/* + a prefix, with a folder's descriptor */
#define PREFIX_MAX 16
#define DIRS_MAX 8

struct jdir {
	int fd;
	char prefix[PREFIX_MAX];
};

/*
 * The write end of this process's janitor pipe, and whose it is: a forked
 * child inherits both, and closes the descriptor (atfork_child) so that
 * only the owner keeps its janitor waiting. The lock keeps a fork in
 * another thread from happening while the pipe is made and not yet known
 * here (the child would hold an end nobody closes).
 */
static pthread_mutex_t jlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t jonce = PTHREAD_ONCE_INIT;
static _Atomic int jfd = -1;
static _Atomic pid_t jowner;
static __thread int starting;	/* this thread forks the janitor (holds jlock) */

static void
atfork_prepare(void)
{
	if (!starting)
		pthread_mutex_lock(&jlock);
}

static void
atfork_parent(void)
{
	if (!starting)
		pthread_mutex_unlock(&jlock);
}

static void
atfork_child(void)
{
	int fd = atomic_exchange(&jfd, -1);

	if (fd >= 0)
		close(fd);
	atomic_store(&jowner, 0);
	/* Only this thread is left: nobody else can hold the lock. */
	pthread_mutex_init(&jlock, NULL);
}

static void
register_atfork(void)
{
	(void)pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/*
 * Field 22 of /proc/PID/stat, the start time (clock ticks since boot), and
 * its state letter: a pid says which process it is only together with its
 * start time, since pids are reused. 0, or -1 if there is no such pid.
 */
static int
proc_stat(pid_t pid, unsigned long long *start, char *state)
{
	char buf[1024], *p;
	int i;

	if (proc_stat_read(pid, buf, sizeof(buf), &p) < 0 || p == NULL ||
	    p[1] != ' ')
		return -1;
	*state = p[2];
	p += 2;			/* field 3, the state */
	for (i = 3; i < 22 && p != NULL; i++) {
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	if (p == NULL || sscanf(p, "%llu", start) != 1)
		return -1;
	return 0;
}

/* The owner has ended: no such pid, a zombie, or the pid is another's. */
static int
owner_gone(pid_t pid, unsigned long long start)
{
	unsigned long long now;
	char state;

	if (proc_stat(pid, &now, &state) < 0)
		return 1;
	return state == 'Z' || state == 'X' || now != start;
}

/*
 * Our command line, as ps and pgrep -f show it, is the owner's until we
 * write over it (it is the memory where the kernel put argv): a janitor
 * that outlives a run by a few milliseconds would look like the run. The
 * bounds are fields 48 and 49 of /proc/self/stat.
 */
static void
rename_cmdline(void)
{
	char buf[1024], *p;
	unsigned long a = 0, b = 0;
	ssize_t n;
	int fd, i;

	if ((fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	for (i = 2; i < 48 && p != NULL; i++)	/* to the space before field 48 */
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, " %lu %lu", &a, &b) != 2 ||
	    b <= a + strlen(JANITOR_NAME) || b - a > (1ul << 20))
		return;
	memset((void *)a, 0, b - a);
	memcpy((void *)a, JANITOR_NAME, strlen(JANITOR_NAME));
}

/* Of the owner's state, keep only what waiting needs: descriptors 0-2 on
 * /dev/null, the pipe, no terminal, no folder held busy, default signals. */
static int
detach(int rfd)
{
	sigset_t none;
	int fd, sig;

	(void)setsid();
	(void)prctl(PR_SET_NAME, JANITOR_NAME);
	rename_cmdline();
	if (rfd < 3) {		/* keep it out of the way of 0-2 */
		fd = fcntl(rfd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return -1;
		rfd = fd;
	}
	(void)close_range(3, (unsigned)rfd - 1, 0);
	(void)close_range((unsigned)rfd + 1, ~0U, 0);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	(void)!chdir("/");
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	(void)signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The owner's free heap pages are of no use here. */
	(void)malloc_trim(0);
	return rfd;
}

void
janitor_clean(pid_t owner, int keep_labs)
{
	if (owner <= 0)
		return;
	if (!keep_labs)
		(void)lab_state_clean_owner(owner);
	(void)lab_clean_owner(owner, keep_labs);
}

/* One message of the owner's: its length (0 at the end), *fd the folder
 * that came with it or -1. */
static ssize_t
receive(int rfd, char *buf, size_t len, int *fd)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { buf, len };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.space;
	mh.msg_controllen = sizeof(ctl.space);
	do
		n = recvmsg(rfd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	c = n < 0 ? NULL : CMSG_FIRSTHDR(&mh);
	if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n;
}

/* In each folder handed over, the entries "<prefix><owner>.*". */
static void
clean_dirs(struct jdir *dirs, int n, pid_t owner)
{
	struct dirent *e;
	size_t plen;
	int i, fd, pid, used;
	DIR *d;

	for (i = 0; i < n; i++) {
		plen = strlen(dirs[i].prefix);
		/* Opened again, not dup'ed: a dup shares its reading offset
		 * with every copy, the owner's too, often at the end. */
		fd = openat(dirs[i].fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		d = fd < 0 ? NULL : fdopendir(fd);
		if (d == NULL && fd >= 0)
			close(fd);
		while (d != NULL && (e = readdir(d)) != NULL) {
			used = 0;
			if (strncmp(e->d_name, dirs[i].prefix, plen) == 0 &&
			    sscanf(e->d_name + plen, "%d.%n", &pid, &used) == 1 && used > 0 &&
			    pid == (int)owner)
				(void)fs_remove_tree(dirs[i].fd, e->d_name);
		}
		if (d != NULL)
			closedir(d);
		close(dirs[i].fd);
	}
}

static _Noreturn void
janitor_main(int rfd, pid_t owner, unsigned long long start)
{
	struct jdir dirs[DIRS_MAX];
	int keep_labs = 0, ndirs = 0, fd;
	uint64_t nap = NSEC_PER_MSEC;
	unsigned long long now;
	char msg[1 + PREFIX_MAX], state;
	ssize_t n;

	rfd = detach(rfd);
	if (rfd < 0)
		_exit(1);
	while ((n = receive(rfd, msg, sizeof(msg), &fd)) > 0) {
		if (msg[0] == MSG_KEEP_LABS) {
			keep_labs = 1;
		} else if (msg[0] == MSG_DIR && fd >= 0 && ndirs < DIRS_MAX &&
		    n > 1 && n <= PREFIX_MAX) {
			dirs[ndirs].fd = fd;
			memcpy(dirs[ndirs].prefix, msg + 1, (size_t)n - 1);
			dirs[ndirs].prefix[n - 1] = '\0';
			ndirs++;
			fd = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	close(rfd);
	/* End of file: the owner is exiting. Until it has. */
	while (!owner_gone(owner, start)) {
		sleep_ns(nap);
		if (nap < 100 * NSEC_PER_MSEC)
			nap *= 2;
	}
	janitor_clean(owner, keep_labs);
	/* Unless the pid already serves another process, which may be a run
	 * writing its own "<prefix><pid>." there. */
	if (proc_stat(owner, &now, &state) < 0 || state == 'Z' || state == 'X')
		clean_dirs(dirs, ndirs, owner);
	_exit(0);
}

int
janitor_start(void)
{
	unsigned long long start;
	pid_t self = getpid(), pid, w;
	int p[2], status = 0, e;
	char state;

	if (atomic_load(&jowner) == self)
		return 0;
	(void)pthread_once(&jonce, register_atfork);
	pthread_mutex_lock(&jlock);
	if (atomic_load(&jowner) == self) {	/* another thread was first */
		pthread_mutex_unlock(&jlock);
		return 0;
	}
	if (proc_stat(self, &start, &state) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0) {
		e = errno;
		pthread_mutex_unlock(&jlock);
		errno = e;
		return -1;
	}
	starting = 1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		pid = fork();
		if (pid != 0)
			_exit(pid < 0);
		janitor_main(p[0], self, start);
	}
	e = errno;
	starting = 0;
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		pthread_mutex_unlock(&jlock);
		errno = e;
		return -1;
	}
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	/* (Not ours to see if SIGCHLD is ignored: then taken as started.) */
	if (w == pid && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		close(p[1]);
		pthread_mutex_unlock(&jlock);
		errno = EAGAIN;
		return -1;
	}
	atomic_store(&jfd, p[1]);
	atomic_store(&jowner, self);
	pthread_mutex_unlock(&jlock);
	return 0;
}

void
janitor_keep_labs(void)
{
	char c = MSG_KEEP_LABS;
	int fd = atomic_load(&jfd);

	if (fd >= 0 && atomic_load(&jowner) == getpid())
		(void)send(fd, &c, 1, MSG_NOSIGNAL);
}

int
janitor_add_dir(int dirfd, const char *prefix)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	char msg[1 + PREFIX_MAX];
	struct iovec iov = { msg, 1 + strlen(prefix) };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	static _Atomic pid_t sent_by;	/* once a process, for one folder */
	static _Atomic int sent_fd;
	int fd;

	if (prefix[0] == '\0' || strlen(prefix) >= PREFIX_MAX || dirfd < 0) {
		errno = EINVAL;
		return -1;
	}
	if (janitor_start() < 0 || (fd = atomic_load(&jfd)) < 0)
		return -1;
	if (atomic_load(&sent_by) == getpid() && atomic_load(&sent_fd) == dirfd)
		return 0;	/* the same folder again (--repeat) */
	atomic_store(&sent_fd, dirfd);
	atomic_store(&sent_by, getpid());
	msg[0] = MSG_DIR;
	memcpy(msg + 1, prefix, strlen(prefix));
	memset(&ctl, 0, sizeof(ctl));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.space;
	mh.msg_controllen = sizeof(ctl.space);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &dirfd, sizeof(int));
	return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}
