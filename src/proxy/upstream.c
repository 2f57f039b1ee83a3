/*
 * upstream.c - a proxy's own word on why it could not reach a backend:
 * the "could not connect" lines of its log, counted by errno name.
 *
 * This is the count the original project showed for nginx ("connect()
 * failed (99: Cannot assign requested address) while connecting to
 * upstream"): the proxy host out of source ports towards one backend
 * address. Each proxy words it its own way, all taken from real logs of
 * the lab (tests/unit/test_proxy_upstream.c holds them):
 *
 *   nginx:   ... connect() failed (99: Cannot assign requested address)
 *            while connecting to upstream, ...
 *            (or "connect() to ADDR failed (N: ...)"): the number is errno.
 *            With two servers or more, one failure marks a server down
 *            (max_fails 1, fail_timeout 10 s) and the next requests fail
 *            with "no live upstreams while connecting to upstream" without
 *            trying: counted apart, as unavailable.
 *   Apache:  ... (99)Cannot assign requested address: AH00957: http:
 *            attempt to connect to ADDR (ADDR:PORT) failed
 *            the number in parentheses before the message is the errno.
 *   HAProxy: "Connect() failed for backend NAME: no free ports." It names
 *            no number: "no free ports" is what it says for EADDRNOTAVAIL
 *            (and EAGAIN), "local address already in use" for EADDRINUSE.
 *            A refused connection shows only in the access log line's
 *            termination state ("SC"): not an upstream connect error of
 *            this kind, so not counted here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy/proxy.h"
#include "util.h"

#define LOG_MAX (64L * 1024 * 1024)

/* The number in "(99: ..." or "(99)..." right after open, 0 if none. */
static int
number_after(const char *open)
{
	long v = 0;
	const char *s = open + 1;

	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9' && v < 100000)
		v = v * 10 + (*s++ - '0');
	return (*s == ':' || *s == ')') ? (int)v : 0;
}

static int
nginx_errno(const char *line)
{
	const char *c = strstr(line, "connect() ");

	if (c == NULL || strstr(c, "while connecting to upstream") == NULL)
		return 0;
	c = strstr(c, "failed (");
	return c ? number_after(c + strlen("failed ")) : 0;
}

static int
apache_errno(const char *line)
{
	const char *ah = strstr(line, "AH00957:");
	const char *open;
	int v;

	if (ah == NULL)
		return 0;
	/* The errno is the last "(N)" before the AH number. */
	for (open = ah; open > line; open--)
		if (*open == '(' && (v = number_after(open)) > 0 &&
		    strchr(open, ')') < ah)
			return v;
	return 0;
}

static int
haproxy_errno(const char *line)
{
	if (strstr(line, "Connect() failed for backend") == NULL)
		return 0;
	if (strstr(line, "no free ports"))
		return EADDRNOTAVAIL;
	if (strstr(line, "local address already in use"))
		return EADDRINUSE;
	return 0;
}

int
proxy_upstream_errno(enum proxy_kind kind, const char *line)
{
	switch (kind) {
	case PROXY_NGINX:
		return nginx_errno(line);
	case PROXY_APACHE:
		return apache_errno(line);
	case PROXY_HAPROXY:
		return haproxy_errno(line);
	}
	return 0;
}

/* One more for err; past PROXY_ERRNO_KINDS - 1 names, the last slot
 * counts every other errno as "other". */
static void
add(struct proxy_upstream_errors *e, int err)
{
	const char *name = errno_name(err);
	int i;

	e->total++;
	for (i = 0; i < e->n; i++)
		if (strcmp(e->by_errno[i].name, name) == 0)
			break;
	if (i == e->n) {
		if (e->n >= PROXY_ERRNO_KINDS - 1)
			name = "other";
		for (i = 0; i < e->n; i++)
			if (strcmp(e->by_errno[i].name, name) == 0)
				break;
		if (i == e->n)
			snprintf(e->by_errno[e->n++].name, sizeof(e->by_errno[0].name), "%s", name);
	}
	e->by_errno[i].count++;
}

void
proxy_upstream_count(enum proxy_kind kind, const char *text,
    struct proxy_upstream_errors *e)
{
	char line[2048];
	const char *s = text, *nl;
	size_t len;
	int err;

	memset(e, 0, sizeof(*e));
	while (*s) {
		nl = strchr(s, '\n');
		len = nl ? (size_t)(nl - s) : strlen(s);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;	/* the errno is near the start */
		memcpy(line, s, len);
		line[len] = '\0';
		e->lines++;
		err = proxy_upstream_errno(kind, line);
		if (err > 0)
			add(e, err);
		else if (kind == PROXY_NGINX && strstr(line, "no live upstreams while connecting"))
			e->unavailable++;
		if (nl == NULL)
			break;
		s = nl + 1;
	}
}

long
proxy_upstream_get(const struct proxy_upstream_errors *e, const char *name)
{
	int i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->by_errno[i].name, name) == 0)
			return e->by_errno[i].count;
	return 0;
}

int
proxy_upstream_read(enum proxy_kind kind, int dirfd, const char *name,
    struct proxy_upstream_errors *e)
{
	size_t cap = 1 << 16, got = 0;
	char *buf, *bigger;
	ssize_t n;
	int fd, saved;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	buf = malloc(cap);
	if (buf == NULL)
		goto fail;
	for (;;) {
		if (got + 1 >= cap) {
			if (cap >= (size_t)LOG_MAX) {
				errno = EFBIG;
				goto fail;
			}
			bigger = realloc(buf, cap * 2);
			if (bigger == NULL)
				goto fail;
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	proxy_upstream_count(kind, buf, e);
	free(buf);
	return 0;
fail:
	saved = errno;
	close(fd);
	free(buf);
	errno = saved;
	return -1;
}
