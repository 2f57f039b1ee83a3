/*
 * proxyrun.c - a real proxy as a program of a test (`program proxy on
 * proxy: proxy haproxy-httpclose`, scen/scenproxy.c): its template
 * rendered into the test's run folder (NAME/) with every lab host's
 * address as {HOST} and the folder as {dir}, the proxy started there in
 * its host's namespace as user nobody and waited for until it listens on
 * port 666 (src/proxy/launch.c), then stopped by its process group after
 * the captures, its configuration and logs kept in the folder.
 *
 * A test whose proxy is not installed is skipped, not failed
 * (run_proxy_missing): a machine without nginx says so in the table.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/runint.h"
#include "proxy/proxy.h"
#include "util.h"

#define PROXY_PORT 666
#define READY_MS 5000
#define STOP_MS 1000

/* The proxies of the test running in this process, by program index. */
static struct proxy proxies[CAT_MAX_PROCS];
static int running[CAT_MAX_PROCS];

int
run_proxy_start(struct test_rec *r, struct lab *lab, struct proc_rec *p, const char *dir)
{
	const struct proc_spec *ps = p->spec;
	struct lab_host *h = lab_host(lab, ps->host);
	struct proxy_var vars[CAT_MAX_HOSTS];
	char abs[PATH_MAX], pdir[PATH_MAX], err[512];
	int k = (int)(p - r->procs), i, nv = 0;
	struct proxy *px = &proxies[k];

	if (h == NULL || k < 0 || k >= CAT_MAX_PROCS) {
		snprintf(r->error, sizeof(r->error), "no host %s for %s", ps->host, ps->name);
		return -1;
	}
	/* Every host's address, as the scenario's {HOST} (a template's name). */
	for (i = 0; i < r->nhosts; i++)
		if (r->hosts[i].name[0] >= 'a' && r->hosts[i].name[0] <= 'z') {
			vars[nv].name = r->hosts[i].name;
			vars[nv++].value = r->hosts[i].addr;
		}
	/* The proxy opens its files by path, as nobody: an absolute one. */
	if (realpath(dir, abs) == NULL || fmt(pdir, sizeof(pdir), "%s/%s", abs, ps->name) == -1) {
		snprintf(r->error, sizeof(r->error), "%s: no path for its folder in %s", ps->name, dir);
		return -1;
	}
	memset(px, 0, sizeof(*px));
	px->dirfd = -1;
	if (proxy_prepare(px, ps->path, pdir, vars, (size_t)nv, err, sizeof(err)) == -1) {
		snprintf(r->error, sizeof(r->error), "%.24s: %.200s", ps->name, err);
		if (px->dirfd >= 0)
			close(px->dirfd);
		px->dirfd = -1;
		return -1;
	}
	progress("running: %s (%s) starts in host %s", ps->name, ps->cmd, ps->host);
	if (proxy_start(px, h->netns, h->addr, PROXY_PORT, READY_MS, err, sizeof(err)) == -1) {
		snprintf(r->error, sizeof(r->error), "%.24s: %.180s (its logs: %.24s/)", ps->name, err, ps->name);
		close(px->dirfd);
		px->dirfd = -1;
		return -1;
	}
	running[k] = 1;
	p->started = 1;
	return 0;
}

void
run_proxies_stop(struct test_rec *r)
{
	int k;

	for (k = 0; k < CAT_MAX_PROCS && k < r->nprocs; k++) {
		if (!running[k])
			continue;
		(void)proxy_stop(&proxies[k], STOP_MS);
		if (proxies[k].dirfd >= 0)
			close(proxies[k].dirfd);
		proxies[k].dirfd = -1;
		running[k] = 0;
	}
}

int
run_proxy_missing(const struct test_spec *t, char *why, size_t len)
{
	int i, kind;

	for (i = 0; i < test_nprocs(t); i++) {
		if (strcmp(t->procs[i].prog, "proxy") != 0)
			continue;
		kind = proxy_kind_of(t->procs[i].path);
		if (kind < 0) {
			snprintf(why, len, "%s: no proxy reads %s", t->procs[i].name, t->procs[i].path);
			return 1;
		}
		if (proxy_program((enum proxy_kind)kind) == NULL) {
			snprintf(why, len, "%s is not installed (make deps)",
			    proxy_kind_name((enum proxy_kind)kind));
			return 1;
		}
	}
	return 0;
}
