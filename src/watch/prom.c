/*
 * prom.c - `timewait watch --listen`: the figures as an OpenMetrics /
 * Prometheus text endpoint, so that a fleet is watched by the Prometheus
 * and Grafana people already run. Metric names are listed in docs/watch.md.
 *
 * A thread of its own runs a tiny HTTP/1.0 server (one request per
 * connection, GET /metrics) on loopback unless told otherwise; the main
 * loop hands it each interval's report, which is added to running totals
 * (counters only go up, as Prometheus wants: rate() does the rest) and
 * written out as text once, so a scrape costs one copy.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "util.h"
#include "watch/watch.h"

struct w_prom {
	int fd, stop[2], port;
	pthread_t thread;
	pthread_mutex_t lock;
	char *text;		/* the exposition, rebuilt each interval */
	size_t len;
	struct w_table totals;	/* per row: counters since watch started */
	struct w_err errs[W_ERR_CAP];	/* per (syscall, errno, process), ever */
	uint64_t events, lost;
};

static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[64] = "127.0.0.1";
	const char *colon = strrchr(s, ':');
	uint16_t port;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	if (colon) {
		size_t hl = (size_t)(colon - s);

		if (hl && s[0] == '[' && s[hl - 1] == ']') {
			s++;
			hl -= 2;
		}
		if (hl >= sizeof(host))
			return -1;
		if (hl) {
			memcpy(host, s, hl);
			host[hl] = '\0';
		}
		s = colon + 1;
	}
	if (parse_port(s, &port))
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*sl = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*sl = sizeof(*a6);
	} else {
		return -1;
	}
	return 0;
}

static void
serve(struct w_prom *p, int c)
{
	char req[2048], head[256];
	size_t got = 0;
	ssize_t n;
	struct timeval tv = { 2, 0 };
	int ok;

	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got + 1 < sizeof(req) && (n = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = '\0';
	ok = !strncmp(req, "GET /metrics ", 13) || !strncmp(req, "GET / ", 6) ||
	    !strncmp(req, "GET /metrics?", 13);
	if (!ok) {
		static const char nf[] = "HTTP/1.0 404 Not Found\r\nContent-Type: "
		    "text/plain\r\nContent-Length: 21\r\nConnection: close\r\n\r\n"
		    "try GET /metrics ...\n";
		write_all(c, nf, sizeof(nf) - 1);
		return;
	}
	pthread_mutex_lock(&p->lock);
	snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Type: text/plain; "
	    "version=0.0.4; charset=utf-8\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", p->len);
	if (write_all(c, head, strlen(head)) == 0 && p->len)
		write_all(c, p->text, p->len);
	pthread_mutex_unlock(&p->lock);
}

static void *
prom_main(void *arg)
{
	struct w_prom *p = arg;
	struct pollfd pf[2] = { { p->fd, POLLIN, 0 }, { p->stop[0], POLLIN, 0 } };

	for (;;) {
		int c;

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].revents)
			break;
		if (!(pf[0].revents & POLLIN))
			continue;
		c = accept4(p->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		serve(p, c);
		close(c);
	}
	return NULL;
}

int
w_prom_check(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	return parse_listen(addr, &ss, &sl);
}

int
w_prom_port(const struct w_prom *p)
{
	return p->port;
}

struct w_prom *
w_prom_start(const char *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct w_prom *p;
	int one = 1, e;

	if (parse_listen(addr, &ss, &sl)) {
		snprintf(err, errlen, "wants ADDR:PORT, :PORT or PORT");
		return NULL;
	}
	if (!(p = calloc(1, sizeof(*p))) || w_table_init(&p->totals)) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	p->stop[0] = p->stop[1] = -1;
	p->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->fd < 0 || setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(p->fd, (struct sockaddr *)&ss, sl) || listen(p->fd, 16) ||
	    pipe2(p->stop, O_CLOEXEC)) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	p->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if ((e = pthread_create(&p->thread, NULL, prom_main, p))) {
		snprintf(err, errlen, "thread: %s", strerror(e));
		goto fail;
	}
	return p;
fail:
	if (p->fd >= 0)
		close(p->fd);
	if (p->stop[0] >= 0) {
		close(p->stop[0]);
		close(p->stop[1]);
	}
	w_table_free(&p->totals);
	free(p);
	return NULL;
}

void
w_prom_stop(struct w_prom *p)
{
	if (!p)
		return;
	if (write(p->stop[1], "x", 1) == 1)
		pthread_join(p->thread, NULL);
	close(p->fd);
	close(p->stop[0]);
	close(p->stop[1]);
	w_table_free(&p->totals);
	free(p->text);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* Label values: backslash, quote and newline escaped. */
static void
esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
labels(FILE *f, const char *ns, const struct w_row *row)
{
	char ep[64], local[48];

	w_key_endpoint(&row->key, ep, sizeof(ep));
	w_key_local_addr(&row->key, local, sizeof(local));
	fputs("{netns=\"", f);
	esc(f, ns);
	fprintf(f, "\",kind=\"%s\",local=\"%s\",endpoint=\"%s\"",
	    row->key.kind == W_DEST ? "destination" : "service", local, ep);
}

/* Counters of every row ever seen; gauges of this interval's rows. */
static void
write_rows(FILE *f, struct w_prom *p, const struct w_report *r)
{
	static const struct { const char *name, *help; int field; } ctr[] = {
		{ "timewait_watch_connections_opened_total", "Connections that reached ESTABLISHED.", 0 },
		{ "timewait_watch_connections_ended_total", "Established connections that reached CLOSE.", 1 },
	};
	const char *ns = *r->netns ? r->netns : "";

	for (size_t c = 0; c < sizeof(ctr) / sizeof(ctr[0]); c++) {
		family(f, ctr[c].name, "counter", ctr[c].help);
		for (size_t i = 0; i < W_TABLE_CAP; i++) {
			const struct w_row *row = &p->totals.rows[i];

			if (!row->used)
				continue;
			fputs(ctr[c].name, f);
			labels(f, ns, row);
			fprintf(f, "} %llu\n", (unsigned long long)(ctr[c].field ? row->ended : row->opened));
		}
	}
	family(f, "timewait_watch_first_fin_total", "counter",
	    "Connections by the side that sent the first FIN (local: this host).");
	for (size_t i = 0; i < W_TABLE_CAP; i++) {
		const struct w_row *row = &p->totals.rows[i];

		if (!row->used)
			continue;
		for (int side = 0; side < 2; side++) {
			fputs("timewait_watch_first_fin_total", f);
			labels(f, ns, row);
			fprintf(f, ",side=\"%s\"} %llu\n", side ? "peer" : "local",
			    (unsigned long long)(side ? row->fin_peer : row->fin_local));
		}
	}
	family(f, "timewait_watch_resets_total", "counter",
	    "RST segments sent or received on these connections.");
	for (size_t i = 0; i < W_TABLE_CAP; i++) {
		const struct w_row *row = &p->totals.rows[i];

		if (!row->used)
			continue;
		for (int dir = 0; dir < 2; dir++) {
			fputs("timewait_watch_resets_total", f);
			labels(f, ns, row);
			fprintf(f, ",direction=\"%s\"} %llu\n", dir ? "received" : "sent",
			    (unsigned long long)(dir ? row->rst_recv : row->rst_sent));
		}
	}
}

static void
write_gauge_lines(FILE *f, const struct w_report *r)
{
	static const char *const names[] = {
		"timewait_watch_endpoint_time_wait_sockets",
		"timewait_watch_ports_in_use", "timewait_watch_ports_usable",
		"timewait_watch_ceiling_connections_per_second",
		"timewait_watch_ceiling_ratio", "timewait_watch_exhaustion_seconds",
	};
	static const char *const helps[] = {
		"TIME_WAIT sockets held towards this destination or of this service.",
		"Ephemeral ports this source address uses towards this destination.",
		"Ports of ip_local_port_range.",
		"Connections a second the ports allow when this host closes first.",
		"Share of the ceiling in use (1 = at the ceiling).",
		"Seconds until the ports run out at the current rate (0: run out).",
	};

	for (size_t g = 0; g < sizeof(names) / sizeof(names[0]); g++) {
		family(f, names[g], "gauge", helps[g]);
		for (size_t i = 0; i < r->n; i++) {
			const struct w_line *l = &r->lines[i];
			struct w_row row = { .key = l->key };
			double v;

			if (g > 0 && l->key.kind != W_DEST)
				continue;
			v = g == 0 ? l->time_wait : g == 1 ? l->ports_in_use :
			    g == 2 ? l->ports_usable : g == 3 ? l->ceiling_per_s :
			    g == 4 ? l->ceiling_share : l->exhausted_in_s;
			if (v < 0)
				continue;
			fputs(names[g], f);
			labels(f, r->netns, &row);
			fprintf(f, "} %.6g\n", v);
		}
	}
}

static void
write_text(FILE *f, struct w_prom *p, const struct w_report *r)
{
	family(f, "timewait_watch_time_wait_sockets", "gauge",
	    "TIME_WAIT sockets in the namespace.");
	fprintf(f, "timewait_watch_time_wait_sockets{netns=\"");
	esc(f, r->netns);
	fprintf(f, "\"} %u\n", r->snap.time_wait);
	family(f, "timewait_watch_time_wait_oldest_seconds", "gauge",
	    "Age of the oldest TIME_WAIT socket.");
	fprintf(f, "timewait_watch_time_wait_oldest_seconds{netns=\"");
	esc(f, r->netns);
	fprintf(f, "\"} %.3f\n", r->snap.tw_oldest_ms / 1000.0);
	write_rows(f, p, r);
	write_gauge_lines(f, r);
	family(f, "timewait_watch_syscall_errors_total", "counter",
	    "connect() and bind() calls that failed, by errno and process.");
	for (size_t i = 0; i < W_ERR_CAP; i++) {
		const struct w_err *e = &p->errs[i];

		if (!e->used)
			continue;
		fprintf(f, "timewait_watch_syscall_errors_total{netns=\"");
		esc(f, r->netns);
		fprintf(f, "\",syscall=\"%s\",errno=\"%s\",process=\"",
		    e->bind ? "bind" : "connect", w_errno_name(e->err));
		esc(f, e->comm);
		fprintf(f, "\"} %llu\n", (unsigned long long)e->count);
	}
	family(f, "timewait_watch_tcp_events_total", "counter",
	    "The namespace's TCP counters of /proc/net/netstat and /proc/net/snmp.");
	for (int i = 0; i < W_NCOUNTERS; i++) {
		fprintf(f, "timewait_watch_tcp_events_total{netns=\"");
		esc(f, r->netns);
		fprintf(f, "\",counter=\"%s\"} %llu\n", w_counter_names[i],
		    (unsigned long long)r->counters[i]);
	}
	family(f, "timewait_watch_trace_events_total", "counter",
	    "Trace records read from the kernel.");
	fprintf(f, "timewait_watch_trace_events_total %llu\n", (unsigned long long)p->events);
	family(f, "timewait_watch_trace_events_lost_total", "counter",
	    "Trace records the kernel dropped before watch could read them.");
	fprintf(f, "timewait_watch_trace_events_lost_total %llu\n", (unsigned long long)p->lost);
}

static void
add_errors(struct w_prom *p, const struct w_report *r)
{
	for (size_t i = 0; i < r->nerr; i++) {
		const struct w_err *e = &r->errs[i];
		size_t j;

		for (j = 0; j < W_ERR_CAP; j++) {
			struct w_err *t = &p->errs[j];

			if (!t->used) {
				*t = *e;
				break;
			}
			if (t->err == e->err && t->bind == e->bind && !strcmp(t->comm, e->comm)) {
				t->count += e->count;
				break;
			}
		}
	}
}

void
w_prom_update(struct w_prom *p, const struct w_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	for (size_t i = 0; i < r->n; i++) {
		const struct w_line *l = &r->lines[i];
		struct w_row *row = w_table_get(&p->totals, &l->key);

		if (!row)
			continue;
		row->opened += l->opened;
		row->ended += l->ended;
		row->fin_local += l->fin_local;
		row->fin_peer += l->fin_peer;
		row->rst_sent += l->rst_sent;
		row->rst_recv += l->rst_recv;
	}
	add_errors(p, r);
	p->events += r->events;
	p->lost += r->lost;
	if (!(f = open_memstream(&text, &len)))
		return;
	write_text(f, p, r);
	if (fclose(f) != 0) {
		free(text);
		return;
	}
	pthread_mutex_lock(&p->lock);
	free(p->text);
	p->text = text;
	p->len = len;
	pthread_mutex_unlock(&p->lock);
}
