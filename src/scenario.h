/*
 * scenario.h - the behaviour codes of SCENARIOS.md as data.
 *
 * Each code of the server and of the client is one row of a table of knobs.
 * server.c and client.c read the row once and let it steer their epoll loop;
 * no code number is tested anywhere else, so adding a behaviour is adding a
 * row. Delays are in nanoseconds at time scale 1.
 */
#ifndef TIMEWAIT_SCENARIO_H
#define TIMEWAIT_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

/* When a socket is closed after an accept or an HTTP answer. */
enum close_when {
	CLOSE_NEVER,		/* not by this step */
	CLOSE_NOW,		/* right after the step */
	CLOSE_LATER,		/* delay_ns later, without blocking the loop */
};

/* What a connection does with input. */
enum data_action {
	DATA_IGNORE,		/* leave it in the socket */
	DATA_READ,		/* read it all */
	DATA_HTTP,		/* read it and answer each HTTP request */
};

/* What a side does when it sees the peer's close (EPOLLRDHUP). */
enum peer_close_action {
	PEER_NOTHING,
	PEER_CLOSE,		/* close(2) */
	PEER_SHUTDOWN,		/* shutdown(SHUT_WR) */
	PEER_BIP,		/* write a bip, do not close */
};

struct server_row {
	int			 code;
	bool			 bip_on_accept;	/* write a bip after accept */
	enum close_when		 close_on_accept;
	enum data_action	 on_data;
	enum peer_close_action	 on_peer_close;
	const char		*http_connection; /* Connection header; NULL: no HTTP */
	enum close_when		 close_after_answer;
	uint64_t		 delay_ns;	/* for CLOSE_LATER */
	const char		*summary;
};

struct client_row {
	int			 code;
	int			 requests;	/* one after the other */
	uint64_t		 read_delay_ns;	/* 0: read at once */
	enum peer_close_action	 on_server_close;
	bool			 close_after_read;
	bool			 close_after_connect;
	uint64_t		 next_delay_ns;	/* before the next request */
	const char		*http_connection; /* Connection header; NULL: no HTTP */
	const char		*summary;
};

#define SERVER_DEFAULT_CODE 3
#define CLIENT_DEFAULT_CODE 0

extern const struct server_row server_rows[];
extern const int server_row_count;
extern const struct client_row client_rows[];
extern const int client_row_count;

/* The row of a code, NULL for an unknown code. */
const struct server_row *server_row(long code);
const struct client_row *client_row(long code);


#endif
