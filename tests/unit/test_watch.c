/*
 * test_watch.c - the parts of `timewait watch` that need no kernel tracing:
 * endpoints parsed as sock_diag writes them, the row table and its bound,
 * the socket-side map, the ceiling arithmetic of derive.c (client first,
 * server first, tcp_tw_reuse, exhaustion), the advice it triggers, the
 * counters parsed from /proc/net/netstat-shaped text, and the Prometheus
 * endpoint served over a real loopback socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "watch/watch.h"

static void
test_endpoint(void **state)
{
	uint8_t fam, a[16];
	uint16_t port;
	struct w_key k;
	char buf[64];

	assert_int_equal(w_parse_endpoint("10.0.0.5:8080", &fam, a, &port), 0);
	assert_int_equal(fam, AF_INET);
	assert_int_equal(port, 8080);
	assert_int_equal(a[0], 10);
	assert_int_equal(a[3], 5);
	assert_int_equal(w_parse_endpoint("[fd00::2]:667", &fam, a, &port), 0);
	assert_int_equal(fam, AF_INET6);
	assert_int_equal(port, 667);
	assert_int_equal(w_parse_endpoint("0.0.0.0:0", &fam, a, &port), 0);
	assert_int_equal(w_parse_endpoint("10.0.0.5", &fam, a, &port), -1);
	assert_int_equal(w_parse_endpoint("10.0.0.5:99999", &fam, a, &port), -1);
	assert_int_equal(w_parse_endpoint("nonsense:80", &fam, a, &port), -1);

	memset(&k, 0, sizeof(k));
	k.kind = W_DEST;
	k.family = AF_INET6;
	k.port = 443;
	inet_pton(AF_INET6, "fd00::5", k.remote);
	w_key_endpoint(&k, buf, sizeof(buf));
	assert_string_equal(buf, "[fd00::5]:443");
}

static void
test_table(void **state)
{
	struct w_table t;
	struct w_key k;
	struct w_row *r, *again;
	size_t made = 0;

	assert_int_equal(w_table_init(&t), 0);
	memset(&k, 0, sizeof(k));
	k.kind = W_DEST;
	k.family = AF_INET;
	k.port = 80;
	r = w_table_get(&t, &k);
	assert_non_null(r);
	r->opened = 7;
	again = w_table_get(&t, &k);
	assert_ptr_equal(r, again);
	assert_int_equal(again->opened, 7);
	/* A flood of destinations: bounded, counted, no crash. */
	for (uint32_t i = 1; i < 2 * W_TABLE_CAP; i++) {
		memcpy(k.remote, &i, 4);
		made += w_table_get(&t, &k) != NULL;
	}
	assert_true(t.n <= W_TABLE_CAP * 3 / 4);
	assert_true(t.overflow > 0);
	assert_int_equal(made + t.overflow, 2 * W_TABLE_CAP - 1);
	w_table_clear(&t);
	assert_int_equal(t.n, 0);
	w_table_free(&t);
}

static void
test_skmap(void **state)
{
	struct w_skmap *m = w_skmap_new();
	uint8_t listening[65536] = { 0 };

	assert_non_null(m);
	w_skmap_put(m, 0xffff888012345678ULL, W_DEST);
	w_skmap_put(m, 0xffff888012345680ULL, W_SERVICE);
	assert_int_equal(w_skmap_get(m, 0xffff888012345678ULL), W_DEST);
	assert_int_equal(w_skmap_get(m, 0xffff888012345680ULL), W_SERVICE);
	assert_int_equal(w_skmap_get(m, 0xffff888000000000ULL), 0);
	w_skmap_del(m, 0xffff888012345678ULL);
	assert_int_equal(w_skmap_get(m, 0xffff888012345678ULL), 0);
	/* Full: new sockets are not kept, nothing breaks, room comes back. */
	for (uint64_t i = 0; i < W_SKMAP_CAP + 10; i++)
		w_skmap_put(m, 0x1000 + i * 64, W_DEST);
	assert_int_equal(w_skmap_count(m), W_SKMAP_CAP);
	w_skmap_del(m, 0x1000);
	w_skmap_put(m, 0x42, W_SERVICE);
	assert_int_equal(w_skmap_get(m, 0x42), W_SERVICE);
	w_skmap_free(m);

	listening[8080] = 1;
	assert_int_equal(w_guess_kind(listening, 32768, 60999, 8080, 40000), W_SERVICE);
	assert_int_equal(w_guess_kind(listening, 32768, 60999, 40000, 8080), W_DEST);
	/* listener gone, its TIME_WAIT stays: fixed port to an ephemeral one */
	assert_int_equal(w_guess_kind(listening, 32768, 60999, 9090, 40000), W_SERVICE);
}

/* An interval with one destination row, as the trace and snapshot fill it. */
static void
one_row(struct w_interval *iv, uint64_t opened, uint64_t fin_local,
    uint64_t fin_peer, uint32_t tw, uint32_t in_use)
{
	struct w_key k;
	struct w_row *r;

	memset(iv, 0, sizeof(*iv));
	assert_int_equal(w_table_init(&iv->table), 0);
	memset(&k, 0, sizeof(k));
	k.kind = W_DEST;
	k.family = AF_INET;
	k.port = 8080;
	inet_pton(AF_INET, "10.0.0.5", k.remote);
	inet_pton(AF_INET, "10.0.0.2", k.local);
	r = w_table_get(&iv->table, &k);
	r->opened = r->ended = opened;
	r->fin_local = fin_local;
	r->fin_peer = fin_peer;
	r->time_wait = tw;
	r->ports_in_use = in_use;
	r->sockets = in_use;
}

static void
report_for(struct w_report *r, long reuse)
{
	memset(r, 0, sizeof(*r));
	r->interval_s = 1;
	r->netns = "t";
	r->port_lo = 32768;
	r->port_hi = 33767;
	r->tw_reuse = reuse;
}

static int
advice_has(const struct w_report *r, const char *what)
{
	for (int i = 0; i < r->nadvice; i++)
		if (strstr(r->advice[i], what))
			return 1;
	return 0;
}

static void
test_ceiling_client_first(void **state)
{
	struct w_interval iv;
	struct w_report r;

	/* 15/s closed here first, 900 of 1000 ports held */
	one_row(&iv, 15, 15, 0, 900, 900);
	report_for(&r, 2);
	assert_int_equal(w_derive(&r, &iv, NULL), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.lines[0].endpoint, "10.0.0.5:8080");
	assert_int_equal(r.lines[0].ports_usable, 1000);
	assert_float_equal(r.lines[0].ceiling_per_s, 1000 / 60.0, 1e-9);
	assert_float_equal(r.lines[0].fin_local_share, 1.0, 1e-9);
	assert_float_equal(r.lines[0].ceiling_share, 0.9, 1e-9);	/* ports: 900/1000 > 15/16.7 */
	assert_true(r.lines[0].exhausted_in_s < 0);	/* below the ceiling */
	assert_true(advice_has(&r, "this host closes first towards 10.0.0.5:8080 (from 10.0.0.2)"));
	assert_true(advice_has(&r, "lab run 003"));
	assert_true(advice_has(&r, "tcp_tw_reuse is 2"));
	w_report_free(&r);

	/* 100/s: over the ceiling, 900 in use: 100 free ports last 1 s */
	w_table_free(&iv.table);
	one_row(&iv, 100, 100, 0, 900, 900);
	report_for(&r, 0);
	assert_int_equal(w_derive(&r, &iv, NULL), 0);
	assert_float_equal(r.lines[0].ceiling_share, 6.0, 1e-9);
	assert_float_equal(r.lines[0].exhausted_in_s, 1.0, 1e-9);
	w_report_free(&r);

	/* all ports held, nothing gets through, connect() fails */
	w_table_free(&iv.table);
	one_row(&iv, 0, 0, 0, 1000, 1000);
	iv.errs[0].used = 1;
	iv.errs[0].err = EADDRNOTAVAIL;
	iv.errs[0].count = 224;
	snprintf(iv.errs[0].comm, sizeof(iv.errs[0].comm), "curl");
	report_for(&r, 0);
	assert_int_equal(w_derive(&r, &iv, NULL), 0);
	assert_float_equal(r.lines[0].ceiling_share, 1.0, 1e-9);
	assert_float_equal(r.lines[0].exhausted_in_s, 0, 1e-9);
	assert_true(r.lines[0].fin_local_share < 0);	/* no FIN in the interval */
	assert_int_equal(w_report_errno(&r, EADDRNOTAVAIL, 0), 224);
	assert_true(advice_has(&r, "EADDRNOTAVAIL at 224.0/s (curl)"));
	assert_true(advice_has(&r, "holds 1000 of the 1000 ports of 10.0.0.2"));
	assert_false(advice_has(&r, "IP_BIND_ADDRESS_NO_PORT"));
	w_report_free(&r);

	/* sockets bound, not connected: bind-before-connect */
	report_for(&r, 0);
	r.snap.bound_idle = 7;
	assert_int_equal(w_derive(&r, &iv, NULL), 0);
	assert_true(advice_has(&r, "7 sockets hold a port they were bound to"));
	w_report_free(&r);
	w_table_free(&iv.table);
}

static void
test_ceiling_server_first(void **state)
{
	struct w_interval iv;
	struct w_report r;

	one_row(&iv, 20000, 0, 20000, 0, 40);
	report_for(&r, 2);
	assert_int_equal(w_derive(&r, &iv, NULL), 0);
	assert_float_equal(r.lines[0].fin_local_share, 0.0, 1e-9);
	assert_true(r.lines[0].ceiling_per_s < 0);
	assert_true(r.lines[0].ceiling_share < 0);
	assert_true(r.lines[0].exhausted_in_s < 0);
	assert_float_equal(r.lines[0].opened_per_s, 20000, 1e-9);
	assert_int_equal(r.nadvice, 0);
	w_report_free(&r);
	w_table_free(&iv.table);
}

static void
test_ceiling_tw_reuse(void **state)
{
	struct w_interval iv;
	struct w_report r;

	one_row(&iv, 500, 500, 0, 1000, 1000);
	report_for(&r, 1);
	assert_int_equal(w_derive(&r, &iv, NULL), 0);
	assert_float_equal(r.lines[0].ceiling_per_s, 1000, 1e-9);
	assert_false(advice_has(&r, "tcp_tw_reuse is"));
	w_report_free(&r);
	w_table_free(&iv.table);
}

static int
text_fd(const char *text)
{
	char path[] = "/tmp/tw-test-watch.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	return fd;
}

static void
test_counters(void **state)
{
	struct w_ns ns;
	uint64_t c[W_NCOUNTERS];

	memset(&ns, 0, sizeof(ns));
	ns.fd_netstat = text_fd("TcpExt: SyncookiesSent TW TWRecycled TWKilled TCPTimeWaitOverflow\n"
	    "TcpExt: 0 1234 5 6 77\nIpExt: InNoRoutes\nIpExt: 3\n");
	ns.fd_snmp = text_fd("Tcp: RtoAlgorithm ActiveOpens PassiveOpens\nTcp: 1 4242 17\n");
	assert_int_equal(w_ns_counters(&ns, c), 0);
	for (int i = 0; i < W_NCOUNTERS; i++) {
		const char *n = w_counter_names[i];

		if (!strcmp(n, "TW"))
			assert_int_equal(c[i], 1234);
		else if (!strcmp(n, "TCPTimeWaitOverflow"))
			assert_int_equal(c[i], 77);
		else if (!strcmp(n, "ActiveOpens"))
			assert_int_equal(c[i], 4242);
		else if (!strcmp(n, "PassiveOpens"))
			assert_int_equal(c[i], 17);
		else if (!strcmp(n, "TWKilled"))
			assert_int_equal(c[i], 6);
	}
	close(ns.fd_netstat);
	close(ns.fd_snmp);
}

static void
test_prom(void **state)
{
	struct w_interval iv;
	struct w_report r;
	struct w_prom *p;
	char err[128], buf[65536];
	struct sockaddr_in sa;
	size_t got = 0;
	ssize_t n;
	int fd, port = 0;

	assert_int_equal(w_prom_check("127.0.0.1:9"), 0);
	assert_int_equal(w_prom_check(":9"), 0);
	assert_int_equal(w_prom_check("9"), 0);
	assert_int_equal(w_prom_check("[::1]:9"), 0);
	assert_int_not_equal(w_prom_check("localhost:9"), 0);
	assert_int_not_equal(w_prom_check("127.0.0.1:0"), 0);
	/* a free port, found by the kernel */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	port = ntohs(sa.sin_port);
	close(fd);
	snprintf(buf, sizeof(buf), "%d", port);
	p = w_prom_start(buf, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(w_prom_port(p), port);

	one_row(&iv, 15, 15, 0, 1000, 1000);
	report_for(&r, 0);
	assert_int_equal(w_derive(&r, &iv, NULL), 0);
	w_prom_update(p, &r);
	w_prom_update(p, &r);	/* counters add up: 30 */

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	dprintf(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	while ((n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	assert_non_null(strstr(buf, "HTTP/1.0 200 OK"));
	assert_non_null(strstr(buf, "text/plain; version=0.0.4"));
	assert_non_null(strstr(buf, "# TYPE timewait_watch_connections_opened_total counter\n"));
	assert_non_null(strstr(buf, "timewait_watch_connections_opened_total{netns=\"t\","
	    "kind=\"destination\",local=\"10.0.0.2\",endpoint=\"10.0.0.5:8080\"} 30\n"));
	assert_non_null(strstr(buf, "timewait_watch_ceiling_connections_per_second{netns=\"t\","
	    "kind=\"destination\",local=\"10.0.0.2\",endpoint=\"10.0.0.5:8080\"} 16.6667\n"));
	assert_non_null(strstr(buf, "timewait_watch_exhaustion_seconds{"));
	w_report_free(&r);
	w_table_free(&iv.table);
	w_prom_stop(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoint),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_skmap),
		cmocka_unit_test(test_ceiling_client_first),
		cmocka_unit_test(test_ceiling_server_first),
		cmocka_unit_test(test_ceiling_tw_reuse),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_prom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
