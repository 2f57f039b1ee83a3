/*
 * http.c - request counting, the server's answer, the client's request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

unsigned
http_scan(struct http_scan *s, const char *buf, size_t n)
{
	unsigned heads = 0, nl = s->newlines;
	const char *p = buf, *end = buf + n;

	while (p < end) {
		/* Most bytes are neither CR nor LF: skip to the next LF fast. */
		const char *lf = memchr(p, '\n', (size_t)(end - p));

		if (lf == NULL) {
			/* Anything but CRs resets the count. */
			for (; p < end; p++)
				if (*p != '\r')
					nl = 0;
			break;
		}
		for (; p < lf; p++)
			if (*p != '\r')
				nl = 0;
		if (++nl == 2) {
			heads++;
			nl = 0;
		}
		p = lf + 1;
	}
	s->newlines = nl;
	return heads;
}

size_t
http_answer(char *buf, size_t size, const char *connection, time_t now)
{
	char date[64];
	struct tm tm;
	int n;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	n = snprintf(buf, size, "HTTP/1.1 200 OK\r\n"
	    "Date: %s\r\n"
	    "Server: timewait\r\n"
	    "Content-Type: application/json\r\n"
	    "Connection: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "\r\n"
	    "%s", date, connection, HTTP_BODY_LEN, HTTP_BODY);
	if (n < 0 || (size_t)n >= size)
		return 0;
	return (size_t)n;
}

size_t
http_request(char *buf, size_t size, const char *host, const char *connection)
{
	int n;

	n = snprintf(buf, size, "GET / HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "User-Agent: timewait\r\n"
	    "Accept: */*\r\n"
	    "Connection: %s\r\n"
	    "\r\n", host, connection);
	if (n < 0 || (size_t)n >= size)
		return 0;
	return (size_t)n;
}

size_t
http_answer_complete(const char *buf, size_t n)
{
	const char *end, *p, *line;
	size_t head, length = 0;

	end = memmem(buf, n, "\r\n\r\n", 4);
	if (end == NULL)
		return 0;
	head = (size_t)(end - buf) + 4;
	for (p = buf; p < end; p = line + 2) {
		line = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
		if (line == NULL)
			break;
		if ((size_t)(line - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0)
			length = strtoul(p + 15, NULL, 10);
	}
	if (n - head < length)
		return 0;
	return head + length;
}
