/*
 * testdir.c - where one test of `lab run` writes: a folder made fresh by
 * root beside the old one, out/.tw-<pid>.XXXXXX/<test>/, so nobody else
 * can plant a link or a file in it while the run writes there; once
 * written it is given to the user who ran sudo and put in place of
 * out/<test> as a whole (fs_replace_dir), by descriptors. An old folder is
 * replaced only if it is an earlier run's (fs_may_replace), never partly
 * deleted by name patterns. docs/security.md says why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsafe.h"
#include "lab/janitor.h"
#include "lab/runint.h"
#include "util.h"

/* Markers of a test folder an earlier run wrote (fs_may_replace). */
static const char *const test_markers[] = { "result.json", "lab.json", NULL };

int
run_testdir_fresh(const struct test_spec *t, const struct run_opts *o, char *wrap,
    size_t wraplen, char *dir, size_t dirlen)
{
	char prefix[32], err[PATH_MAX + 128], shown[PATH_MAX + 64];
	int wfd;

	(void)fmt(shown, sizeof(shown), "%s/%s", o->out, t->id);
	if (!fs_valid_id(t->id)) {	/* it becomes a folder name */
		progress("ERROR bad test id '%s'", t->id);
		return -1;
	}
	if (fs_may_replace(o->outfd, t->id, shown, test_markers, err, sizeof(err)) == -1) {
		progress("ERROR %s", err);
		return -1;
	}
	/* Should this process be killed outright, its janitor removes it. */
	(void)janitor_add_dir(o->outfd, RUN_FRESH_PREFIX);
	if (fmt(prefix, sizeof(prefix), RUN_FRESH_PREFIX "%d.", (int)getpid()) == -1 ||
	    (wfd = fs_mkdtempat(o->outfd, prefix, wrap, wraplen)) == -1) {
		progress("ERROR cannot make a folder in %s: %s", o->out, strerror(errno));
		return -1;
	}
	/* A path, not a descriptor: the programs' private mount namespace
	 * binds the hosts file from it. Every folder on it was checked by
	 * fs_open_outdir or made here by root. */
	if (mkdirat(wfd, t->id, 0755) == -1 ||
	    fmt(dir, dirlen, "%s/%s/%s", o->out, wrap, t->id) == -1) {
		progress("ERROR cannot make a folder in %s: %s", o->out, strerror(errno));
		(void)fs_remove_tree(o->outfd, wrap);
		close(wfd);
		return -1;
	}
	return wfd;
}

int
run_testdir_install(const struct test_spec *t, const struct run_opts *o, int wfd,
    const char *wrap, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;
	int rc;

	fs_result_owner(&uid, &gid);
	/* A filesystem without owners (vfat) keeps root's: said, not fatal. */
	if (geteuid() == 0 && (uid != 0 || gid != 0) &&
	    fs_chown_tree(wfd, t->id, uid, gid) == -1)
		fprintf(stderr, "timewait lab run: cannot give %s/%s to uid %u: %s\n", o->out,
		    t->id, (unsigned)uid, strerror(errno));
	rc = fs_replace_dir(wfd, t->id, o->outfd, t->id, err, errlen);
	close(wfd);
	(void)fs_remove_tree(o->outfd, wrap);
	return rc;
}

int
run_lab_write_error(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EIO || e == EFBIG || e == EROFS;
}
