/*
 * output.c - how an interval of `timewait watch` is printed: a top-like
 * screen on a terminal (colour unless NO_COLOR is set), one plain line an
 * interval otherwise, or one JSON object a line with --json (the fields
 * are described in docs/watch.md).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "watch/watch.h"

static void
stamp(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *
num_or_null(double v)
{
	return v < 0 ? json_null() : json_real((double)(long long)(v * 1000 + 0.5) / 1000);
}

static json_t *
rate(double v)
{
	return json_real((double)(long long)(v * 1000 + 0.5) / 1000);
}

/*
 * The figures JSON carries as they are, one table a group: a field's name,
 * what it holds and where, so that each is named once and a new one is a
 * line.
 */
enum fkind {
	F_U32, F_U64, F_LONG,
	F_RATE,		/* double, to three places */
	F_OPT,		/* double, to three places; < 0: null */
	F_MS		/* uint32_t milliseconds, as seconds */
};

struct jfield {
	const char *name;
	enum fkind kind;
	size_t off;
};

#define LF(name, kind, field) { name, kind, offsetof(struct w_line, field) }
#define RF(name, kind, field) { name, kind, offsetof(struct w_report, field) }

static const struct jfield line_counts[] = {
	LF("opened", F_U64, opened),
	LF("ended", F_U64, ended),
	LF("opened_per_s", F_RATE, opened_per_s),
	LF("ended_per_s", F_RATE, ended_per_s),
	LF("local_first_fin_share", F_OPT, fin_local_share),
	LF("fin_local", F_U64, fin_local),
	LF("fin_peer", F_U64, fin_peer),
	LF("rst_sent", F_U64, rst_sent),
	LF("rst_received", F_U64, rst_recv),
}, line_tw[] = {
	LF("time_wait", F_U32, time_wait),
	LF("time_wait_oldest_s", F_MS, tw_oldest_ms),
}, line_dest[] = {	/* destinations only */
	LF("ports_in_use", F_U32, ports_in_use),
	LF("ports_usable", F_U32, ports_usable),
	LF("ceiling_per_s", F_OPT, ceiling_per_s),
	LF("ceiling_share", F_OPT, ceiling_share),
	LF("exhausted_in_s", F_OPT, exhausted_in_s),
}, report_snap[] = {
	RF("time_wait", F_U32, snap.time_wait),
	RF("time_wait_oldest_s", F_MS, snap.tw_oldest_ms),
	RF("sockets", F_U32, snap.sockets),
	RF("established", F_U32, snap.established),
	RF("bound_unconnected", F_U32, snap.bound_idle),
}, report_knobs[] = {
	RF("tw_reuse", F_LONG, tw_reuse),
	RF("max_tw_buckets", F_LONG, max_tw_buckets),
}, report_trace[] = {
	RF("events", F_U64, events),
	RF("lost", F_U64, lost),
	RF("lost_total", F_U64, lost_total),
	RF("errors_other_namespaces", F_U64, other_ns),
	RF("errors_process_gone", F_U64, gone),
	RF("rows_overflow", F_U64, overflow),
};

#define SET_FIELDS(o, base, table) \
	set_fields((o), (base), (table), sizeof(table) / sizeof((table)[0]))

static void
set_fields(json_t *o, const void *base, const struct jfield *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = (const char *)base + f[i].off;
		uint32_t u32;
		uint64_t u64;
		long lv;
		double d;
		json_t *v;

		switch (f[i].kind) {
		case F_U32:
			memcpy(&u32, p, sizeof(u32));
			v = json_integer(u32);
			break;
		case F_U64:
			memcpy(&u64, p, sizeof(u64));
			v = json_integer(u64);
			break;
		case F_LONG:
			memcpy(&lv, p, sizeof(lv));
			v = json_integer(lv);
			break;
		case F_MS:
			memcpy(&u32, p, sizeof(u32));
			v = json_real(u32 / 1000.0);
			break;
		default:
			memcpy(&d, p, sizeof(d));
			v = f[i].kind == F_RATE ? rate(d) : num_or_null(d);
			break;
		}
		json_object_set_new(o, f[i].name, v);
	}
}

static json_t *
reasons_json(const struct w_line *l)
{
	json_t *o = json_object();

	for (int i = 0; i < W_RST_REASONS; i++)
		if (l->rst_reason[i])
			json_object_set_new(o, w_rst_reason_names[i],
			    json_integer(l->rst_reason[i]));
	return o;
}

static json_t *
line_json(const struct w_line *l)
{
	json_t *o = json_object();
	int dest = l->key.kind == W_DEST;

	json_object_set_new(o, dest ? "remote" : "listen", json_string(l->endpoint));
	if (dest)
		json_object_set_new(o, "local", json_string(l->local));
	SET_FIELDS(o, l, line_counts);
	json_object_set_new(o, "rst_sent_reasons", reasons_json(l));
	SET_FIELDS(o, l, line_tw);
	if (dest)
		SET_FIELDS(o, l, line_dest);
	return o;
}

static void
print_json(const struct w_report *r)
{
	json_t *o = json_object(), *dests = json_array(), *svcs = json_array(),
	    *errs = json_object(), *byproc = json_array(), *cnt = json_object(),
	    *tot = json_object(), *adv = json_array(), *tr = json_object();
	char ts[32], *text;

	stamp(r->t, ts, sizeof(ts));
	json_object_set_new(o, "time", json_string(ts));
	json_object_set_new(o, "t", json_real(r->t));
	json_object_set_new(o, "interval_s", rate(r->interval_s));
	json_object_set_new(o, "netns", json_string(r->netns));
	SET_FIELDS(o, r, report_snap);
	for (size_t i = 0; i < r->nerr; i++) {
		const struct w_err *e = &r->errs[i];
		const char *name = w_errno_name(e->err);
		json_t *one = json_object(), *cur = json_object_get(errs, name);

		json_object_set_new(errs, name, json_integer(e->count +
		    (cur ? json_integer_value(cur) : 0)));
		json_object_set_new(one, "process", json_string(e->comm));
		json_object_set_new(one, "syscall", json_string(e->bind ? "bind" : "connect"));
		json_object_set_new(one, "errno", json_string(name));
		json_object_set_new(one, "count", json_integer(e->count));
		json_object_set_new(one, "per_s", rate(e->count / r->interval_s));
		json_array_append_new(byproc, one);
	}
	json_object_set_new(o, "errors", errs);
	json_object_set_new(o, "errors_by_process", byproc);
	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(r->lines[i].key.kind == W_DEST ? dests : svcs,
		    line_json(&r->lines[i]));
	json_object_set_new(o, "destinations", dests);
	json_object_set_new(o, "services", svcs);
	for (int i = 0; i < W_NCOUNTERS; i++) {
		json_object_set_new(cnt, w_counter_names[i], num_or_null(r->counter_rate[i]));
		json_object_set_new(tot, w_counter_names[i], json_integer(r->counters[i]));
	}
	json_object_set_new(o, "counters_per_s", cnt);
	json_object_set_new(o, "counters", tot);
	json_object_set_new(o, "port_range", json_pack("[ii]", r->port_lo, r->port_hi));
	SET_FIELDS(o, r, report_knobs);
	SET_FIELDS(tr, r, report_trace);
	json_object_set_new(o, "trace", tr);
	for (int i = 0; i < r->nadvice; i++)
		json_array_append_new(adv, json_string(r->advice[i]));
	json_object_set_new(o, "advice", adv);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text) {
		fputs(text, stdout);
		fputc('\n', stdout);
		free(text);
	}
	json_decref(o);
}

static void
errs_text(const struct w_report *r, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->nerr && used + 64 < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s %s %.1f/s (%s)",
		    i ? ", " : "", r->errs[i].bind ? "bind" : "connect",
		    w_errno_name(r->errs[i].err), r->errs[i].count / r->interval_s,
		    r->errs[i].comm);
}

/* A share as a whole percentage, "-" when there is none (< 0). */
static void
pct(double share, char *buf, size_t len)
{
	if (share < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f%%", 100 * share);
}

static void
print_plain(const struct w_report *r)
{
	static char last_advice[W_ADVICE_MAX][320];
	static int last_n = -1;
	double opened = 0, ended = 0;
	char ts[32], errs[512], fin[16];
	int same;

	for (size_t i = 0; i < r->n; i++) {
		opened += r->lines[i].opened_per_s;
		ended += r->lines[i].ended_per_s;
	}
	stamp(r->t, ts, sizeof(ts));
	errs_text(r, errs, sizeof(errs));
	printf("%s time_wait=%u opened/s=%.1f ended/s=%.1f errors: %s lost=%llu",
	    ts, r->snap.time_wait, opened, ended, r->nerr ? errs : "none",
	    (unsigned long long)r->lost);
	if (r->ndest) {
		const struct w_line *l = &r->lines[0];

		pct(l->fin_local_share, fin, sizeof(fin));
		printf(" top=%s local_first_fin=%s", l->endpoint, fin);
		if (l->ceiling_per_s < 0)
			printf(" ceiling=none");
		else
			printf(" ceiling=%.1f/s share=%.0f%%", l->ceiling_per_s,
			    100 * l->ceiling_share);
	}
	putchar('\n');
	same = last_n == r->nadvice;
	for (int i = 0; same && i < r->nadvice; i++)
		same = !strcmp(last_advice[i], r->advice[i]);
	for (int i = 0; !same && i < r->nadvice; i++)
		printf("  advice: %s\n", r->advice[i]);
	last_n = r->nadvice;
	memcpy(last_advice, r->advice, sizeof(last_advice));
}

static const char *
share_color(double s, int color)
{
	if (!color)
		return "";
	return s >= 0.9 ? "\033[1;31m" : s >= 0.5 ? "\033[33m" : "";
}

static void
print_term(const struct w_report *r, int color)
{
	const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
	char ts[32], errs[512], share[16], ceil[16], exh[16], fin[16];
	int rows = 0;

	stamp(r->t, ts, sizeof(ts));
	printf("\033[H\033[2J%stimewait watch%s  %s  %s  every %.1f s\n", bold, off,
	    *r->netns ? r->netns : "(this host)", ts, r->interval_s);
	printf("TIME_WAIT %u (oldest %.1f s)  sockets %u  ports %d-%d  tw_reuse %ld  "
	    "max_tw_buckets %ld\n", r->snap.time_wait, r->snap.tw_oldest_ms / 1000.0,
	    r->snap.sockets, r->port_lo, r->port_hi, r->tw_reuse, r->max_tw_buckets);
	errs_text(r, errs, sizeof(errs));
	printf("errors: %s\ntrace: %llu events, %llu lost (%llu in all)\n\n",
	    r->nerr ? errs : "none", (unsigned long long)r->events,
	    (unsigned long long)r->lost, (unsigned long long)r->lost_total);
	printf("%s%-24s %-15s %8s %8s %6s %9s %6s %11s %8s %6s %8s%s\n", bold,
	    "DESTINATION/SERVICE", "SOURCE", "OPEN/s", "END/s", "FIN1st", "RST s/r",
	    "TW", "PORTS", "CEIL/s", "SHARE", "EXHAUST", off);
	for (size_t i = 0; i < r->n && rows < 20; i++, rows++) {
		const struct w_line *l = &r->lines[i];
		char ports[24], rst[24];
		int dest = l->key.kind == W_DEST;

		pct(l->fin_local_share, fin, sizeof(fin));
		snprintf(ceil, sizeof(ceil), l->ceiling_per_s < 0 ? "-" : "%.1f", l->ceiling_per_s);
		pct(l->ceiling_share, share, sizeof(share));
		if (l->exhausted_in_s < 0)
			snprintf(exh, sizeof(exh), "-");
		else if (l->exhausted_in_s == 0)
			snprintf(exh, sizeof(exh), "NOW");
		else
			snprintf(exh, sizeof(exh), "%.0f s", l->exhausted_in_s);
		snprintf(ports, sizeof(ports), dest ? "%u/%u" : "-", l->ports_in_use,
		    l->ports_usable);
		snprintf(rst, sizeof(rst), "%llu/%llu", (unsigned long long)l->rst_sent,
		    (unsigned long long)l->rst_recv);
		printf("%s%-24s %-15s %8.1f %8.1f %6s %9s %6u %11s %8s %6s %8s%s\n",
		    share_color(l->ceiling_share, color), l->endpoint,
		    dest ? l->local : "(listening)", l->opened_per_s, l->ended_per_s,
		    fin, rst, l->time_wait, ports, ceil, share, exh,
		    color && l->ceiling_share >= 0.5 ? off : "");
	}
	if (!r->n)
		printf("(no TCP activity)\n");
	printf("\ncounters/s:");
	for (int i = 0, any = 0; i < W_NCOUNTERS; i++) {
		if (r->counter_rate[i] > 0)
			printf(" %s %.1f", w_counter_names[i], r->counter_rate[i]);
		any |= r->counter_rate[i] > 0;
		if (i == W_NCOUNTERS - 1 && !any)
			printf(" all 0");
	}
	printf("\n");
	for (int i = 0; i < r->nadvice; i++)
		printf("%s>%s %s\n", bold, off, r->advice[i]);
}

int
w_print(const struct w_report *r, enum w_mode mode, int color)
{
	if (mode == W_OUT_JSON)
		print_json(r);
	else if (mode == W_OUT_TERM)
		print_term(r, color);
	else
		print_plain(r);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}
