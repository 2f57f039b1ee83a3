/*
 * variants.c - the variants of a test (variants.h): each one's spec, its
 * figures, the outcome checks judged over its runs, and how its counts
 * are written (result.json, report.md, the terminal).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/results.h"
#include "lab/variants.h"
#include "model/timeline.h"
#include "pcapread.h"
#include "util.h"

static int
same_pair(const struct link_spec *l, const char *a, const char *b)
{
	return (strcmp(l->a, a) == 0 && strcmp(l->b, b) == 0) ||
	    (strcmp(l->a, b) == 0 && strcmp(l->b, a) == 0);
}

struct test_spec *
variant_spec(const struct test_spec *t, int v)
{
	struct test_spec *c = malloc(sizeof(*c));
	unsigned d = t->vary.delay_ms[v];
	int i;

	if (c == NULL)
		return NULL;
	*c = *t;
	memset(&c->vary, 0, sizeof(c->vary));
	/* A link line for the pair keeps its jitter and loss; only the delay
	 * is the variant's (the parser made sure the jitter fits each). */
	for (i = 0; i < CAT_MAX_LINKS && c->links[i].a != NULL; i++)
		if (same_pair(&c->links[i], t->vary.a, t->vary.b))
			break;
	if (i < CAT_MAX_LINKS && c->links[i].a != NULL) {
		c->links[i].delay_ms[0] = c->links[i].delay_ms[1] = d;
	} else if (d > 0 && i < CAT_MAX_LINKS) {
		memset(&c->links[i], 0, sizeof(c->links[i]));
		c->links[i].a = t->vary.a;
		c->links[i].b = t->vary.b;
		c->links[i].line = t->vary.line;
		c->links[i].delay_ms[0] = c->links[i].delay_ms[1] = d;
		if (i + 1 < CAT_MAX_LINKS)
			c->links[i + 1].a = NULL;
	}
	return c;
}

void
variant_init(const struct test_spec *t, int v, struct variant_run *vr)
{
	memset(vr, 0, sizeof(*vr));
	vr->delay_ms = t->vary.delay_ms[v];
	snprintf(vr->label, sizeof(vr->label), "%ums", vr->delay_ms);
	if (v == 0)
		snprintf(vr->folder, sizeof(vr->folder), ".");
	else
		snprintf(vr->folder, sizeof(vr->folder), "delay-%ums", vr->delay_ms);
	vr->rtt_ms = -1;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

double
variant_rtt_ms(const struct timeline *tl, int base, int n)
{
	int64_t *rtt;
	size_t i, k, m = 0;
	double med;

	if (tl == NULL || tl->nconns == 0 || (rtt = calloc(tl->nconns, sizeof(*rtt))) == NULL)
		return -1;
	for (i = 0; i < tl->nconns; i++) {
		const struct tl_conn *c = &tl->conns[i];
		int64_t syn = TL_UNKNOWN, synack = TL_UNKNOWN;
		int p = port_of(c->client);

		if (p < base || p >= base + n)
			continue;
		/* Both times on the client's own capture: one clock. */
		for (k = 0; k < c->npkts; k++) {
			const struct tl_pkt *x = &c->pkts[k];
			uint8_t f = x->flags & (TCPF_SYN | TCPF_ACK);

			if (f == TCPF_SYN && x->from == TL_CLIENT && syn == TL_UNKNOWN)
				syn = x->t_sent;
			else if (f == (TCPF_SYN | TCPF_ACK) && x->from == TL_SERVER &&
			    synack == TL_UNKNOWN)
				synack = x->t_received;
		}
		if (syn != TL_UNKNOWN && synack != TL_UNKNOWN && synack >= syn)
			rtt[m++] = synack - syn;
	}
	if (m == 0) {
		free(rtt);
		return -1;
	}
	qsort(rtt, m, sizeof(*rtt), cmp_i64);
	med = m % 2 ? (double)rtt[m / 2] : ((double)rtt[m / 2 - 1] + (double)rtt[m / 2]) / 2;
	free(rtt);
	return med / 1e6;
}

int
variant_count(const struct variant_run *vr, const char *name)
{
	for (int i = 0; i < vr->noc; i++)
		if (strcmp(vr->oc[i].name, name) == 0)
			return vr->oc[i].count;
	return 0;
}

int
variant_judge(const struct check_spec *c, const struct variant_run *vr, int nvr,
    char *seen, size_t len)
{
	const struct variant_run *v;
	int n, ok;

	if (c->variant < 0 || c->variant >= nvr) {
		snprintf(seen, len, "the variant did not run");
		return 0;
	}
	v = &vr[c->variant];
	if (v->runs == 0) {
		snprintf(seen, len, "no run of delay %s was classified%s%s", v->label,
		    v->error[0] ? ": " : "", v->error);
		return 0;
	}
	n = variant_count(v, c->state);
	/* A share compares n / runs with lim / 100 exactly, in integers. */
	if (c->percent) {
		long long l = (long long)n * 100, r = (long long)c->lim * v->runs;

		ok = c->cmp == '=' ? l == r : c->cmp == '>' ? l >= r : l <= r;
	} else {
		ok = c->cmp == '=' ? n == c->lim : c->cmp == '>' ? n >= c->lim : n <= c->lim;
	}
	snprintf(seen, len, "%s in %d of %d runs (%.1f%%) with delay %s", c->state, n,
	    v->runs, 100.0 * n / v->runs, v->label);
	return ok;
}

json_t *
variants_json(const struct test_spec *t, const struct variant_run *vr, int nvr)
{
	json_t *a = json_array();

	for (int i = 0; i < nvr; i++) {
		json_t *o = json_object(), *oc = json_object();

		for (int k = 0; k < vr[i].noc; k++)
			json_object_set_new(oc, vr[i].oc[k].name, json_integer(vr[i].oc[k].count));
		json_object_set_new(o, "link", json_pack("[s,s]", t->vary.a, t->vary.b));
		json_object_set_new(o, "delay_ms", json_integer(vr[i].delay_ms));
		json_object_set_new(o, "folder", json_string(vr[i].folder));
		json_object_set_new(o, "runs", json_integer(vr[i].runs));
		json_object_set_new(o, "runs_passed", json_integer(vr[i].consistent));
		json_object_set_new(o, "outcomes", oc);
		json_object_set_new(o, "handshake_rtt_ms",
		    vr[i].rtt_ms < 0 ? json_null() : json_real(vr[i].rtt_ms));
		json_object_set_new(o, "seconds", json_real(vr[i].seconds));
		if (vr[i].error[0] != '\0')
			json_object_set_new(o, "error", json_string(vr[i].error));
		json_array_append_new(a, o);
	}
	return a;
}

/* "server_time_wait 41 (82.0%), both_time_wait 4 (8.0%)" from a variant's
 * outcomes object. */
static void
shares(FILE *f, json_t *oc, long long runs)
{
	const char *name;
	json_t *n;
	int first = 1;

	json_object_foreach(oc, name, n) {
		long long c = json_integer_value(n);

		fprintf(f, "%s%s %lld (%.1f%%)", first ? "" : ", ", name, c,
		    runs ? 100.0 * (double)c / (double)runs : 0.0);
		first = 0;
	}
	if (first)
		fputs("no run classified", f);
}

void
variants_print(FILE *f, const char *id, const struct vary_spec *v, json_t *variants,
    int md)
{
	size_t i;
	json_t *o;

	if (md)
		fprintf(f, "\n## Outcomes per delay on link %s %s\n\n"
		    "The rest of this report (packets, sockets, drawings) is the first "
		    "delay's, whose files are this folder; each other delay's are in the "
		    "folder named in the table, a report of its own.\n\n"
		    "| delay (each way) | runs | handshake RTT | outcomes | files |\n"
		    "| --- | --- | --- | --- | --- |\n", v->a, v->b);
	else
		fprintf(f, "%s: outcomes per delay on link %s %s (each way):\n", id, v->a, v->b);
	json_array_foreach(variants, i, o) {
		long long runs = json_integer_value(json_object_get(o, "runs"));
		json_t *rtt = json_object_get(o, "handshake_rtt_ms");
		const char *err = json_string_value(json_object_get(o, "error"));
		char rtts[32] = "-";

		if (json_is_number(rtt))
			snprintf(rtts, sizeof(rtts), "%.2f ms", json_number_value(rtt));
		if (md)
			fprintf(f, "| %lld ms | %lld | %s | ",
			    (long long)json_integer_value(json_object_get(o, "delay_ms")), runs, rtts);
		else
			fprintf(f, "  %5lldms  %4lld run%s, RTT %-9s  ",
			    (long long)json_integer_value(json_object_get(o, "delay_ms")), runs,
			    runs == 1 ? " " : "s", rtts);
		shares(f, json_object_get(o, "outcomes"), runs);
		if (err != NULL)
			fprintf(f, "; %s", err);
		if (md)
			fprintf(f, " | %s |", json_string_value(json_object_get(o, "folder")));
		fputc('\n', f);
	}
}

void
variants_show(const char *out, const char *id, FILE *f)
{
	char path[4200];
	json_t *j, *v;

	if (fmt(path, sizeof(path), "%s/%s/result.json", out, id) == -1 ||
	    (j = json_load_file(path, 0, NULL)) == NULL)
		return;
	v = json_object_get(j, "variants");
	if (json_is_array(v) && json_array_size(v) > 0) {
		json_t *l = json_array_get(json_object_get(json_array_get(v, 0), "link"), 0);
		json_t *l2 = json_array_get(json_object_get(json_array_get(v, 0), "link"), 1);
		struct vary_spec vs;

		memset(&vs, 0, sizeof(vs));
		vs.a = json_is_string(l) ? json_string_value(l) : "?";
		vs.b = json_is_string(l2) ? json_string_value(l2) : "?";
		fputc('\n', f);
		variants_print(f, id, &vs, v, 0);
	}
	json_decref(j);
}

int
variants_write(const char *dir, const struct test_spec *t, const struct variant_run *vr,
    int nvr, long per_variant, int runs, int passed_runs)
{
	json_t *v = variants_json(t, vr, nvr);
	char path[4200];
	FILE *f;
	int fd, rc;

	json_incref(v);
	if (results_merge_json(dir, json_pack("{s:I,s:i,s:i,s:o}", "runs_per_variant",
	    (json_int_t)per_variant, "runs", runs, "runs_passed", passed_runs, "variants",
	    v)) == -1) {
		json_decref(v);
		return -1;
	}
	/* report.md: the table after the checks, before the drawings. */
	if (fmt(path, sizeof(path), "%s/report.md", dir) == -1 ||
	    (fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		json_decref(v);
		return -1;
	}
	if ((f = fdopen(fd, "a")) == NULL) {
		close(fd);
		json_decref(v);
		return -1;
	}
	variants_print(f, t->id, &t->vary, v, 1);
	json_decref(v);
	rc = ferror(f) ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}
