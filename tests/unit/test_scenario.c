/*
 * test_scenario.c - every row of the server and client tables against
 * SCENARIOS.md, knob by knob, so a slip in the data shows here first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "scenario.h"
#include "util.h"

#define S(x) ((uint64_t)(x) * NSEC_PER_SEC)

static void
rows_in_code_order(void **state)
{
	int i;

	assert_int_equal(server_row_count, 10);
	assert_int_equal(client_row_count, 11);
	for (i = 0; i < server_row_count; i++) {
		assert_int_equal(server_rows[i].code, i);
		assert_ptr_equal(server_row(i), &server_rows[i]);
		assert_non_null(server_rows[i].summary);
	}
	for (i = 0; i < client_row_count; i++) {
		assert_int_equal(client_rows[i].code, i);
		assert_ptr_equal(client_row(i), &client_rows[i]);
		assert_non_null(client_rows[i].summary);
	}
	assert_null(server_row(-1));
	assert_null(server_row(10));
	assert_null(client_row(11));
}

/* code, bip on accept, close on accept, delay, on data, on peer close, http */
static const struct {
	int code;
	bool bip;
	enum close_when on_accept;
	enum data_action data;
	enum peer_close_action peer;
	const char *conn;
	enum close_when after_answer;
	uint64_t delay;
} server_want[] = {
	{ 0, false, CLOSE_NOW, DATA_IGNORE, PEER_NOTHING, NULL, CLOSE_NEVER, 0 },
	{ 1, true, CLOSE_NOW, DATA_IGNORE, PEER_NOTHING, NULL, CLOSE_NEVER, 0 },
	{ 2, true, CLOSE_LATER, DATA_IGNORE, PEER_NOTHING, NULL, CLOSE_NEVER, S(5) },
	{ 3, false, CLOSE_NEVER, DATA_READ, PEER_CLOSE, NULL, CLOSE_NEVER, 0 },
	{ 4, false, CLOSE_NEVER, DATA_READ, PEER_NOTHING, NULL, CLOSE_NEVER, 0 },
	{ 5, false, CLOSE_NEVER, DATA_READ, PEER_BIP, NULL, CLOSE_NEVER, 0 },
	{ 6, false, CLOSE_NEVER, DATA_HTTP, PEER_CLOSE, "close", CLOSE_NEVER, 0 },
	{ 7, false, CLOSE_NEVER, DATA_HTTP, PEER_CLOSE, "close", CLOSE_NOW, 0 },
	{ 8, false, CLOSE_NEVER, DATA_HTTP, PEER_CLOSE, "keep-alive", CLOSE_NEVER, 0 },
	{ 9, false, CLOSE_NEVER, DATA_HTTP, PEER_CLOSE, "close", CLOSE_LATER, 200000 },
};

static void
server_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(server_want) / sizeof(server_want[0]); i++) {
		const struct server_row *r = server_row(server_want[i].code);

		assert_non_null(r);
		assert_int_equal(r->bip_on_accept, server_want[i].bip);
		assert_int_equal(r->close_on_accept, server_want[i].on_accept);
		assert_int_equal(r->on_data, server_want[i].data);
		assert_int_equal(r->on_peer_close, server_want[i].peer);
		assert_int_equal(r->close_after_answer, server_want[i].after_answer);
		assert_true(r->delay_ns == server_want[i].delay);
		if (server_want[i].conn)
			assert_string_equal(r->http_connection, server_want[i].conn);
		else
			assert_null(r->http_connection);
	}
}

/* code, requests, read delay, on server close, close after read, after connect, next delay, http */
static const struct {
	int code, requests;
	uint64_t read_delay;
	enum peer_close_action on_close;
	bool after_read, after_connect;
	uint64_t next_delay;
	const char *conn;
} client_want[] = {
	{ 0, 2, 0, PEER_CLOSE, false, false, 0, NULL },
	{ 1, 2, S(10), PEER_CLOSE, false, false, 0, NULL },
	{ 2, 2, S(10), PEER_SHUTDOWN, false, false, 0, NULL },
	{ 3, 2, S(10), PEER_SHUTDOWN, false, false, S(15), NULL },
	{ 4, 2, S(10), PEER_SHUTDOWN, true, false, 0, NULL },
	{ 5, 2, S(10), PEER_NOTHING, true, false, 0, NULL },
	{ 6, 2, 0, PEER_CLOSE, false, true, 0, NULL },
	{ 7, 2, 0, PEER_NOTHING, true, false, 0, NULL },
	{ 8, 1, 0, PEER_CLOSE, false, false, 0, "close" },
	{ 9, 1, 0, PEER_CLOSE, true, false, 0, "close" },
	{ 10, 1, 0, PEER_CLOSE, false, false, 0, "keep-alive" },
};

static void
client_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(client_want) / sizeof(client_want[0]); i++) {
		const struct client_row *r = client_row(client_want[i].code);

		assert_non_null(r);
		assert_int_equal(r->requests, client_want[i].requests);
		assert_true(r->read_delay_ns == client_want[i].read_delay);
		assert_int_equal(r->on_server_close, client_want[i].on_close);
		assert_int_equal(r->close_after_read, client_want[i].after_read);
		assert_int_equal(r->close_after_connect, client_want[i].after_connect);
		assert_true(r->next_delay_ns == client_want[i].next_delay);
		if (client_want[i].conn)
			assert_string_equal(r->http_connection, client_want[i].conn);
		else
			assert_null(r->http_connection);
	}
}

static void
names(void **state)
{
	assert_string_equal(close_when_name(CLOSE_LATER), "later");
	assert_string_equal(data_action_name(DATA_HTTP), "http");
	assert_string_equal(peer_close_action_name(PEER_BIP), "bip");
	assert_string_equal(peer_close_action_name((enum peer_close_action)42), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_in_code_order),
		cmocka_unit_test(server_table),
		cmocka_unit_test(client_table),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
