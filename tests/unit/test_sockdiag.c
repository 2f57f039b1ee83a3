/*
 * test_sockdiag.c - sockdiag_snapshot() on loopback sockets of the test's
 * own namespace (nsfd -1: no root needed), and sockdiag_to_json().
 *
 * Why loopback: sock_diag needs no privilege to list the sockets of one's
 * own namespace, so this runs everywhere; the namespace-crossing side is
 * covered by test_capture_live. Every socket is made on 127.0.0.1 or ::1
 * with a port the kernel picks, so nothing else on the machine is touched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "host/sockdiag.h"

/* A listening socket on addr (family's loopback or any), port chosen. */
static int
listener(int family, int any, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, off = 0;

	memset(&ss, 0, sizeof(ss));
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = any ? in6addr_any : in6addr_loopback;
		len = sizeof(*s6);
		/* Dual stack: IPv4 peers arrive as ::ffff:a.b.c.d. */
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
		    &off, sizeof(off)), 0);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	    : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* A connected IPv4 client to 127.0.0.1:port; its own port in *cport. */
static int
connect4(uint16_t port, uint16_t *cport)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*cport = ntohs(a.sin_port);
	return fd;
}

static const struct sd_sock *
find(const struct sd_sock *s, size_t n, const char *local, const char *remote)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s[i].local, local) == 0 &&
		    strcmp(s[i].remote, remote) == 0)
			return &s[i];
	return NULL;
}

static void
snapshot(struct sd_sock **s, size_t *n)
{
	char err[256];

	if (sockdiag_snapshot(-1, s, n, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

/* LISTEN, ESTABLISHED on both ends, then the closer's TIME_WAIT. */
static void
test_loopback_states(void **state)
{
	char local[64], remote[64];
	const struct sd_sock *x;
	struct sd_sock *s;
	size_t n;
	uint16_t port, cport;
	int l, c, a;

	l = listener(AF_INET, 0, &port);
	c = connect4(port, &cport);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);

	snapshot(&s, &n);
	snprintf(local, sizeof(local), "127.0.0.1:%u", port);
	x = find(s, n, local, "0.0.0.0:0");
	assert_non_null(x);
	assert_string_equal(tcp_state_name(x->state), "LISTEN");
	assert_int_equal(x->family, AF_INET);
	assert_true(x->inode != 0);
	snprintf(remote, sizeof(remote), "127.0.0.1:%u", cport);
	x = find(s, n, local, remote);
	assert_non_null(x);
	assert_string_equal(tcp_state_name(x->state), "ESTABLISHED");
	assert_int_equal(x->uid, getuid());
	free(s);

	/* The client closes first: FIN_WAIT2 then, once the server closes
	 * too, TIME_WAIT with (nearly) 60 s on its timer. */
	close(c);
	usleep(20000);
	close(a);
	usleep(20000);
	snapshot(&s, &n);
	x = find(s, n, remote, local);
	assert_non_null(x);
	assert_string_equal(tcp_state_name(x->state), "TIME_WAIT");
	assert_int_equal(x->timer, 3);
	assert_true(x->expires_ms > 55000 && x->expires_ms <= 60000);
	free(s);
	close(l);
	(void)state;
}

/* An IPv4 peer of a dual-stack IPv6 socket: plain v4 text, family v6. */
static void
test_v4_mapped(void **state)
{
	char local[64], remote[64];
	const struct sd_sock *x;
	struct sd_sock *s;
	size_t n;
	uint16_t port, cport;
	int l, c, a;

	l = listener(AF_INET6, 1, &port);
	c = connect4(port, &cport);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	snapshot(&s, &n);

	snprintf(local, sizeof(local), "[::]:%u", port);
	x = find(s, n, local, "[::]:0");
	assert_non_null(x);
	assert_int_equal(x->family, AF_INET6);
	assert_string_equal(tcp_state_name(x->state), "LISTEN");

	snprintf(local, sizeof(local), "127.0.0.1:%u", port);
	snprintf(remote, sizeof(remote), "127.0.0.1:%u", cport);
	x = find(s, n, local, remote);
	assert_non_null(x);
	assert_int_equal(x->family, AF_INET6);
	free(s);
	close(c);
	close(a);
	close(l);
	(void)state;
}

static void
test_json(void **state)
{
	struct sd_sock s[2];
	json_t *j, *o;

	memset(s, 0, sizeof(s));
	s[0].family = AF_INET;
	snprintf(s[0].local, sizeof(s[0].local), "10.77.3.2:667");
	snprintf(s[0].remote, sizeof(s[0].remote), "10.77.3.3:666");
	s[0].state = 6;
	s[0].timer = 3;
	s[0].expires_ms = 59123;
	s[1].family = AF_INET6;
	snprintf(s[1].local, sizeof(s[1].local), "[fd00::2]:666");
	snprintf(s[1].remote, sizeof(s[1].remote), "[::]:0");
	s[1].state = 10;
	s[1].inode = 4242;

	j = sockdiag_to_json(s, 2);
	assert_non_null(j);
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), 2);
	o = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(o, "family")), "inet");
	assert_string_equal(json_string_value(json_object_get(o, "local")), "10.77.3.2:667");
	assert_string_equal(json_string_value(json_object_get(o, "state")), "TIME_WAIT");
	assert_string_equal(json_string_value(json_object_get(o, "timer")), "time_wait");
	assert_int_equal(json_integer_value(json_object_get(o, "expires_ms")), 59123);
	o = json_array_get(j, 1);
	assert_string_equal(json_string_value(json_object_get(o, "family")), "inet6");
	assert_string_equal(json_string_value(json_object_get(o, "state")), "LISTEN");
	assert_string_equal(json_string_value(json_object_get(o, "timer")), "none");
	assert_int_equal(json_integer_value(json_object_get(o, "inode")), 4242);
	json_decref(j);

	j = sockdiag_to_json(NULL, 0);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	(void)state;
}

static void
test_state_names(void **state)
{
	static const char *const names[] = { "UNKNOWN", "ESTABLISHED",
	    "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
	    "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
	    "NEW_SYN_RECV", "BOUND_INACTIVE", "UNKNOWN" };
	int i;

	for (i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		assert_string_equal(tcp_state_name(i), names[i]);
	assert_string_equal(tcp_state_name(-1), "UNKNOWN");
	assert_string_equal(tcp_state_name(255), "UNKNOWN");
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback_states),
		cmocka_unit_test(test_v4_mapped),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
