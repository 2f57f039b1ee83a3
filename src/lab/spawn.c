/*
 * spawn.c - a process started inside a lab host.
 *
 * fork, then in the child, before exec: the host's network namespace, a
 * private mount namespace where the lab's hosts file is bound over
 * /etc/hosts (so "server" resolves as in the seed's Docker links) and
 * /sys shows the host's interfaces, death with the spawning thread
 * (PR_SET_PDEATHSIG), the caller's descriptors on 0-3 and nothing else,
 * default signals, and user nobody when asked. A scenario's command also
 * gets a process group of its own, an environment of the lab's, and a
 * /tmp of its own with the scenario's folder in it, read-only (the
 * lab_proc_opts' last fields). Only system calls run
 * between fork and exec, since the parent may have other threads. A
 * close-on-exec pipe carries errno back when anything before exec (or exec
 * itself) fails, so lab_spawn returns -1 with errno instead of a pid whose
 * exit status tells nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/netns.h"
#include "lab/lab.h"
#include "lab/labint.h"
#include "util.h"

#define NOBODY 65534

/* Moves fd to a number above every descriptor the child will use, so the
 * dup2 calls below cannot overwrite one another. */
static int
lift(int fd, int floor)
{
	return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, floor);
}

static int
devnull(int flags, int floor)
{
	int fd = open("/dev/null", flags | O_CLOEXEC), lifted;

	if (fd < 0)
		return -1;
	lifted = lift(fd, floor);
	close(fd);
	return lifted;
}

/*
 * As user nobody, CAP_NET_ADMIN and CAP_NET_RAW kept across exec as ambient
 * capabilities: what `timewait server --rst-after-close` needs (TCP_REPAIR,
 * a raw socket), in the host's own network namespace. System calls only.
 */
static int
keep_net_caps(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uint32_t bits = 1u << CAP_NET_ADMIN | 1u << CAP_NET_RAW;

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = data[0].inheritable = bits;
	if (syscall(SYS_capset, &hdr, data) < 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0) < 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0) < 0)
		return -1;
	return 0;
}

/*
 * The scenario's folder at o->dir_view, read-only, in a tmpfs over /tmp
 * that only this mount namespace sees: a program as nobody then needs no
 * right on the folders above the scenario's, writes nothing beside it,
 * and shares no /tmp with the machine (no file of another user's to trip
 * over). The folder is reached as the working folder first: in this
 * mount namespace (a bind from another one is refused), and still there
 * once /tmp is covered (the scenario may be under /tmp itself).
 */
static int
view_dir(const struct lab_proc_opts *o)
{
	if (chdir(o->dir_src) < 0)
		return -1;
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=16m") < 0)
		return -1;
	if (mkdir(o->dir_view, 0755) < 0 || mount(".", o->dir_view, NULL, MS_BIND, NULL) < 0)
		return -1;
	if (mount(NULL, o->dir_view, NULL,
	    MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
		return -1;
	/* Still root: a folder only its owner may enter (mkdtemp's 0700)
	 * is then the working folder of a program as nobody all the same;
	 * what it opens there needs the folder's rights for others. */
	return chdir(o->dir_view);
}

static _Noreturn void
child(const struct lab *lab, const struct lab_host *h, char *const argv[],
    const struct lab_proc_opts *o, pid_t parent, int pipefd)
{
	int in, out, errfd, extra, floor;

	if (o->own_group && setpgid(0, 0) < 0)
		exec_child_fail(pipefd, 9);
	exec_child_die_with(parent, pipefd, 1);
	exec_child_default_signals();

	if (host_netns_enter(h->nsfd) < 0)	/* a plain setns: fine before exec */
		exec_child_fail(pipefd, 2);
	if (unshare(CLONE_NEWNS) < 0)
		exec_child_fail(pipefd, 3);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		exec_child_fail(pipefd, 4);
	/* Our copies of other labs' namespace mounts would keep those
	 * namespaces alive after their labs are destroyed. */
	(void)umount2(LAB_NETNS_DIR, MNT_DETACH);
	if (lab->hosts_file[0] != '\0' &&
	    mount(lab->hosts_file, "/etc/hosts", NULL, MS_BIND, NULL) < 0)
		exec_child_fail(pipefd, 5);
	/* /sys as the host sees it, like ip netns exec; optional. */
	if (umount2("/sys", MNT_DETACH) == 0)
		(void)mount(h->netns, "/sys", "sysfs", 0, NULL);
	if (o->dir_view != NULL && view_dir(o) < 0)
		exec_child_fail(pipefd, 10);

	floor = pipefd + 1;
	if (o->stdin_fd >= floor)
		floor = o->stdin_fd + 1;
	if (o->stdout_fd >= floor)
		floor = o->stdout_fd + 1;
	if (o->stderr_fd >= floor)
		floor = o->stderr_fd + 1;
	if (o->extra_fd >= floor)
		floor = o->extra_fd + 1;
	if (floor < 10)
		floor = 10;
	in = o->stdin_fd >= 0 ? lift(o->stdin_fd, floor) : devnull(O_RDONLY, floor);
	out = o->stdout_fd >= 0 ? lift(o->stdout_fd, floor) : devnull(O_WRONLY, floor);
	errfd = o->stderr_fd >= 0 ? lift(o->stderr_fd, floor) : out;
	extra = lift(o->extra_fd, floor);
	if (in < 0 || out < 0 || errfd < 0 || (o->extra_fd >= 0 && extra < 0))
		exec_child_fail(pipefd, 6);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		exec_child_fail(pipefd, 6);
	if (extra >= 0 && dup2(extra, 3) < 0)
		exec_child_fail(pipefd, 6);
	/* Everything else closes at exec (the error pipe must live till then). */
	if (close_range(extra >= 0 ? 4 : 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		exec_child_fail(pipefd, 6);

	if (o->unprivileged) {
		/* The permitted set survives setuid only with KEEPCAPS. */
		if (o->unprivileged == LAB_NOBODY_NET_CAPS && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			exec_child_fail(pipefd, 9);
		if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
			exec_child_fail(pipefd, 7);
		if (o->unprivileged == LAB_NOBODY_NET_CAPS && keep_net_caps() < 0)
			exec_child_fail(pipefd, 9);
		/* A change of credentials clears the death signal: again. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			exec_child_fail(pipefd, 1);
		if (getppid() != parent)
			_exit(127);
	}
	if (o->envp != NULL)
		execve(argv[0], argv, o->envp);
	else
		execv(argv[0], argv);
	exec_child_fail(pipefd, 8);
}

pid_t
lab_spawn(const struct lab *lab, const struct lab_host *h, char *const argv[],
    const struct lab_proc_opts *o)
{
	int fds[2], report[2], e;
	pid_t parent = getpid(), pid;

	if (h == NULL || h->nsfd < 0 || argv == NULL || argv[0] == NULL ||
	    argv[0][0] != '/' || (o->dir_view != NULL && (o->dir_src == NULL ||
	    strncmp(o->dir_view, "/tmp/", 5) != 0 || strchr(o->dir_view + 5, '/') != NULL))) {
		errno = EINVAL;
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(fds[0]);
		close(fds[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(lab, h, argv, o, parent, fds[1]);
	}
	if (exec_child_wait(pid, fds, report) < 0) {
		errno = report[0] != 0 ? report[0] : EIO;
		return -1;
	}
	return pid;
}
