/*
 * test_bench.c - the bench's pure parts: the 100 ms series grows without
 * losing samples, the plot is a complete SVG that draws every run with its
 * ceiling, --src-addrs' addresses stay in the client's subnet, and the
 * ceiling arithmetic: sustained (ports x tuples / TIME_WAIT period) and
 * over the run's window (ports x tuples x periods started), for every way
 * around it.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench/bench.h"

static void
series_grows(void **state)
{
	struct bench_series s = { 0 };
	struct bench_sample x;
	size_t i;

	for (i = 0; i < 5000; i++) {
		memset(&x, 0, sizeof(x));
		x.t = (double)i / 10;
		x.completed = i;
		assert_int_equal(series_add(&s, &x), 0);
	}
	assert_int_equal(s.n, 5000);
	for (i = 0; i < 5000; i++)
		assert_int_equal(s.v[i].completed, i);
	series_free(&s);
	assert_null(s.v);
	assert_int_equal(s.n, 0);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void
plot_draws_runs_and_ceiling(void **state)
{
	char path[] = "/tmp/tw-test-plot.XXXXXX";
	struct bench_series a = { 0 }, b = { 0 };
	struct bench_sample x;
	struct plot_line lines[2];
	char *svg;
	int fd, i, rc;

	for (i = 1; i <= 1300; i++) {	/* 130 s: 1000 ports, steps at 0, 60, 120 s */
		memset(&x, 0, sizeof(x));
		x.t = i / 10.0;
		x.completed = 1000 * (uint64_t)(1 + (i >= 600) + (i >= 1200));
		x.rate = (i == 1 || i == 600 || i == 1200) ? 10000 : 0;
		x.tw_client = 1000;
		x.failed = (uint64_t)i * 20;	/* 200 failed connects a second */
		series_add(&a, &x);
		x.failed = 0;
		x.completed = (uint64_t)i * 2000;
		x.rate = 20000;
		x.tw_client = 0;
		x.tw_server = 28000;
		series_add(&b, &x);
	}
	lines[0] = (struct plot_line){ "client <&>", &a, 1000.0 / 60, 0 };
	lines[1] = (struct plot_line){ "server", &b, -1, 0 };
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	rc = plot_svg(path, "test & plot", lines, 2);
	svg = slurp(path);
	unlink(path);	/* before any assert: no file left when one fails */
	assert_int_equal(rc, 0);
	assert_non_null(strstr(svg, "<svg"));
	assert_non_null(strstr(svg, "</svg>"));
	/* Two runs x (rate, completed, TIME_WAIT client, TIME_WAIT server),
	 * and the failed connects of the run that had some. */
	assert_int_equal(count(svg, "<polyline"), 9);
	assert_int_equal(count(svg, "stroke-dasharray='1.5,2.5'"), 1);
	/* One dashed ceiling line: only the first run has a ceiling, and it
	 * stands clear of the axis though the rates reach 20,000/s. */
	assert_int_equal(count(svg, "stroke-dasharray='8,4'"), 1);
	{
		const char *line = strstr(svg, "stroke-dasharray='8,4'"), *p = line;
		const char *rect = strstr(svg, "<rect x='90' y='");
		double y_ceiling, y_axis;

		while (p > svg && strncmp(p, "<line", 5))
			p--;
		assert_non_null(strstr(p, "y1='"));
		y_ceiling = atof(strstr(p, "y1='") + 4);
		assert_non_null(rect);
		y_axis = atof(rect + strlen("<rect x='90' y='")) + 170;
		assert_true(y_axis - y_ceiling > 40);
	}
	/* The legend sits above the panels, not in a column to their right. */
	assert_null(strstr(svg, "<rect x='772'"));
	/* Labels escaped. */
	assert_non_null(strstr(svg, "client &lt;&amp;&gt;"));
	assert_non_null(strstr(svg, "test &amp; plot"));
	assert_null(strstr(svg, "nan"));
	free(svg);
	series_free(&a);
	series_free(&b);
}

static void
plot_empty_series(void **state)
{
	char path[] = "/tmp/tw-test-plot.XXXXXX";
	struct bench_series a = { 0 };
	struct plot_line l = { "empty", &a, -1, 0 };
	char *svg;
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	close(fd);
	rc = plot_svg(path, "empty", &l, 1);
	svg = slurp(path);
	unlink(path);	/* before any assert: no file left when one fails */
	assert_int_equal(rc, 0);
	assert_non_null(strstr(svg, "</svg>"));
	assert_null(strstr(svg, "nan"));
	free(svg);
}

/* Through a proxy the TIME_WAIT panel draws the proxy's two sides, not the
 * client's and the backends'. */
static void
plot_via_draws_proxy_sides(void **state)
{
	char path[] = "/tmp/tw-test-plot.XXXXXX";
	struct bench_series a = { 0 };
	struct bench_sample x;
	struct plot_line l = { "nginx-default+code8", &a, 1000.0 / 60, 1 };
	char *svg;
	int fd = mkstemp(path), i, rc;

	for (i = 1; i <= 20; i++) {
		memset(&x, 0, sizeof(x));
		x.t = i / 10.0;
		x.completed = 1000;
		x.tw_client = 7;		/* not drawn */
		x.tw_proxy_backend = 1000;
		x.tw_proxy_client = 123456;	/* sets the panel's scale */
		series_add(&a, &x);
	}
	assert_true(fd >= 0);
	close(fd);
	rc = plot_svg(path, "via", &l, 1);
	svg = slurp(path);
	unlink(path);	/* before any assert: no file left when one fails */
	assert_int_equal(rc, 0);
	assert_non_null(strstr(svg, "TIME_WAIT on the proxy (towards the backends solid"));
	/* The panel's scale follows the proxy's client side (123,456: 140k). */
	assert_non_null(strstr(svg, ">140k<"));
	free(svg);
	series_free(&a);
}

static void
src_addrs_in_subnet(void **state)
{
	struct bench_hosts h;
	char buf[46];

	memset(&h, 0, sizeof(h));
	strcpy(h.client_addr, "10.77.3.2");
	assert_int_equal(hosts_src_addr(&h, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.77.3.100");
	assert_int_equal(hosts_src_addr(&h, 63, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.77.3.163");
	assert_int_equal(hosts_src_addr(&h, -1, buf, sizeof(buf)), -1);
}


static struct bench_opts
client_first(void)
{
	struct bench_opts o;

	memset(&o, 0, sizeof(o));
	o.close = CLOSE_CLIENT;
	o.dst_ports = 1;
	return o;
}

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-6 * (fabs((double)(b)) + 1))

static void
ceiling_sustained_and_window(void **state)
{
	struct bench_opts o = client_first();
	struct bench_ceiling c;

	/* A full period: the window allows what the sustained ceiling says. */
	bench_ceiling(&o, 28232, 60, &c);
	NEAR(c.per_s, 28232.0 / 60);
	assert_int_equal(c.tuples, 1);
	assert_int_equal(c.period_s, 60);
	assert_int_equal(c.periods, 1);
	NEAR(c.allowed, 28232);
	NEAR(c.window_per_s, 28232.0 / 60);
	assert_false(c.short_run);
	/* 3 s, shorter than a period: every port once, in 3 s. */
	bench_ceiling(&o, 28232, 3, &c);
	NEAR(c.per_s, 28232.0 / 60);
	assert_int_equal(c.periods, 1);
	NEAR(c.allowed, 28232);
	NEAR(c.window_per_s, 28232.0 / 3);
	assert_true(c.short_run);
	NEAR(bench_ceiling_ratio(&c, 28232.0 / 6), 0.5);
	/* 20 s of the issue: 3.00 against the sustained figure, 1.0 at most here. */
	bench_ceiling(&o, 28232, 20, &c);
	NEAR(bench_ceiling_ratio(&c, 3 * 28232.0 / 60), 1.0);
	/* 90 s: a second period has started at 60 s. */
	bench_ceiling(&o, 28232, 90, &c);
	assert_int_equal(c.periods, 2);
	NEAR(c.allowed, 2 * 28232.0);
	NEAR(c.window_per_s, 2 * 28232.0 / 90);
	assert_false(c.short_run);
	/* 50 ports, 3 s: 50 connections, whatever the rate. */
	bench_ceiling(&o, 50, 3, &c);
	NEAR(c.per_s, 50.0 / 60);
	NEAR(bench_ceiling_ratio(&c, 50.0 / 3), 1.0);
}

static void
ceiling_ways_around(void **state)
{
	struct bench_opts o = client_first();
	struct bench_ceiling c;

	/* Not client-first: no ceiling. */
	o.close = CLOSE_SERVER;
	bench_ceiling(&o, 1000, 10, &c);
	assert_true(c.per_s < 0);
	assert_true(c.window_per_s < 0);
	assert_true(bench_ceiling_ratio(&c, 100) < 0);
	o.close = CLOSE_RST;
	bench_ceiling(&o, 1000, 10, &c);
	assert_true(c.per_s < 0);
	/* tcp_tw_reuse: a period of about 1 s, so 3 periods in 3 s. */
	o = client_first();
	o.tw_reuse = 1;
	bench_ceiling(&o, 1000, 3, &c);
	assert_int_equal(c.period_s, 1);
	NEAR(c.per_s, 1000);
	assert_int_equal(c.periods, 3);
	NEAR(c.window_per_s, 1000);
	assert_false(c.short_run);
	/* A run a hair longer than its periods does not start another. */
	bench_ceiling(&o, 1000, 1.0003, &c);
	assert_int_equal(c.periods, 1);
	NEAR(c.allowed, 1000);
	/* More server ports: the tuples multiply. */
	o = client_first();
	o.dst_ports = 4;
	bench_ceiling(&o, 1000, 60, &c);
	assert_int_equal(c.tuples, 4);
	NEAR(c.per_s, 4000.0 / 60);
	/* bind() to 4 addresses: only the addresses count, tw_reuse does not help. */
	o.src_addrs = 4;
	o.tw_reuse = 1;
	bench_ceiling(&o, 1000, 60, &c);
	assert_int_equal(c.tuples, 4);
	assert_int_equal(c.period_s, 60);
	/* ... unless the port is chosen at connect: addresses x ports. */
	o.bind_no_port = 1;
	o.tw_reuse = 0;
	bench_ceiling(&o, 1000, 60, &c);
	assert_int_equal(c.tuples, 16);
	NEAR(c.per_s, 16000.0 / 60);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(series_grows),
		cmocka_unit_test(plot_draws_runs_and_ceiling),
		cmocka_unit_test(ceiling_sustained_and_window),
		cmocka_unit_test(ceiling_ways_around),
		cmocka_unit_test(plot_empty_series),
		cmocka_unit_test(plot_via_draws_proxy_sides),
		cmocka_unit_test(src_addrs_in_subnet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
