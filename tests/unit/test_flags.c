/*
 * test_flags.c - the flags helper (cli/flags.c) on a table made for the
 * test: every kind of value, both forms (--x V and --x=V), short letters,
 * defaults, a missing value, an unknown flag, a value given to a flag that
 * takes none, the optional value, plain words mixed with flags, and the
 * help text made from the rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/flags.h"

struct topts {
	int quiet;
	long count;
	double scale;
	uint16_t port;
	const char *out;
	int mode;
	const char *html;
	int fast;
	long even;
};

static int
set_fast(void *opts, const char *v, char *msg, size_t len)
{
	(void)v; (void)msg; (void)len;
	((struct topts *)opts)->fast = 1;
	((struct topts *)opts)->scale = 0.1;
	return 0;
}

static int
set_even(void *opts, const char *v, char *msg, size_t len)
{
	long n = strtol(v, NULL, 10);

	if (n % 2) {
		snprintf(msg, len, "--even wants an even number, not '%s'", v);
		return -1;
	}
	((struct topts *)opts)->even = n;
	return 0;
}

#define OFF(f) offsetof(struct topts, f)
static const struct flag_row rows[] = {
	FLAG("quiet", 'q', FLAG_BOOL, OFF(quiet), NULL, NULL, "say less"),
	FLAG("count", 'n', FLAG_LONG, OFF(count), "N", "5", "how many", .min = 1, .max = 10),
	FLAG("scale", 0, FLAG_DOUBLE, OFF(scale), "F", "1", "a factor", .min = 0.01, .max = 10),
	FLAG("port", 'p', FLAG_PORT, OFF(port), "PORT", "8080", "a port"),
	FLAG("out", 'o', FLAG_STRING, OFF(out), "DIR", "runs", "a folder", .complete = COMPLETE_DIR),
	FLAG("mode", 0, FLAG_CHOICE, OFF(mode), NULL, "client", "who closes",
	    .choices = "client|server|rst"),
	FLAG("html", 0, FLAG_OPTIONAL, OFF(html), "FILE", NULL, "a page"),
	FLAG("fast", 0, FLAG_ACTION, 0, NULL, NULL, "scale 0.1", .fn = set_fast),
	FLAG("even", 0, FLAG_FUNC, 0, "N", NULL, "an even number", .fn = set_even),
	FLAG_LAYER_END,
};

static const struct flag_cmd cmd = {
	.name = "test cmd",
	.synopsis = "[OPTIONS] WORD...",
	.about = "A command made for the test.",
	.layers = { flags_common, rows, NULL },
	.epilog = "The end.",
};

static struct flags_result res;

static enum flags_status
parse(struct topts *o, const char *first, ...)
{
	static char *argv[32];
	int argc = 0;
	va_list ap;
	const char *w;

	memset(o, 0, sizeof(*o));
	argv[argc++] = (char *)"cmd";
	va_start(ap, first);
	for (w = first; w != NULL && argc < 31; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	return flags_parse(&cmd, o, argc, argv, &res);
}

static void
defaults(void **state)
{
	struct topts o;

	assert_int_equal(parse(&o, NULL), FLAGS_OK);
	assert_int_equal(o.quiet, 0);
	assert_int_equal(o.count, 5);
	assert_true(o.scale == 1.0);
	assert_int_equal(o.port, 8080);
	assert_string_equal(o.out, "runs");
	assert_int_equal(o.mode, 0);
	assert_null(o.html);
	assert_int_equal(res.npos, 0);
}

static void
every_kind_both_forms(void **state)
{
	struct topts o;

	assert_int_equal(parse(&o, "--quiet", "--count", "7", "--scale=0.5", "--port", "99",
	    "--out=x", "--mode", "rst", "--even=4", NULL), FLAGS_OK);
	assert_int_equal(o.quiet, 1);
	assert_int_equal(o.count, 7);
	assert_true(o.scale == 0.5);
	assert_int_equal(o.port, 99);
	assert_string_equal(o.out, "x");
	assert_int_equal(o.mode, 2);
	assert_int_equal(o.even, 4);
	assert_int_equal(parse(&o, "--count=8", "--scale", "2", "--port=100", "--out", "y",
	    "--mode=server", "--even", "6", NULL), FLAGS_OK);
	assert_int_equal(o.count, 8);
	assert_true(o.scale == 2.0);
	assert_int_equal(o.port, 100);
	assert_string_equal(o.out, "y");
	assert_int_equal(o.mode, 1);
	assert_int_equal(o.even, 6);
	/* Short letters, glued and apart. */
	assert_int_equal(parse(&o, "-q", "-n3", "-p", "7", "-o", "z", NULL), FLAGS_OK);
	assert_int_equal(o.quiet, 1);
	assert_int_equal(o.count, 3);
	assert_int_equal(o.port, 7);
	assert_string_equal(o.out, "z");
	/* An action runs its function. */
	assert_int_equal(parse(&o, "--fast", NULL), FLAGS_OK);
	assert_int_equal(o.fast, 1);
	assert_true(o.scale == 0.1);
}

static void
words_and_flags_mix(void **state)
{
	struct topts o;

	assert_int_equal(parse(&o, "a", "--quiet", "b", "-n", "2", "c", NULL), FLAGS_OK);
	assert_int_equal(res.npos, 3);
	assert_string_equal(res.pos[0], "a");
	assert_string_equal(res.pos[1], "b");
	assert_string_equal(res.pos[2], "c");
	assert_int_equal(parse(&o, "--quiet", "--", "--count", NULL), FLAGS_OK);
	assert_int_equal(res.npos, 1);
	assert_string_equal(res.pos[0], "--count");
}

static void
optional_value(void **state)
{
	struct topts o;

	assert_int_equal(parse(&o, "--html=page.html", "dir", NULL), FLAGS_OK);
	assert_string_equal(o.html, "page.html");
	assert_null(res.optional_next);
	assert_int_equal(parse(&o, "dir", "--html", NULL), FLAGS_OK);
	assert_string_equal(o.html, "");
	assert_null(res.optional_next);
	assert_int_equal(parse(&o, "dir", "--html", "page.html", NULL), FLAGS_OK);
	assert_string_equal(o.html, "");
	assert_non_null(res.optional_next);
	assert_string_equal(res.optional_next, "page.html");
	assert_int_equal(res.npos, 2);
}

static void
bad_input(void **state)
{
	struct topts o;

	assert_int_equal(parse(&o, "--count", NULL), FLAGS_BAD);
	assert_string_equal(res.msg, "--count needs a value");
	assert_int_equal(parse(&o, "-n", NULL), FLAGS_BAD);
	assert_string_equal(res.msg, "-n needs a value");
	assert_int_equal(parse(&o, "--bogus", NULL), FLAGS_BAD);
	assert_string_equal(res.msg, "unknown flag '--bogus'");
	assert_int_equal(parse(&o, "--bogus=3", NULL), FLAGS_BAD);
	assert_string_equal(res.msg, "unknown flag '--bogus'");
	assert_int_equal(parse(&o, "-x", NULL), FLAGS_BAD);
	assert_string_equal(res.msg, "unknown flag '-x'");
	assert_int_equal(parse(&o, "--quiet=1", NULL), FLAGS_BAD);
	assert_string_equal(res.msg, "--quiet takes no value");
	assert_int_equal(parse(&o, "--count", "11", NULL), FLAGS_BAD);
	assert_non_null(strstr(res.msg, "--count wants a whole number from 1 to 10, not '11'"));
	assert_int_equal(parse(&o, "--count=x", NULL), FLAGS_BAD);
	assert_int_equal(parse(&o, "--scale", "0", NULL), FLAGS_BAD);
	assert_int_equal(parse(&o, "--scale", "nan", NULL), FLAGS_BAD);
	assert_int_equal(parse(&o, "--port", "0", NULL), FLAGS_BAD);
	assert_int_equal(parse(&o, "--port", "65536", NULL), FLAGS_BAD);
	assert_int_equal(parse(&o, "--out", "", NULL), FLAGS_BAD);
	assert_int_equal(parse(&o, "--mode", "both", NULL), FLAGS_BAD);
	assert_string_equal(res.msg, "--mode is one of client|server|rst, not 'both'");
	assert_int_equal(parse(&o, "--even", "3", NULL), FLAGS_BAD);
	assert_string_equal(res.msg, "--even wants an even number, not '3'");
}

static void
help_and_version(void **state)
{
	struct topts o;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(parse(&o, "--help", NULL), FLAGS_HELP);
	assert_int_equal(parse(&o, "-q", "-h", NULL), FLAGS_HELP);
	assert_int_equal(parse(&o, "--version", NULL), FLAGS_VERSION);
	assert_int_equal(parse(&o, "-V", NULL), FLAGS_VERSION);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	flags_usage(&cmd, "cmd", f);
	fclose(f);
	assert_non_null(strstr(text, "usage: timewait test cmd [OPTIONS] WORD...\n"));
	assert_non_null(strstr(text, "A command made for the test."));
	assert_non_null(strstr(text, "  -q, --quiet"));
	assert_non_null(strstr(text, "  -n, --count N"));
	assert_non_null(strstr(text, "how many (default 5)"));
	assert_non_null(strstr(text, "      --scale F"));
	assert_non_null(strstr(text, "      --mode client|server|rst"));
	assert_non_null(strstr(text, "      --html[=FILE]"));
	assert_non_null(strstr(text, "  -h, --help"));
	assert_non_null(strstr(text, "The end."));
	free(text);
}

static void
prefix(void **state)
{
	char buf[64];

	assert_string_equal(flags_prefix(&cmd, "run", buf, sizeof(buf)), "timewait test cmd");
	assert_string_equal(flags_prefix(&cmd, "/usr/bin/timewait_server", buf, sizeof(buf)),
	    "timewait_server");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(every_kind_both_forms),
		cmocka_unit_test(words_and_flags_mix),
		cmocka_unit_test(optional_value),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(help_and_version),
		cmocka_unit_test(prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
