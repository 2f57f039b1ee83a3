/*
 * test_scenario.c - the behaviour codes by what they do, not by a copy of
 * their table: a server with code M and a client with code N, the real
 * programs (server_main, client_main, each in a child process) on
 * loopback at a small time scale, and then what was seen: who sent the
 * first FIN (the other side read end of stream before its own close; the
 * sender holds TIME_WAIT, read by sock_diag), whether a RST ended it (no
 * TIME_WAIT anywhere, EPOLLERR), and what the client's reads returned.
 * The logs' times are not compared: each is taken when a call returned,
 * and on loopback the peer may log the FIN before the sender logs close().
 * No root needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "commands.h"
#include "host/sockdiag.h"
#include "scenario.h"
#include "tcpstate.h"
#include "util.h"

static char dir[] = "/tmp/tw-test-scenario.XXXXXX";
static int next_port;

/* What a pair did. */
struct seen {
	uint64_t server_close, client_close;	/* first close() of each; 0: none */
	int server_tw, client_tw;		/* TIME_WAIT sockets on each side */
	int client_reads[8], nreads;		/* the client's read() results */
	int client_read_err;			/* errno of a failed read, 0 none */
	int server_epollerr;			/* the server saw EPOLLERR (a RST) */
	int server_read_eof;			/* the server read 0: the client's FIN */
	int client_port;			/* the client's source port */
};

static pid_t
spawn(int (*fn)(int, char **), char **argv, int in_fd)
{
	pid_t pid;
	int argc = 0, null;

	while (argv[argc] != NULL)
		argc++;
	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid;
	null = open("/dev/null", O_RDWR);
	dup2(in_fd >= 0 ? in_fd : null, 0);
	dup2(null, 1);
	dup2(null, 2);
	for (null = 3; null < 1024; null++)	/* not the other program's pipe */
		close(null);
	_exit(fn(argc, argv));
}

/* Every line of an event log; calls fn for each. */
static void
each_event(const char *path, void (*fn)(json_t *, struct seen *), struct seen *s)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		json_t *j = json_loads(line, 0, NULL);

		if (j != NULL)
			fn(j, s);
		json_decref(j);
	}
	fclose(f);
}

static const char *
str(json_t *j, const char *k)
{
	const char *v = json_string_value(json_object_get(j, k));

	return v ? v : "";
}

static void
client_event(json_t *j, struct seen *s)
{
	int ret = (int)json_integer_value(json_object_get(j, "ret"));

	if (strcmp(str(j, "step"), "close") == 0 && s->client_close == 0)
		s->client_close = (uint64_t)json_integer_value(json_object_get(j, "t_ns"));
	if (strcmp(str(j, "step"), "connect") == 0 && ret == 0 && strrchr(str(j, "local"), ':'))
		s->client_port = atoi(strrchr(str(j, "local"), ':') + 1);
	if (strcmp(str(j, "step"), "read") == 0) {
		if (ret < 0)
			s->client_read_err = (int)json_integer_value(json_object_get(j, "errno"));
		else if (s->nreads < 8)
			s->client_reads[s->nreads++] = ret;
	}
}

static void
server_event(json_t *j, struct seen *s)
{
	if (strcmp(str(j, "step"), "close") == 0 && s->server_close == 0)
		s->server_close = (uint64_t)json_integer_value(json_object_get(j, "t_ns"));
	if (strcmp(str(j, "step"), "epoll") == 0 && strstr(str(j, "events"), "EPOLLERR"))
		s->server_epollerr = 1;
	if (strcmp(str(j, "step"), "read") == 0 &&
	    json_integer_value(json_object_get(j, "ret")) == 0)
		s->server_read_eof = 1;
}

static int
logged(const char *path, const char *needle)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	int found = 0;

	while (f != NULL && !found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	if (f != NULL)
		fclose(f);
	return found;
}

static int
port_of_addr(const char *a)
{
	const char *c = strrchr(a, ':');

	return c ? atoi(c + 1) : -1;
}

/* TIME_WAIT sockets of this pair's connection only (its two ports), on
 * each side: other runs on the machine may have used the same port. */
static void
count_tw(int port, struct seen *s)
{
	struct sd_sock *v = NULL;
	char err[256];
	size_t n = 0, i;

	assert_int_equal(sockdiag_snapshot(-1, &v, &n, err, sizeof(err)), 0);
	for (i = 0; i < n; i++) {
		int l = port_of_addr(v[i].local), r = port_of_addr(v[i].remote);

		if (v[i].state != TS_TIME_WAIT)
			continue;
		if (l == port && r == s->client_port)
			s->server_tw++;
		else if (l == s->client_port && r == port)
			s->client_tw++;
	}
	free(v);
}

/* Server code m, client code n, one request, at time scale 0.01. */
static void
pair(int m, int n, struct seen *s)
{
	char port[16], code_m[8], code_n[8], sev[256], cev[256];
	int in[2], st, tries;
	pid_t srv, cli;

	memset(s, 0, sizeof(*s));
	snprintf(code_m, sizeof(code_m), "%d", m);
	snprintf(code_n, sizeof(code_n), "%d", n);
	for (tries = 0; tries < 20; tries++) {
		char *sargv[] = { "server", "-p", port, "--time-scale", "0.01", "--events", sev,
		    code_m, NULL };

		snprintf(port, sizeof(port), "%d", next_port++);
		snprintf(sev, sizeof(sev), "%s/s%d-%d-%s.jsonl", dir, m, n, port);
		assert_int_equal(pipe(in), 0);
		srv = spawn(server_main, sargv, in[0]);
		close(in[0]);
		while (!logged(sev, "\"step\":\"listen\"") && waitpid(srv, &st, WNOHANG) == 0)
			sleep_ns(2 * NSEC_PER_MSEC);
		if (logged(sev, "\"step\":\"listen\",\"ret\":0"))
			break;
		close(in[1]);
		kill(srv, SIGKILL);
		waitpid(srv, NULL, 0);	/* the port was taken: the next one */
	}
	{
		char *cargv[] = { "client", "-t", "127.0.0.1", "-c", port, "--no-bind",
		    "--quit-when-done", "--requests", "1", "--time-scale", "0.01", "--events", cev,
		    code_n, NULL };

		snprintf(cev, sizeof(cev), "%s/c%d-%d.jsonl", dir, m, n);
		cli = spawn(client_main, cargv, -1);
	}
	for (tries = 0; tries < 500 && waitpid(cli, &st, WNOHANG) == 0; tries++)
		sleep_ns(10 * NSEC_PER_MSEC);
	if (tries == 500) {
		kill(cli, SIGKILL);
		waitpid(cli, &st, 0);
	}
	sleep_ns(100 * NSEC_PER_MSEC);	/* the last packets cross */
	each_event(cev, client_event, s);
	assert_true(s->client_port > 0);
	count_tw(atoi(port), s);
	close(in[1]);			/* end of input: the server quits */
	for (tries = 0; tries < 300 && waitpid(srv, NULL, WNOHANG) == 0; tries++)
		sleep_ns(10 * NSEC_PER_MSEC);
	if (tries == 300) {
		kill(srv, SIGKILL);
		waitpid(srv, NULL, 0);
	}
	each_event(sev, server_event, s);
	unlink(cev);
	unlink(sev);
}

/* Server 1 (bip, close at once), client 0 (read at once, close on the
 * server's close): the server's FIN first, TIME_WAIT on the server only;
 * the client reads the 17-byte bip, then end of stream. */
static void
server_closes_first(void **state)
{
	struct seen s;

	pair(1, 0, &s);
	assert_true(s.server_close != 0 && s.client_close != 0);
	assert_false(s.server_read_eof);
	assert_int_equal(s.server_tw, 1);
	assert_int_equal(s.client_tw, 0);
	assert_true(s.nreads >= 2);
	assert_int_equal(s.client_reads[0], 17);
	assert_int_equal(s.client_reads[s.nreads - 1], 0);
	assert_int_equal(s.client_read_err, 0);
	assert_false(s.server_epollerr);
}

/* Server 3 (read, close on the peer's close), client 6 (close right after
 * connect): the client's FIN first, TIME_WAIT on the client only; the
 * server reads end of stream. */
static void
client_closes_first(void **state)
{
	struct seen s;

	pair(3, 6, &s);
	assert_true(s.server_close != 0 && s.client_close != 0);
	assert_int_equal(s.client_tw, 1);
	assert_int_equal(s.server_tw, 0);
	assert_true(s.server_read_eof);
	assert_int_equal(s.nreads, 0);
	assert_false(s.server_epollerr);
}

/* Server 5 (bip on the peer's close), client 6: the bip reaches a closed
 * socket, whose kernel answers with a RST: the server sees EPOLLERR and
 * nobody holds TIME_WAIT. */
static void
write_to_closed_socket_resets(void **state)
{
	struct seen s;

	pair(5, 6, &s);
	assert_true(s.client_close != 0);
	assert_true(s.server_epollerr);
	assert_int_equal(s.client_tw, 0);
	assert_int_equal(s.server_tw, 0);
}

/* Server 1, client 1 (read 10 s x scale later, close on the server's
 * close): the client closes with the bip unread, so its close sends a RST
 * instead of a FIN: the server, which closed first, holds no TIME_WAIT,
 * and the client never read the bip. */
static void
unread_data_resets(void **state)
{
	struct seen s;

	pair(1, 1, &s);
	assert_true(s.server_close != 0 && s.client_close != 0);
	assert_false(s.server_read_eof);
	assert_int_equal(s.server_tw, 0);
	assert_int_equal(s.client_tw, 0);
	assert_int_equal(s.nreads, 0);
}

static void
rows_in_code_order(void **state)
{
	int i;

	for (i = 0; i < server_row_count; i++)
		assert_ptr_equal(server_row(i), &server_rows[i]);
	for (i = 0; i < client_row_count; i++)
		assert_ptr_equal(client_row(i), &client_rows[i]);
	assert_null(server_row(-1));
	assert_null(server_row(server_row_count));
	assert_null(client_row(client_row_count));
}

static int
setup(void **state)
{
	next_port = 20000 + (int)(getpid() % 20000);
	return mkdtemp(dir) == NULL ? -1 : 0;
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
		cmocka_unit_test(rows_in_code_order),
		cmocka_unit_test(server_closes_first),
		cmocka_unit_test(client_closes_first),
		cmocka_unit_test(write_to_closed_socket_resets),
		cmocka_unit_test(unread_data_resets),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
