/*
 * test_jsonl.c - the one JSON-lines reader (src/model/jsonl.c): what a
 * flat line gives (escapes, surrogate pairs, numbers, true/false/null),
 * that it refuses what is not one flat JSON object with a reason, and
 * that a live file's last line without its newline waits for the next
 * read instead of being taken half-written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/jsonl.h"

static int
parse(const char *text, struct jrec *o, const char **why)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s", text);
	return jrec_parse(buf, o, why);
}

static void
test_good_line(void **state)
{
	struct jrec o;
	const char *why;
	int64_t t;

	(void)state;
	assert_int_equal(parse("{\"t_ns\":1796028227957010070, \"s\":\"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\","
	    "\"n\":-12,\"f\":1.5e3,\"b\":true,\"z\":null,\"e\":\"\"}\n", &o, &why), 0);
	assert_int_equal(o.n, 7);
	assert_int_equal(jr_time(&o, "t_ns", &t), 0);
	assert_true(t == 1796028227957010070LL);
	assert_string_equal(jr_str(&o, "s"), "a\"b\\c\xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(jr_int(&o, "n", 0), -12);
	assert_int_equal(jr_int(&o, "f", 7), 7);	/* not an integer */
	assert_string_equal(jr_str(&o, "n"), "");	/* not a string */
	assert_string_equal(jr_str(&o, "missing"), "");
	assert_int_equal(parse("{}", &o, &why), 0);
	assert_int_equal(o.n, 0);
}

static void
test_bad_lines(void **state)
{
	static const char *const bad[] = {
		"", "[1]", "{\"a\":1", "{\"a\":1}x", "{\"a\":{\"b\":1}}", "{\"a\":[1]}",
		"{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":\"x}", "{\"a\":\"\\q\"}",
		"{\"a\":\"\\ud800\"}", "{\"a\":\"\x01\"}", "{a:1}", "{\"a\" 1}", "{\"a\":1,}",
		"{\"a\":tru}", NULL,
	};
	struct jrec o;
	const char *why;
	int64_t t;

	(void)state;
	for (int i = 0; bad[i]; i++) {
		why = NULL;
		if (parse(bad[i], &o, &why) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(why);
	}
	/* Times outside [0, 2^62]: refused before any arithmetic. */
	assert_int_equal(parse("{\"t_ns\":-9223372036854775808}", &o, &why), 0);
	assert_int_equal(jr_time(&o, "t_ns", &t), -1);
	assert_int_equal(parse("{\"t_ns\":9223372036854775807}", &o, &why), 0);
	assert_int_equal(jr_time(&o, "t_ns", &t), -1);
	assert_int_equal(parse("{\"t_ns\":99999999999999999999}", &o, &why), 0);
	assert_int_equal(jr_time(&o, "t_ns", &t), -1);
}

static void
test_live_file(void **state)
{
	char path[] = "/tmp/twtest-jsonl-XXXXXX", err[256];
	const struct jrec *o;
	struct jsonl r;
	off_t off;
	FILE *f;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("{\"step\":\"listen\"}\n{\"step\":\"acc", f);
	fflush(f);
	assert_int_equal(jsonl_open(&r, path, 0, 1, err, sizeof(err)), 0);
	assert_int_equal(jsonl_next(&r, &o, err, sizeof(err)), 1);
	assert_string_equal(jr_str(o, "step"), "listen");
	assert_int_equal(jsonl_next(&r, &o, err, sizeof(err)), 0);	/* half a line */
	off = r.off;
	jsonl_close(&r);
	fputs("ept\"}\n{\"step\":", f);
	fflush(f);
	assert_int_equal(jsonl_open(&r, path, off, 1, err, sizeof(err)), 0);
	assert_int_equal(jsonl_next(&r, &o, err, sizeof(err)), 1);
	assert_string_equal(jr_str(o, "step"), "accept");
	assert_int_equal(jsonl_next(&r, &o, err, sizeof(err)), 0);
	jsonl_close(&r);
	/* Read as a finished file, the cut line is an error naming its line. */
	assert_int_equal(jsonl_open(&r, path, 0, 0, err, sizeof(err)), 0);
	assert_int_equal(jsonl_next(&r, &o, err, sizeof(err)), 1);
	assert_int_equal(jsonl_next(&r, &o, err, sizeof(err)), 1);
	assert_int_equal(jsonl_next(&r, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":3: "));
	assert_non_null(strstr(err, path));
	jsonl_close(&r);
	fclose(f);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_line),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_live_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
