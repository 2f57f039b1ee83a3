/*
 * knobs.c - network sysctls per lab host (`sysctl HOST KEY=VALUE` in a
 * scenario, `--sysctl HOST:KEY=VALUE` on the command line).
 *
 * Per namespace means: the file exists under /proc/sys/net when looked at
 * from inside a network namespace other than the machine's (the kernel
 * registers the global ones in the initial namespace only) and can be
 * written there (a few, like nf_conntrack_max, show read-only). That is
 * tried in a child process that unshares a namespace of its own, so a bad
 * knob is refused before any lab is built; the namespace dies with the
 * child. In the lab each value is set through lab_sysctl_set (the calling
 * thread enters the host's namespace), read back, and the machine's own
 * value is read before and after: had it moved, it is put back and the
 * run fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scen/knobs.h"
#include "util.h"

/* "net.ipv4.tcp_fin_timeout" -> "net/ipv4/tcp_fin_timeout" */
static void
key_path(const char *key, char *out, size_t len)
{
	size_t i;

	snprintf(out, len, "%s", key);
	for (i = 0; out[i]; i++)
		if (out[i] == '.')
			out[i] = '/';
}

/* The next blank-separated word of *s into w; 0 at the end. */
static int
word(const char **s, char *w, size_t len)
{
	size_t n;

	*s += strspn(*s, " \t\n");
	n = strcspn(*s, " \t\n");
	if (n == 0)
		return 0;
	snprintf(w, len, "%.*s", (int)(n < len ? n : len - 1), *s);
	*s += n;
	return 1;
}

int
knobs_same(const char *a, const char *b)
{
	char x[80], y[80];
	int ha, hb;

	for (;;) {
		ha = word(&a, x, sizeof(x));
		hb = word(&b, y, sizeof(y));
		if (!ha || !hb)
			return ha == hb;
		if (strcmp(x, y) != 0) {
			char *ex, *ey;
			long long vx, vy;

			errno = 0;
			vx = strtoll(x, &ex, 10);
			vy = strtoll(y, &ey, 10);
			if (errno != 0 || *ex != '\0' || *ey != '\0' || ex == x || ey == y || vx != vy)
				return 0;
		}
	}
}

/* Where a knob was asked for, for messages. */
static void
where(const struct test_spec *t, const struct sysctl_spec *s, char *out, size_t len)
{
	if (s->line > 0)
		snprintf(out, len, "%s:%d: ", t->file, s->line);
	else
		snprintf(out, len, "--sysctl %s:%s=%s: ", s->host, s->key, s->value);
}

/* In the child, inside its own namespace: one knob, tried. */
static int
try_one(const struct test_spec *t, const struct sysctl_spec *s, char *err, size_t errlen)
{
	char path[256], rel[160], back[128], at[600];
	int fd, e;

	key_path(s->key, rel, sizeof(rel));
	snprintf(path, sizeof(path), "/proc/sys/%s", rel);
	where(t, s, at, sizeof(at));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT || e == ENOTDIR)
			snprintf(err, errlen, "%s%s is not a per-namespace network sysctl: a lab "
			    "host has no such knob (a global one would change the machine's own)",
			    at, s->key);
		else
			snprintf(err, errlen, "%s%s cannot be set inside a network namespace (%s): "
			    "it is global to the machine", at, s->key, strerror(e));
		return -1;
	}
	if (write_all(fd, s->value, strlen(s->value)) < 0) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "%sthe kernel refuses %s=%s: %s", at, s->key, s->value,
		    strerror(e));
		return -1;
	}
	close(fd);
	if (read_small_file(path, back, sizeof(back)) < 0) {
		snprintf(err, errlen, "%s%s cannot be read back: %s", at, s->key, strerror(errno));
		return -1;
	}
	if (!knobs_same(back, s->value)) {
		back[strcspn(back, "\n")] = '\0';
		snprintf(err, errlen, "%s%s=%s does not hold: the kernel keeps '%s'", at, s->key,
		    s->value, back);
		return -1;
	}
	return 0;
}

int
knobs_probe(const struct test_spec *const *tests, int n, int *tried, char *err,
    size_t errlen)
{
	char msg[1024];
	int p[2], i, k, any = 0, st;
	ssize_t got = 0, r;
	pid_t pid;

	*tried = 0;
	for (i = 0; i < n; i++)
		any |= tests[i]->sysctls[0].key != NULL;
	if (!any)
		return 0;
	if (geteuid() != 0)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot try the sysctls: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		snprintf(err, errlen, "cannot try the sysctls: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWNET) < 0) {
			snprintf(msg, sizeof(msg), "cannot make a network namespace to try the "
			    "sysctls in: %s", strerror(errno));
			(void)write_all(p[1], msg, strlen(msg));
			_exit(1);
		}
		for (i = 0; i < n; i++)
			for (k = 0; k < CAT_MAX_SYSCTLS && tests[i]->sysctls[k].key; k++)
				if (try_one(tests[i], &tests[i]->sysctls[k], msg, sizeof(msg)) < 0) {
					(void)write_all(p[1], msg, strlen(msg));
					_exit(1);
				}
		_exit(0);
	}
	close(p[1]);
	while (got < (ssize_t)sizeof(msg) - 1 &&
	    ((r = read(p[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0 ||
	    (r < 0 && errno == EINTR)))
		got += r > 0 ? r : 0;
	close(p[0]);
	msg[got] = '\0';
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*tried = 1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	snprintf(err, errlen, "%s", got > 0 ? msg : "the sysctls could not be tried");
	return -1;
}

int
knobs_apply(const struct test_spec *t, struct lab *lab, char *err, size_t errlen)
{
	char rel[160], path[256], mine[128], mine_after[128], back[128];
	int k;

	for (k = 0; k < CAT_MAX_SYSCTLS && t->sysctls[k].key != NULL; k++) {
		const struct sysctl_spec *s = &t->sysctls[k];
		struct lab_host *h = lab_host(lab, s->host);
		int have_mine;

		if (h == NULL) {
			snprintf(err, errlen, "sysctl %s: no host %s in the lab", s->key, s->host);
			return -1;
		}
		key_path(s->key, rel, sizeof(rel));
		snprintf(path, sizeof(path), "/proc/sys/%s", rel);
		have_mine = read_small_file(path, mine, sizeof(mine)) >= 0;
		if (lab_sysctl_set(h, rel, s->value) < 0) {
			snprintf(err, errlen, "sysctl %s=%s on %s: %s", s->key, s->value, s->host,
			    strerror(errno));
			return -1;
		}
		if (lab_sysctl_get(h, rel, back, sizeof(back)) < 0) {
			snprintf(err, errlen, "sysctl %s on %s cannot be read back: %s", s->key,
			    s->host, strerror(errno));
			return -1;
		}
		if (!knobs_same(back, s->value)) {
			snprintf(err, errlen, "sysctl %s on %s: set to '%s', reads back '%s'", s->key,
			    s->host, s->value, back);
			return -1;
		}
		/* The machine's own value must not have moved. */
		if (have_mine && read_small_file(path, mine_after, sizeof(mine_after)) >= 0 &&
		    strcmp(mine, mine_after) != 0) {
			int fd = open(path, O_WRONLY | O_CLOEXEC);

			if (fd >= 0) {
				(void)write_all(fd, mine, strlen(mine));
				close(fd);
			}
			snprintf(err, errlen, "sysctl %s is not per namespace: setting it on %s "
			    "changed the machine's own value (put back)", s->key, s->host);
			return -1;
		}
	}
	return 0;
}

json_t *
knobs_json(const struct test_spec *t)
{
	json_t *j;
	int k;

	if (t->sysctls[0].key == NULL)
		return NULL;
	j = json_object();
	for (k = 0; k < CAT_MAX_SYSCTLS && t->sysctls[k].key != NULL; k++) {
		json_t *h = json_object_get(j, t->sysctls[k].host);

		if (h == NULL) {
			h = json_object();
			json_object_set_new(j, t->sysctls[k].host, h);
		}
		json_object_set_new(h, t->sysctls[k].key, json_string(t->sysctls[k].value));
	}
	return j;
}
