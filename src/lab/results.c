/*
 * results.c - write what a test showed: result.json for machines (the
 * verdict and every check with what was expected and what was seen),
 * report.md for a person (what ran, the packets in order, the socket
 * tables, who held TIME_WAIT, the checks), lab.json and snapshots.json.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fsafe.h"
#include "lab/results.h"
#include "render/render.h"
#include "util.h"

/* The files a run writes in a test's folder; results_clear removes them. */
static const char *const run_files[] = {
	".pcap", ".jsonl", ".log", ".json", ".md", ".svg", ".puml", ".mmd", ".txt", NULL,
};

void
outcome_add(struct outcome_count *o, int *n, int max, const char *name)
{
	int i;

	for (i = 0; i < *n; i++)
		if (strcmp(o[i].name, name) == 0) {
			o[i].count++;
			return;
		}
	if (*n == max)
		return;
	snprintf(o[*n].name, sizeof(o[*n].name), "%s", name);
	o[(*n)++].count = 1;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int
results_clear(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	int i;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		for (i = 0; run_files[i] != NULL; i++)
			if (has_suffix(e->d_name, run_files[i]) &&
			    fmt(path, sizeof(path), "%s/%s", dir, e->d_name) == 0) {
				unlink(path);
				break;
			}
	closedir(d);
	return 0;
}

/* Whole or not at all (fsafe.h): a full disk leaves no empty result.json. */
static int
write_json(const char *dir, const char *name, json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int dirfd, rc = -1, e;

	json_decref(j);
	if (text == NULL) {
		errno = ENOMEM;
		return -1;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd != -1) {
		rc = fs_write_file(dirfd, name, text, strlen(text), 0644);
		e = errno;
		close(dirfd);
		errno = e;
	}
	free(text);
	return rc;
}

void
results_write_lab(const char *dir, const struct lab *lab)
{
	json_t *j = json_object(), *hosts = json_array(), *sysctl;
	char val[128];
	int i, k;

	json_object_set_new(j, "lab", json_string(lab->id));
	for (i = 0; i < lab->nhosts; i++) {
		const struct lab_host *h = &lab->hosts[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(h->name));
		json_object_set_new(o, "netns", json_string(h->netns));
		json_object_set_new(o, "interface", json_string(h->ifname));
		json_object_set_new(o, "addr", json_string(h->addr));
		json_object_set_new(o, "addr6", json_string(h->addr6));
		sysctl = json_object();
		for (k = 0; lab_defaults[k][0] != NULL; k++)
			if (lab_sysctl_get(h, lab_defaults[k][0], val, sizeof(val)) == 0)
				json_object_set_new(sysctl, lab_defaults[k][0], json_string(val));
		json_object_set_new(o, "sysctls", sysctl);
		json_array_append_new(hosts, o);
	}
	json_object_set_new(j, "hosts", hosts);
	write_json(dir, "lab.json", j);
}

static json_t *
snapshots_json(const struct test_rec *r)
{
	json_t *all = json_array();
	int i, h;
	size_t k;

	for (i = 0; i < r->nsnaps; i++) {
		const struct snap_rec *s = &r->snaps[i];
		json_t *o = json_object(), *hosts = json_object();

		json_object_set_new(o, "name", json_string(s->name));
		json_object_set_new(o, "t_ns", json_integer((json_int_t)s->t_ns));
		for (h = 0; h < r->nhosts; h++) {
			json_t *socks = json_array();

			for (k = 0; k < s->n[h]; k++) {
				const struct sd_sock *x = &s->s[h][k];
				json_t *so = json_object();

				json_object_set_new(so, "state", json_string(tcp_state_name(x->state)));
				json_object_set_new(so, "local", json_string(x->local));
				json_object_set_new(so, "remote", json_string(x->remote));
				if (x->timer != 0) {
					json_object_set_new(so, "timer", json_integer(x->timer));
					json_object_set_new(so, "expires_ms", json_integer(x->expires_ms));
				}
				json_array_append_new(socks, so);
			}
			json_object_set_new(hosts, r->hosts[h].name, socks);
		}
		json_object_set_new(o, "hosts", hosts);
		json_array_append_new(all, o);
	}
	return all;
}

static json_t *
result_json(const struct test_rec *r, const struct check_result *res, int nres,
    int ok, const struct outcome_count *oc, int noc, int runs, int passed_runs,
    double seconds)
{
	json_t *j = json_object(), *checks = json_array(), *caps = json_object();
	int i;

	json_object_set_new(j, "test", json_string(r->spec->id));
	json_object_set_new(j, "title", json_string(r->spec->title));
	json_object_set_new(j, "verdict", json_string(ok ? "pass" : "fail"));
	json_object_set_new(j, "time_scale", json_real(r->scale));
	json_object_set_new(j, "full", json_boolean(r->full));
	json_object_set_new(j, "t0_ns", json_integer((json_int_t)r->t0_ns));
	json_object_set_new(j, "seconds", json_real(seconds));
	if (r->error[0] != '\0')
		json_object_set_new(j, "error", json_string(r->error));
	for (i = 0; i < nres; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "expected", json_string(res[i].spec->what));
		json_object_set_new(c, "seen", json_string(res[i].seen));
		json_object_set_new(c, "pass", res[i].judged ? json_boolean(res[i].pass) : json_null());
		json_array_append_new(checks, c);
	}
	json_object_set_new(j, "checks", checks);
	for (i = 0; i < r->nhosts; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "packets", json_integer((json_int_t)r->hosts[i].cs.packets));
		json_object_set_new(c, "dropped", json_integer((json_int_t)r->hosts[i].cs.dropped));
		json_object_set_new(c, "if_dropped", json_integer((json_int_t)r->hosts[i].cs.if_dropped));
		json_object_set_new(caps, r->hosts[i].name, c);
	}
	json_object_set_new(j, "capture", caps);
	if (r->trace_error[0] != '\0') {
		json_object_set_new(j, "trace", json_pack("{s:s}", "error", r->trace_error));
	} else {
		json_object_set_new(j, "trace", json_pack("{s:I,s:I,s:I}",
		    "events", (json_int_t)r->trace.events,
		    "lost", (json_int_t)r->trace.lost,
		    "buffer_kb", (json_int_t)r->trace.buffer_kb));
	}
	if (oc != NULL) {
		json_t *o = json_object();

		for (i = 0; i < noc; i++)
			json_object_set_new(o, oc[i].name, json_integer(oc[i].count));
		json_object_set_new(j, "runs", json_integer(runs));
		json_object_set_new(j, "runs_passed", json_integer(passed_runs));
		json_object_set_new(j, "outcomes", o);
	}
	return j;
}

#define MAX_LISTED 300	/* packets listed in a report */

/* Relative sequence numbers, as Wireshark shows them, per direction. */
struct isn {
	char src[46];
	uint16_t sport;
	uint32_t isn;
};

static uint32_t
rel(struct isn *t, int *n, const struct tcp_pkt *p, uint32_t v, int is_ack)
{
	int i;

	for (i = 0; i < *n; i++) {
		if (is_ack ? (strcmp(t[i].src, p->dst) == 0 && t[i].sport == p->dport)
		    : (strcmp(t[i].src, p->src) == 0 && t[i].sport == p->sport)) {
			/* A new SYN on a 4-tuple starts a new connection. */
			if (!is_ack && (p->flags & TCPF_SYN))
				t[i].isn = v;
			return v - t[i].isn;
		}
	}
	if (!is_ack && (p->flags & TCPF_SYN) && *n < 64) {
		snprintf(t[*n].src, sizeof(t[*n].src), "%s", p->src);
		t[*n].sport = p->sport;
		t[*n].isn = v;
		(*n)++;
		return 0;
	}
	return v;
}

/* Every packet once, from the capture of the host that sent it, in time order. */
static size_t
sent_packets(const struct test_rec *r, const struct tcp_pkt ***out)
{
	const struct tcp_pkt **v;
	size_t n = 0, cap = 0, i, j;
	int h;

	for (h = 0; h < r->nhosts; h++)
		cap += r->hosts[h].npkt;
	v = calloc(cap ? cap : 1, sizeof(*v));
	if (v == NULL)
		return 0;
	for (h = 0; h < r->nhosts; h++)
		for (i = 0; i < r->hosts[h].npkt; i++) {
			const struct tcp_pkt *p = &r->hosts[h].pkt[i];

			if (strcmp(p->src, r->hosts[h].addr) == 0 ||
			    strcmp(p->src, r->hosts[h].addr6) == 0)
				v[n++] = p;
		}
	/* Insertion sort: captures are short and nearly sorted already. */
	for (i = 1; i < n; i++) {
		const struct tcp_pkt *x = v[i];

		for (j = i; j > 0 && v[j - 1]->t_ns > x->t_ns; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	*out = v;
	return n;
}

static void
write_packets(FILE *f, const struct test_rec *r, const char *prefix)
{
	const struct tcp_pkt **v = NULL;
	struct isn isns[64];
	int nisn = 0;
	size_t n = sent_packets(r, &v), i;

	for (i = 0; i < n && i < MAX_LISTED; i++) {
		const struct tcp_pkt *p = v[i];
		const char *from = rec_host_of(r, p->src), *to = rec_host_of(r, p->dst);
		char flags[8];
		uint32_t seq = rel(isns, &nisn, p, p->seq, 0);
		uint32_t ack = (p->flags & TCPF_ACK) ? rel(isns, &nisn, p, p->ack, 1) : 0;

		fprintf(f, "%s%+9.4f s  %-8s %5u -> %-8s %5u  %-4s seq=%u ack=%u len=%u\n",
		    prefix, ((double)p->t_ns - (double)r->t0_ns) / 1e9,
		    from ? from : p->src, p->sport, to ? to : p->dst, p->dport,
		    tcp_flags_str(p->flags, flags), seq, ack, p->len);
	}
	if (n == 0)
		fprintf(f, "%s(no packets)\n", prefix);
	if (n > MAX_LISTED)
		fprintf(f, "%s... and %zu more: see the pcap files\n", prefix, n - MAX_LISTED);
	free(v);
}

/* One line a host from the "end" snapshot: who held TIME_WAIT, how long left. */
static void
write_time_wait(FILE *f, const struct test_rec *r)
{
	const struct snap_rec *s = rec_snap(r, "end");
	int h;

	if (s == NULL)
		return;
	fprintf(f, "\n## Who held TIME_WAIT at the end\n\n");
	for (h = 0; h < r->nhosts; h++) {
		uint32_t most = 0;
		size_t k, n = 0;

		for (k = 0; k < s->n[h]; k++)
			if (strcmp(tcp_state_name(s->s[h][k].state), "TIME_WAIT") == 0) {
				n++;
				if (s->s[h][k].expires_ms > most)
					most = s->s[h][k].expires_ms;
			}
		if (n == 0)
			fprintf(f, "- %s: no TIME_WAIT socket\n", r->hosts[h].name);
		else
			fprintf(f, "- %s: %zu TIME_WAIT socket%s, the last to expire in %.1f s\n",
			    r->hosts[h].name, n, n == 1 ? "" : "s", most / 1000.0);
	}
}

static void
write_report(FILE *f, const struct test_rec *r, const struct check_result *res,
    int nres, int ok, const struct outcome_count *oc, int noc, int runs)
{
	const struct test_spec *t = r->spec;
	int i, h, passed = 0, judged = 0;
	size_t k;

	for (i = 0; i < nres; i++) {
		passed += res[i].judged && res[i].pass;
		judged += res[i].judged;
	}
	fprintf(f, "# Test %s: %s\n\n%s.\n\n", t->id, t->title, t->shows);
	fprintf(f, "**Verdict: %s** (%d of %d checks passed%s; time scale %g%s)\n\n",
	    ok ? "PASS" : "FAIL", passed, judged,
	    judged < nres ? ", more with --full" : "", r->scale, r->full ? ", --full" : "");
	if (r->error[0] != '\0')
		fprintf(f, "The run went wrong: %s.\n\n", r->error);

	fprintf(f, "## What ran\n\n| program | host | address | command |\n| --- | --- | --- | --- |\n");
	for (i = 0; i < r->nprocs; i++) {
		const struct proc_spec *p = r->procs[i].spec;
		const struct host_rec *hr = rec_host(r, p->host);
		int a;

		if (!r->procs[i].started)
			continue;
		fprintf(f, "| %s | %s | %s | `timewait_%s", p->name, p->host,
		    hr ? hr->addr : "?", p->prog);
		for (a = 0; p->args[a] != NULL; a++)
			fprintf(f, " %s", p->args[a]);
		fprintf(f, "` |\n");
	}
	fprintf(f, "\n## Checks\n\n| | expected | seen |\n| --- | --- | --- |\n");
	for (i = 0; i < nres; i++)
		fprintf(f, "| %s | %s | %s |\n",
		    !res[i].judged ? "-" : res[i].pass ? "pass" : "**FAIL**",
		    res[i].spec->what, res[i].seen);
	if (oc != NULL) {
		fprintf(f, "\n## Outcomes over %d runs\n\n| outcome | runs |\n| --- | --- |\n", runs);
		for (i = 0; i < noc; i++)
			fprintf(f, "| %s | %d |\n", oc[i].name, oc[i].count);
	}
	write_time_wait(f, r);
	fprintf(f, "\n## Packets, in order\n\nEach packet once, timed on the host that sent it; "
	    "t=0 is when the first client started.\n\n```\n");
	write_packets(f, r, "");
	fprintf(f, "```\n");
	for (i = 0; i < r->nsnaps; i++) {
		const struct snap_rec *s = &r->snaps[i];

		fprintf(f, "\n## Sockets at snapshot '%s' (t=%+.3f s)\n\n",
		    s->name, ((double)s->t_ns - (double)r->t0_ns) / 1e9);
		fprintf(f, "| host | state | local | remote | timer |\n| --- | --- | --- | --- | --- |\n");
		for (h = 0; h < r->nhosts; h++)
			for (k = 0; k < s->n[h]; k++) {
				const struct sd_sock *x = &s->s[h][k];

				if (strcmp(tcp_state_name(x->state), "LISTEN") == 0)
					continue;
				fprintf(f, "| %s | %s | %s | %s | ", r->hosts[h].name,
				    tcp_state_name(x->state), x->local, x->remote);
				if (x->timer != 0)
					fprintf(f, "%.1f s", x->expires_ms / 1000.0);
				fprintf(f, " |\n");
			}
	}
	fprintf(f, "\n## Capture\n\n");
	for (h = 0; h < r->nhosts; h++)
		fprintf(f, "- `%s.pcap`: %llu packets, %llu dropped\n", r->hosts[h].name,
		    (unsigned long long)r->hosts[h].cs.packets,
		    (unsigned long long)(r->hosts[h].cs.dropped + r->hosts[h].cs.if_dropped));
	fprintf(f, "\nFiles: `result.json` (verdict and checks), `lab.json` (hosts), "
	    "`snapshots.json` (socket tables), `<host>.pcap`, `<host>.<program>.events.jsonl`, "
	    "`<program>.log`.\n");
}

int
results_write(const char *dir, const struct test_rec *r,
    const struct check_result *res, int nres, int ok,
    const struct outcome_count *oc, int noc, int runs, int passed_runs,
    double seconds)
{
	char path[4096];
	FILE *f;

	write_json(dir, "snapshots.json", snapshots_json(r));
	if (write_json(dir, "result.json", result_json(r, res, nres, ok, oc, noc,
	    runs, passed_runs, seconds)) == -1)
		return -1;
	if (fmt(path, sizeof(path), "%s/report.md", dir) == -1 ||
	    (f = fopen(path, "w")) == NULL)
		return -1;
	write_report(f, r, res, nres, ok, oc, noc, runs);
	if (fclose(f) != 0) {
		int e = errno;

		unlink(path);	/* no half report */
		errno = e;
		return -1;
	}
	return 0;
}

void
results_append_drawings(const char *dir, const struct test_rec *r)
{
	char path[4096], line[1024];
	FILE *f, *in;

	if (fmt(path, sizeof(path), "%s/report.md", dir) == -1 ||
	    (f = fopen(path, "a")) == NULL)
		return;
	fprintf(f, "\n## Sequence diagram\n\n");
	in = NULL;
	if (r->draw_error[0] == '\0' && fmt(path, sizeof(path), "%s/sequence.mmd", dir) == 0)
		in = fopen(path, "r");
	if (in == NULL) {
		fprintf(f, "No drawing: %s.\n", r->draw_error[0] ? r->draw_error : "sequence.mmd is missing");
	} else {
		fprintf(f, "Drawn from what happened: the programs' calls, every packet, "
		    "each kernel's TCP states. Also `sequence.svg` (open it in a browser), "
		    "`sequence.puml` (PlantUML) and `timeline.json`.\n\n```mermaid\n");
		while (fgets(line, sizeof(line), in) != NULL)
			fputs(line, f);
		fprintf(f, "```\n");
		fclose(in);
	}
	fprintf(f, "\n## Kernel trace\n\n");
	if (r->trace_error[0] != '\0')
		fprintf(f, "No kernel trace: %s.\n", r->trace_error);
	else
		fprintf(f, "`trace.jsonl`: %llu TCP state changes and resets from both kernels, "
		    "%llu lost.\n", (unsigned long long)r->trace.events,
		    (unsigned long long)r->trace.lost);
	fclose(f);
}

void
results_show(const char *out, const char *id, FILE *f)
{
	char path[4096], line[1024];
	FILE *in;
	int in_packets = 0;

	fprintf(f, "\n== %s ==\n", id);
	if (fmt(path, sizeof(path), "%s/%s", out, id) == 0 &&
	    render_text(path, f, isatty(fileno(f))) == 0)
		return;
	/* No timeline: the report's packet list. */
	if (fmt(path, sizeof(path), "%s/%s/report.md", out, id) == -1 ||
	    (in = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "```", 3) == 0) {
			if (in_packets)
				break;
			in_packets = 1;
			continue;
		}
		if (in_packets)
			fputs(line, f);
	}
	fclose(in);
}
