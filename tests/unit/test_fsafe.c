/*
 * test_fsafe.c - the descriptor-anchored file operations (src/fsafe.c):
 * identifiers, the removal walk racing a folder swapped for a link
 * (renameat2 RENAME_EXCHANGE, as the attacker did), replacing a
 * folder as a whole, new files where a link was planted, whole-file
 * writes, and what an output folder must be.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsafe.h"

static char top[] = "/tmp/twt-fsafe-XXXXXX";

static void
touch_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	close(fd);
}

static int
count_entries(const char *path)
{
	struct dirent *e;
	DIR *d = opendir(path);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
ids(void **state)
{
	(void)state;
	assert_true(fs_valid_id("tw-123-1"));
	assert_true(fs_valid_id("005"));
	assert_true(fs_valid_id("a.b_c-d"));
	assert_true(fs_valid_id("0123456789012345678901234567890123456789"));
	assert_false(fs_valid_id("01234567890123456789012345678901234567890"));
	assert_false(fs_valid_id(""));
	assert_false(fs_valid_id(NULL));
	assert_false(fs_valid_id("../../etc/passwd"));
	assert_false(fs_valid_id("a/b"));
	assert_false(fs_valid_id("a..b"));
	assert_false(fs_valid_id(".hidden"));
	assert_false(fs_valid_id("-x"));
	assert_false(fs_valid_id("a b"));
	assert_false(fs_valid_id("tw-1\n"));
}

struct swapper {
	int dirfd;
	volatile int stop;
	long swaps;
};

/* The attacker: swaps the folder "sub" and the link "lnk" (to the victim
 * folder) back and forth as fast as it can. */
static void *
swap_loop(void *arg)
{
	struct swapper *s = arg;

	while (!s->stop)
		if (renameat2(s->dirfd, "sub", s->dirfd, "lnk", RENAME_EXCHANGE) == 0)
			s->swaps++;
	return NULL;
}

static void
remove_walk_races_a_swap(void **state)
{
	char victim[256], tree[256], name[32];
	int topfd, vfd, tfd, sfd, round, i;
	struct swapper s;
	pthread_t th;

	(void)state;
	topfd = open(top, O_RDONLY | O_DIRECTORY);
	assert_true(topfd >= 0);
	snprintf(victim, sizeof(victim), "%s/victim", top);
	assert_int_equal(mkdir(victim, 0700), 0);
	vfd = open(victim, O_RDONLY | O_DIRECTORY);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "v%d", i);
		touch_at(vfd, name);
	}
	for (round = 0; round < 20; round++) {
		snprintf(tree, sizeof(tree), "%s/tree", top);
		assert_int_equal(mkdir(tree, 0755), 0);
		tfd = open(tree, O_RDONLY | O_DIRECTORY);
		assert_int_equal(mkdirat(tfd, "sub", 0755), 0);
		sfd = openat(tfd, "sub", O_RDONLY | O_DIRECTORY);
		for (i = 0; i < 300; i++) {
			snprintf(name, sizeof(name), "f%d", i);
			touch_at(sfd, name);
		}
		close(sfd);
		assert_int_equal(symlinkat(victim, tfd, "lnk"), 0);
		memset(&s, 0, sizeof(s));
		s.dirfd = tfd;
		assert_int_equal(pthread_create(&th, NULL, swap_loop, &s), 0);
		usleep(1000);
		(void)fs_remove_tree(topfd, "tree");
		s.stop = 1;
		pthread_join(th, NULL);
		close(tfd);
		/* Whatever the walk met, nothing of the victim's went. */
		assert_int_equal(count_entries(victim), 300);
		if (fs_remove_tree(topfd, "tree") != 0)
			fail_msg("second removal failed: %s", strerror(errno));
		assert_int_equal(faccessat(topfd, "tree", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	}
	assert_int_equal(fs_remove_tree(topfd, "victim"), 0);
	close(vfd);
	close(topfd);
}

static void
replace_whole(void **state)
{
	char err[256], name[64];
	int topfd, nfd;

	(void)state;
	topfd = open(top, O_RDONLY | O_DIRECTORY);
	/* An earlier run's folder with a file the new one does not have. */
	assert_int_equal(mkdirat(topfd, "000", 0755), 0);
	nfd = openat(topfd, "000", O_RDONLY | O_DIRECTORY);
	touch_at(nfd, "result.json");
	touch_at(nfd, "old.only");
	close(nfd);
	nfd = fs_mkdtempat(topfd, ".tw-1.", name, sizeof(name));
	assert_true(nfd >= 0);
	assert_int_equal(strncmp(name, ".tw-1.", 6), 0);
	touch_at(nfd, "result.json");
	close(nfd);
	assert_int_equal(fs_replace_dir(topfd, name, topfd, "000", err, sizeof(err)), 0);
	assert_int_equal(faccessat(topfd, "000/result.json", F_OK, 0), 0);
	assert_int_equal(faccessat(topfd, "000/old.only", F_OK, 0), -1);
	assert_int_equal(faccessat(topfd, name, F_OK, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(fs_remove_tree(topfd, "000"), 0);
	close(topfd);
}

static void
may_replace(void **state)
{
	static const char *const markers[] = { "result.json", NULL };
	char err[256];
	int topfd, fd;

	(void)state;
	topfd = open(top, O_RDONLY | O_DIRECTORY);
	assert_int_equal(fs_may_replace(topfd, "missing", "missing", markers, err, sizeof(err)), 0);
	assert_int_equal(symlinkat("/etc", topfd, "link"), 0);
	assert_int_equal(fs_may_replace(topfd, "link", "link", markers, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(mkdirat(topfd, "other", 0755), 0);
	fd = openat(topfd, "other", O_RDONLY | O_DIRECTORY);
	touch_at(fd, "precious.txt");
	close(fd);
	assert_int_equal(fs_may_replace(topfd, "other", "other", markers, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a run folder"));
	assert_int_equal(mkdirat(topfd, "empty", 0755), 0);
	assert_int_equal(fs_may_replace(topfd, "empty", "empty", markers, err, sizeof(err)), 0);
	unlinkat(topfd, "link", 0);
	fs_remove_tree(topfd, "other");
	fs_remove_tree(topfd, "empty");
	close(topfd);
}

static void
create_never_follows(void **state)
{
	char target[256], buf[16];
	int topfd, fd;
	ssize_t n;

	(void)state;
	topfd = open(top, O_RDONLY | O_DIRECTORY);
	snprintf(target, sizeof(target), "%s/target", top);
	fd = open(target, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, "secret", 6), 6);
	close(fd);
	assert_int_equal(symlinkat(target, topfd, "out.svg"), 0);
	fd = fs_create(topfd, "out.svg", O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "new", 3), 3);
	close(fd);
	fd = open(target, O_RDONLY);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "secret", 6);
	/* Whole files, and a folder in the way is an error, not emptied. */
	assert_int_equal(fs_write_file(topfd, "whole.json", "{}", 2, 0644), 0);
	assert_int_equal(mkdirat(topfd, "adir", 0755), 0);
	assert_int_equal(fs_create(topfd, "adir", O_WRONLY, 0644), -1);
	unlink(target);
	unlinkat(topfd, "out.svg", 0);
	unlinkat(topfd, "whole.json", 0);
	unlinkat(topfd, "adir", AT_REMOVEDIR);
	close(topfd);
}

static void
outdir_rules(void **state)
{
	char path[256], err[512], dir[64], base[64];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/open", top);
	assert_int_equal(mkdir(path, 0777), 0);
	assert_int_equal(chmod(path, 0777), 0);
	assert_int_equal(fs_open_outdir(path, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "writable by others"));
	assert_int_equal(chmod(path, 0755), 0);
	fd = fs_open_outdir(path, 0, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	/* Made when missing, parents too; a fresh folder passes. */
	snprintf(path, sizeof(path), "%s/open/a/b", top);
	fd = fs_open_outdir(path, 1, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/open", top);
	assert_int_equal(fs_remove_tree(AT_FDCWD, path), 0);
	assert_int_equal(fs_split("/a/b/", dir, sizeof(dir), base, sizeof(base)), 0);
	assert_string_equal(dir, "/a");
	assert_string_equal(base, "b");
	assert_int_equal(fs_split("x", dir, sizeof(dir), base, sizeof(base)), 0);
	assert_string_equal(dir, ".");
	assert_int_equal(fs_split("/a/..", dir, sizeof(dir), base, sizeof(base)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids),
		cmocka_unit_test(remove_walk_races_a_swap),
		cmocka_unit_test(replace_whole),
		cmocka_unit_test(may_replace),
		cmocka_unit_test(create_never_follows),
		cmocka_unit_test(outdir_rules),
	};
	int rc;

	if (mkdtemp(top) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	(void)fs_remove_tree(AT_FDCWD, top);
	return rc;
}
