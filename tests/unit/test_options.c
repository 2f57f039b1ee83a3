/*
 * test_options.c - the command lines of the server and the client: the
 * seed's forms, defaults, long forms, the positional code, and every kind of
 * bad input (which must come back as PARSE_BAD with a message, never a crash).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "options.h"

static char msg[256];

/* Parses a NULL-terminated list of words; argv[0] is the program. */
static enum parse_result
parse(struct options *o, enum program prog, const char *first, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	const char *w;

	argv[argc++] = (char *)"prog";
	va_start(ap, first);
	for (w = first; w != NULL && argc < 31; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	return options_parse(o, prog, argc, argv, msg, sizeof(msg));
}

static void
server_defaults(void **state)
{
	struct options o;

	assert_int_equal(parse(&o, PROG_SERVER, NULL), PARSE_OK);
	assert_int_equal(o.code, 3);
	assert_int_equal(o.port, 666);
	assert_false(o.debug);
	assert_true(o.time_scale == 1.0);
	assert_int_equal(o.linger, -1);
}

static void
client_defaults(void **state)
{
	struct options o;

	assert_int_equal(parse(&o, PROG_CLIENT, NULL), PARSE_OK);
	assert_int_equal(o.code, 0);
	assert_int_equal(o.port, 666);
	assert_int_equal(o.srcport, 667);
	assert_string_equal(o.target, "server");
	assert_int_equal(o.requests, -1);
}

static void
seed_forms(void **state)
{
	struct options o;

	assert_int_equal(parse(&o, PROG_SERVER, "1", NULL), PARSE_OK);
	assert_int_equal(o.code, 1);
	assert_int_equal(parse(&o, PROG_CLIENT, "-c", "666", "-f", "667", "-t",
	    "server2", "-s", "0", NULL), PARSE_OK);
	assert_int_equal(o.port, 666);
	assert_int_equal(o.srcport, 667);
	assert_string_equal(o.target, "server2");
	assert_int_equal(o.code, 0);
	assert_int_equal(parse(&o, PROG_SERVER, "-d", "-p", "8080", "-s", "5", NULL), PARSE_OK);
	assert_true(o.debug);
	assert_int_equal(o.port, 8080);
	assert_int_equal(o.code, 5);
}

static void
long_forms(void **state)
{
	struct options o;

	assert_int_equal(parse(&o, PROG_CLIENT, "--dstport", "80", "--fromport=1234",
	    "--target", "::1", "--scenario", "7", "--debug", "--events", "/dev/fd/3",
	    "--time-scale", "0.1", "--linger", "0", "--reuseaddr", "--requests", "5",
	    "--quit-when-done", NULL), PARSE_OK);
	assert_int_equal(o.port, 80);
	assert_int_equal(o.srcport, 1234);
	assert_string_equal(o.target, "::1");
	assert_int_equal(o.code, 7);
	assert_true(o.debug);
	assert_string_equal(o.events_path, "/dev/fd/3");
	assert_true(o.time_scale > 0.0999 && o.time_scale < 0.1001);
	assert_int_equal(o.linger, 0);
	assert_true(o.reuseaddr);
	assert_int_equal(o.requests, 5);
	assert_true(o.quit_when_done);
	assert_int_equal(parse(&o, PROG_CLIENT, "--no-bind", NULL), PARSE_OK);
	assert_true(o.no_bind);
	assert_int_equal(parse(&o, PROG_CLIENT, "--bind-no-port", NULL), PARSE_OK);
	assert_true(o.bind_no_port);
	assert_false(o.half_close);
	assert_int_equal(parse(&o, PROG_CLIENT, "--half-close", "--close-connecting", NULL), PARSE_OK);
	assert_true(o.half_close);
	assert_true(o.close_connecting);
	assert_int_equal(parse(&o, PROG_SERVER, "--no-accept", NULL), PARSE_OK);
	assert_true(o.no_accept);
	/* each program's own knobs only */
	assert_int_equal(parse(&o, PROG_SERVER, "--half-close", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "--no-accept", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_SERVER, "--port", "16600", "9", NULL), PARSE_OK);
	assert_int_equal(o.port, 16600);
	assert_int_equal(o.code, 9);
	assert_int_equal(o.workers, 1);
	assert_int_equal(parse(&o, PROG_SERVER, "--workers", "2", "7", NULL), PARSE_OK);
	assert_int_equal(o.workers, 2);
	assert_int_equal(parse(&o, PROG_SERVER, "--workers", "0", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "--workers", "2", NULL), PARSE_BAD);
}

static void
positional_wins_last(void **state)
{
	struct options o;

	assert_int_equal(parse(&o, PROG_CLIENT, "-s", "1", "6", NULL), PARSE_OK);
	assert_int_equal(o.code, 6);
}

static void
help(void **state)
{
	struct options o;

	assert_int_equal(parse(&o, PROG_SERVER, "--help", NULL), PARSE_HELP);
	assert_int_equal(parse(&o, PROG_CLIENT, "-h", NULL), PARSE_HELP);
	assert_int_equal(parse(&o, PROG_CLIENT, "--version", NULL), PARSE_VERSION);
	assert_int_equal(parse(&o, PROG_SERVER, "-V", NULL), PARSE_VERSION);
}

static void
bad(void **state)
{
	struct options o;

	assert_int_equal(parse(&o, PROG_SERVER, "10", NULL), PARSE_BAD);
	assert_non_null(strstr(msg, "unknown scenario code '10'"));
	assert_int_equal(parse(&o, PROG_CLIENT, "11", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "-s", "-1", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "x", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_SERVER, "-p", "0", NULL), PARSE_BAD);
	assert_non_null(strstr(msg, "--port wants a port from 1 to 65535, not '0'"));
	assert_int_equal(parse(&o, PROG_SERVER, "-p", "65536", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_SERVER, "-p", "http", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "-f", "12ab", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "-q", NULL), PARSE_BAD);
	assert_non_null(strstr(msg, "unknown flag '-q'"));
	assert_int_equal(parse(&o, PROG_CLIENT, "--bogus", NULL), PARSE_BAD);
	assert_non_null(strstr(msg, "unknown flag '--bogus'"));
	assert_int_equal(parse(&o, PROG_CLIENT, "-t", NULL), PARSE_BAD);
	assert_non_null(strstr(msg, "needs a value"));
	assert_int_equal(parse(&o, PROG_CLIENT, "--target", NULL), PARSE_BAD);
	assert_non_null(strstr(msg, "needs a value"));
	/* A flag of the other program is unknown here. */
	assert_int_equal(parse(&o, PROG_SERVER, "-t", "x", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_SERVER, "--requests", "2", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "-p", "80", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "--time-scale", "-1", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "--time-scale", "nan", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "--linger", "x", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "--requests", "0", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "1", "2", NULL), PARSE_BAD);
	assert_non_null(strstr(msg, "unexpected argument"));
	assert_int_equal(parse(&o, PROG_CLIENT, "--no-bind", "--bind-no-port", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "-t", "", NULL), PARSE_BAD);
}

/* The shutdown knobs (one of them) and the server's forged RST. */
static void
shutdown_and_rst(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse(&o, PROG_CLIENT, NULL), PARSE_OK);
	assert_false(o.shut_rd);
	assert_false(o.shut_rdwr);
	assert_int_equal(parse(&o, PROG_CLIENT, "--shut-rd", "8", NULL), PARSE_OK);
	assert_true(o.shut_rd);
	assert_int_equal(o.code, 8);
	assert_int_equal(parse(&o, PROG_CLIENT, "--shut-rdwr", NULL), PARSE_OK);
	assert_true(o.shut_rdwr);
	assert_int_equal(parse(&o, PROG_CLIENT, "--shut-rd", "--shut-rdwr", NULL), PARSE_BAD);
	assert_non_null(strstr(msg, "cannot go together"));
	assert_int_equal(parse(&o, PROG_CLIENT, "--half-close", "--shut-rd", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "--half-close", "--shut-rdwr", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_SERVER, "--shut-rd", NULL), PARSE_BAD);

	assert_int_equal(parse(&o, PROG_SERVER, NULL), PARSE_OK);
	assert_int_equal(o.rst_after_close, -1);
	assert_int_equal(parse(&o, PROG_SERVER, "--rst-after-close", "5000", "3", NULL), PARSE_OK);
	assert_int_equal(o.rst_after_close, 5000);
	assert_int_equal(o.code, 3);
	assert_int_equal(parse(&o, PROG_SERVER, "--rst-after-close=0", NULL), PARSE_OK);
	assert_int_equal(o.rst_after_close, 0);
	assert_int_equal(parse(&o, PROG_SERVER, "--rst-after-close", "-1", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_SERVER, "--rst-after-close", "3600001", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_SERVER, "--rst-after-close", "soon", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "--rst-after-close", "10", NULL), PARSE_BAD);

	assert_int_equal(parse(&o, PROG_CLIENT, NULL), PARSE_OK);
	assert_int_equal(o.isn, -1);
	assert_int_equal(parse(&o, PROG_CLIENT, "--isn", "1000", NULL), PARSE_OK);
	assert_int_equal(o.isn, 1000);
	assert_int_equal(parse(&o, PROG_CLIENT, "--isn=4294967295", NULL), PARSE_OK);
	assert_int_equal(o.isn, 4294967295L);
	assert_int_equal(parse(&o, PROG_CLIENT, "--isn", "4294967296", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_CLIENT, "--isn", "-1", NULL), PARSE_BAD);
	assert_int_equal(parse(&o, PROG_SERVER, "--isn", "1000", NULL), PARSE_BAD);

	/* Which arguments keep CAP_NET_ADMIN and CAP_NET_RAW in the lab. */
	{
		char *plain[] = { "client", "-s", "0", NULL }, *isn[] = { "client", "--isn=7", NULL };
		char *rst[] = { "server", "--rst", "10", "3", NULL };	/* getopt's abbreviation */
		char *bad[] = { "server", "--isn", "7", NULL };

		assert_int_equal(options_need_net_caps(PROG_CLIENT, 3, plain), 0);
		assert_int_equal(options_need_net_caps(PROG_CLIENT, 2, isn), 1);
		assert_int_equal(options_need_net_caps(PROG_SERVER, 4, rst), 1);
		assert_int_equal(options_need_net_caps(PROG_SERVER, 3, bad), 0);
	}
}

static void
scale(void **state)
{
	struct options o;

	assert_int_equal(parse(&o, PROG_CLIENT, "--time-scale", "0.1", NULL), PARSE_OK);
	assert_true(options_scale(&o, 10000000000ULL) == 1000000000ULL);
	assert_true(options_scale(&o, 200000ULL) == 20000ULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(server_defaults),
		cmocka_unit_test(client_defaults),
		cmocka_unit_test(seed_forms),
		cmocka_unit_test(long_forms),
		cmocka_unit_test(positional_wins_last),
		cmocka_unit_test(help),
		cmocka_unit_test(bad),
		cmocka_unit_test(shutdown_and_rst),
		cmocka_unit_test(scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
