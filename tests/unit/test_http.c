/*
 * test_http.c - request heads counted across any split, the server's answer
 * (13-byte body, headers SCENARIOS.md asks for), answer completeness.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http.h"

static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

static void
scan_whole_and_split(void **state)
{
	struct http_scan s = { 0 };
	char two[2 * sizeof(req)];
	size_t i, len = strlen(req);
	unsigned total;

	assert_int_equal(http_scan(&s, req, len), 1);
	snprintf(two, sizeof(two), "%s%s", req, req);
	assert_int_equal(http_scan(&s, two, 2 * len), 2);
	/* Every split point, one byte at a time too. */
	for (i = 0; i <= len; i++) {
		memset(&s, 0, sizeof(s));
		total = http_scan(&s, req, i) + http_scan(&s, req + i, len - i);
		assert_int_equal(total, 1);
	}
	memset(&s, 0, sizeof(s));
	for (i = 0, total = 0; i < len; i++)
		total += http_scan(&s, req + i, 1);
	assert_int_equal(total, 1);
	/* Bare LFs count too; a line in between does not end the head. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(http_scan(&s, "GET / HTTP/1.0\nA: b\n\n", 21), 1);
	assert_int_equal(http_scan(&s, "GET / HTTP/1.1\r\nA: b\r\n", 23), 0);
}

static void
answer(void **state)
{
	char buf[512];
	size_t n;

	assert_int_equal(HTTP_BODY_LEN, 13);
	n = http_answer(buf, sizeof(buf), "keep-alive", 0);
	assert_true(n > 0);
	assert_int_equal(n, strlen(buf));
	assert_memory_equal(buf, "HTTP/1.1 200 OK\r\n", 17);
	assert_non_null(strstr(buf, "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"));
	assert_non_null(strstr(buf, "Server: timewait\r\n"));
	assert_non_null(strstr(buf, "Content-Type: application/json\r\n"));
	assert_non_null(strstr(buf, "Connection: keep-alive\r\n"));
	assert_non_null(strstr(buf, "Content-Length: 13\r\n\r\n" HTTP_BODY));
	assert_int_equal(http_answer_complete(buf, n), n);
	assert_int_equal(http_answer_complete(buf, n - 1), 0);
	assert_int_equal(http_answer(buf, 20, "close", 0), 0);
}

static void
request(void **state)
{
	char buf[256];
	struct http_scan s = { 0 };
	size_t n;

	n = http_request(buf, sizeof(buf), "server", "close");
	assert_true(n > 0);
	assert_memory_equal(buf, "GET / HTTP/1.1\r\n", 16);
	assert_non_null(strstr(buf, "Connection: close\r\n\r\n"));
	assert_int_equal(http_scan(&s, buf, n), 1);
	assert_int_equal(http_answer_complete("HTTP/1.1 200 OK\r\n\r\n", 19), 19);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scan_whole_and_split),
		cmocka_unit_test(answer),
		cmocka_unit_test(request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
