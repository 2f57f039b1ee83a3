/*
 * tracefs.c - the tracefs mount, when timewait makes it (see ktrace.h:
 * ktrace_mount, ktrace_unmount, ktrace_unmount_for): a mark per maker in
 * /run/timewait, so that a mount somebody else made is never touched and
 * one of ours goes once no live maker counts on it. Used by every tracing
 * instance (host/tinst.c) and by lab clean.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/ktrace.h"
#include "util.h"

/*
 * Mounts tracefs where the kernel documents it, if nothing is there yet
 * (tracefs_tracing_dir_is_mounted would do it, but leaks its path), and
 * leaves a mark, MARK_DIR/tracefs.<pid>: a mount of ours, which a later
 * ktrace_unmount (at the end of a run, or from lab clean) may take away
 * once its maker is gone, even if that maker was killed. A mount somebody
 * else made has no mark and is never touched.
 */
#define MARK_DIR "/run/timewait"

static int marks_ours(int remove);

/* How many marks of timewait's tracefs mounts there are. */
static int
marks_count(void)
{
	DIR *d = opendir(MARK_DIR);
	struct dirent *e;
	int pid, n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		n += sscanf(e->d_name, "tracefs.%d", &pid) == 1;
	if (d != NULL)
		closedir(d);
	return n;
}

static void
mark(void)
{
	char path[64];
	int fd;

	(void)mkdir(MARK_DIR, 0755);
	snprintf(path, sizeof(path), MARK_DIR "/tracefs.%d", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

int
ktrace_mount(void)
{
	struct stat st;

	if (stat(TRACEFS_DIR "/instances", &st) == 0) {
		/*
		 * A mount timewait made (a mark is there, maybe of a killed
		 * run): mark it ours too, so that a lab clean meanwhile does
		 * not take it away under us (libtracefs would then mount it
		 * again, unmarked).
		 */
		if (marks_count() == 0)
			return 0;
		mark();
		return 1;
	}
	if (mount("nodev", TRACEFS_DIR, "tracefs", 0, NULL) < 0)
		return -1;
	mark();
	return 1;
}

/* Marks of tracefs mounts: 1 if there is one and each is ours or a dead
 * process's; 0 if there is none or a live process still counts on one. */
static int
marks_ours(int remove)
{
	DIR *d = opendir(MARK_DIR);
	struct dirent *e;
	char path[300];
	int pid, n = 0, live = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (sscanf(e->d_name, "tracefs.%d", &pid) != 1 || pid <= 0)
			continue;
		n++;
		if (pid != (int)getpid() && pid_alive(pid))
			live++;
		else if (remove && snprintf(path, sizeof(path), MARK_DIR "/%s", e->d_name) > 0)
			unlink(path);
	}
	if (d != NULL)
		closedir(d);
	return n > 0 && live == 0;
}

void
ktrace_unmount(void)
{
	DIR *d = opendir(TRACEFS_DIR "/instances");
	struct dirent *e;
	int busy = 0;

	/* An instance in use, or a live maker: leave the mount to them. */
	while (d != NULL && (e = readdir(d)) != NULL)
		busy += e->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	if (busy || !marks_ours(0))
		return;
	if (umount2(TRACEFS_DIR, MNT_DETACH) == 0)
		marks_ours(1);
}

/*
 * For pid, a dead process, only if it marked the mount: ktrace_unmount;
 * and if the mount must stay since a live process marks it too, pid's mark
 * goes (the last of them takes the mount away, and the marks of the dead
 * with it). Kept otherwise (an instance of somebody else's in use), so
 * that a later ktrace_unmount still knows the mount is timewait's.
 */
void
ktrace_unmount_for(pid_t pid)
{
	DIR *d;
	struct dirent *e;
	char path[300];
	int other, live = 0;

	if (snprintf(path, sizeof(path), MARK_DIR "/tracefs.%d", (int)pid) <= 0 ||
	    access(path, F_OK) < 0 || pid_alive((int)pid))
		return;
	ktrace_unmount();
	d = opendir(MARK_DIR);
	while (d != NULL && (e = readdir(d)) != NULL)
		if (sscanf(e->d_name, "tracefs.%d", &other) == 1 && other > 0 &&
		    other != (int)pid && pid_alive(other))
			live++;
	if (d != NULL)
		closedir(d);
	if (live > 0)
		(void)unlink(path);
}
