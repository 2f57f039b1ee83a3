/*
 * via.c - one run of `timewait bench --via`: the generator's requests go
 * through a real reverse proxy (nginx, HAProxy or Apache httpd, src/proxy/)
 * to N backends, so that the hop that runs out of ports is the proxy's,
 * as in the original project.
 *
 * A lab of 2 + N hosts: "client" (the generator's threads), "proxy" (the
 * proxy, started as nobody from a template of proxies/ with the lab's
 * addresses, listening on port 666), "backend", "backend2" (each a bench
 * server process in HTTP mode, srv.c, on port 666). --port-range and
 * --tw-reuse apply to the proxy host. Every 100 ms the sampler (viasample.c)
 * reads the generator's counters, TIME_WAIT on every host (the proxy's
 * split by side) and the new lines of the proxy's log. The proxy's run
 * folder (configuration and logs) lives in /tmp while it runs (nobody must
 * reach it; the lab's own folders are root's) and is removed at the end,
 * or by the next --via run if this one was killed outright.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "bench/bench.h"
#include "bench/via.h"
#include "fsafe.h"
#include "lab/lab.h"
#include "proxy/proxy.h"
#include "util.h"

#define PROXY_PORT 666

/* The folder of the templates: $TIMEWAIT_PROXIES, beside the binary's
 * folder (build/../proxies), the installed copy, or ./proxies. */
static int
templates_dir(char *buf, size_t len)
{
	const char *env = getenv("TIMEWAIT_PROXIES");
	char exe[PATH_MAX], *slash;
	ssize_t n;
	struct stat st;

	if (env && env[0])
		return fmt(buf, len, "%s", env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if (fmt(buf, len, "%s/../proxies", exe) == 0 && stat(buf, &st) == 0)
				return 0;
			if (fmt(buf, len, "%s/../share/timewait/proxies", exe) == 0 &&
			    stat(buf, &st) == 0)
				return 0;
		}
	}
	return fmt(buf, len, "proxies");
}

int
via_template(const struct bench_opts *o, char *buf, size_t len, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *ext = o->via == VIA_HAPROXY ? "cfg" : "conf";
	const char *mode = via_mode(o);
	struct stat st;

	if (strchr(mode, '/') || mode[0] == '.' || mode[0] == '\0') {
		snprintf(err, errlen, "--proxy-mode '%s': a template's name, not a path", mode);
		return -1;
	}
	templates_dir(dir, sizeof(dir));
	if (fmt(buf, len, "%s/%s-%s%s.%s", dir, via_name(o->via), mode,
	    o->backends > 1 ? "-2backends" : "", ext) < 0 || stat(buf, &st) != 0) {
		snprintf(err, errlen, "no template %s-%s%s.%s in %s (see docs/proxies.md)",
		    via_name(o->via), mode, o->backends > 1 ? "-2backends" : "", ext, dir);
		return -1;
	}
	return 0;
}

/*
 * The proxy's run folder: in a temporary folder of the tool's own, under
 * the root-only /run/timewait/tmp (lab_tmpdir), as every other; the proxy,
 * run as nobody, sees it bound at PROXY_VIEW in a mount namespace of its
 * own, so it needs no right on the folders above. A run killed outright
 * leaves it to its janitor (else `timewait lab clean` or the next run).
 */
static int
make_rundir(struct via_ctx *v, char *err, size_t errlen)
{
	if (lab_tmpdir(v->tmp, sizeof(v->tmp), "via") == -1) {
		snprintf(err, errlen, "a folder in /run/timewait/tmp: %s", strerror(errno));
		v->tmp[0] = '\0';
		return -1;
	}
	if (fmt(v->rundir, sizeof(v->rundir), "%s/%s", v->tmp, via_name(v->o->via)) == -1) {
		snprintf(err, errlen, "%s: path too long", v->tmp);
		return -1;
	}
	return 0;
}

static int
build_lab(struct via_ctx *v, char *err, size_t errlen)
{
	const char *names[2 + VIA_MAX_BACKENDS] = { "client", "proxy", "backend", "backend2" };
	char buf[64];
	long lo, hi;
	int i, n = 2 + (int)v->o->backends;

	v->lab = calloc(1, sizeof(*v->lab));
	if (v->lab == NULL || lab_tmpdir(v->labdir, sizeof(v->labdir), "bench") == -1) {
		snprintf(err, errlen, "a lab folder: %s", strerror(errno));
		v->labdir[0] = '\0';
		return -1;
	}
	if (lab_build(v->lab, names, n, v->labdir, err, errlen) == -1) {
		free(v->lab);
		v->lab = NULL;
		return -1;
	}
	v->client = lab_host(v->lab, "client");
	v->proxy_host = lab_host(v->lab, "proxy");
	for (i = 0; i < v->o->backends; i++)
		v->backend[i] = lab_host(v->lab, names[2 + i]);
	if (v->o->port_lo > 0) {
		snprintf(buf, sizeof(buf), "%ld %ld", v->o->port_lo, v->o->port_hi);
		if (lab_sysctl_set(v->proxy_host, "net/ipv4/ip_local_port_range", buf) == -1) {
			snprintf(err, errlen, "ip_local_port_range %s: %s", buf, strerror(errno));
			return -1;
		}
	}
	if (v->o->tw_reuse && (lab_sysctl_set(v->proxy_host, "net/ipv4/tcp_tw_reuse", "1") == -1 ||
	    lab_sysctl_set(v->proxy_host, "net/ipv4/tcp_timestamps", "1") == -1)) {
		snprintf(err, errlen, "tcp_tw_reuse: %s", strerror(errno));
		return -1;
	}
	if (lab_sysctl_get(v->proxy_host, "net/ipv4/ip_local_port_range", buf, sizeof(buf)) == 0 &&
	    sscanf(buf, "%ld %ld", &lo, &hi) == 2)
		v->r->ports = hi - lo + 1;
	lab_sysctl_set(v->proxy_host, "net/core/somaxconn", "65535");
	for (i = 0; i < v->o->backends; i++) {
		lab_sysctl_set(v->backend[i], "net/core/somaxconn", "65535");
		lab_sysctl_set(v->backend[i], "net/ipv4/tcp_max_syn_backlog", "65535");
	}
	return 0;
}

static int
start_backends(struct via_ctx *v, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < v->o->backends; i++) {
		struct bench_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (sh == MAP_FAILED) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		v->sh[i] = sh;
		sh->sc.nsfd = v->backend[i]->nsfd;
		sh->sc.close = v->o->backend_code == 9 ? CLOSE_SERVER : CLOSE_CLIENT;
		sh->sc.port = PROXY_PORT;
		sh->sc.nports = 1;
		sh->sc.http = 1;
		sh->sc.cpu = -1;
		sh->sc.stop = &sh->stop_srv;
		sh->sc.ctr = &sh->ctr;
		v->srv[i] = spawn_server(sh);
		if (v->srv[i] == -1) {
			snprintf(err, errlen, "backend process: %s", strerror(errno));
			return -1;
		}
		if (wait_ready(&sh->ctr.srv_ready, v->srv[i]) != 1) {
			snprintf(err, errlen, "backend %d: %s", i + 1,
			    sh->sc.err[0] ? sh->sc.err : "did not start");
			return -1;
		}
	}
	return 0;
}

static int
start_proxy(struct via_ctx *v, char *err, size_t errlen)
{
	char tpl[PATH_MAX];
	struct proxy_var vars[] = {
		{ "proxy", v->proxy_host->addr },
		{ "backend", v->backend[0]->addr },
		{ "backend2", v->o->backends > 1 ? v->backend[1]->addr : v->backend[0]->addr },
	};

	if (v->o->via == VIA_DIRECT)
		return 0;
	if (via_template(v->o, tpl, sizeof(tpl), err, errlen) == -1)
		return -1;
	snprintf(v->r->via.template, sizeof(v->r->via.template), "%.63s", strrchr(tpl, '/') ?
	    strrchr(tpl, '/') + 1 : tpl);
	if (proxy_program((enum proxy_kind)proxy_kind_of(tpl)) == NULL) {
		snprintf(err, errlen, "%s is not installed (make deps)", via_name(v->o->via));
		return -1;
	}
	if (make_rundir(v, err, errlen) == -1 ||
	    proxy_prepare(&v->px, tpl, v->rundir, vars, 3, err, errlen) == -1)
		return -1;
	v->px_prepared = 1;
	return proxy_start(&v->px, v->proxy_host->netns, v->proxy_host->addr, PROXY_PORT, 5000,
	    err, errlen);
}

static int
start_generator(struct via_ctx *v, atomic_int *stop, char *err, size_t errlen)
{
	int k;

	for (k = 0; k < v->ng; k++) {
		struct gen_conf *gc = &v->g[k].gc;

		gc->nsfd = v->client->nsfd;
		gc->close = CLOSE_SERVER;
		gc->http = 1;
		gc->concurrency = (int)(v->o->concurrency / v->ng + (k < v->o->concurrency % v->ng));
		gc->cpu = -1;
		gc->stop = stop;
		gc->ctr = &v->g[k].ctr;
		gc->dst[0].sin_family = AF_INET;
		gc->dst[0].sin_port = htons(PROXY_PORT);
		inet_pton(AF_INET, v->o->via == VIA_DIRECT ? v->backend[0]->addr :
		    v->proxy_host->addr, &gc->dst[0].sin_addr);
		gc->ndst = 1;
	}
	if (reach_server(v->client->nsfd, &v->g[0].gc.dst[0]) == -1) {
		snprintf(err, errlen, "the client host cannot reach %s:%d", v->o->via == VIA_DIRECT ?
		    v->backend[0]->addr : v->proxy_host->addr, PROXY_PORT);
		return -1;
	}
	v->t0 = now_mono_ns();
	for (k = 0; k < v->ng; k++) {
		if (pthread_create(&v->g[k].tid, NULL, gen_thread, &v->g[k].gc) != 0) {
			snprintf(err, errlen, "generator thread: %s", strerror(errno));
			return -1;
		}
		v->g[k].started = 1;
	}
	for (k = 0; k < v->ng; k++)
		if (wait_ready(&v->g[k].ctr.gen_ready, 0) != 1) {
			snprintf(err, errlen, "%s", v->g[k].gc.err);
			return -1;
		}
	return 0;
}

/* Everything the run made goes, whatever state it reached. */
static void
teardown(struct via_ctx *v, atomic_int *stop)
{
	int i, k;

	atomic_store(stop, 1);
	for (k = 0; k < v->ng; k++)
		if (v->g[k].started)
			pthread_join(v->g[k].tid, NULL);
	if (v->px.pid > 0)
		proxy_stop(&v->px, 2000);
	for (i = 0; i < VIA_MAX_BACKENDS; i++) {
		if (v->srv[i] > 0)
			stop_server(v->sh[i], v->srv[i]);
		if (v->sh[i])
			munmap(v->sh[i], sizeof(*v->sh[i]));
	}
	if (v->px_prepared)
		proxy_remove_dir(&v->px);
	if (v->tmp[0])
		lab_tmpdir_remove(v->tmp);
	if (v->lab) {
		lab_destroy(v->lab);
		free(v->lab);
	}
	if (v->labdir[0])
		lab_tmpdir_remove(v->labdir);
	free(v->g);
}

int
bench_run_via(const struct bench_opts *o, struct run_result *r, int live)
{
	struct via_ctx v;
	atomic_int stop_gen = 0;
	char err[512] = "";
	int ok = -1, i;
	double cpu0;

	memset(r, 0, sizeof(*r));
	memset(&v, 0, sizeof(v));
	r->o = *o;
	r->rss_max_kib = r->srv_hwm_kib = -1;
	r->nginx_rate = r->nginx_us = -1;
	v.o = o;
	v.r = r;
	v.px.pid = -1;
	v.px.dirfd = -1;
	v.ng = (int)o->threads;
	for (i = 0; i < VIA_MAX_BACKENDS; i++)
		v.srv[i] = -1;
	via_run_name(o, r->mode, sizeof(r->mode));
	v.g = calloc((size_t)v.ng, sizeof(*v.g));
	if (v.g == NULL) {
		fprintf(stderr, "timewait bench: out of memory\n");
		return -1;
	}
	cpu0 = cpu_seconds();
	if (build_lab(&v, err, sizeof(err)) == -1 || start_backends(&v, err, sizeof(err)) == -1 ||
	    start_proxy(&v, err, sizeof(err)) == -1 || via_sample_open(&v, err, sizeof(err)) == -1)
		goto out;
	if (o->load_ab) {
		if (via_ab_run(&v, err, sizeof(err)) == -1)
			goto out;
	} else {
		if (start_generator(&v, &stop_gen, err, sizeof(err)) == -1)
			goto out;
		via_sample_loop(&v, live);
	}
	r->interrupted = bench_interrupted;
	r->seconds = (double)(now_mono_ns() - v.t0) / 1e9;
	ok = 0;
	atomic_store(&stop_gen, 1);
	for (i = 0; i < v.ng; i++)
		if (v.g[i].started) {
			pthread_join(v.g[i].tid, NULL);
			v.g[i].started = 0;
		}
	via_sample_end(&v);
	r->cpu_s = cpu_seconds() - cpu0;
out:
	via_sample_close(&v);
	teardown(&v, &stop_gen);
	if (ok == -1)
		fprintf(stderr, "timewait bench: %s\n", err[0] ? err : "failed");
	return ok;
}
