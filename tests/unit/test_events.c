/*
 * test_events.c - one step, two lines: the human line on standard output and
 * the JSON line in the events file (docs/formats.md), read back with jansson.
 * A call's start (event_call_start) goes with the next event of its step
 * only, as t0_ns, never after t_ns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "events.h"

static char dir[] = "/tmp/twt-events-XXXXXX";
static char jpath[128], hpath[128];

/* Runs f with standard output sent to hpath; the lines land in the files. */
static void
capture(void (*f)(void))
{
	FILE *h;
	int saved;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	h = fopen(hpath, "w");
	assert_non_null(h);
	dup2(fileno(h), STDOUT_FILENO);
	f();
	dup2(saved, STDOUT_FILENO);
	close(saved);
	fclose(h);
}

static void
slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void
emit_bind_failure(void)
{
	struct event e;

	event_init(&e, "bind");
	e.ret = -1;
	e.err = EADDRINUSE;
	e.req = 2;
	e.fd = 7;
	e.local = "0.0.0.0:667";
	event_emit(&e);
}

static void
emit_read(void)
{
	struct event e;

	event_init(&e, "read");
	e.ret = 17;
	e.req = 1;
	e.fd = 5;
	e.bytes = 17;
	e.data = "BIP:1732499999999\"\\";
	e.datalen = 19;
	e.events = EPOLLIN | EPOLLRDHUP;
	e.note = "x";
	event_emit(&e);
}

static void
emit_timed_calls(void)
{
	struct timespec pause = { 0, 2000000 };	/* the call takes 2 ms */

	event_call_start("close");
	nanosleep(&pause, NULL);
	event_step("epoll", 0, 0, 1, 0, 5, NULL);	/* another step: no t0_ns */
	event_step("close", 0, 0, 1, 0, 5, NULL);	/* takes the mark */
	event_step("close", 0, 0, 1, 0, 6, NULL);	/* the mark is used up */
}

static void
call_start_time(void **state)
{
	char js[4096], *line;
	json_error_t jerr;
	json_t *j[3];
	int n = 0;

	snprintf(jpath, sizeof(jpath), "%s/t0.jsonl", dir);
	snprintf(hpath, sizeof(hpath), "%s/t0.txt", dir);
	assert_int_equal(event_open("client", 0, jpath), 0);
	capture(emit_timed_calls);
	slurp(jpath, js, sizeof(js));
	for (line = strtok(js, "\n"); line && n < 3; line = strtok(NULL, "\n"))
		assert_non_null(j[n++] = json_loads(line, 0, &jerr));
	assert_int_equal(n, 3);
	assert_null(json_object_get(j[0], "t0_ns"));
	assert_non_null(json_object_get(j[1], "t0_ns"));
	assert_true(json_integer_value(json_object_get(j[1], "t_ns")) -
	    json_integer_value(json_object_get(j[1], "t0_ns")) >= 2000000);
	assert_null(json_object_get(j[2], "t0_ns"));
	for (n = 0; n < 3; n++)
		json_decref(j[n]);
	event_close();
	unlink(jpath);
	unlink(hpath);
}

static void
both_lines(void **state)
{
	char human[1024], js[4096];
	json_error_t jerr;
	json_t *j;

	snprintf(jpath, sizeof(jpath), "%s/ev.jsonl", dir);
	snprintf(hpath, sizeof(hpath), "%s/human.txt", dir);
	assert_int_equal(event_open("client", 0, jpath), 0);
	capture(emit_bind_failure);
	slurp(hpath, human, sizeof(human));
	assert_non_null(strstr(human, "client req 2: bind failed: Address already in use (98)\n"));
	slurp(jpath, js, sizeof(js));
	j = json_loads(js, JSON_DISABLE_EOF_CHECK, &jerr);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "prog")), "client");
	assert_string_equal(json_string_value(json_object_get(j, "step")), "bind");
	assert_int_equal(json_integer_value(json_object_get(j, "ret")), -1);
	assert_int_equal(json_integer_value(json_object_get(j, "errno")), 98);
	assert_string_equal(json_string_value(json_object_get(j, "errname")), "EADDRINUSE");
	assert_string_equal(json_string_value(json_object_get(j, "err")), "Address already in use");
	assert_int_equal(json_integer_value(json_object_get(j, "req")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "fd")), 7);
	assert_int_equal(json_integer_value(json_object_get(j, "code")), 0);
	assert_true(json_integer_value(json_object_get(j, "t_ns")) > 1700000000000000000LL);
	assert_null(json_object_get(j, "conn"));
	json_decref(j);
	event_close();
	unlink(jpath);
	unlink(hpath);
}

static void
data_is_escaped(void **state)
{
	char js[4096];
	json_error_t jerr;
	json_t *j;

	assert_int_equal(event_open("server", 1, jpath), 0);
	capture(emit_read);
	slurp(jpath, js, sizeof(js));
	assert_non_null(strchr(js, '\n'));
	j = json_loads(js, JSON_DISABLE_EOF_CHECK, &jerr);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "data")), "BIP:1732499999999\"\\");
	assert_string_equal(json_string_value(json_object_get(j, "events")), "EPOLLIN|EPOLLRDHUP");
	assert_int_equal(json_integer_value(json_object_get(j, "bytes")), 17);
	assert_null(json_object_get(j, "errno"));
	json_decref(j);
	event_close();
	unlink(jpath);
	unlink(hpath);
}

static void
addresses(void **state)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	char buf[ADDR_STRLEN];

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(666);
	s6.sin6_addr.s6_addr[10] = 0xff;
	s6.sin6_addr.s6_addr[11] = 0xff;
	s6.sin6_addr.s6_addr[12] = 10;
	s6.sin6_addr.s6_addr[15] = 2;
	addr_format((struct sockaddr *)&s6, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.2:666");
	s6.sin6_addr = in6addr_loopback;
	addr_format((struct sockaddr *)&s6, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:666");
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_port = htons(667);
	s4.sin_addr.s_addr = htonl(0x7f000001);
	addr_format((struct sockaddr *)&s4, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:667");
}

static int
setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	return rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(both_lines),
		cmocka_unit_test(call_start_time),
		cmocka_unit_test(data_is_escaped),
		cmocka_unit_test(addresses),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
