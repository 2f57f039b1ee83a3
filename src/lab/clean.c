/*
 * clean.c - removal of what a lab leaves behind, and the privilege check.
 *
 * Every lab name starts with "tw-<owner pid>-<seq>", so a lab whose owner
 * process is gone (killed with SIGKILL, crashed) is recognisable by name
 * alone: its /run/netns entries and its tracing instances are removed by
 * whoever runs next (lab_build calls lab_clean(0, 0) first). The processes
 * still inside such a namespace are found the only reliable way, by
 * comparing each /proc/PID/ns/net with the namespace's nsfs inode: they are
 * killed first, or they would keep the namespace (and its links) alive.
 */
#include <dirent.h>
#include <errno.h>
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

static int
owner_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

struct stale {
	char name[256];
	pid_t owner;
	int seq;
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

static void
clean_tracing(int all, int verbose)
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

		if (owner == 0 || (!all && owner_alive(owner)))
			continue;
		if (fmt(path, sizeof(path), "%s/instances/%s", LAB_TRACING_DIR,
		    e->d_name) < 0)
			continue;
		if (rmdir(path) == 0 && verbose)
			printf("removed tracing instance %s\n", e->d_name);
	}
	closedir(d);
}

int
lab_clean(int all, int verbose)
{
	struct stale *s = NULL;
	struct lab_nsid *ids = NULL;
	struct dirent *e;
	int n = 0, cap = 0, nids = 0, i, labs, killed;
	DIR *d;

	d = opendir(LAB_NETNS_DIR);
	while (d != NULL && (e = readdir(d)) != NULL) {
		int seq;
		pid_t owner = lab_name_owner(e->d_name, &seq);

		if (owner == 0 || (!all && owner_alive(owner)))
			continue;
		if (strlen(e->d_name) >= sizeof(s[0].name))
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
		n++;
	}
	if (d != NULL)
		closedir(d);

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
			printf("removed netns %s (owner %d %s)\n", s[i].name,
			    (int)s[i].owner, owner_alive(s[i].owner) ? "alive" : "dead");
	}
	labs = count_labs(s, n);
	free(ids);
	free(s);
	clean_tracing(all, verbose);
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
