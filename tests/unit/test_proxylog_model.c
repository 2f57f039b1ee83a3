/*
 * test_proxylog_model.c - the run model's stage for a real proxy's own log
 * lines (src/model/proxylog.c) on recorded runs of the shipped tests
 * (tests/fixtures/run-proxy/: nginx-no-ports, apache-no-ports,
 * haproxy-httpclose, each a lab run's pcaps, trace, event logs and the
 * proxy's folder with its configuration and logs): which connections each
 * line is tied to, how, and where on the timeline it goes.
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

#include "model/timeline.h"

static struct timeline *
load(const char *test)
{
	const char *top = getenv("TW_TOP") ? getenv("TW_TOP") : ".";
	char dir[1024], err[512];
	struct timeline *tl = NULL;

	snprintf(dir, sizeof(dir), "%s/tests/fixtures/run-proxy/%s", top, test);
	if (timeline_load(dir, &tl, err, sizeof(err)))
		fail_msg("%s: %s", dir, err);
	return tl;
}

/* The n-th (from 0) proxy log event, by time. */
static const struct tl_event *
log_event(const struct timeline *tl, int n)
{
	for (size_t i = 0; i < tl->nevents; i++)
		if (tl->events[i].t_prec && n-- == 0)
			return &tl->events[i];
	return NULL;
}

static int
log_events(const struct timeline *tl)
{
	int n = 0;

	for (size_t i = 0; i < tl->nevents; i++)
		n += tl->events[i].t_prec != 0;
	return n;
}

static int
port_of(const char *ep)
{
	const char *c = strrchr(ep, ':');

	return c ? atoi(c + 1) : 0;
}

/* The last data segment on c from side (0 client, 1 server), on the
 * proxy's clock (c's server): sent there or received there. */
static int64_t
last_data(const struct tl_conn *c, int from)
{
	int64_t t = TL_UNKNOWN;

	for (size_t i = 0; i < c->npkts; i++) {
		const struct tl_pkt *p = &c->pkts[i];
		int64_t at = from == TL_SERVER ? p->t_sent : p->t_received;

		if (p->len && p->from == from && at != TL_UNKNOWN && at > t)
			t = at;
	}
	return t;
}

/* The two out-of-ports runs: the first request's line names the backend
 * connection from port 40000 (by time); the second's error and 5xx are on
 * the second client connection, name no backend, and sit in order. */
static void
out_of_ports(const char *test, const char *kind, int status)
{
	struct timeline *tl = load(test);
	const struct tl_event *ok, *err, *five;
	const struct tl_conn *c;

	assert_int_equal(tl->nconns, 3);
	assert_int_equal(log_events(tl), 3);
	ok = log_event(tl, 0);
	err = log_event(tl, 1);
	five = log_event(tl, 2);
	assert_non_null(five);
	assert_string_equal(ok->step, kind);
	assert_string_equal(ok->host, "proxy");
	assert_string_equal(ok->prog, "proxy");

	/* the 200: the client's connection, and the backend's from :40000 */
	assert_int_equal(ok->ret, 200);
	assert_true(ok->conn >= 0 && ok->side == TL_SERVER);
	c = &tl->conns[ok->conn];
	assert_int_equal(port_of(c->server), 666);
	assert_string_equal(c->host[TL_SERVER], "proxy");
	assert_true(ok->upconn > 0);
	assert_int_equal(port_of(tl->conns[ok->upconn - 1].client), 40000);
	assert_string_equal(tl->conns[ok->upconn - 1].host[TL_SERVER], "backend");
	assert_string_equal(ok->upmatch, "time");
	assert_non_null(strstr(ok->detail, "from :40000 (by time)"));
	/* drawn after its answer left, within a second of what it said */
	assert_true(ok->t > last_data(c, TL_SERVER) - 1 && ok->t >= ok->t_logged);
	assert_true(ok->t - ok->t_logged < 1000000000LL);

	/* the failed connect and the 5xx: the second client connection */
	assert_int_equal(err->err, EADDRNOTAVAIL);
	assert_int_equal(err->ret, -1);
	assert_string_equal(err->errname, "EADDRNOTAVAIL");
	assert_int_equal(err->upconn, 0);
	assert_int_equal(five->ret, status);
	assert_int_equal(five->upconn, 0);
	assert_true(err->conn >= 0 && err->conn == five->conn && err->conn != ok->conn);
	c = &tl->conns[err->conn];
	assert_int_equal(port_of(c->server), 666);
	assert_true(err->t > last_data(c, TL_CLIENT));	/* after the request came in */
	assert_true(err->t < last_data(c, TL_SERVER));	/* before the answer */
	assert_true(five->t > last_data(c, TL_SERVER));	/* after it */
	assert_non_null(strstr(err->detail, "failed (99: Cannot assign requested address)"));
	timeline_free(tl);
}

static void
nginx_out_of_ports(void **state)
{
	const struct tl_event *ok;
	struct timeline *tl;

	(void)state;
	out_of_ports("nginx-no-ports", "nginx", 502);
	/* nginx's $msec: whole ms */
	tl = load("nginx-no-ports");
	ok = log_event(tl, 0);
	assert_true(ok->t_prec == 1000000 && ok->t_logged % 1000000 == 0);
	timeline_free(tl);
}

static void
apache_out_of_ports(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);	/* the run's own zone */
	tzset();
	out_of_ports("apache-no-ports", "apache", 503);
	/* read in another zone, the error's time is hours off: it goes in its
	 * request's window all the same */
	setenv("TZ", "Asia/Tokyo", 1);	/* hours earlier */
	tzset();
	out_of_ports("apache-no-ports", "apache", 503);
	setenv("TZ", "America/New_York", 1);	/* hours later */
	tzset();
	out_of_ports("apache-no-ports", "apache", 503);
	setenv("TZ", "UTC", 1);
	tzset();
}

static void
haproxy_by_tuple(void **state)
{
	struct timeline *tl = load("haproxy-httpclose");
	const struct tl_event *e;
	char from[32];

	(void)state;
	assert_int_equal(log_events(tl), 1);
	e = log_event(tl, 0);
	assert_string_equal(e->step, "haproxy");
	assert_int_equal(e->ret, 200);
	assert_true(e->t_prec == 1000);	/* date(0,us) */
	assert_true(e->conn >= 0 && port_of(tl->conns[e->conn].client) == 667);
	assert_true(e->upconn > 0);
	assert_string_equal(e->upmatch, "4-tuple");
	/* its source port is the one HAProxy logged, and the label says it */
	snprintf(from, sizeof(from), "from :%d", port_of(tl->conns[e->upconn - 1].client));
	assert_non_null(strstr(e->detail, from));
	assert_null(strstr(e->detail, "by time"));
	timeline_free(tl);
}

static void
no_proxy_no_lines(void **state)
{
	const char *top = getenv("TW_TOP") ? getenv("TW_TOP") : ".";
	char dir[1024], err[512];
	struct timeline *tl = NULL;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/run-000/000", top);
	assert_int_equal(timeline_load(dir, &tl, err, sizeof(err)), 0);
	assert_int_equal(log_events(tl), 0);
	timeline_free(tl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nginx_out_of_ports),
		cmocka_unit_test(apache_out_of_ports),
		cmocka_unit_test(haproxy_by_tuple),
		cmocka_unit_test(no_proxy_no_lines),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
