/*
 * clean.c - removal of what a lab leaves behind, and the privilege check.
 *
 * Every lab name starts with "tw-<owner pid>-<seq>", so a lab whose owner
 * process is gone (killed with SIGKILL, crashed) is recognisable by name
 * alone: its /run/netns entries and its tracing instances are removed by
 * its janitor (janitor.c, through lab_clean_owner, for its own pid only),
 * or by whoever runs next (lab_build calls lab_clean(0, 0) first). The
 * processes still inside such a namespace are found the only reliable way, by
 * comparing each /proc/PID/ns/net with the namespace's nsfs inode: they are
 * killed first, or they would keep the namespace (and its links) alive.
 * Temporary folders are found the same way, by the pid in their names,
 * but only in the tool's own root-only folder (see lab_tmpdir below).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fsafe.h"
#include "host/ktrace.h"
#include "lab/janitor.h"
#include "lab/lab.h"
#include "lab/labint.h"
#include "util.h"

#define TRACEFS_MAGIC_NUMBER 0x74726163

static dev_t
nsfs_dev(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		return 0;
	return st.st_dev;
}

static int
nsid_from_stat(const struct stat *st, struct lab_nsid *id)
{
	dev_t dev = nsfs_dev();

	if (dev == 0 || st->st_dev != dev)
		return -1;
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	return 0;
}

int
lab_nsid_of_fd(int fd, struct lab_nsid *id)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	return nsid_from_stat(&st, id);
}

int
lab_nsid_of_path(const char *path, struct lab_nsid *id)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	return nsid_from_stat(&st, id);
}

static int
nsid_in(const struct stat *st, const struct lab_nsid *ids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i].dev == st->st_dev && ids[i].ino == st->st_ino)
			return 1;
	return 0;
}

static int
kill_pass(const struct lab_nsid *ids, int n)
{
	char path[64];
	struct dirent *e;
	struct stat st;
	pid_t self = getpid();
	int found = 0;
	DIR *d;

	d = opendir("/proc");
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		long pid;

		if (parse_long(e->d_name, 1, INT32_MAX, &pid) < 0 || pid == self)
			continue;
		if (fmt(path, sizeof(path), "/proc/%ld/ns/net", pid) < 0 ||
		    stat(path, &st) < 0)
			continue;	/* gone, or a zombie: no namespace left */
		if (nsid_in(&st, ids, n) && kill((pid_t)pid, SIGKILL) == 0)
			found++;
	}
	closedir(d);
	return found;
}

int
lab_kill_inside(const struct lab_nsid *ids, int n)
{
	int round, found, total = 0;

	if (n <= 0)
		return 0;
	/* Again until a pass finds nobody: a process may fork meanwhile,
	 * and one already killed shows until it has finished exiting. */
	for (round = 0; round < 50; round++) {
		found = kill_pass(ids, n);
		if (found == 0)
			break;
		if (round == 0)
			total = found;
		sleep_ns(NSEC_PER_MSEC);
	}
	return total;
}

void
lab_netns_remove(const char *name)
{
	char path[PATH_MAX];

	if (fmt(path, sizeof(path), "%s/%s", LAB_NETNS_DIR, name) < 0)
		return;
	(void)umount2(path, MNT_DETACH);
	(void)unlink(path);
}

pid_t
lab_name_owner(const char *name, int *seq)
{
	int pid, s, used = 0;

	if (strncmp(name, "tw-", 3) != 0 ||
	    sscanf(name, "tw-%d-%d%n", &pid, &s, &used) != 2 || pid <= 0 || s <= 0)
		return 0;
	if (name[used] != '\0' && name[used] != '-')
		return 0;
	if (seq != NULL)
		*seq = s;
	return (pid_t)pid;
}

/* Alive and not a zombie: a runner killed with SIGKILL may wait a while
 * to be reaped, and its lab is dead from the moment it died. */
static int
owner_alive(pid_t pid)
{
	char stat[512], *p;

	if (kill(pid, 0) < 0 && errno != EPERM)
		return 0;
	if (proc_stat_read(pid, stat, sizeof(stat), &p) < 0)
		return errno != ENOENT;	/* unreadable: taken as alive */
	return !(p != NULL && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

/*
 * Whether a live owner holds the namespace open. Every lab_build caller
 * does (struct lab keeps an fd of each namespace until lab_destroy), so a
 * pid that is alive but holds none of it is a recycled pid: pids wrap fast
 * on a busy machine (pid_max is often 32768), and the lab's real owner is
 * dead. When the fds cannot be read, the owner is taken at its word.
 *
 * A runner may hold hundreds of descriptors and own many labs: what each
 * owner holds is read once per lab_clean (struct held), not once per name.
 */
struct held {
	pid_t pid;
	int unknown;		/* its fds could not be read */
	int n;
	unsigned long *inos;	/* network namespaces it holds open */
};

struct held_cache {
	int n;
	struct held h[32];
};

static void
held_read(pid_t pid, struct held *h)
{
	char path[64], link[64];
	struct dirent *e;
	unsigned long ino;
	int cap = 0;
	DIR *d;

	memset(h, 0, sizeof(*h));
	h->pid = pid;
	if (fmt(path, sizeof(path), "/proc/%d/fd", (int)pid) < 0 ||
	    (d = opendir(path)) == NULL) {
		h->unknown = 1;
		return;
	}
	while ((e = readdir(d)) != NULL) {
		ssize_t n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);

		if (n <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "net:[%lu]", &ino) != 1)
			continue;
		if (h->n == cap) {
			unsigned long *t = realloc(h->inos, (size_t)(cap ? cap * 2 : 16) * sizeof(*t));

			if (t == NULL) {
				h->unknown = 1;
				break;
			}
			h->inos = t;
			cap = cap ? cap * 2 : 16;
		}
		h->inos[h->n++] = ino;
	}
	closedir(d);
}

static void
held_free(struct held_cache *c)
{
	int i;

	for (i = 0; c != NULL && i < c->n; i++)
		free(c->h[i].inos);
}

static int
owner_holds(struct held_cache *c, pid_t pid, const struct lab_nsid *id)
{
	struct held one, *h = NULL;
	int i, found = 0;

	for (i = 0; c != NULL && i < c->n; i++)
		if (c->h[i].pid == pid)
			h = &c->h[i];
	if (h == NULL) {
		h = c != NULL && c->n < 32 ? &c->h[c->n++] : &one;
		held_read(pid, h);
	}
	for (i = 0; i < h->n && !found; i++)
		found = h->inos[i] == (unsigned long)id->ino;
	found = found || h->unknown;
	if (h == &one)
		free(one.inos);
	return found;
}

struct stale {
	char name[256];
	pid_t owner;
	int seq;
	int state;
};

/* Distinct labs among the entries, for the count lab_clean returns. */
static int
count_labs(const struct stale *s, int n)
{
	int i, j, labs = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (s[j].owner == s[i].owner && s[j].seq == s[i].seq)
				break;
		if (j == i)
			labs++;
	}
	return labs;
}

/*
 * Temporary folders live in the tool's own root-only folder (fsafe.h,
 * FS_TMP_DIR, mode 0700), named "<pid>-<what>.XXXXXX": nobody else can
 * make, rename or plant anything there, so the folder's name is the record
 * of who made it, and a dead pid's folders can be removed without trusting
 * anything another user wrote. Nothing in /tmp is ever looked at.
 */
int
lab_tmpdir(char *buf, size_t len, const char *what)
{
	char err[256], prefix[64], name[NAME_MAX + 1];
	int dirfd, fd, e;

	(void)janitor_start();	/* removes it if we cannot */
	if (fmt(prefix, sizeof(prefix), "%d-%s.", (int)getpid(), what) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	dirfd = fs_tmp_dir(err, sizeof(err));
	if (dirfd < 0)
		return -1;
	fd = fs_mkdtempat(dirfd, prefix, name, sizeof(name));
	e = errno;
	if (fd >= 0 && fmt(buf, len, "%s/%s", FS_TMP_DIR, name) < 0) {
		(void)fs_remove_tree(dirfd, name);
		close(fd);
		fd = -1;
		e = ENAMETOOLONG;
	}
	close(dirfd);
	if (fd < 0) {
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

void
lab_tmpdir_remove(const char *dir)
{
	const char *base;
	char err[256];
	int dirfd;

	/* Only a folder lab_tmpdir made: one name right under FS_TMP_DIR. */
	if (dir == NULL || strncmp(dir, FS_TMP_DIR "/", strlen(FS_TMP_DIR) + 1) != 0)
		return;
	base = dir + strlen(FS_TMP_DIR) + 1;
	if (base[0] == '\0' || base[0] == '.' || strchr(base, '/') != NULL)
		return;
	dirfd = fs_tmp_dir(err, sizeof(err));
	if (dirfd < 0)
		return;
	(void)fs_remove_tree(dirfd, base);
	close(dirfd);
}

/* Temporary folders of dead runs, as their names in FS_TMP_DIR say
 * (only those of pid only, if it is not 0). */
static void
clean_tmp(int all, pid_t only, int verbose)
{
	char err[256];
	struct dirent *e;
	int dirfd, fd, pid, used;
	DIR *d;

	dirfd = fs_tmp_dir(err, sizeof(err));
	if (dirfd < 0) {
		if (verbose)
			fprintf(stderr, "timewait: %s\n", err);
		return;
	}
	fd = dup(dirfd);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL && fd >= 0)
		close(fd);
	while (d != NULL && (e = readdir(d)) != NULL) {
		used = 0;
		if (sscanf(e->d_name, "%d-%n", &pid, &used) != 1 || used == 0 || pid <= 0)
			continue;
		if ((only != 0 && pid != (int)only) || (!all && owner_alive((pid_t)pid)))
			continue;
		if (fs_remove_tree(dirfd, e->d_name) == 0 && verbose)
			printf("removed %s/%s (owner %d %s)\n", FS_TMP_DIR, e->d_name, pid,
			    all ? "any" : "dead");
	}
	if (d != NULL)
		closedir(d);
	close(dirfd);
}

static void
clean_tracing(int all, pid_t only, int verbose)
{
	char path[PATH_MAX];
	struct statfs sfs;
	struct dirent *e;
	DIR *d;

	if (statfs(LAB_TRACING_DIR, &sfs) < 0 ||
	    (unsigned long)sfs.f_type != TRACEFS_MAGIC_NUMBER)
		return;
	d = opendir(LAB_TRACING_DIR "/instances");
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		pid_t owner = lab_name_owner(e->d_name, NULL);

		if (owner == 0 || (only != 0 && owner != only) || (!all && owner_alive(owner)))
			continue;
		if (fmt(path, sizeof(path), "%s/instances/%s", LAB_TRACING_DIR,
		    e->d_name) < 0)
			continue;
		if (rmdir(path) == 0 && verbose)
			printf("removed tracing instance %s\n", e->d_name);
	}
	closedir(d);
}

const char *
lab_ns_state_name(int state)
{
	switch (state) {
	case LAB_NS_LIVE:
		return "alive";
	case LAB_NS_DEAD_OWNER:
		return "dead";
	case LAB_NS_RECYCLED_PID:
		return "dead, pid reused";
	default:
		return "not a lab";
	}
}

static int
netns_state(const char *name, pid_t *owner, int *seq, struct held_cache *c)
{
	char path[PATH_MAX];
	struct lab_nsid id;
	pid_t pid = lab_name_owner(name, seq);

	if (owner != NULL)
		*owner = pid;
	if (pid == 0)
		return LAB_NS_NOT_OURS;
	if (!owner_alive(pid))
		return LAB_NS_DEAD_OWNER;
	/* Half made (no namespace bound yet): being built. */
	if (fmt(path, sizeof(path), "%s/%s", LAB_NETNS_DIR, name) < 0 ||
	    lab_nsid_of_path(path, &id) < 0 || owner_holds(c, pid, &id))
		return LAB_NS_LIVE;
	return LAB_NS_RECYCLED_PID;
}

int
lab_netns_state(const char *name, pid_t *owner, int *seq)
{
	return netns_state(name, owner, seq, NULL);
}

/* The namespaces of dead owners (of pid only, if not 0), with what still
 * runs inside; all: those of live owners too. How many labs. */
static int
clean_netns(int all, pid_t only, int verbose)
{
	struct stale *s = NULL;
	struct lab_nsid *ids = NULL;
	struct held_cache held;
	struct dirent *e;
	int n = 0, cap = 0, nids = 0, i, labs, killed;
	DIR *d;

	held.n = 0;
	d = opendir(LAB_NETNS_DIR);
	while (d != NULL && (e = readdir(d)) != NULL) {
		int seq, state;
		pid_t owner;

		if (strlen(e->d_name) >= sizeof(s[0].name) ||
		    (only != 0 && lab_name_owner(e->d_name, NULL) != only))
			continue;
		state = netns_state(e->d_name, &owner, &seq, &held);
		if (state == LAB_NS_NOT_OURS || (state == LAB_NS_LIVE && !all))
			continue;
		if (n == cap) {
			struct stale *t = realloc(s, (size_t)(cap ? cap * 2 : 16) * sizeof(*s));

			if (t == NULL)
				break;
			s = t;
			cap = cap ? cap * 2 : 16;
		}
		strcpy(s[n].name, e->d_name);
		s[n].owner = owner;
		s[n].seq = seq;
		s[n].state = state;
		n++;
	}
	if (d != NULL)
		closedir(d);
	held_free(&held);

	if (n > 0)
		ids = calloc((size_t)n, sizeof(*ids));
	for (i = 0; ids != NULL && i < n; i++) {
		char path[PATH_MAX];

		if (fmt(path, sizeof(path), "%s/%s", LAB_NETNS_DIR, s[i].name) == 0 &&
		    lab_nsid_of_path(path, &ids[nids]) == 0)
			nids++;
	}
	killed = lab_kill_inside(ids, nids);
	if (verbose && killed > 0)
		printf("killed %d process%s left in old labs\n", killed,
		    killed == 1 ? "" : "es");
	for (i = 0; i < n; i++) {
		lab_netns_remove(s[i].name);
		if (verbose)
			printf("removed netns %s (owner %d %s)\n", s[i].name, (int)s[i].owner,
			    lab_ns_state_name(s[i].state));
	}
	labs = count_labs(s, n);
	free(ids);
	free(s);
	return labs;
}

int
lab_clean(int all, int verbose)
{
	int labs = clean_netns(all, 0, verbose);

	clean_tracing(all, 0, verbose);
	clean_tmp(all, 0, verbose);
	ktrace_unmount();	/* a tracefs mount a dead run made */
	return labs;
}

/*
 * The same for one owner, as its janitor does once it is gone: only names
 * with that pid in them. Should the pid already serve another process
 * (owner_alive), that process's tracing instances and folders cannot be
 * told from the dead owner's: they are left to `lab clean`, and only the
 * namespaces it does not hold go (netns_state tells).
 */
int
lab_clean_owner(pid_t owner, int keep_labs)
{
	int labs = 0;

	if (owner <= 0)
		return 0;
	if (!keep_labs)
		labs = clean_netns(0, owner, 0);
	clean_tracing(0, owner, 0);
	clean_tmp(0, owner, 0);
	ktrace_unmount_for(owner);	/* only if owner used the mount */
	return labs;
}

int
lab_check_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	uint32_t need = (1u << CAP_NET_ADMIN) | (1u << CAP_SYS_ADMIN);

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) == 0 && (data[0].effective & need) == need)
		return 0;
	fprintf(stderr, "timewait: the lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) "
	    "to make network namespaces; try sudo\n");
	return -1;
}
