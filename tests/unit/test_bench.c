/*
 * test_bench.c - the bench's pure parts: the 100 ms series grows without
 * losing samples, the plot is a complete SVG that draws every run with its
 * ceiling, and --src-addrs' addresses stay in the client's subnet.
 */
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
	int fd, i;

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
	lines[0] = (struct plot_line){ "client <&>", &a, 1000.0 / 60 };
	lines[1] = (struct plot_line){ "server", &b, -1 };
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(plot_svg(path, "test & plot", lines, 2), 0);
	svg = slurp(path);
	unlink(path);
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
	struct plot_line l = { "empty", &a, -1 };
	char *svg;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(plot_svg(path, "empty", &l, 1), 0);
	svg = slurp(path);
	unlink(path);
	assert_non_null(strstr(svg, "</svg>"));
	assert_null(strstr(svg, "nan"));
	free(svg);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(series_grows),
		cmocka_unit_test(plot_draws_runs_and_ceiling),
		cmocka_unit_test(plot_empty_series),
		cmocka_unit_test(src_addrs_in_subnet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
