/*
 * scenario.c - the server and client behaviour codes, one row each.
 *
 * The tables below are SCENARIOS.md written as data. Keep them in the order
 * of the codes: a row's index is its code, and the unit tests check that.
 */
#include <stddef.h>

#include "scenario.h"
#include "util.h"

#define SEC(x)	((uint64_t)(x) * NSEC_PER_SEC)
#define USEC(x)	((uint64_t)(x) * 1000ULL)

const struct server_row server_rows[] = {
	{ 0, false, CLOSE_NOW, DATA_IGNORE, PEER_NOTHING, NULL, CLOSE_NEVER, 0,
	    "close at once, no data" },
	{ 1, true, CLOSE_NOW, DATA_IGNORE, PEER_NOTHING, NULL, CLOSE_NEVER, 0,
	    "write a bip, then close at once" },
	{ 2, true, CLOSE_LATER, DATA_IGNORE, PEER_NOTHING, NULL, CLOSE_NEVER, SEC(5),
	    "write a bip, close 5 s later" },
	{ 3, false, CLOSE_NEVER, DATA_READ, PEER_CLOSE, NULL, CLOSE_NEVER, 0,
	    "read the data; close on the peer's close" },
	{ 4, false, CLOSE_NEVER, DATA_READ, PEER_NOTHING, NULL, CLOSE_NEVER, 0,
	    "read the data; never close until the program quits" },
	{ 5, false, CLOSE_NEVER, DATA_READ, PEER_BIP, NULL, CLOSE_NEVER, 0,
	    "read the data; on the peer's close write a bip, do not close" },
	{ 6, false, CLOSE_NEVER, DATA_HTTP, PEER_CLOSE, "close", CLOSE_NEVER, 0,
	    "HTTP: answer with Connection: close, keep the socket" },
	{ 7, false, CLOSE_NEVER, DATA_HTTP, PEER_CLOSE, "close", CLOSE_NOW, 0,
	    "HTTP: answer, then close right after the answer" },
	{ 8, false, CLOSE_NEVER, DATA_HTTP, PEER_CLOSE, "keep-alive", CLOSE_NEVER, 0,
	    "HTTP: answer with Connection: keep-alive, keep the socket" },
	{ 9, false, CLOSE_NEVER, DATA_HTTP, PEER_CLOSE, "close", CLOSE_LATER, USEC(200),
	    "HTTP: answer, wait 200 microseconds, then close" },
};
const int server_row_count = sizeof(server_rows) / sizeof(server_rows[0]);

const struct client_row client_rows[] = {
	{ 0, 2, 0, PEER_CLOSE, false, false, 0, NULL,
	    "read at once; close when the server's close is seen" },
	{ 1, 2, SEC(10), PEER_CLOSE, false, false, 0, NULL,
	    "read 10 s later; close as soon as the server's close is seen" },
	{ 2, 2, SEC(10), PEER_SHUTDOWN, false, false, 0, NULL,
	    "read 10 s later; shutdown(SHUT_WR) on the server's close" },
	{ 3, 2, SEC(10), PEER_SHUTDOWN, false, false, SEC(15), NULL,
	    "as 2, and wait 15 s before the second request" },
	{ 4, 2, SEC(10), PEER_SHUTDOWN, true, false, 0, NULL,
	    "as 2, and close after the delayed read" },
	{ 5, 2, SEC(10), PEER_NOTHING, true, false, 0, NULL,
	    "read 10 s later; nothing on the server's close; close after the read" },
	{ 6, 2, 0, PEER_CLOSE, false, true, 0, NULL,
	    "close right after connect" },
	{ 7, 2, 0, PEER_NOTHING, true, false, 0, NULL,
	    "read at once; nothing on the server's close; close after the read" },
	{ 8, 1, 0, PEER_CLOSE, false, false, 0, "close",
	    "one HTTP request with Connection: close; close when the server closes" },
	{ 9, 1, 0, PEER_CLOSE, true, false, 0, "close",
	    "one HTTP request; close right after reading the answer" },
	{ 10, 1, 0, PEER_CLOSE, false, false, 0, "keep-alive",
	    "one HTTP request with Connection: keep-alive; close when the server closes" },
};
const int client_row_count = sizeof(client_rows) / sizeof(client_rows[0]);

const struct server_row *
server_row(long code)
{
	if (code < 0 || code >= server_row_count)
		return NULL;
	return &server_rows[code];
}

const struct client_row *
client_row(long code)
{
	if (code < 0 || code >= client_row_count)
		return NULL;
	return &client_rows[code];
}
