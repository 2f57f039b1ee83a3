/*
 * fsafe.c - descriptor-anchored file operations (see fsafe.h): identifier
 * checks, output folders opened and checked component by component,
 * fresh folders, removal and chown walks that never follow a link, whole
 * files written atomically, and the tool's own root-only folders.
 *
 * Why descriptors: a path is looked up again at every use, and any folder
 * on it that another user can write lets them change what it names between
 * two uses. A descriptor names the folder we checked, whatever happens to
 * its name afterwards.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsafe.h"
#include "util.h"

#define WALK_DEPTH_MAX 64	/* folders within folders a walk goes into */

int
fs_valid_id(const char *s)
{
	size_t i, n;

	if (s == NULL || s[0] == '\0')
		return 0;
	n = strlen(s);
	if (n > FS_ID_MAX || strstr(s, "..") != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	return 1;
}

static int
env_id(const char *name, long *out)
{
	return parse_long(getenv(name), 0, INT32_MAX - 1, out);
}

void
fs_result_owner(uid_t *uid, gid_t *gid)
{
	long u, g;

	*uid = getuid();
	*gid = getgid();
	if (geteuid() == 0 && env_id("SUDO_UID", &u) == 0 && env_id("SUDO_GID", &g) == 0) {
		*uid = (uid_t)u;
		*gid = (gid_t)g;
	}
}

/* Not root: the kernel's own permissions keep us off others' files, and a
 * folder others may write is the caller's own business. */
static int
privileged(void)
{
	return geteuid() == 0;
}

static int
trusted_uid(uid_t uid)
{
	uid_t me;
	gid_t g;

	fs_result_owner(&me, &g);
	return !privileged() || uid == 0 || uid == me || uid == geteuid();
}

int
fs_check_outdir(int dirfd, const char *shown, int fresh, char *err, size_t errlen)
{
	struct stat st;
	uid_t me;
	gid_t g;

	fs_result_owner(&me, &g);
	if (fstat(dirfd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a folder", shown);
		errno = ENOTDIR;
		return -1;
	}
	if (!trusted_uid(st.st_uid)) {
		snprintf(err, errlen, "%s belongs to uid %u, not to root or to you (uid %u): "
		    "refusing to write there as root; choose a folder of your own",
		    shown, (unsigned)st.st_uid, (unsigned)me);
		errno = EPERM;
		return -1;
	}
	if (!fresh && privileged() && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(err, errlen, "%s is writable by %s (mode %04o): refusing to write "
		    "there as root; chmod go-w it or choose another folder", shown,
		    (st.st_mode & S_IWOTH) ? "others" : "its group",
		    (unsigned)(st.st_mode & 07777));
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* A folder we pass through: trusted owner; writable by others only if
 * sticky (then others cannot rename what is not theirs). */
static int
check_passage(int fd, const char *shown, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		return -1;
	}
	if (!trusted_uid(st.st_uid) || (privileged() &&
	    (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
		snprintf(err, errlen, "%s can be changed by another user (owner uid %u, "
		    "mode %04o): refusing to write below it as root", shown,
		    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* Open one component: a link is followed only if root or the result owner
 * made it (an entry of a folder we checked, so it cannot change under us). */
static int
open_component(int at, const char *name, const char *shown, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 || (errno != ELOOP && errno != ENOTDIR))
		goto done;
	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode)) {
		errno = ENOTDIR;
		goto done;
	}
	if (!trusted_uid(st.st_uid)) {
		snprintf(err, errlen, "%s is a link made by uid %u: refusing to follow it as root",
		    shown, (unsigned)st.st_uid);
		errno = EPERM;
		return -1;
	}
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
done:
	if (fd < 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
	return fd;
}

static int
open_dir(const char *path, int create, int passage, char *err, size_t errlen)
{
	char buf[PATH_MAX], shown[PATH_MAX], *p, *next;
	uid_t uid;
	gid_t gid;
	int fd, sub, fresh = 0;

	err[0] = '\0';
	if (path == NULL || path[0] == '\0' || fmt(buf, sizeof(buf), "%s", path) < 0) {
		snprintf(err, errlen, "no folder, or a path too long");
		errno = EINVAL;
		return -1;
	}
	fs_result_owner(&uid, &gid);
	fd = open(buf[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(shown, sizeof(shown), "%s", buf[0] == '/' ? "/" : ".");
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		return -1;
	}
	for (p = buf; *p == '/'; p++)
		;
	while (*p != '\0') {
		next = strchr(p, '/');
		if (next != NULL) {
			*next++ = '\0';
			while (*next == '/')
				next++;
		} else {
			next = p + strlen(p);
		}
		if (strcmp(p, ".") == 0) {
			p = next;
			continue;
		}
		fresh = 0;
		if (check_passage(fd, shown, err, errlen) < 0)
			goto fail;
		(void)fmt(shown + strlen(shown), sizeof(shown) - strlen(shown), "%s%s",
		    shown[strlen(shown) - 1] == '/' ? "" : "/", p);
		if (create && mkdirat(fd, p, 0755) == 0) {
			fresh = 1;
			sub = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0 && geteuid() == 0)
				(void)fchown(sub, uid, gid);
		} else if (create && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", shown, strerror(errno));
			goto fail;
		} else {
			sub = open_component(fd, p, shown, err, errlen);
		}
		if (sub < 0)
			goto fail;
		close(fd);
		fd = sub;
		p = next;
	}
	if ((passage ? check_passage(fd, shown, err, errlen) :
	    fs_check_outdir(fd, shown, fresh, err, errlen)) < 0)
		goto fail;
	return fd;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
	close(fd);
	return -1;
}

int
fs_open_outdir(const char *path, int create, char *err, size_t errlen)
{
	return open_dir(path, create, 0, err, errlen);
}

int
fs_open_parent(const char *path, int create, char *err, size_t errlen)
{
	return open_dir(path, create, 1, err, errlen);
}

int
fs_fd_path(char *buf, size_t len, int dirfd, const char *name)
{
	if (name == NULL)
		return fmt(buf, len, "/proc/self/fd/%d", dirfd);
	return fmt(buf, len, "/proc/self/fd/%d/%s", dirfd, name);
}

int
fs_mkdtempat(int dirfd, const char *prefix, char *name, size_t len)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[6];
	int tries, i, fd;

	for (tries = 0; tries < 100; tries++) {
		char x[7];

		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return -1;
		for (i = 0; i < 6; i++)
			x[i] = set[rnd[i] % (sizeof(set) - 1)];
		x[6] = '\0';
		if (fmt(name, len, "%s%s", prefix, x) < 0) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (mkdirat(dirfd, name, 0755) == 0) {
			fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				(void)unlinkat(dirfd, name, AT_REMOVEDIR);
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

static int empty_walk(int dirfd, int depth);

/* Remove one entry of dirfd, a folder by the walk. */
static int
remove_entry(int dirfd, const char *name, int depth)
{
	int sub, rc, tries;

	for (tries = 0; tries < 8; tries++) {
		if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
			return 0;
		if (errno != EISDIR && errno != EPERM)
			return -1;
		/* A folder: into it by descriptor, never through a link (a
		 * folder swapped for a link now makes openat fail, and the
		 * next round unlinks the link itself). */
		sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno == ENOENT)
				return 0;
			if (errno == ELOOP || errno == ENOTDIR)
				continue;
			return -1;
		}
		rc = empty_walk(sub, depth + 1);
		if (rc < 0)
			return -1;
		if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != ENOTDIR && errno != ENOTEMPTY)
			return -1;
	}
	errno = EBUSY;
	return -1;
}

/* Empties dirfd, which it closes. */
static int
empty_walk(int dirfd, int depth)
{
	struct dirent *e;
	int rc = 0, removed;
	DIR *d;

	if (depth > WALK_DEPTH_MAX) {
		close(dirfd);
		errno = ELOOP;
		return -1;
	}
	d = fdopendir(dirfd);
	if (d == NULL) {
		close(dirfd);
		return -1;
	}
	do {
		removed = 0;
		rewinddir(d);
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (remove_entry(dirfd, e->d_name, depth) < 0)
				rc = -1;
			else
				removed++;
		}
	} while (rc == 0 && removed > 0);
	closedir(d);
	return rc;
}

int
fs_empty_dir(int dirfd)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);

	return fd < 0 ? -1 : empty_walk(fd, 0);
}

int
fs_remove_tree(int dirfd, const char *name)
{
	return remove_entry(dirfd, name, 0);
}

static int
chown_walk(int dirfd, uid_t uid, gid_t gid, int depth)
{
	struct dirent *e;
	int rc = 0, sub;
	DIR *d;

	if (depth > WALK_DEPTH_MAX) {
		close(dirfd);
		return -1;
	}
	d = fdopendir(dirfd);
	if (d == NULL) {
		close(dirfd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fchownat(dirfd, e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			rc = -1;
		sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0 && chown_walk(sub, uid, gid, depth + 1) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
fs_chown_tree(int dirfd, const char *name, uid_t uid, gid_t gid)
{
	int fd;

	if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR || errno == ELOOP ? 0 : -1;
	return chown_walk(fd, uid, gid, 0);
}

int
fs_replace_dir(int fromdir, const char *tmpname, int todir, const char *name,
    char *err, size_t errlen)
{
	if (renameat2(fromdir, tmpname, todir, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EEXIST) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmpname, name, strerror(errno));
		return -1;
	}
	if (renameat2(fromdir, tmpname, todir, name, RENAME_EXCHANGE) < 0) {
		snprintf(err, errlen, "cannot put %s in place of %s: %s", tmpname, name,
		    strerror(errno));
		return -1;
	}
	/* tmpname is now the old one. */
	if (fs_remove_tree(fromdir, tmpname) < 0) {
		snprintf(err, errlen, "cannot remove the previous %s (now %s): %s", name,
		    tmpname, strerror(errno));
		return -1;
	}
	return 0;
}

void
fs_remove_dead(int dirfd, const char *prefix)
{
	size_t plen = strlen(prefix);
	struct dirent *e;
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0), used;
	long pid;
	DIR *d;

	d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		used = 0;
		if (strncmp(e->d_name, prefix, plen) != 0 ||
		    sscanf(e->d_name + plen, "%ld.%n", &pid, &used) != 1 || used == 0 ||
		    pid <= 0 || pid > INT32_MAX)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		(void)fs_remove_tree(dirfd, e->d_name);
	}
	closedir(d);
}

int
fs_split(const char *path, char *dir, size_t dirlen, char *base, size_t baselen)
{
	size_t n = strlen(path);
	const char *slash;

	while (n > 1 && path[n - 1] == '/')
		n--;
	slash = memrchr(path, '/', n);
	if (slash == NULL) {
		if (fmt(dir, dirlen, ".") < 0 || fmt(base, baselen, "%.*s", (int)n, path) < 0)
			goto bad;
	} else if (fmt(dir, dirlen, "%.*s", slash == path ? 1 : (int)(slash - path), path) < 0 ||
	    fmt(base, baselen, "%.*s", (int)(n - (size_t)(slash + 1 - path)), slash + 1) < 0) {
		goto bad;
	}
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int
fs_may_replace(int dirfd, const char *name, const char *shown,
    const char *const *markers, char *err, size_t errlen)
{
	struct dirent *e;
	struct stat st;
	int fd, i, empty = 1, marked = 0;
	DIR *d;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a folder%s: not replacing it", shown,
		    S_ISLNK(st.st_mode) ? " (a symbolic link)" : "");
		errno = EEXIST;
		return -1;
	}
	if (!trusted_uid(st.st_uid)) {
		snprintf(err, errlen, "%s belongs to uid %u, not to root or to you: "
		    "not replacing it as root", shown, (unsigned)st.st_uid);
		errno = EPERM;
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		empty = 0;
		for (i = 0; markers[i] != NULL; i++)
			if (strcmp(e->d_name, markers[i]) == 0 &&
			    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode))
				marked = 1;
	}
	closedir(d);
	if (empty || marked)
		return 0;
	snprintf(err, errlen, "%s exists and is not a run folder (no %s in it): "
	    "not replacing it; move it away or choose another folder", shown, markers[0]);
	errno = EEXIST;
	return -1;
}

int
fs_create(int dirfd, const char *name, int flags, mode_t mode)
{
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -1;
	return openat(dirfd, name, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
}

int
fs_write_file(int dirfd, const char *name, const void *buf, size_t len, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	int fd, e;

	if (fmt(tmp, sizeof(tmp), ".%.200s.tmp-%d", name, (int)getpid()) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = fs_create(dirfd, tmp, O_WRONLY, mode);
	if (fd < 0)
		return -1;
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		(void)unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
		e = errno;
		(void)unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * The first max bytes of a regular file (not a link) in dirfd, into a
 * malloc'd buffer ending with '\0'; *size its whole size. whole: a file
 * longer than max is refused (EFBIG) instead of cut.
 */
static int
read_head(int dirfd, const char *name, size_t max, int owner_only, int whole,
    char **buf, size_t *len, off_t *size)
{
	struct stat st;
	size_t got = 0, want;
	ssize_t n;
	char *b;
	int fd;

	*buf = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO planted in a file's place does not block the open */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		n = errno;
		close(fd);
		errno = (int)n;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (whole && (size_t)st.st_size > max) ||
	    (owner_only && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))))) {
		close(fd);
		errno = !S_ISREG(st.st_mode) ? EINVAL :
		    whole && (size_t)st.st_size > max ? EFBIG : EPERM;
		return -1;
	}
	if (size != NULL)
		*size = st.st_size;
	/* What fstat said, at most max: a file that grows meanwhile is cut
	 * there, one that shrinks read to its end. */
	want = (size_t)st.st_size < max ? (size_t)st.st_size : max;
	b = malloc(want + 1);
	if (b == NULL) {
		close(fd);
		return -1;
	}
	while (got < want) {
		n = read(fd, b + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	b[got] = '\0';
	*buf = b;
	*len = got;
	return 0;
}

int
fs_read_file(int dirfd, const char *name, size_t max, int owner_only, char **buf,
    size_t *len)
{
	return read_head(dirfd, name, max, owner_only, 1, buf, len, NULL);
}

int
fs_read_head(int dirfd, const char *name, size_t max, int owner_only, char **buf,
    size_t *len, off_t *size)
{
	return read_head(dirfd, name, max, owner_only, 0, buf, len, size);
}

/* The folder of path, opened and checked; name gets the file's name. */
static int
out_file_dir(const char *path, char *name, size_t namelen, char *err, size_t errlen)
{
	char dir[PATH_MAX];

	struct stat st;
	int fd;

	if (path == NULL || fs_split(path, dir, sizeof(dir), name, namelen) < 0) {
		snprintf(err, errlen, "%s: not a file name", path ? path : "(none)");
		return -1;
	}
	/* A file is made new (fs_create), so a sticky folder such as /tmp
	 * will do; but another user's file there is theirs, not replaced. */
	fd = fs_open_parent(dir, 0, err, errlen);
	if (fd >= 0 && fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !trusted_uid(st.st_uid)) {
		snprintf(err, errlen, "%s belongs to uid %u, not to root or to you: "
		    "not replacing it as root", path, (unsigned)st.st_uid);
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int
fs_check_out_file(const char *path, char *err, size_t errlen)
{
	char name[NAME_MAX + 1];
	struct stat st;
	int dirfd = out_file_dir(path, name, sizeof(name), err, errlen);

	if (dirfd < 0)
		return -1;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is a folder", path);
		close(dirfd);
		return -1;
	}
	close(dirfd);
	return 0;
}

FILE *
fs_fopen_out(const char *path, char *err, size_t errlen)
{
	char name[NAME_MAX + 1];
	uid_t uid;
	gid_t gid;
	FILE *f;
	int dirfd, fd, e;

	dirfd = out_file_dir(path, name, sizeof(name), err, errlen);
	if (dirfd < 0)
		return NULL;
	fd = fs_create(dirfd, name, O_WRONLY, 0644);
	e = errno;
	close(dirfd);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	fs_result_owner(&uid, &gid);
	if (geteuid() == 0 && (uid != 0 || gid != 0))
		(void)fchown(fd, uid, gid);
	f = fdopen(fd, "w");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

/* A folder of root's own: made if missing with mode, then checked. */
static int
own_dir(int at, const char *name, const char *shown, mode_t mode, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (mkdirat(at, name, mode) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", shown, strerror(errno));
		return -1;
	}
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 07777 & ~mode)) {
		snprintf(err, errlen, "%s is not root's own folder (owner uid %u, mode %04o): "
		    "remove it and try again", shown, (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 07777));
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int
fs_state_dir(char *err, size_t errlen)
{
	int run = open("/run", O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;

	if (run < 0) {
		snprintf(err, errlen, "/run: %s", strerror(errno));
		return -1;
	}
	fd = own_dir(run, FS_STATE_DIR + 5, FS_STATE_DIR, 0755, err, errlen);
	close(run);
	return fd;
}

int
fs_tmp_dir(char *err, size_t errlen)
{
	int state = fs_state_dir(err, errlen), fd;

	if (state < 0)
		return -1;
	fd = own_dir(state, "tmp", FS_TMP_DIR, 0700, err, errlen);
	close(state);
	return fd;
}
