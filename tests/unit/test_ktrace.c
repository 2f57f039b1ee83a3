/*
 * test_ktrace.c - what ktrace refuses before it touches the kernel: a bad
 * instance name, a bad lab address, a NULL handle to stop. (The trace
 * itself, on real connections, is tests/integration/ktrace.sh: it needs
 * root and namespaces.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "host/ktrace.h"

static void
test_bad_instance_name(void **state)
{
	const char *addrs[] = { "10.0.0.1" };
	char err[128] = "";

	(void)state;
	assert_null(ktrace_start("a/b", addrs, NULL, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "instance"));
	err[0] = 0;
	assert_null(ktrace_start("", addrs, NULL, 1, err, sizeof(err)));
	assert_true(err[0] != 0);
}

static void
test_stop_null(void **state)
{
	struct ktrace_stats st;

	(void)state;
	assert_int_equal(ktrace_stop(NULL, NULL, &st), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_instance_name),
		cmocka_unit_test(test_stop_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
