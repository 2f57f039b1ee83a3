/*
 * cmdrun.c - a command of a scenario as one of a test's programs
 * (`program curl on client: curl -s http://{server}:666/`, found in the
 * lab hosts' PATH when the file was read, scen/scenfile.c): started in its
 * host with the lab's addresses in its arguments, waited for until it
 * exits, and stopped with the lab by its process group.
 *
 * It runs as nobody unless the file says `as root`: a scenario file may
 * come from anyone, and most commands need no right to open a socket in
 * a lab host (ip_unprivileged_port_start is 0 there). It gets the lab's
 * environment, not the runner's (root's HOME, sudo's variables and any
 * LD_* stay out), a /tmp of its own, and the scenario's folder read-only
 * at SCEN_DIR_VIEW as its working folder ({dir}), so files beside the
 * scenario can be read and none can be written. Its stdout and stderr
 * go to NAME.log in the run folder. It writes no event log: its sockets
 * and packets are seen as any host's are, by the captures, the kernel
 * trace and the snapshots.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/runint.h"
#include "scen/expand.h"
#include "scen/scenfile.h"
#include "util.h"

static char *const cmd_env[] = {
	"PATH=" SCEN_EXEC_PATH, "HOME=/tmp", "TMPDIR=/tmp", "LANG=C", NULL,
};

int
run_cmd_start(struct test_rec *r, struct lab *lab, struct proc_rec *p, const char *dir)
{
	const struct proc_spec *ps = p->spec;
	struct lab_host *h = lab_host(lab, ps->host);
	/* An argument is at most a line (python3 -c "..."), longer once the
	 * addresses are in: room for that. */
	static char xargs[CAT_MAX_ARGS][4 * SCEN_MAX_LINE];
	char logpath[PATH_MAX], exe[PATH_MAX];
	char *argv[CAT_MAX_ARGS + 2];
	struct lab_proc_opts po;
	int in[2], logfd, argc = 0, i;

	if (h == NULL) {
		snprintf(r->error, sizeof(r->error), "no host %s for %s", ps->host, ps->name);
		return -1;
	}
	/* Beside the scenario: where the program sees that folder. */
	if (ps->cmd[0] != '/' && strchr(ps->cmd, '/') != NULL) {
		if (fmt(exe, sizeof(exe), "%s/%s", SCEN_DIR_VIEW, ps->cmd) == -1) {
			snprintf(r->error, sizeof(r->error), "%.24s: command path too long", ps->name);
			return -1;
		}
	} else {
		snprintf(exe, sizeof(exe), "%s", ps->path);
	}
	argv[argc++] = exe;
	for (i = 0; i < CAT_MAX_ARGS && ps->args[i] != NULL; i++) {
		if (scen_expand_in(lab, SCEN_DIR_VIEW, dir, ps->args[i], xargs[i],
		    sizeof(xargs[i])) == -1) {
			snprintf(r->error, sizeof(r->error), "%.24s: cannot expand '%.160s' "
			    "(too long with the addresses in)", ps->name, ps->args[i]);
			return -1;
		}
		argv[argc++] = xargs[i];
	}
	argv[argc] = NULL;
	if (fmt(logpath, sizeof(logpath), "%s/%s.log", dir, ps->name) == -1) {
		snprintf(r->error, sizeof(r->error), "run folder path too long");
		return -1;
	}
	/* In the test's fresh folder, which only root can write (series.c). */
	logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (logfd == -1 || pipe2(in, O_CLOEXEC) == -1) {
		snprintf(r->error, sizeof(r->error), "cannot create %.24s's files: %s",
		    ps->name, strerror(errno));
		if (logfd != -1)
			close(logfd);
		return -1;
	}
	memset(&po, 0, sizeof(po));
	po.stdin_fd = in[0];
	po.stdout_fd = logfd;
	po.stderr_fd = -1;
	po.extra_fd = -1;
	po.unprivileged = !ps->as_root;
	po.own_group = 1;
	po.envp = cmd_env;
	po.dir_src = r->spec->dir != NULL ? r->spec->dir : ".";
	po.dir_view = SCEN_DIR_VIEW;
	progress("running: %s (%s) starts in host %s", ps->name, ps->cmd, ps->host);
	p->pid = lab_spawn(lab, h, argv, &po);
	close(in[0]);
	close(logfd);
	if (p->pid == -1) {
		int e = errno;

		snprintf(r->error, sizeof(r->error), "cannot start %.24s (%.100s) in host %s: %s%s",
		    ps->name, exe, ps->host, strerror(e), e == EACCES && !ps->as_root ?
		    " (as nobody: a command beside the scenario needs its folder open to others, "
		    "chmod o+rx)" : "");
		close(in[1]);
		return -1;
	}
	p->stdin_w = in[1];
	p->started = 1;
	p->group = 1;
	return 0;
}

int
run_proc_exited(struct proc_rec *p)
{
	siginfo_t si;

	if (p->exited)
		return 1;
	if (p->pid <= 0)
		return 0;
	/* WNOWAIT: the leader stays a zombie, so its pid, and its group's
	 * id, name no other process until stop_programs reaps it. */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
	    si.si_pid != p->pid)
		return 0;
	p->exited = 1;
	p->exit_ns = now_realtime_ns();
	if (si.si_code == CLD_EXITED) {
		p->exit_code = si.si_status;
	} else {
		p->exit_code = -1;
		p->exit_signal = si.si_status;
	}
	return 1;
}

int
run_wait_exit(struct test_rec *r, struct proc_rec *p, uint64_t deadline)
{
	for (;;) {
		if (run_proc_exited(p))
			return 0;
		if (run_stop_requested)
			return -1;
		if (now_mono_ns() >= deadline) {
			snprintf(r->error, sizeof(r->error), "%.24s did not exit in time (still "
			    "running; its output: %.24s.log)", p->spec->name, p->spec->name);
			return -1;
		}
		sleep_ns(NSEC_PER_MSEC / 2);
	}
}

int
run_wait_listen(struct test_rec *r, struct lab *lab, const char *host, int port,
    uint64_t deadline)
{
	struct lab_host *h = lab_host(lab, host);
	char err[256];
	int rc;

	if (h == NULL) {
		snprintf(r->error, sizeof(r->error), "no host %.16s", host);
		return -1;
	}
	for (;;) {
		rc = sockdiag_listening(h->nsfd, NULL, (unsigned)port, err, sizeof(err));
		if (rc == 1)
			return 0;
		if (rc == -1) {
			snprintf(r->error, sizeof(r->error), "sockets of %.16s: %.200s", host, err);
			return -1;
		}
		if (run_stop_requested)
			return -1;
		if (now_mono_ns() >= deadline) {
			snprintf(r->error, sizeof(r->error), "nothing listens on port %d of host "
			    "%.16s in time", port, host);
			return -1;
		}
		sleep_ns(NSEC_PER_MSEC);
	}
}
