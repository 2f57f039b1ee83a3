/*
 * http.h - the little HTTP/1.1 the HTTP codes need: count request heads as
 * bytes arrive, build the one answer the server gives, build the client's
 * request and tell when an answer is complete. No allocation anywhere: the
 * server's hot path calls only http_scan() and copies a cached answer.
 */
#ifndef TIMEWAIT_HTTP_H
#define TIMEWAIT_HTTP_H

#include <stddef.h>
#include <time.h>

#define HTTP_BODY	"{\"bip\":true}\n"	/* 13 bytes, the bench's body too */
#define HTTP_BODY_LEN	(sizeof(HTTP_BODY) - 1)

/* Where a connection is in the blank line that ends a request head. */
struct http_scan {
	unsigned	newlines;	/* line ends seen in a row (CR ignored) */
};

/* Feeds n bytes; returns how many request heads they completed. */
unsigned http_scan(struct http_scan *, const char *buf, size_t n);

/* The answer for `now`; its length, or 0 if size is too small. */
size_t http_answer(char *buf, size_t size, const char *connection, time_t now);

/* GET / with this Connection header; its length, or 0. */
size_t http_request(char *buf, size_t size, const char *host, const char *connection);

/* Length of the complete answer at the start of buf, or 0 if not complete. */
size_t http_answer_complete(const char *buf, size_t n);

#endif
