/*
 * launch.c - one proxy's life in a lab host: its run folder, its start in
 * a network namespace as user nobody, the wait until it listens, its stop.
 *
 * Each proxy runs in the foreground (HAProxy -db, nginx "daemon off",
 * httpd -DFOREGROUND) so the process we fork is the one we stop, in a
 * process group of its own so nginx's worker and httpd's children go with
 * it. It runs as nobody from the first instruction: no master left as
 * root, and so nothing root ever reads from a folder nobody may write.
 * It keeps CAP_NET_BIND_SERVICE (ambient) for port 666 in a namespace
 * that does not lower ip_unprivileged_port_start as the lab's hosts do.
 * Every path of its configuration is in the run folder: nothing under
 * /etc, /run or /var/log, and nothing of the machine's own nginx, haproxy
 * or apache2 service is read, started or touched.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/sockdiag.h"
#include "proxy/proxy.h"
#include "tcpstate.h"
#include "util.h"

#define NOBODY_UID 65534
#define NOGROUP_GID 65534
#define MAX_VARS 16
#define NETNS_DIR "/run/netns"

struct kind_info {
	const char *name;		/* prefix of its templates' names */
	const char *const paths[3];	/* where Debian puts the program */
	const char *conf;		/* the rendered configuration */
	const char *log;		/* where its upstream errors are written */
};

/* HAProxy has no log file of its own: its request log goes to stdout
 * (stdout.log), its alerts, one "Connect() failed ..." per failed attempt,
 * to stderr (stderr.log; the log has each of them too, so counting both
 * would count twice). nginx and httpd write error.log themselves, their
 * stdout and stderr hold start-up noise. */
static const struct kind_info kinds[] = {
	[PROXY_HAPROXY] = { "haproxy", { "/usr/sbin/haproxy", "/usr/local/sbin/haproxy", NULL },
	    "haproxy.cfg", "stderr.log" },
	[PROXY_NGINX] = { "nginx", { "/usr/sbin/nginx", "/usr/local/sbin/nginx", NULL },
	    "nginx.conf", "error.log" },
	[PROXY_APACHE] = { "apache", { "/usr/sbin/apache2", "/usr/sbin/httpd", NULL },
	    "apache2.conf", "error.log" },
};

#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

int
proxy_kind_of(const char *template_path)
{
	const char *base = strrchr(template_path, '/');
	size_t len;
	int k;

	base = base ? base + 1 : template_path;
	for (k = 0; k < NKINDS; k++) {
		len = strlen(kinds[k].name);
		if (strncmp(base, kinds[k].name, len) == 0 && base[len] == '-')
			return k;
	}
	return -1;
}

const char *
proxy_kind_name(enum proxy_kind kind)
{
	return kinds[kind].name;
}

const char *
proxy_program(enum proxy_kind kind)
{
	const char *const *p;

	for (p = kinds[kind].paths; *p; p++)
		if (access(*p, X_OK) == 0)
			return *p;
	return NULL;
}

const char *
proxy_log_name(enum proxy_kind kind)
{
	return kinds[kind].log;
}

/* A path that may go into a configuration file as {dir}: absolute, of
 * letters, digits and ./_- only, no empty, "." or ".." component. */
static int
valid_dir(const char *dir)
{
	const char *c, *comp;
	size_t len;

	if (dir[0] != '/')
		return 0;
	for (c = dir; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("./_-", *c)))
			return 0;
	for (comp = dir + 1; ; comp += len + 1) {
		len = strcspn(comp, "/");
		if (len == 0 || (len == 1 && comp[0] == '.') ||
		    (len == 2 && comp[0] == '.' && comp[1] == '.'))
			return 0;
		if (comp[len] == '\0')
			return 1;
	}
}

static int
valid_netns(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len < 64 && strcmp(name, ".") != 0 &&
	    strcmp(name, "..") != 0 &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

/* Open the parent of path and return its descriptor; *base points at the
 * last component inside path. */
static int
open_parent(const char *path, const char **base)
{
	char parent[512];
	const char *slash = strrchr(path, '/');
	size_t len = (size_t)(slash - path);

	*base = slash + 1;
	if (len == 0)
		len = 1;
	if (len >= sizeof(parent)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(parent, path, len);
	parent[len] = '\0';
	return open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int
proxy_prepare(struct proxy *p, const char *template_path, const char *dir,
    const struct proxy_var *vars, size_t nvars, char *err, size_t errlen)
{
	struct proxy_var all[MAX_VARS];
	const char *base;
	size_t i;
	int kind, parentfd;

	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->dirfd = -1;
	kind = proxy_kind_of(template_path);
	if (kind < 0) {
		snprintf(err, errlen, "%s: not a haproxy-, nginx- or apache- template",
		    template_path);
		return -1;
	}
	p->kind = (enum proxy_kind)kind;
	if (!valid_dir(dir) || strlen(dir) >= sizeof(p->dir) - 64) {
		snprintf(err, errlen, "run folder '%s': an absolute path of letters, "
		    "digits and ./_- is needed", dir);
		return -1;
	}
	if (nvars + 1 > MAX_VARS) {
		snprintf(err, errlen, "more than %d placeholders", MAX_VARS - 1);
		return -1;
	}
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	parentfd = open_parent(p->dir, &base);
	if (parentfd < 0 || base[0] == '\0') {
		snprintf(err, errlen, "%s: %s", dir, base[0] ? strerror(errno) : "no folder name");
		if (parentfd >= 0)
			close(parentfd);
		return -1;
	}
	if (mkdirat(parentfd, base, 0755) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		close(parentfd);
		return -1;
	}
	p->dirfd = openat(parentfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (p->dirfd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		(void)unlinkat(parentfd, base, AT_REMOVEDIR);
		close(parentfd);
		return -1;
	}
	close(parentfd);
	if (fchown(p->dirfd, NOBODY_UID, NOGROUP_GID) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < nvars; i++)
		all[i] = vars[i];
	all[nvars].name = "dir";
	all[nvars].value = PROXY_VIEW;	/* where the proxy sees its folder */
	return proxy_render_file(template_path, p->dirfd, kinds[kind].conf, all,
	    nvars + 1, err, errlen);
}

/* ---- the child, between fork and exec: system calls only ---- */

/* Become nobody, keeping CAP_NET_BIND_SERVICE across exec (ambient). */
static int
drop_to_nobody(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (prctl(PR_SET_KEEPCAPS, 1) < 0 || setgroups(0, NULL) < 0 ||
	    setgid(NOGROUP_GID) < 0 || setuid(NOBODY_UID) < 0)
		return -1;
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = data[0].inheritable =
	    1U << CAP_NET_BIND_SERVICE;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static _Noreturn void
child(int nsfd, int outfd, int errfd, const char *dir, char *const argv[],
    pid_t parent, int pipefd)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C", NULL };
	int null;

	if (setpgid(0, 0) < 0)
		exec_child_fail(pipefd, 1);
	exec_child_die_with(parent, pipefd, 2);
	exec_child_default_signals();
	if (setns(nsfd, CLONE_NEWNET) < 0)
		exec_child_fail(pipefd, 3);
	/* Its folder at PROXY_VIEW, in a mount namespace of its own (nothing
	 * propagates out): nobody then needs no right on the folders above
	 * the run folder (a home folder of mode 0700, a mkdtemp folder). */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(dir, PROXY_VIEW, NULL, MS_BIND, NULL) < 0)
		exec_child_fail(pipefd, 8);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(outfd, 1) < 0 || dup2(errfd, 2) < 0)
		exec_child_fail(pipefd, 4);
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		exec_child_fail(pipefd, 4);
	if (drop_to_nobody() < 0)
		exec_child_fail(pipefd, 5);
	/* A change of credentials clears the death signal: again. */
	exec_child_die_with(parent, pipefd, 2);
	if (chdir(PROXY_VIEW) < 0)
		exec_child_fail(pipefd, 6);
	execve(argv[0], argv, envp);
	exec_child_fail(pipefd, 7);
}

static const char *const step_names[] = {
	"", "setpgid", "PR_SET_PDEATHSIG", "setns", "its descriptors",
	"becoming nobody", "chdir to the run folder", "exec",
	"its folder bound at " PROXY_VIEW " in a mount namespace",
};

static pid_t
spawn(int nsfd, int outfd, int errfd, const char *dir, char *const argv[],
    char *err, size_t errlen)
{
	int fds[2], report[2];
	pid_t parent = getpid(), pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(nsfd, outfd, errfd, dir, argv, parent, fds[1]);
	}
	if (exec_child_wait(pid, fds, report) < 0) {
		snprintf(err, errlen, "%s: %s: %s", argv[0],
		    report[1] > 0 && report[1] < 9 ? step_names[report[1]] : "start",
		    strerror(report[0]));
		return -1;
	}
	return pid;
}

/* ---- readiness ---- */

/* 1 if a socket of the namespace nsfd listens on addr:port (or on any
 * address, port), 0 if none (yet), -1 on error. Read with sock_diag: no
 * connection is made, so no packet, no kernel-trace event and no socket
 * of ours shows in the run. */
static int
listening(int nsfd, const char *addr, uint16_t port)
{
	char err[256];

	return sockdiag_listening(nsfd, addr, port, err, sizeof(err));
}

/* 1 if pid has exited (left as a zombie, not reaped), else 0. */
static int
has_exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD;
	return si.si_pid == pid;
}

/* The last line of the run folder's file name, for an error message. */
static void
last_line(int dirfd, const char *name, char *buf, size_t len)
{
	char text[4096];
	ssize_t n;
	char *end, *start;
	int fd;

	buf[0] = '\0';
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (lseek(fd, 0, SEEK_END) > (off_t)sizeof(text) - 1)
		(void)lseek(fd, -(off_t)(sizeof(text) - 1), SEEK_END);
	else
		(void)lseek(fd, 0, SEEK_SET);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return;
	text[n] = '\0';
	end = text + n;
	while (end > text && end[-1] == '\n')
		*--end = '\0';
	start = strrchr(text, '\n');
	snprintf(buf, len, "%.*s", (int)len - 1, start ? start + 1 : text);	/* cut to fit */
}

/* A new file of the run folder for the proxy's stdout or stderr. */
static int
open_log(const struct proxy *p, const char *name, char *err, size_t errlen)
{
	int fd = openat(p->dirfd, name,
	    O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0)
		snprintf(err, errlen, "%s/%s: %s", p->dir, name, strerror(errno));
	return fd;
}

int
proxy_start(struct proxy *p, const char *netns, const char *addr,
    uint16_t port, unsigned timeout_ms, char *err, size_t errlen)
{
	const char *prog = proxy_program(p->kind);
	char nspath[128], conf[600], prefix[600], elog[600], line[300];
	char *argv[8];
	uint64_t deadline;
	int nsfd, outfd, errfd, r;

	if (prog == NULL) {
		snprintf(err, errlen, "%s is not installed (make deps)", kinds[p->kind].name);
		return -1;
	}
	if (!valid_netns(netns)) {
		snprintf(err, errlen, "'%s' is not a network namespace name", netns);
		return -1;
	}
	snprintf(p->addr, sizeof(p->addr), "%s", addr);
	p->port = port;
	snprintf(nspath, sizeof(nspath), "%s/%s", NETNS_DIR, netns);
	if (fmt(conf, sizeof(conf), "%s/%s", PROXY_VIEW, kinds[p->kind].conf) < 0 ||
	    fmt(prefix, sizeof(prefix), "%s/", PROXY_VIEW) < 0 ||
	    fmt(elog, sizeof(elog), "%s/error.log", PROXY_VIEW) < 0) {
		snprintf(err, errlen, "%s: path too long", p->dir);
		return -1;
	}
	argv[0] = (char *)prog;
	switch (p->kind) {
	case PROXY_HAPROXY:
		argv[1] = "-db"; argv[2] = "-f"; argv[3] = conf; argv[4] = NULL;
		break;
	case PROXY_NGINX:
		argv[1] = "-p"; argv[2] = prefix; argv[3] = "-e"; argv[4] = elog;
		argv[5] = "-c"; argv[6] = conf; argv[7] = NULL;
		break;
	case PROXY_APACHE:
		argv[1] = "-d"; argv[2] = PROXY_VIEW; argv[3] = "-f"; argv[4] = conf;
		argv[5] = "-DFOREGROUND"; argv[6] = NULL;
		break;
	}
	nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		snprintf(err, errlen, "%s: %s", nspath, strerror(errno));
		return -1;
	}
	outfd = open_log(p, "stdout.log", err, errlen);
	errfd = outfd < 0 ? -1 : open_log(p, "stderr.log", err, errlen);
	if (outfd < 0 || errfd < 0) {
		if (outfd >= 0)
			close(outfd);
		close(nsfd);
		return -1;
	}
	p->pid = spawn(nsfd, outfd, errfd, p->dir, argv, err, errlen);
	close(outfd);
	close(errfd);
	if (p->pid < 0) {
		close(nsfd);
		return -1;
	}
	deadline = now_mono_ns() + (uint64_t)timeout_ms * NSEC_PER_MSEC;
	for (;;) {
		if (has_exited(p->pid)) {
			last_line(p->dirfd, "stderr.log", line, sizeof(line));
			if (line[0] == '\0')
				last_line(p->dirfd, "error.log", line, sizeof(line));
			snprintf(err, errlen, "%s exited at start%s%s", kinds[p->kind].name,
			    line[0] ? ": " : "", line);
			break;
		}
		r = listening(nsfd, addr, port);
		if (r == 1) {
			close(nsfd);
			return 0;
		}
		if (r < 0) {
			snprintf(err, errlen, "cannot read the sockets of %s: %s", netns,
			    strerror(errno));
			break;
		}
		if (now_mono_ns() >= deadline) {
			snprintf(err, errlen, "%s does not listen on %s port %u after %u ms",
			    kinds[p->kind].name, addr, (unsigned)port, timeout_ms);
			break;
		}
		sleep_ns(20 * NSEC_PER_MSEC);
	}
	close(nsfd);
	(void)proxy_stop(p, 1000);
	return -1;
}

int
proxy_stop(struct proxy *p, unsigned wait_ms)
{
	uint64_t deadline = now_mono_ns() + (uint64_t)wait_ms * NSEC_PER_MSEC;
	int status = 0;

	if (p->pid <= 0)
		return -1;
	/* The leader stays a zombie until reaped below, so its pid (and the
	 * group id) cannot name another process while we signal it. */
	(void)kill(-p->pid, SIGTERM);
	while (!has_exited(p->pid) && now_mono_ns() < deadline)
		sleep_ns(10 * NSEC_PER_MSEC);
	(void)kill(-p->pid, SIGKILL);
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	p->pid = -1;
	return status;
}

/* Remove everything in the folder dirfd, depth levels down at most. */
static void
empty_dir(int dirfd, int depth)
{
	struct dirent *e;
	DIR *d;
	int fd, sub;

	fd = dup(dirfd);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd, e->d_name, 0) == 0 || errno != EISDIR || depth <= 0)
			continue;
		sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		empty_dir(sub, depth - 1);
		close(sub);
		(void)unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

void
proxy_remove_dir(struct proxy *p)
{
	const char *base;
	int parentfd;

	if (p->dirfd < 0)
		return;
	empty_dir(p->dirfd, 4);
	close(p->dirfd);
	p->dirfd = -1;
	parentfd = open_parent(p->dir, &base);
	if (parentfd >= 0) {
		(void)unlinkat(parentfd, base, AT_REMOVEDIR);
		close(parentfd);
	}
}
