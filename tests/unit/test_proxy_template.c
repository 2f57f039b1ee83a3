/*
 * test_proxy_template.c - src/proxy/template.c: placeholders filled, the
 * proxies' own braces left alone, "{{" as a literal brace, unknown
 * placeholders and dangerous values refused with FILE:LINE; and every
 * template shipped in proxies/ renders with the placeholders the lab gives
 * (TW_TOP names the source tree, default ".").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy/proxy.h"

static const struct proxy_var lab_vars[] = {
	{ "proxy", "10.77.3.3" },
	{ "backend", "10.77.3.4" },
	{ "backend2", "10.77.3.5" },
	{ "dir", "/tmp/tw-1-run/proxy" },
};

#define NVARS (sizeof(lab_vars) / sizeof(lab_vars[0]))

static void
fills_placeholders(void **state)
{
	char out[256], err[256];
	long n;

	n = proxy_render_text("server {backend}:666;\nbind {proxy}:666\n", "t.conf",
	    lab_vars, NVARS, out, sizeof(out), err, sizeof(err));
	assert_int_equal(n, (long)strlen(out));
	assert_string_equal(out, "server 10.77.3.4:666;\nbind 10.77.3.3:666\n");
}

static void
keeps_config_braces(void **state)
{
	char out[256], err[256];
	const char *nginx = "events {\n\tworker_connections 8;\n}\nhttp { upstream b { } }\n";

	assert_true(proxy_render_text(nginx, "n.conf", lab_vars, NVARS, out, sizeof(out),
	    err, sizeof(err)) > 0);
	assert_string_equal(out, nginx);
	/* Not names: upper case, a leading digit, an empty pair. */
	assert_true(proxy_render_text("{A} {1x} {} {x-y}", "n.conf", lab_vars, NVARS, out,
	    sizeof(out), err, sizeof(err)) > 0);
	assert_string_equal(out, "{A} {1x} {} {x-y}");
}

static void
double_brace_is_literal(void **state)
{
	char out[256], err[256];

	assert_true(proxy_render_text("LogFormat \"%{{remote}p\" {{proxy}", "a.conf",
	    lab_vars, NVARS, out, sizeof(out), err, sizeof(err)) > 0);
	assert_string_equal(out, "LogFormat \"%{remote}p\" {proxy}");
}

static void
unknown_placeholder_names_file_and_line(void **state)
{
	char out[256], err[256];

	assert_int_equal(proxy_render_text("a\nb\n  server {bakend}:666\n", "x.cfg",
	    lab_vars, NVARS, out, sizeof(out), err, sizeof(err)), -1);
	assert_string_equal(err, "x.cfg:3: unknown placeholder {bakend}");
}

static void
refuses_values_that_are_syntax(void **state)
{
	static const char *const bad[] = { "1.2.3.4; evil", "a b", "x\ny", "\"q\"", "{x}", "" };
	char out[256], err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct proxy_var v = { "proxy", bad[i] };

		assert_int_equal(proxy_render_text("{proxy}", "x", &v, 1, out, sizeof(out),
		    err, sizeof(err)), -1);
	}
	{
		struct proxy_var v = { "Proxy", "1.2.3.4" };

		assert_int_equal(proxy_render_text("x", "x", &v, 1, out, sizeof(out),
		    err, sizeof(err)), -1);
	}
}

static void
refuses_output_too_small(void **state)
{
	char out[8], err[256];

	assert_int_equal(proxy_render_text("{backend}:666", "x", lab_vars, NVARS, out,
	    sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
}

static void
kinds_from_names(void **state)
{
	assert_int_equal(proxy_kind_of("proxies/haproxy-httpclose.cfg"), PROXY_HAPROXY);
	assert_int_equal(proxy_kind_of("nginx-default.conf"), PROXY_NGINX);
	assert_int_equal(proxy_kind_of("/x/apache-default.conf"), PROXY_APACHE);
	assert_int_equal(proxy_kind_of("/x/haproxy.cfg"), -1);
	assert_int_equal(proxy_kind_of("/x/envoy-default.yaml"), -1);
}

/* Every shipped template renders, and leaves no braced lower-case name
 * behind that a proxy would read literally. */
static void
shipped_templates_render(void **state)
{
	const char *top = getenv("TW_TOP") ? getenv("TW_TOP") : ".";
	char dirpath[1024], path[1400], err[512];
	struct dirent *e;
	int count = 0, outfd;
	DIR *d;
	char tmp[] = "/tmp/tw-test-proxy-XXXXXX";

	snprintf(dirpath, sizeof(dirpath), "%s/proxies", top);
	d = opendir(dirpath);
	if (d == NULL)
		skip();
	assert_non_null(mkdtemp(tmp));
	outfd = open(tmp, O_RDONLY | O_DIRECTORY);
	assert_true(outfd >= 0);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirpath, e->d_name);
		assert_true(proxy_kind_of(e->d_name) >= 0);
		if (proxy_render_file(path, outfd, e->d_name, lab_vars, NVARS, err,
		    sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(unlinkat(outfd, e->d_name, 0), 0);
		count++;
	}
	closedir(d);
	close(outfd);
	rmdir(tmp);
	assert_true(count >= 9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fills_placeholders),
		cmocka_unit_test(keeps_config_braces),
		cmocka_unit_test(double_brace_is_literal),
		cmocka_unit_test(unknown_placeholder_names_file_and_line),
		cmocka_unit_test(refuses_values_that_are_syntax),
		cmocka_unit_test(refuses_output_too_small),
		cmocka_unit_test(kinds_from_names),
		cmocka_unit_test(shipped_templates_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
