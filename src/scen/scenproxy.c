/*
 * scenproxy.c - a real reverse proxy as a program of a scenario:
 *
 *   program proxy on proxy: proxy haproxy-httpclose
 *
 * The word after "proxy" names a template of the repository's proxies/
 * folder (beside scenarios/: proxies/haproxy-httpclose.cfg), or, with a
 * '/', a template file relative to the scenario's folder. Its kind
 * (haproxy, nginx, apache) comes from its file name. The template is read
 * and rendered here once with made-up addresses, so a placeholder that
 * names no host declared above is said as FILE:LINE now, not when a lab
 * is already built. The lab interpreter renders it for real
 * (lab/proxyrun.c).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proxy/proxy.h"
#include "scen/scenint.h"
#include "util.h"

#define TEMPLATE_MAX (64 * 1024)

/* A regular file at path, made absolute into out. */
static int
found(const char *path, char *out, size_t len)
{
	struct stat st;
	char abs[PATH_MAX];

	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode) || realpath(path, abs) == NULL)
		return 0;
	return snprintf(out, len, "%s", abs) < (int)len;
}

/*
 * The shipped templates' folder, found as the shipped scenarios are
 * (catalogue.c): beside $TIMEWAIT_SCENARIOS, else the repository's
 * proxies/ up to three levels above the running binary (build/timewait,
 * build/asan/tests/test_x), else PREFIX/share/timewait/proxies.
 */
static int
shipped_dir(char *out, size_t len)
{
	static const char *const beside[] = {
		"../proxies", "../../proxies", "../../../proxies", "../share/timewait/proxies",
	};
	const char *env = getenv("TIMEWAIT_SCENARIOS");
	char exe[PATH_MAX], *slash;
	struct stat st;
	ssize_t n;
	size_t i;

	if (env != NULL && *env != '\0')
		return fmt(out, len, "%s/../proxies", env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	for (i = 0; i < sizeof(beside) / sizeof(beside[0]); i++)
		if (fmt(out, len, "%s/%s", exe, beside[i]) == 0 && stat(out, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return 0;
	return -1;
}

/* Where the template named word is: beside the scenario, in a proxies/
 * folder beside the scenario's folder, or among the shipped ones. */
static int
find_template(struct parser *p, const char *word, char *out, size_t len)
{
	static const char *const exts[] = { ".cfg", ".conf" };
	char path[PATH_MAX], dirs[3][PATH_MAX];
	size_t i, e, nd = 0;

	if (strchr(word, '/') != NULL) {
		if (fmt(path, sizeof(path), "%s%s%s", word[0] == '/' ? "" : p->dir,
		    word[0] == '/' ? "" : "/", word) == 0 && found(path, out, len))
			return 0;
		return fail(p, "no proxy template at %s%s", word,
		    word[0] == '/' ? "" : " (a relative path is taken from the scenario's folder)");
	}
	if (!scen_valid_name(word))
		return fail(p, "bad proxy template name '%s'", word);
	if (fmt(dirs[nd], sizeof(dirs[nd]), "%s", p->dir) == 0)
		nd++;
	if (fmt(dirs[nd], sizeof(dirs[nd]), "%s/../proxies", p->dir) == 0)
		nd++;
	if (shipped_dir(dirs[nd], sizeof(dirs[nd])) == 0)
		nd++;
	for (i = 0; i < nd; i++)
		for (e = 0; e < sizeof(exts) / sizeof(exts[0]); e++)
			if (fmt(path, sizeof(path), "%s/%s%s", dirs[i], word, exts[e]) == 0 &&
			    found(path, out, len))
				return 0;
	return fail(p, "no proxy template '%s' (%s.cfg or .conf beside the scenario, or "
	    "in the shipped proxies/ folder)", word, word);
}

/* A host name that can be a placeholder: {backend}, not {2nd}. */
static int
var_name(const char *s)
{
	return s[0] >= 'a' && s[0] <= 'z';
}

/* Render the template with made-up values: every placeholder must be a
 * host declared above or {dir}. */
static int
try_render(struct parser *p, const char *path)
{
	struct proxy_var vars[CAT_MAX_HOSTS + 1];
	char *text, *out, err[512];
	size_t nv = 0;
	ssize_t n;
	int fd, i, rc;

	for (i = 0; i < p->nhosts; i++)
		if (var_name(p->t->hosts[i])) {
			vars[nv].name = p->t->hosts[i];
			vars[nv++].value = "192.0.2.1";
		}
	vars[nv].name = "dir";
	vars[nv++].value = "/run/folder";
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return fail(p, "cannot read %s", path);
	text = malloc(TEMPLATE_MAX + 1);
	out = malloc(2 * TEMPLATE_MAX);
	n = text ? read(fd, text, TEMPLATE_MAX + 1) : -1;
	close(fd);
	if (n < 0 || n > TEMPLATE_MAX || out == NULL) {
		free(text);
		free(out);
		return fail(p, "cannot read %s (at most %d bytes)", path, TEMPLATE_MAX);
	}
	text[n] = '\0';
	rc = proxy_render_text(text, path, vars, nv, out, 2 * TEMPLATE_MAX, err, sizeof(err)) < 0 ?
	    fail(p, "%s (a placeholder is a host declared above, or {dir})", err) : 0;
	free(text);
	free(out);
	return rc;
}

int
scen_proxy_program(struct parser *p, const struct words *cmd, struct proc_spec *ps)
{
	char path[PATH_MAX];

	if (cmd->n != 2)
		return fail(p, "a proxy reads: program NAME on HOST: proxy TEMPLATE "
		    "(haproxy-httpclose, nginx-default...)");
	if (find_template(p, cmd->w[1], path, sizeof(path)) < 0)
		return -1;
	if (proxy_kind_of(path) < 0)
		return fail(p, "proxy template '%s': its name must start with haproxy-, "
		    "nginx- or apache- (the proxy that reads it)", cmd->w[1]);
	if (try_render(p, path) < 0)
		return -1;
	ps->prog = "proxy";
	ps->cmd = keep(p, cmd->w[1]);
	ps->path = keep(p, path);
	return ps->cmd && ps->path ? 0 : -1;
}
