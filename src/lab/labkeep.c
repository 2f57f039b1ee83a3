/*
 * labkeep.c - the keeper of a by-hand lab (`timewait lab up`), and the
 * state file the other commands find it by.
 *
 * `up` forks the keeper and waits on a pipe until the lab is built and the
 * captures are live (or reports why not). The keeper detaches (setsid),
 * names itself "tw-keeper", blocks the stop signals (the capture threads
 * inherit that) and sleeps in sigwait, so the lab's lifetime is exactly the
 * keeper's. If it is killed with SIGKILL its names carry a dead pid and the
 * next `lab clean` (or any lab_build) removes the lot. `down` writes the
 * wanted run folder to /run/timewait/<id>.out and sends SIGTERM; the keeper
 * stops the captures, writes <host>.pcap, hosts and lab.json there, destroys
 * the lab and removes its state.
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
#include "lab/labint.h"
#include "lab/labjson.h"
#include "lab/labkeep.h"
#include "util.h"

#define KEEPER_NAME "tw-keeper"

static void
seterr(char *err, size_t errlen, const char *what, int e)
{
	snprintf(err, errlen, "%s: %s", what, strerror(e));
}

static int
state_path(char *buf, size_t len, const char *id, const char *ext)
{
	return fmt(buf, len, "%s/%s%s", LAB_STATE_DIR, id, ext);
}

static int
mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	char *p;

	if (fmt(tmp, sizeof(tmp), "%s", path) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Removes a folder holding only files (a staging folder). */
static void
rm_flat_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d != NULL) {
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.' &&
			    fmt(path, sizeof(path), "%s/%s", dir, e->d_name) == 0)
				(void)unlink(path);
		closedir(d);
	}
	(void)rmdir(dir);
}

/* rename, or copy and unlink when the two are on different filesystems
 * (staging is on /run, a tmpfs; the run folder usually is not). */
static int
move_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in, out, rc = 0;

	if (rename(from, to) == 0)
		return 0;
	if (errno != EXDEV)
		return -1;
	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_all(out, buf, (size_t)n) < 0) {
			rc = -1;
			break;
		}
	if (n < 0)
		rc = -1;
	close(in);
	if (close(out) < 0)
		rc = -1;
	if (rc == 0)
		(void)unlink(from);
	return rc;
}

static json_t *
hosts_json(const struct lab *lab)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < lab->nhosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s}",
		    "name", h->name, "netns", h->netns, "ifname", h->ifname,
		    "addr", h->addr, "addr6", h->addr6));
	}
	return a;
}

static int
write_json(json_t *root, const char *path)
{
	char tmp[PATH_MAX];
	int rc;

	if (fmt(tmp, sizeof(tmp), "%s.tmp", path) < 0)
		return -1;
	rc = json_dump_file(root, tmp, JSON_INDENT(2));
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -1;
	if (rc < 0)
		(void)unlink(tmp);
	return rc;
}

static int
state_write(const struct lab_state *st)
{
	char path[PATH_MAX];
	json_t *root;
	int rc;

	if (state_path(path, sizeof(path), st->lab.id, ".json") < 0)
		return -1;
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:b, s:o}",
	    "id", st->lab.id, "keeper", (int)st->keeper,
	    "switch_netns", st->lab.switch_netns, "hosts_file", st->lab.hosts_file,
	    "staging", st->staging, "default_out", st->default_out,
	    "captures", st->captures, "hosts", hosts_json(&st->lab));
	if (root == NULL)
		return -1;
	rc = write_json(root, path);
	json_decref(root);
	return rc;
}

static void
copy_str(char *dst, size_t len, json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	snprintf(dst, len, "%s", s != NULL ? s : "");
}

static int
state_load(const char *id, struct lab_state *st, char *err, size_t errlen)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *root, *hosts, *h;
	size_t i;

	memset(st, 0, sizeof(*st));
	st->lab.switch_nsfd = -1;
	for (i = 0; i < LAB_MAX_HOSTS; i++)
		st->lab.hosts[i].nsfd = -1;
	if (state_path(path, sizeof(path), id, ".json") < 0) {
		snprintf(err, errlen, "bad lab id '%s'", id);
		return -1;
	}
	root = json_load_file(path, 0, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "no lab '%s' is up (%s)", id, jerr.text);
		return -1;
	}
	copy_str(st->lab.id, sizeof(st->lab.id), root, "id");
	copy_str(st->lab.switch_netns, sizeof(st->lab.switch_netns), root, "switch_netns");
	copy_str(st->lab.hosts_file, sizeof(st->lab.hosts_file), root, "hosts_file");
	copy_str(st->staging, sizeof(st->staging), root, "staging");
	copy_str(st->default_out, sizeof(st->default_out), root, "default_out");
	st->keeper = (pid_t)json_integer_value(json_object_get(root, "keeper"));
	st->captures = json_is_true(json_object_get(root, "captures"));
	st->lab.owner = st->keeper;
	hosts = json_object_get(root, "hosts");
	json_array_foreach(hosts, i, h) {
		struct lab_host *lh;

		if (i >= LAB_MAX_HOSTS)
			break;
		lh = &st->lab.hosts[i];
		copy_str(lh->name, sizeof(lh->name), h, "name");
		copy_str(lh->netns, sizeof(lh->netns), h, "netns");
		copy_str(lh->ifname, sizeof(lh->ifname), h, "ifname");
		copy_str(lh->addr, sizeof(lh->addr), h, "addr");
		copy_str(lh->addr6, sizeof(lh->addr6), h, "addr6");
		st->lab.nhosts = (int)i + 1;
	}
	json_decref(root);
	if (st->keeper <= 0 || st->lab.nhosts == 0) {
		snprintf(err, errlen, "state of lab '%s' is damaged; try 'timewait lab clean'", id);
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
	char path[64];
	ssize_t n;
	int fd;

	if (!is_keeper_pid(pid))
		return 0;
	/* A zombie is not running either. */
	if (fmt(path, sizeof(path), "/proc/%d/stat", (int)pid) < 0)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	{
		char stat[512];
		char *p;

		n = read(fd, stat, sizeof(stat) - 1);
		close(fd);
		if (n <= 0)
			return 0;
		stat[n] = '\0';
		p = strrchr(stat, ')');
		return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	}
}

/* Ids of the labs whose state file is in LAB_STATE_DIR. */
static int
list_ids(char ids[][40], int max)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(LAB_STATE_DIR);

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		size_t len = strlen(e->d_name);

		if (strncmp(e->d_name, "tw-", 3) != 0 || len < 6 || len - 5 >= 40 ||
		    strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		memcpy(ids[n], e->d_name, len - 5);
		ids[n][len - 5] = '\0';
		n++;
	}
	closedir(d);
	return n;
}

int
lab_state_find(const char *id, struct lab_state *st, char *err, size_t errlen)
{
	char ids[64][40], found[40] = "";
	int n, i, live = 0;

	if (id != NULL) {
		if (state_load(id, st, err, errlen) < 0)
			return -1;
		if (!keeper_running(st->keeper)) {
			snprintf(err, errlen, "lab '%s' has no keeper any more; "
			    "'timewait lab clean' removes it", id);
			return -1;
		}
		return 0;
	}
	n = list_ids(ids, 64);
	for (i = 0; i < n; i++) {
		struct lab_state tmp;
		char e2[256];

		if (state_load(ids[i], &tmp, e2, sizeof(e2)) == 0 &&
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
	return state_load(found, st, err, errlen);
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

/* What the keeper does once asked to stop: the run folder, then nothing left. */
static void
keeper_finish(struct lab_state *st, struct capture **caps)
{
	struct capture_stats stats[LAB_MAX_HOSTS];
	int captured[LAB_MAX_HOSTS] = { 0 };
	char path[PATH_MAX], from[PATH_MAX], out[PATH_MAX];
	ssize_t n;
	int i, fd;

	snprintf(out, sizeof(out), "%s", st->default_out);
	if (state_path(path, sizeof(path), st->lab.id, ".out") == 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, out, sizeof(out) - 1);
		close(fd);
		if (n > 0) {
			out[n] = '\0';
			out[strcspn(out, "\n")] = '\0';
		} else {
			snprintf(out, sizeof(out), "%s", st->default_out);
		}
		(void)unlink(path);
	}
	memset(stats, 0, sizeof(stats));
	for (i = 0; i < st->lab.nhosts; i++)
		if (caps[i] != NULL) {
			captured[i] = capture_stop(caps[i], &stats[i]) == 0;
			caps[i] = NULL;
		}
	if (mkdir_p(out) < 0) {
		fprintf(stderr, "keeper: cannot make %s: %s\n", out, strerror(errno));
	} else {
		for (i = 0; i < st->lab.nhosts; i++) {
			if (!captured[i])
				continue;
			if (fmt(from, sizeof(from), "%s/%s.pcap", st->staging, st->lab.hosts[i].name) < 0 ||
			    fmt(path, sizeof(path), "%s/%s.pcap", out, st->lab.hosts[i].name) < 0 ||
			    move_file(from, path) < 0) {
				fprintf(stderr, "keeper: cannot move %s: %s\n", from, strerror(errno));
				captured[i] = 0;
			}
		}
		if (fmt(path, sizeof(path), "%s/hosts", out) == 0)
			(void)move_file(st->lab.hosts_file, path);
		(void)lab_json_write(out, &st->lab, LAB_JSON_BY_HAND, captured, stats);
	}
	lab_destroy(&st->lab);
	rm_flat_dir(st->staging);
	if (state_path(path, sizeof(path), st->lab.id, ".json") == 0)
		(void)unlink(path);
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
	char err[512], tmpdir[PATH_MAX], cwd[PATH_MAX], msg[600];
	sigset_t stop;
	int i, sig, fd;

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

	memset(&st, 0, sizeof(st));
	st.keeper = getpid();
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(cwd, sizeof(cwd), "/tmp");
	if (mkdir_p(LAB_STATE_DIR) < 0 ||
	    fmt(tmpdir, sizeof(tmpdir), "%s/tw-%d-new", LAB_STATE_DIR, (int)st.keeper) < 0 ||
	    (mkdir(tmpdir, 0755) < 0 && errno != EEXIST)) {
		snprintf(msg, sizeof(msg), "error %s: %s\n", LAB_STATE_DIR, strerror(errno));
		report(readyfd, msg);
		_exit(1);
	}
	if (lab_build(&st.lab, names, n, tmpdir, err, sizeof(err)) < 0) {
		rm_flat_dir(tmpdir);
		snprintf(msg, sizeof(msg), "error %s\n", err);
		report(readyfd, msg);
		_exit(1);
	}
	if (state_path(st.staging, sizeof(st.staging), st.lab.id, "") < 0 ||
	    rename(tmpdir, st.staging) < 0 ||
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
	if (state_write(&st) < 0) {
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
		rm_flat_dir(st.staging);
		if (state_path(tmpdir, sizeof(tmpdir), st.lab.id, ".json") == 0)
			(void)unlink(tmpdir);
		_exit(1);
	}
	close(readyfd);

	/* From now on nobody reads our terminal output: log to staging. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	fd = fmt(tmpdir, sizeof(tmpdir), "%s/keeper.log", st.staging) < 0 ? -1 : open(tmpdir, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
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
	rm_flat_dir(st.staging[0] ? st.staging : tmpdir);
	rm_flat_dir(tmpdir);
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
	return state_load(id, st, err, errlen);
}

int
lab_keeper_stop(const struct lab_state *st, const char *out, char *err, size_t errlen)
{
	char path[PATH_MAX];
	uint64_t deadline;
	int fd;

	if (out != NULL) {
		if (state_path(path, sizeof(path), st->lab.id, ".out") < 0 ||
		    (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
			seterr(err, errlen, "cannot pass the run folder to the keeper", errno);
			return -1;
		}
		if (write_all(fd, out, strlen(out)) < 0 || close(fd) < 0) {
			seterr(err, errlen, path, errno);
			return -1;
		}
	}
	if (!keeper_running(st->keeper) || kill(st->keeper, SIGTERM) < 0) {
		snprintf(err, errlen, "the keeper of %s (pid %d) is gone; "
		    "'timewait lab clean' removes what it left", st->lab.id, (int)st->keeper);
		return -1;
	}
	deadline = now_mono_ns() + 60 * NSEC_PER_SEC;
	while (keeper_running(st->keeper)) {
		if (now_mono_ns() > deadline) {
			snprintf(err, errlen, "the keeper of %s (pid %d) does not stop",
			    st->lab.id, (int)st->keeper);
			return -1;
		}
		sleep_ns(5 * NSEC_PER_MSEC);
	}
	/* Until whoever adopted it has reaped it: no tw-keeper left in ps. */
	deadline = now_mono_ns() + 2 * NSEC_PER_SEC;
	while (is_keeper_pid(st->keeper) && now_mono_ns() < deadline)
		sleep_ns(5 * NSEC_PER_MSEC);
	return 0;
}

int
lab_state_clean(int all, int verbose)
{
	char ids[64][40], err[256], path[PATH_MAX];
	struct dirent *e;
	int n, i, dealt = 0;
	DIR *d;

	n = list_ids(ids, 64);
	for (i = 0; i < n; i++) {
		struct lab_state st;

		if (state_load(ids[i], &st, err, sizeof(err)) == 0 && keeper_running(st.keeper)) {
			if (!all)
				continue;
			if (lab_keeper_stop(&st, NULL, err, sizeof(err)) < 0)
				fprintf(stderr, "timewait: %s\n", err);
			else if (verbose)
				printf("stopped %s (run folder %s)\n", ids[i], st.default_out);
			dealt++;
			continue;
		}
		if (state_path(path, sizeof(path), ids[i], ".json") == 0)
			(void)unlink(path);
		if (state_path(path, sizeof(path), ids[i], ".out") == 0)
			(void)unlink(path);
		dealt++;
		if (verbose)
			printf("removed state of %s (keeper gone)\n", ids[i]);
	}
	/* Staging folders (and half-made ones) whose keeper is dead. */
	d = opendir(LAB_STATE_DIR);
	while (d != NULL && (e = readdir(d)) != NULL) {
		struct stat sb;
		int pid;

		if (sscanf(e->d_name, "tw-%d-", &pid) != 1 || pid <= 0 ||
		    fmt(path, sizeof(path), "%s/%s", LAB_STATE_DIR, e->d_name) < 0 ||
		    stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode) || keeper_running(pid))
			continue;
		rm_flat_dir(path);
		if (verbose)
			printf("removed %s\n", path);
	}
	if (d != NULL)
		closedir(d);
	return dealt;
}
