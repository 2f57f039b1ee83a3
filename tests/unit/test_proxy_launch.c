/*
 * test_proxy_launch.c - src/proxy/launch.c against the real programs: each
 * installed proxy (HAProxy, nginx, Apache httpd) rendered from its shipped
 * template into a run folder, started in a one-host lab as user nobody,
 * found listening on port 666 of that host only, then stopped: its whole
 * process group gone, its files in the run folder and nowhere else, the
 * folder removable. Also: a proxy that cannot start is reported with the
 * last line of its log, and bad names are refused before anything runs.
 *
 * Needs root (namespaces): otherwise the program exits 77 ("skip" for
 * tests/run.sh). A proxy that is not installed is skipped, never passed.
 * TW_TOP names the source tree (default ".").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/lab.h"
#include "proxy/proxy.h"

static struct {
	struct lab lab;
	int built;
	char tmp[64];		/* root's folder: the lab's hosts file, the run folders */
} t;

static int
setup(void **state)
{
	const char *names[] = { "proxy" };
	char err[512];

	snprintf(t.tmp, sizeof(t.tmp), "/tmp/tw-test-proxy-XXXXXX");
	if (mkdtemp(t.tmp) == NULL || chmod(t.tmp, 0755) < 0)
		return -1;
	if (lab_build(&t.lab, names, 1, t.tmp, err, sizeof(err)) < 0) {
		fprintf(stderr, "lab: %s\n", err);
		return -1;
	}
	t.built = 1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	if (t.built)
		lab_destroy(&t.lab);
	t.built = 0;
	/* Only our own mkdtemp folder, by the exact name it was given. */
	if (strncmp(t.tmp, "/tmp/tw-test-proxy-", 19) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", t.tmp);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

/* Uid of pid from /proc, -1 if gone. */
static long
uid_of(pid_t pid)
{
	char path[64], line[256];
	long uid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid:\t%ld", &uid) == 1)
			break;
	fclose(f);
	return uid;
}

/* How many processes are in process group pgid. */
static int
group_size(pid_t pgid)
{
	char path[64], buf[1024], *close_paren;
	struct dirent *e;
	int n = 0, fd;
	ssize_t got;
	DIR *d = opendir("/proc");
	long pg;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		got = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (got <= 0)
			continue;
		buf[got] = '\0';
		close_paren = strrchr(buf, ')');
		/* ") S PPID PGRP ..." */
		if (close_paren && sscanf(close_paren + 2, "%*c %*d %ld", &pg) == 1 && pg == pgid)
			n++;
	}
	closedir(d);
	return n;
}

static void
run_one(const char *template_name, int min_procs)
{
	const char *top = getenv("TW_TOP") ? getenv("TW_TOP") : ".";
	struct lab_host *h = lab_host(&t.lab, "proxy");
	char tpl[1024], dir[128], err[512];
	struct proxy p;
	struct proxy_var vars[] = {
		{ "proxy", h->addr }, { "backend", "10.255.255.1" }, { "backend2", "10.255.255.2" },
	};
	struct stat st;
	pid_t pid;
	int kind;

	snprintf(tpl, sizeof(tpl), "%s/proxies/%s", top, template_name);
	kind = proxy_kind_of(tpl);
	assert_true(kind >= 0);
	if (proxy_program((enum proxy_kind)kind) == NULL)
		skip();
	snprintf(dir, sizeof(dir), "%s/%s", t.tmp, proxy_kind_name((enum proxy_kind)kind));
	if (proxy_prepare(&p, tpl, dir, vars, 3, err, sizeof(err)) < 0)
		fail_msg("prepare: %s", err);
	assert_int_equal(fstat(p.dirfd, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	if (proxy_start(&p, h->netns, h->addr, 666, 5000, err, sizeof(err)) < 0)
		fail_msg("start: %s", err);
	pid = p.pid;
	assert_int_equal(uid_of(pid), 65534);
	assert_true(group_size(pid) >= min_procs);
	assert_true(proxy_stop(&p, 3000) >= 0);
	assert_int_equal(p.pid, -1);
	assert_int_equal(group_size(pid), 0);
	assert_int_equal(kill(-pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	/* Its log is in the run folder. */
	assert_int_equal(fstatat(p.dirfd, proxy_log_name(p.kind), &st, AT_SYMLINK_NOFOLLOW), 0);
	proxy_remove_dir(&p);
	assert_int_equal(stat(dir, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void
haproxy_starts_and_stops(void **state)
{
	run_one("haproxy-httpclose.cfg", 1);
}

static void
nginx_starts_and_stops(void **state)
{
	run_one("nginx-default.conf", 2);	/* master and worker */
}

static void
apache_starts_and_stops(void **state)
{
	run_one("apache-default.conf", 2);	/* parent and a child */
}

/* A configuration the proxy refuses: start says so, with its words. */
static void
broken_config_is_reported(void **state)
{
	struct lab_host *h = lab_host(&t.lab, "proxy");
	char tpl[128], dir[128], err[512];
	struct proxy p;
	struct proxy_var vars[] = { { "proxy", h->addr } };
	FILE *f;

	if (proxy_program(PROXY_HAPROXY) == NULL)
		skip();
	snprintf(tpl, sizeof(tpl), "%s/haproxy-broken.cfg", t.tmp);
	f = fopen(tpl, "w");
	assert_non_null(f);
	fprintf(f, "frontend fe\n\tbind {proxy}:666\n\tno_such_keyword\n");
	fclose(f);
	snprintf(dir, sizeof(dir), "%s/broken", t.tmp);
	assert_int_equal(proxy_prepare(&p, tpl, dir, vars, 1, err, sizeof(err)), 0);
	assert_int_equal(proxy_start(&p, h->netns, h->addr, 666, 5000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exited at start"));
	assert_int_equal(p.pid, -1);
	proxy_remove_dir(&p);
}

static void
bad_names_are_refused(void **state)
{
	const char *top = getenv("TW_TOP") ? getenv("TW_TOP") : ".";
	char tpl[1024], dir[128], err[512];
	struct proxy p;
	struct proxy_var vars[] = { { "proxy", "10.1.1.1" }, { "backend", "10.1.1.2" } };

	snprintf(tpl, sizeof(tpl), "%s/proxies/haproxy-tunnel.cfg", top);
	assert_int_equal(proxy_prepare(&p, tpl, "relative/dir", vars, 2, err, sizeof(err)), -1);
	assert_int_equal(proxy_prepare(&p, tpl, "/tmp/a dir", vars, 2, err, sizeof(err)), -1);
	snprintf(dir, sizeof(dir), "%s/names", t.tmp);
	assert_int_equal(proxy_prepare(&p, tpl, dir, vars, 2, err, sizeof(err)), 0);
	assert_int_equal(proxy_start(&p, "../etc", "10.1.1.1", 666, 100, err, sizeof(err)), -1);
	assert_int_equal(proxy_start(&p, "no-such-netns-here", "10.1.1.1", 666, 100, err,
	    sizeof(err)), -1);
	assert_int_equal(p.pid, -1);
	proxy_remove_dir(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(haproxy_starts_and_stops),
		cmocka_unit_test(nginx_starts_and_stops),
		cmocka_unit_test(apache_starts_and_stops),
		cmocka_unit_test(broken_config_is_reported),
		cmocka_unit_test(bad_names_are_refused),
	};

	if (geteuid() != 0) {
		printf("needs root (network namespaces): skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
