/*
 * benchcmd.c - `timewait bench` and `timewait bench compare`: the flag
 * table, the checks on the options, and a single run's output. One run is
 * benchrun.c, the ceiling is ceiling.c, the summary and JSON benchout.c,
 * compare compare.c.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <jansson.h>

#include "fsafe.h"
#include "bench/bench.h"
#include "cli/flags.h"
#include "commands.h"
#include "util.h"

#define OFF(f) offsetof(struct bench_opts, f)

static int
parse_range(void *opts, const char *s, char *msg, size_t len)
{
	struct bench_opts *o = opts;
	char a[16], *dash;

	if (strlen(s) < sizeof(a)) {
		strcpy(a, s);
		dash = strchr(a, '-');
		if (dash != NULL) {
			*dash = '\0';
			if (parse_long(a, 1, 65535, &o->port_lo) == 0 &&
			    parse_long(dash + 1, 1, 65535, &o->port_hi) == 0 && o->port_lo <= o->port_hi)
				return 0;
		}
	}
	snprintf(msg, len, "--port-range wants LO-HI, two ports with LO <= HI, not '%s'", s);
	return -1;
}

/* Only SVG is drawn: a name that says otherwise is refused, not overwritten. */
static int
parse_plot(void *opts, const char *s, char *msg, size_t len)
{
	size_t n = strlen(s);

	if (n < 5 || strcmp(s + n - 4, ".svg") != 0) {
		snprintf(msg, len, "--plot draws SVG only: give a FILE.svg, not '%s'", s);
		return -1;
	}
	((struct bench_opts *)opts)->plot = s;
	return 0;
}

static const struct flag_row bench_flags[] = {
	FLAG("close", 0, FLAG_CHOICE, OFF(close), NULL, "client",
	    "who ends each connection: client FIN first, server FIN first, or RST (SO_LINGER 0)",
	    .choices = "client|server|rst"),
	FLAG("duration", 0, FLAG_DOUBLE, OFF(duration), "SECONDS", "10", "how long the run lasts",
	    .min = 0.1, .max = 86400),
	FLAG("concurrency", 0, FLAG_LONG, OFF(concurrency), "N", "100", "connections kept in flight",
	    .min = 1, .max = 100000),
	FLAG("tw-reuse", 0, FLAG_BOOL, OFF(tw_reuse), NULL, NULL,
	    "tcp_tw_reuse=1 (and timestamps) on the client host"),
	FLAG("dst-ports", 0, FLAG_LONG, OFF(dst_ports), "N", "1",
	    "the server listens on N ports, used in turn", .min = 1, .max = BENCH_MAX_ADDRS),
	FLAG("src-addrs", 0, FLAG_LONG, OFF(src_addrs), "N", NULL,
	    "give the client N addresses and bind() to each in turn (default: no bind)",
	    .min = 1, .max = BENCH_MAX_ADDRS),
	FLAG("bind-no-port", 0, FLAG_BOOL, OFF(bind_no_port), NULL, NULL,
	    "IP_BIND_ADDRESS_NO_PORT before bind: the port is chosen at connect"),
	FLAG("port-range", 0, FLAG_FUNC, 0, "LO-HI", NULL,
	    "the client host's ip_local_port_range, the proxy host's with --via (default: the kernel's)", .fn = parse_range),
	FLAG("port", 0, FLAG_PORT, OFF(port), "PORT", "8080", "the server's first port"),
	FLAG("json", 0, FLAG_STRING, OFF(json), "FILE", NULL,
	    "write the summary and the 100 ms series as JSON ('-': standard output)",
	    .complete = COMPLETE_FILE),
	FLAG("plot", 0, FLAG_FUNC, 0, "FILE.svg", NULL, "draw rate and TIME_WAIT against time (SVG)",
	    .fn = parse_plot, .complete = COMPLETE_FILE),
	FLAG("quiet", 'q', FLAG_BOOL, OFF(quiet), NULL, NULL, "no live line"),
	FLAG("nginx", 0, FLAG_BOOL, OFF(nginx), NULL, NULL,
	    "also measure nginx answering wrk (Connection: close) between the same hosts"),
	FLAG("direct", 0, FLAG_BOOL, OFF(direct), NULL, NULL,
	    "two bare namespaces on one veth pair instead of lab hosts behind the lab's bridge"),
	FLAG("threads", 0, FLAG_LONG, OFF(threads), "N", NULL,
	    "generator threads, the connections shared among them (default: one per CPU)",
	    .min = 1, .max = GEN_MAX),
	FLAG("pin", 0, FLAG_BOOL, OFF(pin), NULL, NULL,
	    "pin generator thread k to CPU k, the server to the last CPU"),
	FLAG("via", 0, FLAG_CHOICE, OFF(via), "PROXY", "none",
	    "send HTTP requests through a real proxy host to backend hosts; --port-range and "
	    "--tw-reuse then apply to the proxy host", .choices = "none|nginx|haproxy|apache|all"),
	FLAG("proxy-mode", 0, FLAG_STRING, OFF(proxy_mode), "MODE", NULL,
	    "the proxy's template proxies/PROXY-MODE.* (default: nginx default, haproxy "
	    "httpclose, apache default)"),
	FLAG("backends", 0, FLAG_LONG, OFF(backends), "N", "1", "backend hosts behind the proxy",
	    .min = 1, .max = VIA_MAX_BACKENDS),
	FLAG("backend-code", 0, FLAG_LONG, OFF(backend_code), "CODE", "8",
	    "the backends' server code: 8 keeps the connection (the proxy closes first), "
	    "9 closes after its answer", .min = 8, .max = 9),
	FLAG("load", 0, FLAG_CHOICE, OFF(load_ab), "TOOL", "gen",
	    "with --via: timewait's generator, or ab (apache2-utils) as in the original",
	    .choices = "gen|ab"),
	FLAG_LAYER_END,
};

const struct flag_cmd bench_cmd = {
	.name = "bench",
	.synopsis = "[compare] [OPTIONS]",
	.about = "Connections per second between two isolated hosts, closed the way you\n"
	    "choose, with the TIME_WAIT sockets each host holds, every 100 ms.\n"
	    "'compare' runs every close mode and every way around the ceiling in turn.",
	.layers = { flags_common, bench_flags, NULL },
	.epilog = "A run shorter than one TIME_WAIT period (60 s) is compared with what the\n"
	    "ports allow in that window: every port once. See docs/bench.md.",
	.words = "compare",
};

static void
on_signal(int sig)
{
	(void)sig;
	bench_interrupted = 1;
}

/*
 * Each process (generator, server) needs a descriptor per connection in
 * flight. Raise the soft limit to what is needed, the hard one too when we
 * may (CAP_SYS_RESOURCE); -1 if even the hard limit is too small.
 */
static int
raise_nofile(long concurrency)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)concurrency + 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 0;
	if (rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max < want) {
		struct rlimit more = { want, want };

		if (setrlimit(RLIMIT_NOFILE, &more) == 0)
			return 0;
		fprintf(stderr, "timewait bench: --concurrency %ld needs %lu descriptors, "
		    "the limit here is %lu (ulimit -Hn)\n", concurrency,
		    (unsigned long)want, (unsigned long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = want;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0 ? 0 : -1;
}

static int
single(const struct bench_opts *o)
{
	struct run_result *r = calloc(1, sizeof(*r));
	/* With the JSON on standard output, the words go to standard error. */
	FILE *text = o->json && strcmp(o->json, "-") == 0 ? stderr : stdout;
	struct plot_line line;
	double nginx_rate, nginx_us = -1;
	char title[160];
	int rc = 0;

	if (r == NULL)
		return 1;
	r->nginx_rate = -1;
	if (o->nginx && (r->nginx_rate = bench_run_nginx(o, &nginx_us)) < 0)
		rc = 1;
	nginx_rate = r->nginx_rate;
	if ((o->via ? bench_run_via(o, r, !o->quiet && isatty(STDERR_FILENO)) :
	    bench_run(o, r, !o->quiet && isatty(STDERR_FILENO))) == -1) {
		series_free(&r->series);
		free(r);
		return 1;
	}
	r->nginx_rate = nginx_rate;
	r->nginx_us = nginx_us;
	bench_print_summary(text, r);
	if (o->json) {
		json_t *root = json_object();

		json_object_set_new(root, "summary", bench_json_summary(r));
		json_object_set_new(root, "series", bench_json_series(r));
		if (bench_write_json(o->json, root) == -1)
			rc = 1;
		json_decref(root);
	}
	if (o->plot) {
		line.label = r->mode;
		line.series = &r->series;
		line.ceiling = o->via && !r->via.proxy_holds_tw ? -1 : r->ceil.per_s;
		line.via = o->via != VIA_NONE;
		snprintf(title, sizeof(title), "timewait bench: %s, %ld local ports%s, concurrency %ld, %.0f s",
		    r->mode, r->ports, o->via ? " on the proxy" : "", o->concurrency, r->seconds);
		if (plot_svg(o->plot, title, &line, 1) == -1) {
			fprintf(stderr, "timewait bench: cannot write %s\n", o->plot);
			rc = 1;
		}
	}
	series_free(&r->series);
	free(r);
	return rc;
}

int
bench_main(int argc, char **argv)
{
	struct flags_result fr;
	struct bench_opts o;
	struct sigaction sa;
	int is_compare = 0, rc;

	memset(&o, 0, sizeof(o));
	o.threads = sysconf(_SC_NPROCESSORS_ONLN);
	if (o.threads < 1)
		o.threads = 1;
	if (o.threads > GEN_MAX)
		o.threads = GEN_MAX;
	/* `bench compare --via` with no proxy named: every proxy (--via all). */
	for (rc = 1; rc < argc; rc++)
		if (strcmp(argv[rc], "--via") == 0 && (rc + 1 == argc || argv[rc + 1][0] == '-'))
			argv[rc] = (char *)"--via=all";
	if ((rc = flags_run(&bench_cmd, &o, argc, argv, &fr)) != -1)
		return rc;
	if (fr.npos > 1 || (fr.npos == 1 && strcmp(fr.pos[0], "compare") != 0))
		return flags_usage_error(&bench_cmd, argv[0], "unexpected argument '%s'",
		    fr.pos[fr.npos == 1 ? 0 : 1]);
	is_compare = fr.npos == 1;
	if (o.threads > o.concurrency)
		o.threads = o.concurrency;
	if (o.via == VIA_NONE && (o.proxy_mode || o.backends != 1 || o.backend_code != 8 ||
	    o.load_ab))
		return flags_usage_error(&bench_cmd, argv[0],
		    "--proxy-mode, --backends, --backend-code and --load need --via");
	if (o.via != VIA_NONE && (o.dst_ports > 1 || o.src_addrs > 0 || o.bind_no_port ||
	    o.nginx || o.direct || o.close != CLOSE_CLIENT))
		return flags_usage_error(&bench_cmd, argv[0], "--via goes with none of --close, "
		    "--dst-ports, --src-addrs, --bind-no-port, --nginx, --direct");
	if (o.via == VIA_ALL && !is_compare)
		return flags_usage_error(&bench_cmd, argv[0], "--via all goes with compare; "
		    "a single run names its proxy: nginx, haproxy or apache");
	if (is_compare && o.via != VIA_NONE && (o.proxy_mode || o.backends != 1 ||
	    o.backend_code != 8))
		return flags_usage_error(&bench_cmd, argv[0], "compare --via sets --proxy-mode, "
		    "--backends and --backend-code itself, run by run");
	if (o.via != VIA_NONE && !is_compare) {
		char tpl[512], err[600];

		if (via_template(&o, tpl, sizeof(tpl), err, sizeof(err)) == -1)
			return flags_usage_error(&bench_cmd, argv[0], "%s", err);
	}
	if ((long)o.port + o.dst_ports - 1 > 65535)
		return flags_usage_error(&bench_cmd, argv[0], "--port + --dst-ports goes past 65535");
	if (geteuid() != 0)
		return flags_error(&bench_cmd, argv[0], "needs root (it makes network namespaces)");
	{	/* Refused now, not after the run: folders only root or the caller can change. */
		char err[512];

		if ((o.json && strcmp(o.json, "-") != 0 &&
		    fs_check_out_file(o.json, err, sizeof(err)) == -1) ||
		    (o.plot && fs_check_out_file(o.plot, err, sizeof(err)) == -1))
			return flags_error(&bench_cmd, argv[0], "%s", err);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (raise_nofile(o.concurrency) == -1)
		return 1;
	return is_compare ? bench_compare(&o) : single(&o);
}
