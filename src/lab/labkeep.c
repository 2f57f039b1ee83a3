/*
 * labkeep.c - the keeper of a by-hand lab (`timewait lab up`), and the
 * state file the other commands find it by.
 *
 * `up` forks the keeper and waits on a pipe until the lab is built and the
 * captures are live (or reports why not). The keeper detaches (setsid),
 * names itself "tw-keeper", blocks the stop signals (the capture threads
 * inherit that) and sleeps in sigwait, so the lab's lifetime is exactly the
 * keeper's. If it is killed with SIGKILL its janitor (janitor.c) removes
 * the lot, as would the next `lab clean` or lab_build: its names carry a
 * dead pid. `down` writes the
 * wanted run folder to /run/timewait/<id>.out and sends SIGTERM; the keeper
 * stops the captures, writes <host>.pcap, hosts and lab.json there, destroys
 * the lab and removes its state. The state files themselves: labstate.c.
 *
 * Every file here is reached through a descriptor: the state folder is
 * root's own (fsafe.h checks it), state files are read only if root wrote
 * them and nobody else can, and the run folder is built fresh beside the
 * one asked for and put in its place as a whole (fs_replace_dir), in a
 * folder checked to be root's or the invoking user's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/capture.h"
#include "lab/janitor.h"
#include "lab/labint.h"
#include "lab/labjson.h"
#include "lab/labkeep.h"
#include "lab/labstate.h"
#include "fsafe.h"
#include "util.h"

#define KEEPER_NAME "tw-keeper"

static void
seterr(char *err, size_t errlen, const char *what, int e)
{
	snprintf(err, errlen, "%s: %s", what, strerror(e));
}

/* For the keeper's own files: the state folder, or -1 with errno. */
static int
state_dir(void)
{
	char err[256];

	return fs_state_dir(err, sizeof(err));
}

/* Copy name from folder `from` to a new file in folder `to`; errors
 * (ENOSPC above all) are returned, never a short file kept. */
static int
copy_file(int from, int to, const char *name)
{
	char buf[65536];
	ssize_t n;
	int in, out, e = 0;

	in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = fs_create(to, name, O_WRONLY, 0644);
	if (out < 0) {
		e = errno;
		close(in);
		errno = e;
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_all(out, buf, (size_t)n) < 0) {
			e = errno;
			break;
		}
	if (n < 0 && e == 0)
		e = errno;
	close(in);
	if (close(out) < 0 && e == 0)
		e = errno;
	if (e != 0) {
		(void)unlinkat(to, name, 0);
		errno = e;
		return -1;
	}
	return 0;
}

/* pid is a keeper, alive or a zombie (its name tells a recycled pid). */
static int
is_keeper_pid(pid_t pid)
{
	char path[64], comm[32];
	ssize_t n;
	int fd;

	if (pid <= 0 || fmt(path, sizeof(path), "/proc/%d/comm", (int)pid) < 0)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, KEEPER_NAME) == 0;
}

/* The keeper is alive and still the keeper (not a recycled pid). */
static int
keeper_running(pid_t pid)
{
	char stat[512], *p;

	if (!is_keeper_pid(pid))
		return 0;
	/* A zombie is not running either. */
	if (proc_stat_read(pid, stat, sizeof(stat), &p) < 0)
		return 0;
	return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

int
lab_state_find(const char *id, struct lab_state *st, char *err, size_t errlen)
{
	char ids[64][40], found[40] = "";
	int n, i, live = 0;

	if (id != NULL) {
		int rc = lab_state_load(id, st, err, errlen);

		if (rc < 0)
			return rc;
		if (!keeper_running(st->keeper)) {
			snprintf(err, errlen, "lab '%s' has no keeper any more; "
			    "'timewait lab clean' removes it", id);
			return -1;
		}
		return 0;
	}
	n = lab_state_ids(ids, 64);
	for (i = 0; i < n; i++) {
		struct lab_state tmp;
		char e2[256];

		if (lab_state_load(ids[i], &tmp, e2, sizeof(e2)) == 0 &&
		    keeper_running(tmp.keeper)) {
			if (live++ == 0)
				(void)fmt(found, sizeof(found), "%s", ids[i]);
		}
	}
	if (live == 0) {
		snprintf(err, errlen, "no lab is up (start one: timewait lab up HOST...)");
		return -1;
	}
	if (live > 1) {
		snprintf(err, errlen, "%d labs are up; choose one with --lab ID "
		    "(ids in %s)", live, LAB_STATE_DIR);
		return -2;
	}
	return lab_state_load(found, st, err, errlen);
}

int
lab_state_open(struct lab_state *st, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < st->lab.nhosts; i++) {
		struct lab_host *h = &st->lab.hosts[i];

		if (fmt(path, sizeof(path), "%s/%s", LAB_NETNS_DIR, h->netns) < 0 ||
		    (h->nsfd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			seterr(err, errlen, path, errno);
			lab_state_close(st);
			return -1;
		}
	}
	return 0;
}

void
lab_state_close(struct lab_state *st)
{
	int i;

	for (i = 0; i < st->lab.nhosts; i++) {
		if (st->lab.hosts[i].nsfd >= 0)
			close(st->lab.hosts[i].nsfd);
		st->lab.hosts[i].nsfd = -1;
	}
}

/* Files that mark a folder as a run folder the keeper may replace. */
static const char *const run_markers[] = { "lab.json", "hosts", NULL };

/*
 * The run folder out, checked as `down` would: its parent opened (made if
 * missing) and checked by fs_open_parent, out itself missing, empty or an
 * earlier run folder of root's or the invoking user's. Returns the parent's descriptor, base gets out's
 * last name; -1 with err.
 */
static int
out_parent(const char *out, char *base, size_t baselen, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	int pfd;

	if (out[0] != '/' || fs_split(out, dir, sizeof(dir), base, baselen) < 0) {
		snprintf(err, errlen, "%s: not a folder path", out);
		return -1;
	}
	pfd = fs_open_parent(dir, 1, err, errlen);
	if (pfd < 0)
		return -1;
	if (fs_may_replace(pfd, base, out, run_markers, err, errlen) < 0) {
		close(pfd);
		return -1;
	}
	return pfd;
}

/* The run folder, built fresh beside out and put in its place. */
static int
write_run_folder(struct lab_state *st, int sdir, const char *out,
    struct capture_stats *stats, int *captured, char *err, size_t errlen)
{
	char base[NAME_MAX + 1], tmp[NAME_MAX + 1], prefix[NAME_MAX + 1], name[64], where[64];
	int pfd, nfd, stg = -1, i, rc = -1;
	uid_t uid;
	gid_t gid;

	pfd = out_parent(out, base, sizeof(base), err, errlen);
	if (pfd < 0)
		return -1;
	nfd = -1;
	if (fmt(prefix, sizeof(prefix), ".%.180s.tw-%d.", base, (int)getpid()) < 0 ||
	    (nfd = fs_mkdtempat(pfd, prefix, tmp, sizeof(tmp))) < 0 ||
	    (stg = openat(sdir, st->lab.id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot make a folder beside %s: %s", out, strerror(errno));
		goto done;
	}
	for (i = 0; i < st->lab.nhosts; i++) {
		if (!captured[i])
			continue;
		if (fmt(name, sizeof(name), "%s.pcap", st->lab.hosts[i].name) < 0 ||
		    copy_file(stg, nfd, name) < 0) {
			snprintf(err, errlen, "cannot write %s/%s: %s", out, name, strerror(errno));
			goto done;
		}
	}
	if (copy_file(stg, nfd, "hosts") < 0) {
		snprintf(err, errlen, "cannot write %s/hosts: %s", out, strerror(errno));
		goto done;
	}
	if (fs_fd_path(where, sizeof(where), nfd, NULL) < 0)
		goto done;
	if (lab_json_write(where, &st->lab, LAB_JSON_BY_HAND, captured, stats) < 0 ||
	    faccessat(nfd, "lab.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		snprintf(err, errlen, "cannot write %s/lab.json: %s", out, strerror(errno));
		goto done;
	}
	fs_result_owner(&uid, &gid);
	if (geteuid() == 0 && (uid != 0 || gid != 0) && fs_chown_tree(pfd, tmp, uid, gid) < 0)
		fprintf(stderr, "keeper: cannot give %s to uid %u: %s\n", out, (unsigned)uid,
		    strerror(errno));	/* a filesystem without owners: not fatal */
	rc = fs_replace_dir(pfd, tmp, pfd, base, err, errlen);
done:
	if (rc < 0 && nfd >= 0)
		(void)fs_remove_tree(pfd, tmp);
	if (nfd >= 0)
		close(nfd);
	if (stg >= 0)
		close(stg);
	close(pfd);
	return rc;
}

/* What the keeper does once asked to stop: the run folder, then nothing left. */
static void
keeper_finish(struct lab_state *st, struct capture **caps)
{
	struct capture_stats stats[LAB_MAX_HOSTS];
	int captured[LAB_MAX_HOSTS] = { 0 };
	char name[64], out[PATH_MAX], err[PATH_MAX + 256], *text = NULL;
	size_t len;
	int i, sdir = state_dir();

	snprintf(out, sizeof(out), "%s", st->default_out);
	if (sdir >= 0 && lab_state_name(name, sizeof(name), st->lab.id, ".out") == 0 &&
	    fs_read_file(sdir, name, PATH_MAX - 1, 1, &text, &len) == 0) {
		if (len > 0) {
			text[strcspn(text, "\n")] = '\0';
			snprintf(out, sizeof(out), "%s", text);
		}
		free(text);
		(void)unlinkat(sdir, name, 0);
	}
	memset(stats, 0, sizeof(stats));
	for (i = 0; i < st->lab.nhosts; i++)
		if (caps[i] != NULL) {
			captured[i] = capture_stop(caps[i], &stats[i]) == 0;
			caps[i] = NULL;
		}
	if (sdir < 0) {
		fprintf(stderr, "keeper: no state folder %s\n", LAB_STATE_DIR);
	} else if (write_run_folder(st, sdir, out, stats, captured, err, sizeof(err)) < 0) {
		/* For `down`, which waits for us and says why. */
		fprintf(stderr, "keeper: %s\n", err);
		if (lab_state_name(name, sizeof(name), st->lab.id, ".err") == 0)
			(void)fs_write_file(sdir, name, err, strlen(err), 0600);
	}
	lab_destroy(&st->lab);
	if (sdir >= 0) {
		(void)fs_remove_tree(sdir, st->lab.id);
		if (lab_state_name(name, sizeof(name), st->lab.id, ".json") == 0)
			(void)unlinkat(sdir, name, 0);
		close(sdir);
	}
}

static void
report(int fd, const char *msg)
{
	(void)write_all(fd, msg, strlen(msg));
}

static _Noreturn void
keeper_main(const char *const *names, int n, int readyfd)
{
	struct capture *caps[LAB_MAX_HOSTS] = { NULL };
	struct lab_state st;
	char err[512], tmpdir[PATH_MAX], tmpname[64], name[64], cwd[PATH_MAX], msg[600];
	sigset_t stop;
	int i, sig, fd, sdir;

	(void)prctl(PR_SET_NAME, KEEPER_NAME);
	(void)setsid();
	/* Hold nothing of the caller's open (a shell's $(...) pipe would wait
	 * for us), except the pipe `up` reads. */
	if (readyfd > 3)
		(void)close_range(3, (unsigned)readyfd - 1, 0);
	(void)close_range((unsigned)readyfd + 1, ~0U, 0);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop, NULL);	/* already, from `up`; to be sure */
	signal(SIGPIPE, SIG_IGN);

	/* The keeper owns the lab (it outlives `up`): its janitor, not
	 * up's, removes the lab and its state if it is killed. */
	(void)janitor_start();
	memset(&st, 0, sizeof(st));
	st.keeper = getpid();
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(cwd, sizeof(cwd), "/tmp");
	/* The staging folder, in root's own state folder (fsafe.h checks it):
	 * built as tw-<pid>-new, renamed to the lab's id once it has one. */
	sdir = fs_state_dir(err, sizeof(err));
	if (sdir < 0 ||
	    fmt(tmpname, sizeof(tmpname), "tw-%d-new", (int)st.keeper) < 0 ||
	    fmt(tmpdir, sizeof(tmpdir), "%s/%s", LAB_STATE_DIR, tmpname) < 0 ||
	    (fs_remove_tree(sdir, tmpname) < 0 || mkdirat(sdir, tmpname, 0755) < 0)) {
		snprintf(msg, sizeof(msg), "error %s\n", sdir < 0 ? err : strerror(errno));
		report(readyfd, msg);
		_exit(1);
	}
	if (lab_build(&st.lab, names, n, tmpdir, err, sizeof(err)) < 0) {
		(void)fs_remove_tree(sdir, tmpname);
		snprintf(msg, sizeof(msg), "error %s\n", err);
		report(readyfd, msg);
		_exit(1);
	}
	if (!fs_valid_id(st.lab.id) ||
	    fmt(st.staging, sizeof(st.staging), "%s/%s", LAB_STATE_DIR, st.lab.id) < 0 ||
	    renameat2(sdir, tmpname, sdir, st.lab.id, RENAME_NOREPLACE) < 0 ||
	    fmt(st.lab.hosts_file, sizeof(st.lab.hosts_file), "%s/hosts", st.staging) < 0 ||
	    fmt(st.default_out, sizeof(st.default_out), "%s/runs/%s", cwd, st.lab.id) < 0) {
		snprintf(msg, sizeof(msg), "error staging folder: %s\n", strerror(errno));
		goto fail;
	}
	(void)!chdir("/");	/* hold no folder of the caller's busy */
	st.captures = 1;
	for (i = 0; i < st.lab.nhosts; i++) {
		char pcap[PATH_MAX];

		if (fmt(pcap, sizeof(pcap), "%s/%s.pcap", st.staging, st.lab.hosts[i].name) < 0)
			continue;
		caps[i] = capture_start(st.lab.hosts[i].nsfd, st.lab.hosts[i].ifname,
		    pcap, err, sizeof(err));
		if (caps[i] == NULL) {
			snprintf(msg, sizeof(msg), "error capture on %s: %s\n",
			    st.lab.hosts[i].name, err);
			goto fail;
		}
	}
	if (lab_state_write(sdir, &st) < 0) {
		snprintf(msg, sizeof(msg), "error cannot write the state file: %s\n", strerror(errno));
		goto fail;
	}
	snprintf(msg, sizeof(msg), "ok %s\n", st.lab.id);
	if (write_all(readyfd, msg, strlen(msg)) < 0) {
		/* `up` is gone (Ctrl+C): nobody was told of this lab. */
		for (i = 0; i < st.lab.nhosts; i++)
			if (caps[i] != NULL)
				(void)capture_stop(caps[i], NULL);
		lab_destroy(&st.lab);
		(void)fs_remove_tree(sdir, st.lab.id);
		if (lab_state_name(name, sizeof(name), st.lab.id, ".json") == 0)
			(void)unlinkat(sdir, name, 0);
		_exit(1);
	}
	close(readyfd);

	/* From now on nobody reads our terminal output: log to staging. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	fd = fmt(name, sizeof(name), "%s/keeper.log", st.lab.id) < 0 ? -1 :
	    openat(sdir, name, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
	close(sdir);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	do
		sig = sigwaitinfo(&stop, NULL);
	while (sig < 0 && errno == EINTR);
	keeper_finish(&st, caps);
	_exit(0);

fail:
	for (i = 0; i < st.lab.nhosts; i++)
		if (caps[i] != NULL)
			(void)capture_stop(caps[i], NULL);
	lab_destroy(&st.lab);
	if (st.staging[0] != '\0')
		(void)fs_remove_tree(sdir, st.lab.id);
	(void)fs_remove_tree(sdir, tmpname);
	report(readyfd, msg);
	_exit(1);
}

int
lab_keeper_start(const char *const *names, int n, struct lab_state *st,
    char *err, size_t errlen)
{
	char msg[600], id[40];
	sigset_t stop, old;
	size_t got = 0;
	ssize_t r;
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		seterr(err, errlen, "pipe", errno);
		return -1;
	}
	fflush(NULL);
	/* The keeper is born with the stop signals blocked: a Ctrl+C right
	 * now must not kill it half-way through building. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop, &old);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		keeper_main(names, n, fds[1]);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		seterr(err, errlen, "fork", errno);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	close(fds[1]);
	while (got < sizeof(msg) - 1) {
		r = read(fds[0], msg + got, sizeof(msg) - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (memchr(msg, '\n', got) != NULL)
			break;
	}
	close(fds[0]);
	msg[got] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	if (strncmp(msg, "ok ", 3) != 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		snprintf(err, errlen, "%s", strncmp(msg, "error ", 6) == 0 ? msg + 6 :
		    "the lab keeper died while building the lab");
		return -1;
	}
	if (fmt(id, sizeof(id), "%s", msg + 3) < 0) {
		snprintf(err, errlen, "the lab keeper said '%s'", msg);
		return -1;
	}
	return lab_state_load(id, st, err, errlen);
}

/* What the keeper left in <id>.err (it failed to write the run folder). */
static int
keeper_error(int sdir, const char *id, char *err, size_t errlen)
{
	char name[64], *text;
	size_t len;

	if (lab_state_name(name, sizeof(name), id, ".err") < 0 ||
	    fs_read_file(sdir, name, 4096, 1, &text, &len) < 0)
		return 0;
	snprintf(err, errlen, "the lab is down, but its run folder was not written: %s", text);
	free(text);
	(void)unlinkat(sdir, name, 0);
	return -1;
}

int
lab_keeper_stop(const struct lab_state *st, const char *out, char *err, size_t errlen)
{
	char name[64], base[NAME_MAX + 1];
	uint64_t deadline;
	int sdir, pfd, rc;

	sdir = fs_state_dir(err, errlen);
	if (sdir < 0)
		return -1;
	if (out != NULL) {
		/* Checked here, where `down` can still say no; the keeper
		 * checks again before it writes. */
		pfd = out_parent(out, base, sizeof(base), err, errlen);
		if (pfd < 0) {
			close(sdir);
			return -1;
		}
		close(pfd);
		if (lab_state_name(name, sizeof(name), st->lab.id, ".out") < 0 ||
		    fs_write_file(sdir, name, out, strlen(out), 0600) < 0) {
			seterr(err, errlen, "cannot pass the run folder to the keeper", errno);
			close(sdir);
			return -1;
		}
	}
	if (!keeper_running(st->keeper) || kill(st->keeper, SIGTERM) < 0) {
		snprintf(err, errlen, "the keeper of %s (pid %d) is gone; "
		    "'timewait lab clean' removes what it left", st->lab.id, (int)st->keeper);
		close(sdir);
		return -1;
	}
	deadline = now_mono_ns() + 60 * NSEC_PER_SEC;
	while (keeper_running(st->keeper)) {
		if (now_mono_ns() > deadline) {
			snprintf(err, errlen, "the keeper of %s (pid %d) does not stop",
			    st->lab.id, (int)st->keeper);
			close(sdir);
			return -1;
		}
		sleep_ns(5 * NSEC_PER_MSEC);
	}
	/* Until whoever adopted it has reaped it: no tw-keeper left in ps. */
	deadline = now_mono_ns() + 2 * NSEC_PER_SEC;
	while (is_keeper_pid(st->keeper) && now_mono_ns() < deadline)
		sleep_ns(5 * NSEC_PER_MSEC);
	rc = keeper_error(sdir, st->lab.id, err, errlen);
	close(sdir);
	return rc;
}

/* The pid in a name "tw-PID-...", or 0. */
static int
name_pid(const char *name)
{
	int pid;

	return sscanf(name, "tw-%d-", &pid) == 1 && pid > 0 ? pid : 0;
}

/* lab_state_clean, of keeper pid only if it is not 0. */
static int
state_clean(int all, pid_t only, int verbose)
{
	static const char *const exts[] = { ".json", ".out", ".err", NULL };
	char ids[64][40], err[256], name[64];
	struct dirent *e;
	int n, i, k, dealt = 0, sdir, fd;
	DIR *d;

	n = lab_state_ids(ids, 64);
	for (i = 0; i < n; i++) {
		struct lab_state st;

		if (only != 0 && name_pid(ids[i]) != (int)only)
			continue;
		if (lab_state_load(ids[i], &st, err, sizeof(err)) == 0 && keeper_running(st.keeper)) {
			if (!all)
				continue;
			if (lab_keeper_stop(&st, NULL, err, sizeof(err)) < 0)
				fprintf(stderr, "timewait: %s\n", err);
			else if (verbose)
				printf("stopped %s (run folder %s)\n", ids[i], st.default_out);
			dealt++;
			continue;
		}
		sdir = fs_state_dir(err, sizeof(err));
		for (k = 0; sdir >= 0 && exts[k] != NULL; k++)
			if (lab_state_name(name, sizeof(name), ids[i], exts[k]) == 0)
				(void)unlinkat(sdir, name, 0);
		if (sdir >= 0)
			close(sdir);
		dealt++;
		if (verbose)
			printf("removed state of %s (keeper gone)\n", ids[i]);
	}
	/* Staging folders (and half-made ones) whose keeper is dead: found by
	 * the pid in their names, in root's own folder only. */
	sdir = fs_state_dir(err, sizeof(err));
	fd = sdir < 0 ? -1 : dup(sdir);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL && fd >= 0)
		close(fd);
	while (d != NULL && (e = readdir(d)) != NULL) {
		struct stat sb;
		int pid;

		if ((pid = name_pid(e->d_name)) == 0 || (only != 0 && pid != (int)only) ||
		    fstatat(sdir, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(sb.st_mode) || keeper_running(pid))
			continue;
		(void)fs_remove_tree(sdir, e->d_name);
		if (verbose)
			printf("removed %s/%s\n", LAB_STATE_DIR, e->d_name);
	}
	if (d != NULL)
		closedir(d);
	if (sdir >= 0)
		close(sdir);
	return dealt;
}

int
lab_state_clean(int all, int verbose)
{
	return state_clean(all, 0, verbose);
}

int
lab_state_clean_owner(pid_t keeper)
{
	return keeper > 0 ? state_clean(0, keeper, 0) : 0;
}
