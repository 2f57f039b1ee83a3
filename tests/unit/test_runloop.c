/*
 * test_runloop.c - the bip (17 bytes, ms since the epoch), epoll tags, and a
 * timer armed for "now" (0 must not disarm it) firing through epoll.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <cmocka.h>

#include "runloop.h"
#include "util.h"

static void
bip(void **state)
{
	char buf[BIP_LEN + 1];
	unsigned long long ms, now = now_realtime_ns() / NSEC_PER_MSEC;
	size_t n = bip_make(buf, sizeof(buf));

	assert_int_equal(n, 17);
	assert_int_equal(strlen(buf), 17);
	assert_memory_equal(buf, "BIP:", 4);
	ms = strtoull(buf + 4, NULL, 10);
	assert_true(ms >= now && ms < now + 1000);
}

static void
tags(void **state)
{
	uint64_t t = TAG(TAG_CONN, 1234);

	assert_int_equal(TAG_KIND(t), TAG_CONN);
	assert_int_equal(TAG_VALUE(t), 1234);
	assert_int_equal(TAG_KIND(TAG(TAG_SIGNAL, 0)), TAG_SIGNAL);
}

static void
timer_now_fires(void **state)
{
	struct epoll_event ev;
	int ep = epoll_create1(0), tfd;

	assert_true(ep >= 0);
	tfd = runloop_timer(ep, TAG(TAG_TIMER, 7));
	assert_true(tfd >= 0);
	assert_int_equal(runloop_arm(tfd, 0), 0);
	assert_int_equal(epoll_wait(ep, &ev, 1, 1000), 1);
	assert_true(ev.data.u64 == TAG(TAG_TIMER, 7));
	runloop_timer_read(tfd);
	assert_int_equal(runloop_arm(tfd, 20 * NSEC_PER_MSEC), 0);
	assert_int_equal(epoll_wait(ep, &ev, 1, 0), 0);
	assert_int_equal(epoll_wait(ep, &ev, 1, 1000), 1);
	close(tfd);
	close(ep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bip),
		cmocka_unit_test(tags),
		cmocka_unit_test(timer_now_fires),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
