/*
 * test_proxy_logline.c - src/proxy/logline.c on real log lines: every line
 * below was written by the proxy named (nginx 1.22, HAProxy 2.6, Apache
 * 2.4) in a lab run of this project with the templates of proxies/: the
 * shipped tests nginx-no-ports and apache-no-ports (one source port on the
 * proxy host), haproxy-httpclose and haproxy-tunnel, and haproxy-httpclose
 * with nothing listening on the backend (the 503). Then lines that must not
 * be taken: the proxies' own notices, broken numbers and addresses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proxy/proxy.h"

#define MS 1000000LL
#define US 1000LL
#define S 1000000000LL

static const char nginx_200[] =
    "tw t=1796038288.887 conn=*1 client=10.24.229.2:42130 front=10.24.229.3:666 "
    "upstream=10.24.229.4:666 status=200 ustatus=200 tc=0.000 dur=0.000 "
    "req=\"GET / HTTP/1.1\"";
static const char nginx_502[] =
    "tw t=1796038288.888 conn=*3 client=10.24.229.2:42142 front=10.24.229.3:666 "
    "upstream=10.24.229.4:666 status=502 ustatus=502 tc=- dur=0.000 "
    "req=\"GET / HTTP/1.1\"";
static const char nginx_99[] =
    "2026/11/30 11:31:28 [crit] 20211#20211: *3 connect() to 10.24.229.4:666 failed "
    "(99: Cannot assign requested address) while connecting to upstream, client: "
    "10.24.229.2, server: , request: \"GET / HTTP/1.1\", upstream: "
    "\"http://10.24.229.4:666/\", host: \"proxy\"";
static const char nginx_notice[] =
    "2026/11/30 11:27:02 [notice] 9863#9863: start worker process 9934";
static const char nginx_info[] =
    "2026/11/30 11:28:31 [info] 21421#21421: epoll_wait() failed (4: Interrupted "
    "system call)";

static const char haproxy_200[] =
    "tw t_us=1796038100563438 start=1796038100.563 client=10.92.144.2:667 "
    "front=10.92.144.3:666 src=10.92.144.3:36150 upstream=10.92.144.4:666 status=200 "
    "term=---- tc_ms=0 dur_ms=0 req=\"GET / HTTP/1.1\"";
static const char haproxy_503[] =
    "tw t_us=1796038460047627 start=1796038457.042 client=10.123.247.2:667 "
    "front=10.123.247.3:666 src=10.123.247.3:47074 upstream=10.123.247.4:666 "
    "status=503 term=SC-- tc_ms=-1 dur_ms=3004 req=\"GET / HTTP/1.1\"";
static const char haproxy_tcp[] =
    "tw t_us=1796038100749997 start=1796038100.749 client=10.123.144.2:667 "
    "front=10.123.144.3:666 src=10.123.144.3:38648 upstream=10.123.144.4:666 term=-- "
    "tc_ms=0 dur_ms=0";
static const char haproxy_alert[] = "Connect() failed for backend be: no free ports.";

static const char apache_200[] =
    "tw t=1796038421.394353 dur_us=884 client=10.220.122.2:58610 "
    "front=10.220.122.3:666 status=200 req=\"GET / HTTP/1.1\"";
static const char apache_99[] =
    "[Mon Nov 30 11:33:41.394671 2026] [proxy:error] [pid 30536:tid 139782596327104] "
    "(99)Cannot assign requested address: AH00957: http: attempt to connect to "
    "10.220.122.4:666 (10.220.122.4:666) failed";
static const char apache_client[] =
    "[Mon Nov 30 11:33:41.394726 2026] [proxy_http:error] [pid 30536:tid "
    "139782596327104] [client 10.220.122.2:58616] AH01114: HTTP: failed to make "
    "connection to backend: 10.220.122.4";

static int
utc(void **state)
{
	(void)state;
	/* the error lines' local time: read as UTC here, whatever the machine */
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void
nginx_lines(void **state)
{
	struct proxy_logline l;

	(void)state;
	assert_int_equal(proxy_log_parse(PROXY_NGINX, nginx_200, &l), 1);
	assert_int_equal(l.what, PL_REQUEST);
	/* $msec: milliseconds, so the line was written in [t, t + 1 ms) */
	assert_true(l.t_ns == 1796038288887LL * MS);
	assert_true(l.t_prec_ns == MS);
	assert_true(l.dur_ns == 0 && l.dur_prec_ns == MS);
	assert_true(l.start_ns == l.t_ns && l.start_prec_ns == 2 * MS);
	assert_string_equal(l.cid, "*1");
	assert_string_equal(l.client, "10.24.229.2:42130");
	assert_string_equal(l.front, "10.24.229.3:666");
	assert_string_equal(l.upstream, "10.24.229.4:666");
	assert_string_equal(l.src, "");	/* nginx cannot log it */
	assert_int_equal(l.status, 200);
	assert_int_equal(l.ustatus, 200);
	assert_true(l.tc_ns == 0);
	assert_string_equal(l.req, "GET / HTTP/1.1");

	assert_int_equal(proxy_log_parse(PROXY_NGINX, nginx_502, &l), 1);
	assert_int_equal(l.status, 502);
	assert_true(l.tc_ns == -1);	/* "-": no connection made */
	assert_string_equal(l.cid, "*3");

	assert_int_equal(proxy_log_parse(PROXY_NGINX, nginx_99, &l), 1);
	assert_int_equal(l.what, PL_ERROR);
	assert_int_equal(l.err, EADDRNOTAVAIL);
	assert_string_equal(l.cid, "*3");	/* the 502's conn=*3 */
	assert_true(l.t_ns == 1796038288LL * S && l.t_prec_ns == S);
	assert_string_equal(l.upstream, "10.24.229.4:666");
	assert_string_equal(l.client, "");	/* nginx writes no port there */
	assert_non_null(strstr(l.msg, "connect() to 10.24.229.4:666 failed (99:"));
	assert_null(strstr(l.msg, "client:"));

	assert_int_equal(proxy_log_parse(PROXY_NGINX, nginx_notice, &l), 0);
	assert_int_equal(proxy_log_parse(PROXY_NGINX, nginx_info, &l), 0);
	/* Apache's wording is not nginx's */
	assert_int_equal(proxy_log_parse(PROXY_NGINX, apache_99, &l), 0);
}

static void
haproxy_lines(void **state)
{
	struct proxy_logline l;

	(void)state;
	assert_int_equal(proxy_log_parse(PROXY_HAPROXY, haproxy_200, &l), 1);
	assert_true(l.t_ns == 1796038100563438LL * US && l.t_prec_ns == US);
	assert_true(l.start_ns == 1796038100563LL * MS && l.start_prec_ns == MS);
	assert_string_equal(l.client, "10.92.144.2:667");
	assert_string_equal(l.src, "10.92.144.3:36150");
	assert_string_equal(l.upstream, "10.92.144.4:666");
	assert_int_equal(l.status, 200);
	assert_string_equal(l.term, "----");

	assert_int_equal(proxy_log_parse(PROXY_HAPROXY, haproxy_503, &l), 1);
	assert_int_equal(l.status, 503);
	assert_string_equal(l.term, "SC--");
	assert_true(l.tc_ns == -1);	/* -1: never connected */
	assert_true(l.dur_ns == 3004 * MS);

	assert_int_equal(proxy_log_parse(PROXY_HAPROXY, haproxy_tcp, &l), 1);
	assert_int_equal(l.status, 0);
	assert_string_equal(l.req, "");
	assert_string_equal(l.src, "10.123.144.3:38648");

	/* no time, no client: not a line that can go on a timeline */
	assert_int_equal(proxy_log_parse(PROXY_HAPROXY, haproxy_alert, &l), 0);
	assert_int_equal(proxy_log_parse(PROXY_HAPROXY, nginx_99, &l), 0);
}

static void
apache_lines(void **state)
{
	struct proxy_logline l;

	(void)state;
	assert_int_equal(proxy_log_parse(PROXY_APACHE, apache_200, &l), 1);
	assert_true(l.t_ns == 1796038421394353LL * US && l.t_prec_ns == US);
	assert_true(l.start_ns == l.t_ns - 884 * US);
	assert_string_equal(l.client, "10.220.122.2:58610");
	assert_string_equal(l.upstream, "");	/* mod_proxy logs no backend */

	assert_int_equal(proxy_log_parse(PROXY_APACHE, apache_99, &l), 1);
	assert_int_equal(l.what, PL_ERROR);
	assert_int_equal(l.err, EADDRNOTAVAIL);
	assert_true(l.t_ns == 1796038421LL * S + 394671 * US && l.t_prec_ns == US);
	assert_string_equal(l.cid, "pid 30536:tid 139782596327104");
	assert_string_equal(l.client, "");
	assert_string_equal(l.upstream, "10.220.122.4:666");

	assert_int_equal(proxy_log_parse(PROXY_APACHE, apache_client, &l), 1);
	assert_int_equal(l.err, 0);
	assert_string_equal(l.cid, "pid 30536:tid 139782596327104");	/* joins the one above */
	assert_string_equal(l.client, "10.220.122.2:58616");
	assert_non_null(strstr(l.msg, "AH01114"));

	assert_int_equal(proxy_log_parse(PROXY_APACHE, nginx_99, &l), 0);
}

static void
broken_lines(void **state)
{
	static const char *const bad[] = {
		"",
		"tw",
		"tw ",
		"tw t=",
		"tw t=abc client=10.0.0.1:1",
		"tw t=1.0123456789 client=10.0.0.1:1",	/* finer than ns */
		"tw t=99999999999999999999",
		"tw t_us=1.5",
		"tw client=10.0.0.1:1",			/* no time */
		"tw t=1. client=10.0.0.1:1",
		"tw =1 t=1",
		"tw t=1 dur=-1",
		"2026/13/30 11:31:28 [crit] 1#1: *3 connect() failed (99: x)",
		"2026/11/30 11:31:28 [crit] 1#1: *x connect() failed (99: x)",
		"[Xyz Nov 30 11:33:41.394671 2026] [proxy:error] [pid 1:tid 2] (99)x",
		"[Mon Foo 30 11:33:41.394671 2026] [proxy:error] [pid 1:tid 2] (99)x",
		"[Mon Nov 30 11:33:41.1234567890 2026] [proxy:error] [pid 1:tid 2] (99)x",
		"[Mon Nov 30 11:33:41 2026] [proxy:error] no pid",
	};
	struct proxy_logline l;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (int k = PROXY_HAPROXY; k <= PROXY_APACHE; k++)
			if (proxy_log_parse(k, bad[i], &l) != 0)
				fail_msg("kind %d took \"%s\"", k, bad[i]);
	/* an address that is not one is left out, the line kept */
	assert_int_equal(proxy_log_parse(PROXY_NGINX,
	    "tw t=1.5 client=10.0.0.999:5 front=10.0.0.1:70000 upstream=-", &l), 1);
	assert_string_equal(l.client, "");
	assert_string_equal(l.front, "");
	assert_string_equal(l.upstream, "");
	assert_true(l.t_ns == S + S / 2 && l.t_prec_ns == S / 10);
	/* control characters in the request line are not copied */
	assert_int_equal(proxy_log_parse(PROXY_NGINX, "tw t=1 req=\"GET /\x01 x\"", &l), 1);
	assert_string_equal(l.req, "GET /? x");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nginx_lines),
		cmocka_unit_test(haproxy_lines),
		cmocka_unit_test(apache_lines),
		cmocka_unit_test(broken_lines),
	};

	return cmocka_run_group_tests(tests, utc, NULL);
}
