/*
 * logline.c - one line of a proxy's own log, read into what it says about
 * connections: when it was written (and how fine its clock is), the
 * client's connection, the backend's, and what went wrong.
 *
 * Two kinds of line (docs/proxies.md, "the proxy's log on the drawing"):
 *
 *   - the access line our templates ask each proxy for (the folder proxies/): "tw"
 *     then key=value words, the request line last:
 *       nginx:   tw t=1796038111.182 conn=*3 client=10.89.132.2:53818
 *                front=10.89.132.3:666 upstream=10.89.132.4:666 status=502
 *                ustatus=502 tc=- dur=0.000 req="GET / HTTP/1.1"
 *       HAProxy: tw t_us=1796038100563438 start=1796038100.563 client=...
 *                front=... src=10.92.144.3:36150 upstream=10.92.144.4:666
 *                status=200 term=---- tc_ms=0 dur_ms=0 req="GET / HTTP/1.1"
 *       Apache:  tw t=1796038087.923045 dur_us=3271 client=... front=...
 *                status=200 req="GET / HTTP/1.1"
 *     A time's precision is what its digits say: t=SEC.mmm is a
 *     millisecond clock (nginx's $msec), t_us= a microsecond one.
 *   - the proxy's error lines that name a request, as the proxy writes
 *     them (their time is local time, read with this process's time zone,
 *     the same machine's):
 *       nginx:   2026/11/30 11:28:31 [crit] 21421#21421: *3 connect() to
 *                10.89.132.4:666 failed (99: Cannot assign requested
 *                address) while connecting to upstream, client:
 *                10.89.132.2, server: , request: "GET / HTTP/1.1",
 *                upstream: "http://10.89.132.4:666/", host: "proxy"
 *                (whole seconds; "*3" is the access line's conn=*3)
 *       Apache:  [Mon Nov 30 11:33:00.665619 2026] [proxy:error] [pid
 *                22558:tid 140481441703616] (99)Cannot assign requested
 *                address: AH00957: http: attempt to connect to
 *                10.46.46.4:666 (10.46.46.4:666) failed
 *                [Mon Nov 30 11:33:00.665668 2026] [proxy_http:error]
 *                [pid 22558:tid 140481441703616] [client 10.46.46.2:42196]
 *                AH01114: HTTP: failed to make connection to backend: ...
 *                (the errno's line names no client; the next line of the
 *                same thread does: cid holds "pid N:tid M" to join them)
 *
 * The text is untrusted (a run folder may come from anywhere): every field
 * is bounded, every address checked with inet_pton, every number range
 * checked, and a line that does not fit is simply not one of ours.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proxy/proxy.h"

#define NS 1000000000LL
/* Times the model takes: up to the year 2116 (model/input.h). */
#define T_MAX (INT64_MAX / 2)

/* "ip:port" or "[v6]:port" with a real address and a port 1-65535, into
 * out (size 64); else out is "". */
static void
endpoint(const char *s, size_t len, char *out)
{
	char ip[48], buf[64];
	const char *colon;
	unsigned char bin[16];
	long port;
	char *end;
	size_t iplen;

	out[0] = 0;
	if (len == 0 || len >= sizeof(buf))
		return;
	memcpy(buf, s, len);
	buf[len] = 0;
	colon = strrchr(buf, ':');
	if (colon == NULL || colon[1] < '0' || colon[1] > '9')
		return;
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return;
	iplen = (size_t)(colon - buf);
	if (buf[0] == '[') {
		if (iplen < 3 || buf[iplen - 1] != ']')
			return;
		snprintf(ip, sizeof(ip), "%.*s", (int)(iplen - 2), buf + 1);
		if (iplen - 2 >= sizeof(ip) || inet_pton(AF_INET6, ip, bin) != 1)
			return;
	} else {
		if (iplen >= sizeof(ip))
			return;
		snprintf(ip, sizeof(ip), "%.*s", (int)iplen, buf);
		if (inet_pton(AF_INET, ip, bin) != 1)
			return;
	}
	memcpy(out, buf, len + 1);
}

/* A decimal number of len bytes at s, "SEC" or "SEC.FRAC" (at most 9
 * fraction digits), times unit ns: its value and its step (10^-digits of
 * the unit). 0, or -1 if it is not one or out of range. */
static int
decimal(const char *s, size_t len, int64_t unit, int64_t *v, int64_t *step)
{
	int64_t whole = 0, frac = 0, scale = unit;
	size_t i = 0, digits = 0;

	if (len == 0 || s[0] < '0' || s[0] > '9')
		return -1;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		whole = whole * 10 + (s[i] - '0');
		if (whole > T_MAX / unit)
			return -1;
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (++digits > 9)
				return -1;
			frac = frac * 10 + (s[i] - '0');
			scale /= 10;
		}
		if (digits == 0 || scale == 0)
			return -1;
	}
	if (i != len)
		return -1;
	*v = whole * unit + frac * scale;
	*step = scale;
	return 0;
}

/* The last number of a list nginx writes when it tried more than one
 * backend ("502, 200"); 0 if none. */
static int
last_int(const char *s, size_t len)
{
	long v = 0;
	size_t i = len;

	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	if (i == len || len - i > 5)
		return 0;
	for (; i < len; i++)
		v = v * 10 + (s[i] - '0');
	return (int)v;
}

/* The last "ip:port" of a list ("10.0.0.4:666, 10.0.0.5:666"). */
static void
last_endpoint(const char *s, size_t len, char *out)
{
	size_t i = len;

	while (i > 0 && s[i - 1] != ' ' && s[i - 1] != ',')
		i--;
	endpoint(s + i, len - i, out);
}

static void
copy_cut(char *d, size_t n, const char *s, size_t len)
{
	size_t k;

	if (len >= n)
		len = n - 1;
	for (k = 0; k < len; k++)
		d[k] = (s[k] >= ' ' && s[k] != 0x7f) ? s[k] : '?';
	d[k] = 0;
}

static int
is_key(const char *k, size_t klen, const char *name)
{
	return strlen(name) == klen && memcmp(k, name, klen) == 0;
}

/* One key=value of an access line. 0, or -1 when it spoils the line. */
static int
access_field(struct proxy_logline *l, const char *k, size_t klen, const char *v,
    size_t vlen)
{
	int64_t x, step;
	int none = vlen == 1 && v[0] == '-';

	if (is_key(k, klen, "t")) {
		if (decimal(v, vlen, NS, &l->t_ns, &l->t_prec_ns))
			return -1;
	} else if (is_key(k, klen, "t_us")) {
		if (decimal(v, vlen, 1000, &l->t_ns, &step) || step != 1000)
			return -1;
		l->t_prec_ns = 1000;
	} else if (is_key(k, klen, "start")) {
		if (!none && decimal(v, vlen, NS, &l->start_ns, &l->start_prec_ns))
			return -1;
	} else if (is_key(k, klen, "dur") || is_key(k, klen, "dur_ms") ||
	    is_key(k, klen, "dur_us")) {
		int64_t unit = klen == 3 ? NS : k[4] == 'm' ? 1000000 : 1000;

		if (!none && (decimal(v, vlen, unit, &x, &step) || x > 366LL * 86400 * NS))
			return -1;
		if (!none) {
			l->dur_ns = x;
			l->dur_prec_ns = step;
		}
	} else if (is_key(k, klen, "tc") || is_key(k, klen, "tc_ms")) {
		/* nginx "-", HAProxy -1: no connection to the backend was made */
		if (!none && !(vlen == 2 && v[0] == '-' && v[1] == '1') &&
		    !decimal(v, vlen, klen == 2 ? NS : 1000000, &x, &step))
			l->tc_ns = x;
	} else if (is_key(k, klen, "conn")) {
		copy_cut(l->cid, sizeof(l->cid), v, vlen);
	} else if (is_key(k, klen, "client")) {
		endpoint(v, vlen, l->client);
	} else if (is_key(k, klen, "front")) {
		endpoint(v, vlen, l->front);
	} else if (is_key(k, klen, "src")) {
		endpoint(v, vlen, l->src);
	} else if (is_key(k, klen, "upstream")) {
		last_endpoint(v, vlen, l->upstream);
	} else if (is_key(k, klen, "status")) {
		l->status = last_int(v, vlen);
	} else if (is_key(k, klen, "ustatus")) {
		l->ustatus = last_int(v, vlen);
	} else if (is_key(k, klen, "term")) {
		copy_cut(l->term, sizeof(l->term), v, vlen);
	}
	return 0;
}

static int
parse_access(const char *line, struct proxy_logline *l)
{
	const char *s = line + 3, *k, *eq, *end, *next;
	size_t len;

	l->what = PL_REQUEST;
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (strncmp(s, "req=", 4) == 0) {
			/* the request line, last, in quotes: the rest of the line */
			s += 4;
			len = strlen(s);
			if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
				s++;
				len -= 2;
			}
			copy_cut(l->req, sizeof(l->req), s, len);
			break;
		}
		k = s;
		eq = NULL;
		for (end = s; *end && *end != ' '; end++)
			if (*end == '=' && eq == NULL)
				eq = end;
		/* a value with spaces ("10.0.0.4:666, 10.0.0.5:666") runs on to
		 * the next word with an '=' in it */
		next = end;
		while (*next == ' ') {
			const char *w = next + 1, *x;

			for (x = w; *x && *x != ' ' && *x != '='; x++)
				;
			if (*w == 0 || *x == '=' || *w == ' ')
				break;
			end = x;
			next = x;
		}
		if (eq == NULL || eq == k || eq >= end)
			return 0;	/* not one of ours */
		if (access_field(l, k, (size_t)(eq - k), eq + 1, (size_t)(end - eq - 1)))
			return 0;
		s = end;
	}
	if (l->t_ns <= 0)
		return 0;
	/* Its start: logged (HAProxy), or its end less its duration. */
	if (l->start_ns == 0 && l->dur_ns >= 0 && l->dur_ns <= l->t_ns) {
		l->start_ns = l->t_ns - l->dur_ns;
		l->start_prec_ns = l->t_prec_ns + l->dur_prec_ns;
	}
	return 1;
}

/* Local time fields to ns since the epoch, with this process's zone. */
static int64_t
local_ns(int year, int mon, int day, int h, int m, int s)
{
	struct tm tm;
	time_t t;

	if (year < 1971 || year > 2115 || mon < 1 || mon > 12 || day < 1 ||
	    day > 31 || h > 23 || m > 59 || s > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1 || t < 0)
		return -1;
	return (int64_t)t * NS;
}

/* The errno in "(99: text" (nginx) or "(99)text" (Apache), 0 if none. */
static int
errno_in(const char *s)
{
	const char *o;
	long v;

	for (o = strchr(s, '('); o; o = strchr(o + 1, '(')) {
		const char *d = o + 1;

		v = 0;
		if (*d < '0' || *d > '9')
			continue;
		while (*d >= '0' && *d <= '9' && v < 10000)
			v = v * 10 + (*d++ - '0');
		if ((*d == ':' || *d == ')') && v > 0 && v < 4096)
			return (int)v;
	}
	return 0;
}

static int
parse_nginx_error(const char *line, struct proxy_logline *l)
{
	int y, mo, d, h, mi, s, n = 0;
	char level[8];
	const char *star, *c, *u, *end;
	int64_t t;

	if (sscanf(line, "%4d/%2d/%2d %2d:%2d:%2d [%7[a-z]] %n", &y, &mo, &d, &h, &mi, &s,
	    level, &n) != 7 || n == 0)
		return 0;
	/* info and notice lines are nginx's own life, not a request's trouble */
	if (strcmp(level, "warn") && strcmp(level, "error") && strcmp(level, "crit") &&
	    strcmp(level, "alert") && strcmp(level, "emerg"))
		return 0;
	star = strstr(line + n, ": *");
	if (star == NULL)
		return 0;
	star += 2;
	for (end = star + 1; *end >= '0' && *end <= '9'; end++)
		;
	if (end == star + 1 || *end != ' ' || end - star > 12)
		return 0;
	if ((t = local_ns(y, mo, d, h, mi, s)) < 0)
		return 0;
	l->what = PL_ERROR;
	l->t_ns = t;
	l->t_prec_ns = NS;
	copy_cut(l->cid, sizeof(l->cid), star, (size_t)(end - star));
	l->err = errno_in(end);
	c = strstr(end, ", client: ");
	copy_cut(l->msg, sizeof(l->msg), end + 1, c ? (size_t)(c - end - 1) : strlen(end + 1));
	u = strstr(end, ", upstream: \"");
	if (u) {
		const char *a = strstr(u, "://"), *e;

		if (a && (e = strpbrk(a + 3, "/\"")) != NULL)
			endpoint(a + 3, (size_t)(e - a - 3), l->upstream);
	}
	return 1;
}

static int
parse_apache_error(const char *line, struct proxy_logline *l)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static const char wdays[] = "MonTueWedThuFriSatSun";
	char mon[4], wday[4];
	int d, h, mi, s, y, n = 0, mo;
	const char *p, *cl, *end, *msg, *m, *pid;
	int64_t t, frac, step;

	if (sscanf(line, "[%3s %3s %2d %2d:%2d:%2d%n", wday, mon, &d, &h, &mi, &s, &n) != 6 ||
	    n == 0 || (m = strstr(months, mon)) == NULL || strlen(mon) != 3 ||
	    (m - months) % 3 || strlen(wday) != 3 || (p = strstr(wdays, wday)) == NULL ||
	    (p - wdays) % 3)
		return 0;
	mo = (int)(m - months) / 3 + 1;
	p = line + n;
	frac = 0;
	step = NS;
	if (*p == '.') {
		size_t k = strspn(p + 1, "0123456789");

		if (decimal(p - 1, k + 2, NS, &frac, &step))	/* "S.ffffff" */
			return 0;
		frac -= (int64_t)(p[-1] - '0') * NS;
		p += k + 1;
	}
	if (sscanf(p, " %4d]%n", &y, &n) != 1)
		return 0;
	p += n;
	/* " [module:level] [pid N:tid M] " then the message */
	if ((pid = strstr(p, "] [pid ")) == NULL)
		return 0;
	pid += 3;
	if ((end = strchr(pid, ']')) == NULL || (t = local_ns(y, mo, d, h, mi, s)) < 0)
		return 0;
	l->what = PL_ERROR;
	l->t_ns = t + frac;
	l->t_prec_ns = step;
	copy_cut(l->cid, sizeof(l->cid), pid, (size_t)(end - pid));
	msg = end + 1;
	while (*msg == ' ')
		msg++;
	/* "(99)Cannot assign requested address: AH00957: ..." */
	l->err = msg[0] == '(' ? errno_in(msg) : 0;
	if ((cl = strstr(msg, "[client ")) != NULL && (end = strchr(cl, ']')) != NULL) {
		cl += strlen("[client ");
		endpoint(cl, (size_t)(end - cl), l->client);
		if (cl - strlen("[client ") == msg) {
			msg = end + 1;
			while (*msg == ' ')
				msg++;
		}
	}
	copy_cut(l->msg, sizeof(l->msg), msg, strlen(msg));
	if ((p = strstr(msg, "connect to ")) != NULL) {
		p += strlen("connect to ");
		endpoint(p, strcspn(p, " ,)"), l->upstream);
	}
	return 1;
}

int
proxy_log_parse(enum proxy_kind kind, const char *line, struct proxy_logline *l)
{
	memset(l, 0, sizeof(*l));
	l->dur_ns = -1;
	l->tc_ns = -1;
	if (strncmp(line, "tw ", 3) == 0)
		return parse_access(line, l) == 1 ? 1 : (memset(l, 0, sizeof(*l)), 0);
	switch (kind) {
	case PROXY_NGINX:
		return parse_nginx_error(line, l);
	case PROXY_APACHE:
		return parse_apache_error(line, l);
	case PROXY_HAPROXY:
		/* its alerts ("Connect() failed for backend be: no free ports.")
		 * carry no time and no client: its access line says it ("SC") */
		break;
	}
	return 0;
}

const char *
proxy_access_log_name(enum proxy_kind kind)
{
	return kind == PROXY_HAPROXY ? "stdout.log" : "access.log";
}

const char *
proxy_error_log_name(enum proxy_kind kind)
{
	return kind == PROXY_HAPROXY ? NULL : "error.log";
}

const char *
proxy_conf_name(enum proxy_kind kind)
{
	static const char *const names[] = {
		[PROXY_HAPROXY] = "haproxy.cfg", [PROXY_NGINX] = "nginx.conf",
		[PROXY_APACHE] = "apache2.conf",
	};

	return names[kind];
}
