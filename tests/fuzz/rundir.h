/*
 * rundir.h - the shared part of the run-folder fuzz targets: a copy of a
 * real run folder (tests/fuzz/rundir/000) in a private temporary
 * folder, one of whose files each input replaces before the folder is
 * loaded through the readers' public entry point, timeline_load. The
 * targets stay at that level on purpose: the readers behind it are being
 * rewritten, the entry point is what stays.
 *
 * Each target is one line: RUNDIR_TARGET("trace.jsonl").
 */
#ifndef TIMEWAIT_FUZZ_RUNDIR_H
#define TIMEWAIT_FUZZ_RUNDIR_H

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/timeline.h"

#ifndef FUZZ_FIXTURE
#define FUZZ_FIXTURE "tests/fuzz/rundir/000"
#endif

static char rundir_top[4096];	/* the private folder, removed at exit */
static char rundir_dir[4200];	/* rundir_top/000: the run folder */

static void
rundir_remove(void)
{
	char path[512];
	struct dirent *e;
	DIR *d;

	if (rundir_dir[0] == '\0')
		return;
	d = opendir(rundir_dir);
	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", rundir_dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	if (d != NULL)
		closedir(d);
	rmdir(rundir_dir);
	rmdir(rundir_top);
}

static int
rundir_write(const char *name, const uint8_t *data, size_t size)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", rundir_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	while (size > 0) {
		ssize_t n = write(fd, data, size);

		if (n <= 0)
			break;
		data += n;
		size -= (size_t)n;
	}
	return close(fd);
}

/* Copies the fixture once; aborts if it cannot (a harness error). */
static void
rundir_setup(void)
{
	const char *fixture = getenv("FUZZ_FIXTURE");
	char path[512], buf[1 << 16];
	struct dirent *e;
	DIR *d;

	if (rundir_dir[0] != '\0')
		return;
	if (fixture == NULL)
		fixture = FUZZ_FIXTURE;
	/* In FUZZ_WORKDIR when set (tests/fuzz/run.sh: removed even after a
	 * crash, when atexit does not run), else in /tmp. */
	snprintf(rundir_top, sizeof(rundir_top), "%s/twfuzz-%d.XXXXXX",
	    getenv("FUZZ_WORKDIR") ? getenv("FUZZ_WORKDIR") : "/tmp", (int)getpid());
	if (mkdtemp(rundir_top) == NULL)
		abort();
	snprintf(rundir_dir, sizeof(rundir_dir), "%s/000", rundir_top);
	if (mkdir(rundir_dir, 0700) < 0)
		abort();
	atexit(rundir_remove);
	d = opendir(fixture);
	if (d == NULL) {
		fprintf(stderr, "fuzz: no fixture %s (set FUZZ_FIXTURE)\n", fixture);
		abort();
	}
	while ((e = readdir(d)) != NULL) {
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", fixture, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n >= 0)
			rundir_write(e->d_name, (const uint8_t *)buf, (size_t)n);
	}
	closedir(d);
}

/* Saves the fixture's version of name, writes the input, loads, restores. */
static void
rundir_one(const char *name, const uint8_t *data, size_t size)
{
	static uint8_t saved[1 << 16];
	static ssize_t nsaved = -2;
	static const char *saved_name;
	struct timeline *tl = NULL;
	char path[512], err[512];

	rundir_setup();
	snprintf(path, sizeof(path), "%s/%s", rundir_dir, name);
	if (saved_name != name) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		nsaved = fd < 0 ? -1 : read(fd, saved, sizeof(saved));
		if (fd >= 0)
			close(fd);
		saved_name = name;
	}
	if (rundir_write(name, data, size) < 0)
		abort();
	if (timeline_load(rundir_dir, &tl, err, sizeof(err)) == 0)
		timeline_free(tl);
	if (nsaved >= 0)
		rundir_write(name, saved, (size_t)nsaved);
	else
		unlink(path);
}

#define RUNDIR_TARGET(name)						\
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);	\
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)	\
	{								\
		rundir_one(name, data, size);				\
		return 0;						\
	}

#endif
