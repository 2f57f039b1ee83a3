/*
 * outfile.c - write a run folder's output file through a fresh temporary
 * file and a rename (outfile.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/outfile.h"

int
outfile_write(const char *dir, const char *name,
    int (*fn)(const void *ctx, FILE *f), const void *ctx, char *err,
    size_t errlen)
{
	char path[4200], tmp[4300];
	FILE *f;
	int fd, rc, e;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%.100s/%s: path too long", dir, name);
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	(void)fchmod(fd, 0644);
	if (!(f = fdopen(fd, "w"))) {
		e = errno;
		close(fd);
		unlink(tmp);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	rc = fn(ctx, f);
	e = ferror(f) ? errno : 0;
	if (fflush(f))
		e = e ? e : errno;
	if (fclose(f) && !e)
		e = errno;
	if (rc || e) {
		unlink(tmp);
		snprintf(err, errlen, "%s: %s", path, e ? strerror(e) : "write failed");
		return -1;
	}
	if (rename(tmp, path) == -1) {
		e = errno;
		unlink(tmp);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	return 0;
}
