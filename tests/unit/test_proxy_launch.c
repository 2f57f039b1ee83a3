/*
 * test_proxy_launch.c - src/proxy/launch.c against the real programs: each
 * installed proxy (HAProxy, nginx, Apache httpd) rendered from its shipped
 * template into a run folder, started in a one-host lab as user nobody,
 * found listening on port 666 of that host only, then stopped: its whole
 * process group gone, its files in the run folder and nowhere else, the
 * folder removable. Also: a proxy that cannot start is reported with the
 * last line of its log, and bad names are refused before anything runs.
 * And the failure the whole feature is about, live: nginx's default
 * upstream in a proxy host left with 10 source ports, a backend that never
 * closes, 15 requests one after another: 10 answered, 5 refused with a 502,
 * and 5 EADDRNOTAVAIL counted from nginx's own error log.
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
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
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
	const char *names[] = { "client", "proxy", "backend" };
	char err[512];

	snprintf(t.tmp, sizeof(t.tmp), "/tmp/tw-test-proxy-XXXXXX");
	if (mkdtemp(t.tmp) == NULL || chmod(t.tmp, 0755) < 0)
		return -1;
	if (lab_build(&t.lab, names, 3, t.tmp, err, sizeof(err)) < 0) {
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
		snprintf(path, sizeof(path), "/proc/%.20s/stat", e->d_name);	/* a pid */
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
	/* Ready means listening: Apache listens before it forks its
	 * children, so on a loaded machine they may come a moment later. */
	for (int i = 0; i < 100 && group_size(pid) < min_procs; i++)
		usleep(50000);
	if (group_size(pid) < min_procs) {
		proxy_stop(&p, 3000);	/* not left listening for the next test */
		fail_msg("%d process(es) in the group after 5 s, want %d",
		    group_size(pid), min_procs);
	}
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
	assert_int_equal(proxy_prepare(&p, tpl, "/tmp/..", vars, 2, err, sizeof(err)), -1);
	assert_int_equal(proxy_prepare(&p, tpl, "/tmp/../x", vars, 2, err, sizeof(err)), -1);
	assert_int_equal(proxy_prepare(&p, tpl, "/tmp//x", vars, 2, err, sizeof(err)), -1);
	assert_int_equal(proxy_prepare(&p, tpl, "/tmp/x/", vars, 2, err, sizeof(err)), -1);
	assert_int_equal(p.dirfd, -1);
	snprintf(dir, sizeof(dir), "%s/names", t.tmp);
	assert_int_equal(proxy_prepare(&p, tpl, dir, vars, 2, err, sizeof(err)), 0);
	assert_int_equal(proxy_start(&p, "../etc", "10.1.1.1", 666, 100, err, sizeof(err)), -1);
	assert_int_equal(proxy_start(&p, "no-such-netns-here", "10.1.1.1", 666, 100, err,
	    sizeof(err)), -1);
	assert_int_equal(p.pid, -1);
	proxy_remove_dir(&p);
}

/* A TCP connection from inside host h to addr:666 (the thread comes back
 * to its own namespace at once: sockets keep the one they were made in).
 * Connected descriptor, or -1. */
static int
connect_from(const struct lab_host *h, const char *addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(666) };
	int self = open("/proc/thread-self/ns/net", O_RDONLY), fd;

	assert_true(self >= 0);
	assert_int_equal(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	assert_int_equal(setns(h->nsfd, CLONE_NEWNET), 0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(setns(self, CLONE_NEWNET), 0);
	close(self);
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One HTTP/1.0 request through the proxy; the answer's status code. */
static int
request(const struct lab_host *client, const char *proxy)
{
	static const char get[] = "GET / HTTP/1.0\r\nHost: proxy\r\n\r\n";
	char answer[4096];
	size_t got = 0;
	ssize_t n;
	int fd = connect_from(client, proxy), status = -1;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, get, strlen(get)), (ssize_t)strlen(get));
	while (got < sizeof(answer) - 1 && (n = read(fd, answer + got, sizeof(answer) - 1 - got)) > 0)
		got += (size_t)n;
	answer[got] = '\0';
	close(fd);
	if (sscanf(answer, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	return status;
}

static void
nginx_runs_out_of_ports(void **state)
{
	const char *top = getenv("TW_TOP") ? getenv("TW_TOP") : ".";
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	struct lab_host *client = lab_host(&t.lab, "client");
	struct lab_host *proxy = lab_host(&t.lab, "proxy");
	struct lab_host *backend = lab_host(&t.lab, "backend");
	char tpl[1024], dir[128], server[1024], err[512];
	struct proxy_upstream_errors e;
	struct proxy p;
	struct proxy_var vars[] = { { "proxy", proxy->addr }, { "backend", backend->addr } };
	struct lab_proc_opts o = { .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .extra_fd = -1, .unprivileged = 1 };
	int hold[2], i, fd, ok = 0, bad = 0, status;
	pid_t spid;

	if (proxy_program(PROXY_NGINX) == NULL)
		skip();
	snprintf(server, sizeof(server), "%s/timewait_server", build);
	if (server[0] != '/' || access(server, X_OK) < 0)
		skip();		/* BUILD (absolute, as tests/run.sh sets it) is needed */
	/* The server quits at the end of its input: this one never ends. */
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	o.stdin_fd = hold[0];
	{
		char *const argv[] = { server, "-s", "8", NULL };

		spid = lab_spawn(&t.lab, backend, argv, &o);
	}
	close(hold[0]);
	assert_true(spid > 0);
	for (i = 0; i < 100 && (fd = connect_from(client, backend->addr)) < 0; i++)
		usleep(20000);
	assert_true(fd >= 0);
	close(fd);

	assert_int_equal(lab_sysctl_set(proxy, "net/ipv4/ip_local_port_range", "32768 32777"), 0);
	snprintf(tpl, sizeof(tpl), "%s/proxies/nginx-default.conf", top);
	snprintf(dir, sizeof(dir), "%s/ports", t.tmp);
	if (proxy_prepare(&p, tpl, dir, vars, 2, err, sizeof(err)) < 0)
		fail_msg("prepare: %s", err);
	if (proxy_start(&p, proxy->netns, proxy->addr, 666, 5000, err, sizeof(err)) < 0)
		fail_msg("start: %s", err);
	for (i = 0; i < 15; i++) {
		status = request(client, proxy->addr);
		if (status == 200)
			ok++;
		else if (status == 502)
			bad++;
	}
	assert_true(proxy_stop(&p, 3000) >= 0);
	kill(spid, SIGTERM);
	waitpid(spid, NULL, 0);
	close(hold[1]);
	assert_int_equal(proxy_upstream_read(PROXY_NGINX, p.dirfd, "error.log", &e), 0);
	printf("10 ports: %d answered, %d refused (502), %ld EADDRNOTAVAIL in error.log\n",
	    ok, bad, proxy_upstream_get(&e, "EADDRNOTAVAIL"));
	assert_int_equal(ok, 10);
	assert_int_equal(bad, 5);
	assert_int_equal(proxy_upstream_get(&e, "EADDRNOTAVAIL"), 5);
	assert_int_equal(e.total, 5);
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
		cmocka_unit_test(nginx_runs_out_of_ports),
	};

	if (geteuid() != 0) {
		printf("needs root (network namespaces): skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
