/*
 * test_proxy_upstream.c - src/proxy/upstream.c on real log lines. Every
 * line below was written by the proxy named, in a lab run of this project
 * (docs/proxies.md, "Running out of ports"): nginx 1.22 and Apache 2.4
 * with the proxy host's port range cut to 1,000 (or 10) ports, HAProxy 2.6
 * the same, and each with a backend address where nothing listens (the
 * refused lines). Lines that look alike but are not connect errors (a 503
 * in HAProxy's request log, Apache's AH01114 that follows each AH00957,
 * nginx's start-up notices) must not be counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy/proxy.h"

static const char nginx_99[] =
    "2026/11/30 08:55:05 [crit] 13899#13899: *2000 connect() to 10.66.123.4:666 failed "
    "(99: Cannot assign requested address) while connecting to upstream, client: "
    "10.66.123.2, server: , request: \"GET / HTTP/1.0\", upstream: "
    "\"http://10.66.123.4:666/\", host: \"proxy:666\"";
static const char nginx_111[] =
    "2026/11/30 08:56:35 [error] 26975#26975: *1 connect() failed (111: Connection "
    "refused) while connecting to upstream, client: 10.185.143.2, server: , request: "
    "\"GET / HTTP/1.0\", upstream: \"http://10.185.143.2:666/\", host: \"proxy:666\"";
static const char nginx_nolive[] =
    "2026/11/30 08:58:35 [error] 6955#6955: *4002 no live upstreams while connecting to "
    "upstream, client: 10.162.190.2, server: , request: \"GET / HTTP/1.0\", upstream: "
    "\"http://backends/\", host: \"proxy:666\"";
static const char nginx_notice[] =
    "2026/11/30 08:55:03 [notice] 13894#13894: using the \"epoll\" event method";

static const char apache_99[] =
    "[Mon Nov 30 08:55:36.160743 2026] [proxy:error] [pid 18546:tid 18583] (99)Cannot "
    "assign requested address: AH00957: http: attempt to connect to 10.215.254.4:666 "
    "(10.215.254.4:666) failed";
static const char apache_111[] =
    "[Mon Nov 30 08:56:38.224346 2026] [proxy:error] [pid 27447:tid 27451] (111)Connection "
    "refused: AH00957: http: attempt to connect to 10.44.203.2:666 (10.44.203.2:666) failed";
static const char apache_follow[] =
    "[Mon Nov 30 08:55:36.160804 2026] [proxy_http:error] [pid 18546:tid 18583] [client "
    "10.215.254.2:49802] AH01114: HTTP: failed to make connection to backend: 10.215.254.4";

static const char haproxy_99[] = "Connect() failed for backend be: no free ports.";
static const char haproxy_503[] =
    "10.170.178.2:50816 [30/Nov/2026:08:55:55.300] fe be/backend 0/0/-1/-1/0 503 217 - - "
    "SC-- 15/15/10/10/3 0/0 \"GET / HTTP/1.0\"";
static const char haproxy_200[] =
    "10.170.178.2:50758 [30/Nov/2026:08:55:55.294] fe be/backend 0/0/0/0/0 200 138 - - "
    "---- 1/1/0/0/0 0/0 \"GET / HTTP/1.0\"";

static void
nginx_lines(void **state)
{
	assert_int_equal(proxy_upstream_errno(PROXY_NGINX, nginx_99), EADDRNOTAVAIL);
	assert_int_equal(proxy_upstream_errno(PROXY_NGINX, nginx_111), ECONNREFUSED);
	assert_int_equal(proxy_upstream_errno(PROXY_NGINX, nginx_notice), 0);
	assert_int_equal(proxy_upstream_errno(PROXY_NGINX, nginx_nolive), 0);
	/* Another proxy's wording is not nginx's. */
	assert_int_equal(proxy_upstream_errno(PROXY_NGINX, apache_99), 0);
}

static void
apache_lines(void **state)
{
	assert_int_equal(proxy_upstream_errno(PROXY_APACHE, apache_99), EADDRNOTAVAIL);
	assert_int_equal(proxy_upstream_errno(PROXY_APACHE, apache_111), ECONNREFUSED);
	assert_int_equal(proxy_upstream_errno(PROXY_APACHE, apache_follow), 0);
	assert_int_equal(proxy_upstream_errno(PROXY_APACHE, nginx_99), 0);
}

static void
haproxy_lines(void **state)
{
	assert_int_equal(proxy_upstream_errno(PROXY_HAPROXY, haproxy_99), EADDRNOTAVAIL);
	assert_int_equal(proxy_upstream_errno(PROXY_HAPROXY,
	    "Connect() failed for backend be: local address already in use."), EADDRINUSE);
	assert_int_equal(proxy_upstream_errno(PROXY_HAPROXY, haproxy_503), 0);
	assert_int_equal(proxy_upstream_errno(PROXY_HAPROXY, haproxy_200), 0);
	assert_int_equal(proxy_upstream_errno(PROXY_HAPROXY, nginx_99), 0);
}

/* Truncated or mangled lines never count and never crash. */
static void
broken_lines(void **state)
{
	assert_int_equal(proxy_upstream_errno(PROXY_NGINX,
	    "connect() failed (99 while connecting to upstream"), 0);
	assert_int_equal(proxy_upstream_errno(PROXY_NGINX,
	    "connect() failed (: x) while connecting to upstream"), 0);
	assert_int_equal(proxy_upstream_errno(PROXY_NGINX, "connect() failed ("), 0);
	assert_int_equal(proxy_upstream_errno(PROXY_APACHE, "AH00957:"), 0);
	assert_int_equal(proxy_upstream_errno(PROXY_APACHE, "(99 AH00957: x"), 0);
	assert_int_equal(proxy_upstream_errno(PROXY_APACHE, ""), 0);
	assert_int_equal(proxy_upstream_errno(PROXY_HAPROXY, "Connect() failed for backend"), 0);
}

static void
counts_by_errno_name(void **state)
{
	struct proxy_upstream_errors e;
	char text[4096];

	snprintf(text, sizeof(text), "%s\n%s\n%s\n%s\n%s\n%s", nginx_notice, nginx_99,
	    nginx_111, nginx_nolive, nginx_99, nginx_99);	/* no newline at the end */
	proxy_upstream_count(PROXY_NGINX, text, &e);
	assert_int_equal(e.lines, 6);
	assert_int_equal(e.total, 4);
	assert_int_equal(e.unavailable, 1);
	assert_int_equal(proxy_upstream_get(&e, "EADDRNOTAVAIL"), 3);
	assert_int_equal(proxy_upstream_get(&e, "ECONNREFUSED"), 1);
	assert_int_equal(proxy_upstream_get(&e, "EADDRINUSE"), 0);

	snprintf(text, sizeof(text), "%s\n%s\n%s\n%s\n", apache_99, apache_follow, apache_111,
	    apache_follow);
	proxy_upstream_count(PROXY_APACHE, text, &e);
	assert_int_equal(e.total, 2);
	assert_int_equal(proxy_upstream_get(&e, "EADDRNOTAVAIL"), 1);
	assert_int_equal(proxy_upstream_get(&e, "ECONNREFUSED"), 1);

	proxy_upstream_count(PROXY_HAPROXY, "", &e);
	assert_int_equal(e.total, 0);
	assert_int_equal(e.lines, 0);
}

/* More errno names than slots: the last slot sums the rest as "other". */
static void
too_many_kinds(void **state)
{
	struct proxy_upstream_errors e;
	char text[8192];
	size_t used = 0;
	int i;

	for (i = 1; i <= 12; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "x connect() failed (%d: y) while connecting to upstream\n", i);
	proxy_upstream_count(PROXY_NGINX, text, &e);
	assert_int_equal(e.total, 12);
	assert_int_equal(e.n, PROXY_ERRNO_KINDS);
	assert_int_equal(proxy_upstream_get(&e, "other"), 12 - (PROXY_ERRNO_KINDS - 1));
}

/* A long line (nginx adds the request) keeps its errno near the start. */
static void
reads_a_file(void **state)
{
	struct proxy_upstream_errors e;
	char dir[] = "/tmp/tw-test-upstream-XXXXXX";
	int dfd, fd, i;

	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	fd = openat(dfd, "stderr.log", O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	for (i = 0; i < 20000; i++) {	/* past the first read buffer */
		assert_true(write(fd, haproxy_99, strlen(haproxy_99)) > 0);
		assert_int_equal(write(fd, "\n", 1), 1);
		assert_true(write(fd, haproxy_503, strlen(haproxy_503)) > 0);
		assert_int_equal(write(fd, "\n", 1), 1);
	}
	close(fd);
	assert_int_equal(proxy_upstream_read(PROXY_HAPROXY, dfd, "stderr.log", &e), 0);
	assert_int_equal(proxy_upstream_get(&e, "EADDRNOTAVAIL"), 20000);
	assert_int_equal(e.total, 20000);
	assert_int_equal(proxy_upstream_read(PROXY_HAPROXY, dfd, "missing.log", &e), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(unlinkat(dfd, "stderr.log", 0), 0);
	close(dfd);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nginx_lines),
		cmocka_unit_test(apache_lines),
		cmocka_unit_test(haproxy_lines),
		cmocka_unit_test(broken_lines),
		cmocka_unit_test(counts_by_errno_name),
		cmocka_unit_test(too_many_kinds),
		cmocka_unit_test(reads_a_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
