/*
 * scenfile.c - read a scenario file into a struct test_spec.
 *
 * One line, one statement; a line never continues on the next, so that a
 * message can always name the one line that is wrong. Every name used must
 * have been made on a line above (hosts before programs, programs before
 * actions, actions and snapshots before the checks that read them): the
 * file then reads top to bottom like the test runs. The checks' own
 * grammar is in scencheck.c; the words shared by both are in scenlex.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scen/scenint.h"

/* ---- the test itself ---- */

static int
d_test(struct parser *p, struct words *w)
{
	if (p->t->id != NULL)
		return fail(p, "a second 'test' line (the first names the test)");
	if (w->n != 2)
		return fail(p, "'test' takes one id: test ID");
	if (!scen_valid_name(w->w[1]))
		return fail(p, "bad test id '%s': it names the run folder, so 1-%d of "
		    "A-Z a-z 0-9 . _ - (not starting with . _ -)", w->w[1], SCEN_NAME_MAX);
	p->t->id = keep(p, w->w[1]);
	return p->t->id ? 0 : -1;
}

static int
d_text(struct parser *p, const char *what, const char *rest, const char **slot)
{
	if (*slot != NULL)
		return fail(p, "a second '%s' line", what);
	if (*rest == '\0')
		return fail(p, "'%s' wants a line of text", what);
	*slot = keep(p, rest);
	return *slot ? 0 : -1;
}

static int
d_seed(struct parser *p, struct words *w)
{
	if (w->n != 1)
		return fail(p, "'seed' takes nothing after it");
	p->t->seed = 1;
	return 0;
}

/* repeat in-one-lab [runs N]: --repeat N runs the N clients in one lab,
 * each from a source port of its own, told apart by that port (the close
 * race); runs N: how many when --repeat is not given. */
static int
d_repeat(struct parser *p, struct words *w)
{
	long n;

	if ((w->n != 2 && w->n != 4) || strcmp(w->w[1], "in-one-lab") != 0 ||
	    (w->n == 4 && strcmp(w->w[2], "runs") != 0))
		return fail(p, "'repeat' takes: repeat in-one-lab [runs N]");
	if (p->t->repeat_in_one_lab)
		return fail(p, "a second 'repeat' line");
	if (w->n == 4) {
		if (number(p, w->w[3], 1, 50000, &n) < 0)
			return -1;
		p->t->default_runs = (int)n;
	}
	p->t->repeat_in_one_lab = 1;
	return 0;
}

/* min-time-scale F: WHY - the smallest --time-scale the test can honour. */
static int
d_min_scale(struct parser *p, const char *rest)
{
	const char *colon = strchr(rest, ':');
	char num[32];
	size_t n = colon ? (size_t)(colon - rest) : 0;
	char *end;
	double v;

	if (p->t->min_scale_why != NULL)
		return fail(p, "a second 'min-time-scale' line");
	if (colon == NULL || n == 0 || n >= sizeof(num))
		return fail(p, "'min-time-scale' wants a number and why: min-time-scale F: WHY");
	memcpy(num, rest, n);
	num[n] = '\0';
	errno = 0;
	v = strtod(num, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (errno || end == num || *end != '\0' || !(v > 0 && v <= 10))
		return fail(p, "min-time-scale '%s' is not a number from 0 to 10", num);
	rest = colon + 1;
	rest += strspn(rest, " \t");
	if (*rest == '\0')
		return fail(p, "'min-time-scale' wants a reason after the colon");
	p->t->min_scale = v;
	p->t->min_scale_why = keep(p, rest);
	return p->t->min_scale_why ? 0 : -1;
}

/* ---- hosts, links, kernel knobs ---- */

static int
d_host(struct parser *p, struct words *w)
{
	int i;

	if (w->n != 2)
		return fail(p, "'host' takes one name: host NAME");
	if (!scen_valid_host(w->w[1]))
		return fail(p, "bad host name '%s': 1-12 of a-z and 0-9 (and not sw, dir, run)",
		    w->w[1]);
	for (i = 0; i < p->nhosts; i++)
		if (strcmp(p->t->hosts[i], w->w[1]) == 0)
			return fail(p, "host '%s' is declared twice", w->w[1]);
	if (p->nhosts == CAT_MAX_HOSTS)
		return fail(p, "too many hosts (at most %d)", CAT_MAX_HOSTS);
	p->t->hosts[p->nhosts] = keep(p, w->w[1]);
	return p->t->hosts[p->nhosts++] ? 0 : -1;
}

static int
dir_impaired(const struct link_spec *l, int d)
{
	return l->delay_ms[d] || l->loss_pct[d] || l->rate_bps[d] || l->dup_pct[d] ||
	    l->reorder_pct[d];
}

/* A second line for a link, `from` the other host: its other direction
 * (link c s delay 20ms reorder 5% from s, then link c s delay 20ms from c). */
static int
link_again(struct parser *p, struct words *w, struct link_spec *l)
{
	struct link_spec n;
	int d;

	memset(&n, 0, sizeof(n));
	n.a = l->a;
	n.b = l->b;
	if (link_impairments(p, w, 3, &n) < 0)
		return -1;
	if (dir_impaired(&n, 0) == dir_impaired(&n, 1))
		return fail(p, "link %s %s is declared twice (a second line may impair the "
		    "other direction: 'from HOST')", w->w[1], w->w[2]);
	d = dir_impaired(&n, 1);
	if (dir_impaired(l, d))
		return fail(p, "the link from %s to %s is impaired twice",
		    d == 0 ? l->a : l->b, d == 0 ? l->b : l->a);
	l->delay_ms[d] = n.delay_ms[d];
	l->jitter_ms[d] = n.jitter_ms[d];
	l->loss_pct[d] = n.loss_pct[d];
	l->rate_bps[d] = n.rate_bps[d];
	l->dup_pct[d] = n.dup_pct[d];
	l->reorder_pct[d] = n.reorder_pct[d];
	return 0;
}

static int
d_link(struct parser *p, struct words *w)
{
	struct link_spec *l;
	int i;

	if (w->n < 3)
		return fail(p, "'link' joins two hosts: link HOST HOST");
	if (host_index(p, w->w[1]) < 0 || host_index(p, w->w[2]) < 0)
		return fail(p, "no host '%s' declared above",
		    host_index(p, w->w[1]) < 0 ? w->w[1] : w->w[2]);
	if (strcmp(w->w[1], w->w[2]) == 0)
		return fail(p, "a link joins two different hosts");
	for (i = 0; i < p->nlinks; i++) {
		l = &p->t->links[i];
		if ((strcmp(l->a, w->w[1]) == 0 && strcmp(l->b, w->w[2]) == 0) ||
		    (strcmp(l->a, w->w[2]) == 0 && strcmp(l->b, w->w[1]) == 0))
			return link_again(p, w, l);
	}
	if (p->nlinks == CAT_MAX_LINKS)
		return fail(p, "too many links (at most %d)", CAT_MAX_LINKS);
	l = &p->t->links[p->nlinks];
	memset(l, 0, sizeof(*l));
	l->a = p->t->hosts[host_index(p, w->w[1])];
	l->b = p->t->hosts[host_index(p, w->w[2])];
	l->line = p->line;
	if (link_impairments(p, w, 3, l) < 0)
		return -1;
	p->nlinks++;
	return 0;
}

/* sysctl HOST KEY=VALUE: the value is the rest of the line ("32768 60999"). */
static int
d_sysctl(struct parser *p, const char *rest)
{
	char host[32], key[SCEN_KEY_MAX + 1];
	const char *sp = rest + strcspn(rest, " \t"), *eq, *value;
	struct sysctl_spec *s;
	int h, i;

	if (*sp == '\0' || (size_t)(sp - rest) >= sizeof(host))
		return fail(p, "'sysctl' wants a host and a setting: sysctl HOST net.KEY=VALUE");
	snprintf(host, sizeof(host), "%.*s", (int)(sp - rest), rest);
	if ((h = host_index(p, host)) < 0)
		return fail(p, "no host '%s' declared above", host);
	sp += strspn(sp, " \t");
	eq = strchr(sp, '=');
	if (eq == NULL)
		return fail(p, "'sysctl' wants KEY=VALUE, as sysctl(8) writes it: "
		    "net.ipv4.tcp_fin_timeout=5");
	while (eq > sp && (eq[-1] == ' ' || eq[-1] == '\t'))
		eq--;
	if ((size_t)(eq - sp) > SCEN_KEY_MAX)
		return fail(p, "sysctl name too long");
	snprintf(key, sizeof(key), "%.*s", (int)(eq - sp), sp);
	value = strchr(eq, '=') + 1;
	value += strspn(value, " \t");
	if (!scen_sysctl_key_ok(key))
		return fail(p, "'%s' is not a network sysctl name: net.PART.PART..., "
		    "each part of A-Z a-z 0-9 _ -", key);
	if (!scen_sysctl_value_ok(value))
		return fail(p, "bad value for %s: 1-%d printable characters", key, SCEN_VALUE_MAX);
	for (i = 0; i < p->nsys; i++)
		if (strcmp(p->t->sysctls[i].host, host) == 0 && strcmp(p->t->sysctls[i].key, key) == 0)
			return fail(p, "%s is set twice on host %s (first on line %d)", key, host,
			    p->t->sysctls[i].line);
	if (p->nsys == CAT_MAX_SYSCTLS)
		return fail(p, "too many sysctls (at most %d)", CAT_MAX_SYSCTLS);
	s = &p->t->sysctls[p->nsys++];
	s->host = p->t->hosts[h];
	s->key = keep(p, key);
	s->value = keep(p, value);
	s->line = p->line;
	return s->key && s->value ? 0 : -1;
}

int
scen_add_sysctl(struct test_spec *t, const char *arg, char *err, size_t errlen)
{
	const char *colon = strchr(arg, ':'), *eq;
	char host[16], key[SCEN_KEY_MAX + 1];
	struct sysctl_spec *s;
	struct parser p;
	int i, h;

	eq = colon ? strchr(colon, '=') : NULL;
	if (colon == NULL || eq == NULL || colon == arg || (size_t)(colon - arg) >= sizeof(host) ||
	    (size_t)(eq - colon - 1) > SCEN_KEY_MAX) {
		snprintf(err, errlen, "--sysctl wants HOST:KEY=VALUE "
		    "(client:net.ipv4.tcp_fin_timeout=5), not '%s'", arg);
		return -1;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - arg), arg);
	snprintf(key, sizeof(key), "%.*s", (int)(eq - colon - 1), colon + 1);
	for (h = 0; h < CAT_MAX_HOSTS && t->hosts[h] != NULL; h++)
		if (strcmp(t->hosts[h], host) == 0)
			break;
	if (h == CAT_MAX_HOSTS || t->hosts[h] == NULL) {
		snprintf(err, errlen, "--sysctl %s: test %s has no host '%s'", arg, t->id, host);
		return -1;
	}
	if (!scen_sysctl_key_ok(key)) {
		snprintf(err, errlen, "--sysctl %s: '%s' is not a network sysctl name "
		    "(net.PART.PART...)", arg, key);
		return -1;
	}
	if (!scen_sysctl_value_ok(eq + 1)) {
		snprintf(err, errlen, "--sysctl %s: bad value (1-%d printable characters)", arg,
		    SCEN_VALUE_MAX);
		return -1;
	}
	for (i = 0; i < CAT_MAX_SYSCTLS && t->sysctls[i].key != NULL; i++)
		if (strcmp(t->sysctls[i].host, host) == 0 && strcmp(t->sysctls[i].key, key) == 0)
			break;
	if (i == CAT_MAX_SYSCTLS) {
		snprintf(err, errlen, "--sysctl %s: too many sysctls (at most %d)", arg, CAT_MAX_SYSCTLS);
		return -1;
	}
	/* keep() wants a parser: one that reports into err. */
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.file = "--sysctl";
	p.err = err;
	p.errlen = errlen;
	s = &t->sysctls[i];
	s->host = t->hosts[h];
	if ((s->key = keep(&p, key)) == NULL || (s->value = keep(&p, eq + 1)) == NULL) {
		s->key = NULL;
		return -1;
	}
	s->line = 0;
	return 0;
}

/* ---- programs ---- */

/*
 * The command as an absolute path: beside the scenario when it has a '/'
 * (the program sees that folder, read-only, at SCEN_DIR_VIEW: a relative
 * path must stay inside it), else the first executable file of that name
 * in the lab hosts' PATH, SCEN_EXEC_PATH. Not the caller's PATH: the
 * program runs with that one and none of the caller's environment, so a
 * pyenv shim or a ~/bin of the person who runs sudo is not taken.
 */
static int
find_command(struct parser *p, const char *cmd, char *out, size_t len)
{
	const char *s, *e;
	struct stat st;
	size_t n = strlen(cmd);

	if (strchr(cmd, '/') != NULL) {
		if (cmd[0] != '/' && (strncmp(cmd, "../", 3) == 0 || strstr(cmd, "/../") != NULL ||
		    (n >= 3 && strcmp(cmd + n - 3, "/..") == 0)))
			return fail(p, "'%s': a command beside the scenario stays in its folder "
			    "(no '..'; the program sees only that folder)", cmd);
		if (snprintf(out, len, "%s%s%s", cmd[0] == '/' ? "" : p->dir,
		    cmd[0] == '/' ? "" : "/", cmd) >= (int)len)
			return fail(p, "command path too long");
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 0;
		return fail(p, "no program at %s%s", out,
		    cmd[0] == '/' ? "" : " (a relative path is taken from the scenario's folder)");
	}
	for (s = SCEN_EXEC_PATH; ; s = e + 1) {
		e = s + strcspn(s, ":");
		if (e > s && s[0] == '/' &&
		    snprintf(out, len, "%.*s/%s", (int)(e - s), s, cmd) < (int)len &&
		    stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 0;
		if (*e == '\0')
			break;
	}
	return fail(p, "command '%s' not found in PATH (%s)", cmd, SCEN_EXEC_PATH);
}

/* Any host's address, when only the names matter. */
static const char *
any_address(void *ctx, const char *host, int v6)
{
	(void)ctx;
	(void)host;
	return v6 ? "fd00::1" : "10.0.0.1";
}

/* program NAME on HOST [as root]: COMMAND [ARG...] */
static int
d_program(struct parser *p, const char *rest)
{
	const char *colon = strchr(rest, ':');
	struct words head, cmd;
	struct proc_spec *ps;
	char path[PATH_MAX];
	int i, h, first;

	if (colon == NULL)
		return fail(p, "'program' reads: program NAME on HOST: COMMAND [ARG...]");
	if (split(p, rest, (size_t)(colon - rest), &head) < 0 ||
	    split(p, colon + 1, strlen(colon + 1), &cmd) < 0)
		return -1;
	if ((head.n != 3 && head.n != 5) || strcmp(head.w[1], "on") != 0)
		return fail(p, "'program' reads: program NAME on HOST: COMMAND [ARG...]");
	if (head.n == 5 && (strcmp(head.w[3], "as") != 0 || strcmp(head.w[4], "root") != 0))
		return fail(p, "'program' reads: program NAME on HOST [as root]: COMMAND [ARG...]");
	/* HOST.NAME.events.jsonl: a dot would split the name. */
	if (!scen_valid_name(head.w[0]) || strchr(head.w[0], '.') != NULL ||
	    strlen(head.w[0]) > SCEN_PROG_MAX)
		return fail(p, "bad program name '%s': it names files (HOST.NAME.events.jsonl), "
		    "so 1-%d of A-Z a-z 0-9 _ - (not starting with _ -)", head.w[0], SCEN_PROG_MAX);
	if (proc_index(p, head.w[0]) >= 0)
		return fail(p, "program '%s' is declared twice", head.w[0]);
	if ((h = host_index(p, head.w[2])) < 0)
		return fail(p, "no host '%s' declared above", head.w[2]);
	if (cmd.n == 0)
		return fail(p, "program %s has no command after the ':'", head.w[0]);
	if (p->nprocs == CAT_MAX_PROCS)
		return fail(p, "too many programs (at most %d)", CAT_MAX_PROCS);
	ps = &p->t->procs[p->nprocs];
	if (strcmp(cmd.w[0], "timewait") == 0) {
		if (cmd.n < 2 || (strcmp(cmd.w[1], "server") != 0 && strcmp(cmd.w[1], "client") != 0))
			return fail(p, "timewait runs here as 'timewait server' or 'timewait client'");
		ps->prog = cmd.w[1][0] == 's' ? "server" : "client";
		first = 2;
	} else if (strcmp(cmd.w[0], "proxy") == 0) {
		if (scen_proxy_program(p, &cmd, ps) < 0)
			return -1;
		first = cmd.n;
	} else {
		if (find_command(p, cmd.w[0], path, sizeof(path)) < 0)
			return -1;
		ps->prog = "exec";
		ps->as_root = head.n == 5;
		ps->cmd = keep(p, cmd.w[0]);
		ps->path = keep(p, path);
		if (ps->cmd == NULL || ps->path == NULL)
			return -1;
		first = 1;
	}
	if (head.n == 5 && !ps->as_root)
		return fail(p, "only a command runs 'as root': timewait's programs run as the "
		    "lab decides, a proxy as nobody");
	if (cmd.n - first > CAT_MAX_ARGS)
		return fail(p, "too many arguments (at most %d)", CAT_MAX_ARGS);
	for (i = first; i < cmd.n; i++) {
		char x[SCEN_MAX_LINE + 2];

		if (check_braces(p, cmd.w[i]) < 0)
			return -1;
		/* A command sees the scenario's folder, not the run folder. */
		if (strcmp(ps->prog, "exec") == 0 &&
		    scen_expand(cmd.w[i], any_address, NULL, SCEN_DIR_VIEW, NULL, x, sizeof(x)) < 0)
			return fail(p, "{run} in '%s': a command does not see the run folder "
			    "(its output is kept there, in %s.log)", cmd.w[i], head.w[0]);
		if ((ps->args[i - first] = keep(p, cmd.w[i])) == NULL)
			return -1;
	}
	ps->name = keep(p, head.w[0]);
	ps->host = p->t->hosts[h];
	p->proc_lines[p->nprocs++] = p->line;
	return ps->name ? 0 : -1;
}

/* ---- actions, in time order ---- */

/* The program an action is about: declared above, started above unless
 * this is its start. */
static int
action_proc(struct parser *p, struct words *w, int at, struct action *a)
{
	int k;

	if (at >= w->n)
		return fail(p, "'%s' wants a program: %s PROGRAM", w->w[at - 1], w->w[at - 1]);
	if ((k = proc_index(p, w->w[at])) < 0)
		return fail(p, "no program '%s' declared above", w->w[at]);
	if (a->kind == ACT_START && p->started[k])
		return fail(p, "program %s is started twice", w->w[at]);
	if (a->kind != ACT_START && a->kind != ACT_WAIT_TW && !p->started[k])
		return fail(p, "program %s is not started above", w->w[at]);
	if (a->kind == ACT_WAIT && strcmp(p->t->procs[k].prog, "exec") == 0)
		return fail(p, "program %s writes no event log to wait on (only timewait "
		    "server and client do): wait %s exit, or wait HOST listens PORT",
		    w->w[at], w->w[at]);
	if (strcmp(p->t->procs[k].prog, "proxy") == 0 && a->kind != ACT_START &&
	    a->kind != ACT_WAIT_TW)
		return fail(p, "program %s is a proxy: the lab starts it (ready when it "
		    "listens) and stops it at the end; it takes no '%s'", w->w[at], w->w[at - 1]);
	if (a->kind == ACT_START)
		p->started[k] = 1;
	a->proc = p->t->procs[k].name;
	return 0;
}

static int
snapshot_name(struct parser *p, const char *name, struct action *a)
{
	int i;

	if (!scen_valid_name(name) || strlen(name) > 15)
		return fail(p, "bad snapshot name '%s': 1-15 of A-Z a-z 0-9 . _ -", name);
	for (i = 0; i < p->nsnaps; i++)
		if (strcmp(p->snaps[i], name) == 0)
			return fail(p, "snapshot '%s' is taken twice", name);
	if (p->nsnaps == CAT_MAX_SNAPS)
		return fail(p, "too many snapshots (at most %d)", CAT_MAX_SNAPS);
	a->snap = p->snaps[p->nsnaps++] = keep(p, name);
	return a->snap ? 0 : -1;
}

/* The options after an action's own words: as NAME, settle DUR, and the
 * wait's within DUR / mark, the snapshot's settled. */
static int
action_options(struct parser *p, struct words *w, int i, struct action *a)
{
	int k, within = 0;
	int waits = a->kind == ACT_WAIT || a->kind == ACT_WAIT_EXIT ||
	    a->kind == ACT_WAIT_LISTEN;
	unsigned v;

	for (; i < w->n; i++) {
		const char *o = w->w[i];

		if (strcmp(o, "as") == 0 && i + 1 < w->n) {
			if (a->name != NULL)
				return fail(p, "the action is named twice");
			if (!scen_valid_name(w->w[++i]))
				return fail(p, "bad action name '%s'", w->w[i]);
			for (k = 0; k < p->nact; k++)
				if (p->t->actions[k].name && strcmp(p->t->actions[k].name, w->w[i]) == 0)
					return fail(p, "action name '%s' is used twice", w->w[i]);
			if ((a->name = keep(p, w->w[i])) == NULL)
				return -1;
		} else if (strcmp(o, "settle") == 0 && i + 1 < w->n) {
			if (duration(p, w->w[++i], &a->settle_ms) < 0)
				return -1;
		} else if (waits && strcmp(o, "within") == 0 && i + 1 < w->n) {
			if (duration(p, w->w[++i], &v) < 0)
				return -1;
			if (v == 0)
				return fail(p, "'within 0' waits for nothing");
			a->timeout_ms = v;
			within = 1;
		} else if (waits && strcmp(o, "mark") == 0) {
			a->mark = 1;
		} else if (a->kind == ACT_SNAPSHOT && strcmp(o, "settled") == 0) {
			a->settled = 1;
		} else {
			return fail(p, "unexpected '%s' in the action%s", o,
			    strcmp(o, "as") == 0 || strcmp(o, "settle") == 0 ||
			    strcmp(o, "within") == 0 ? " (it wants a value after it)" : "");
		}
	}
	if (waits && !within)
		a->timeout_ms = 2000;
	return 0;
}

/* wait HOST listens PORT: a socket of HOST listens on PORT (any address). */
static int
wait_listens(struct parser *p, struct words *w, int i, struct action *a)
{
	long port;
	int h;

	if ((h = host_index(p, w->w[i])) < 0)
		return fail(p, "no host '%s' declared above (wait HOST listens PORT)", w->w[i]);
	if (i + 2 >= w->n)
		return fail(p, "'listens' wants a port: wait HOST listens PORT");
	if (number(p, w->w[i + 2], 1, 65535, &port) < 0)
		return -1;
	a->kind = ACT_WAIT_LISTEN;
	a->host = p->t->hosts[h];
	a->port = (int)port;
	return 0;
}

static int
is_action(const char *word)
{
	static const char *const verbs[] = {
		"at", "start", "wait", "sigint", "enter", "snapshot", "wait-timewait", "end", NULL,
	};
	int i;

	for (i = 0; verbs[i] != NULL; i++)
		if (strcmp(word, verbs[i]) == 0)
			return 1;
	return 0;
}

/* [at TIME] VERB ... : one action. */
static int
d_action(struct parser *p, struct words *w)
{
	struct action *a;
	long req;
	int i = 0;

	if (p->ended)
		return fail(p, "no action may follow 'end' (only checks)");
	if (p->nact == CAT_MAX_ACTIONS)
		return fail(p, "too many actions (at most %d)", CAT_MAX_ACTIONS);
	a = &p->t->actions[p->nact];
	memset(a, 0, sizeof(*a));
	if (strcmp(w->w[0], "at") == 0) {
		if (w->n < 3)
			return fail(p, "'at' wants a time and an action: at 13s sigint client");
		if (duration(p, w->w[1], &a->at_ms) < 0)
			return -1;
		if (a->at_ms < p->last_at)
			return fail(p, "at %s comes before the %u ms of an action above: "
			    "actions are written in the order they run", w->w[1], p->last_at);
		i = 2;
	}
	if (strcmp(w->w[i], "start") == 0) {
		a->kind = ACT_START;
	} else if (strcmp(w->w[i], "wait") == 0) {
		a->kind = ACT_WAIT;
	} else if (strcmp(w->w[i], "sigint") == 0) {
		a->kind = ACT_SIGINT;
	} else if (strcmp(w->w[i], "enter") == 0) {
		a->kind = ACT_ENTER;
	} else if (strcmp(w->w[i], "snapshot") == 0) {
		a->kind = ACT_SNAPSHOT;
	} else if (strcmp(w->w[i], "wait-timewait") == 0) {
		a->kind = ACT_WAIT_TW;
	} else if (strcmp(w->w[i], "end") == 0) {
		a->kind = ACT_END;
	} else {
		return fail(p, "unknown action '%s' (start, wait, sigint, enter, snapshot, "
		    "wait-timewait, end)", w->w[i]);
	}
	i++;
	switch (a->kind) {
	case ACT_SNAPSHOT:
		if (i >= w->n)
			return fail(p, "'snapshot' wants a name: snapshot NAME");
		if (snapshot_name(p, w->w[i++], a) < 0)
			return -1;
		break;
	case ACT_END:
		p->ended = 1;
		break;
	case ACT_WAIT:
		/* wait HOST listens PORT; wait PROGRAM exit; wait PROGRAM STEP */
		if (i + 1 < w->n && strcmp(w->w[i + 1], "listens") == 0) {
			if (wait_listens(p, w, i, a) < 0)
				return -1;
			i += 3;
			break;
		}
		if (i + 1 < w->n && strcmp(w->w[i + 1], "exit") == 0) {
			a->kind = ACT_WAIT_EXIT;
			if (action_proc(p, w, i, a) < 0)
				return -1;
			i += 2;
			break;
		}
		if (action_proc(p, w, i++, a) < 0)
			return -1;
		if (i >= w->n)
			return fail(p, "'wait' wants a step: wait PROGRAM STEP [REQUEST]");
		if (!scen_known_step(w->w[i]))
			return fail(p, "'%s' is not a step the programs log (docs/formats.md)", w->w[i]);
		a->step = keep(p, w->w[i++]);
		if (a->step == NULL)
			return -1;
		if (i < w->n && w->w[i][0] >= '0' && w->w[i][0] <= '9') {
			if (number(p, w->w[i++], 1, 100000, &req) < 0)
				return -1;
			a->req = (int)req;
		}
		break;
	default:
		if (action_proc(p, w, i++, a) < 0)
			return -1;
		break;
	}
	if (action_options(p, w, i, a) < 0)
		return -1;
	/* A mark starts the count again; otherwise times only go forward. */
	if (a->mark)
		p->last_at = 0;
	else if (a->at_ms > p->last_at)
		p->last_at = a->at_ms;
	p->lines[p->nact] = p->line;
	p->nact++;
	return 0;
}

/* ---- the file ---- */

static int
statement(struct parser *p, char *line)
{
	const char *rest;
	struct words w;
	size_t n = strcspn(line, " \t");

	rest = line + n;
	rest += strspn(rest, " \t");
	if (n == 4 && strncmp(line, "test", 4) == 0) {
		if (split(p, line, strlen(line), &w) < 0)
			return -1;
		return d_test(p, &w);
	}
	if (p->t->id == NULL)
		return fail(p, "the file starts with 'test ID' (then title, shows, hosts...)");
	if (n == 5 && strncmp(line, "title", 5) == 0)
		return d_text(p, "title", rest, &p->t->title);
	if (n == 5 && strncmp(line, "shows", 5) == 0)
		return d_text(p, "shows", rest, &p->t->shows);
	if (n == 6 && strncmp(line, "sysctl", 6) == 0)
		return d_sysctl(p, rest);
	if (n == 7 && strncmp(line, "program", 7) == 0)
		return d_program(p, rest);
	if (n == 5 && strncmp(line, "check", 5) == 0)
		return d_check(p, rest);
	if (n == 14 && strncmp(line, "min-time-scale", 14) == 0)
		return d_min_scale(p, rest);
	if (split(p, line, strlen(line), &w) < 0)
		return -1;
	if (strcmp(w.w[0], "seed") == 0)
		return d_seed(p, &w);
	if (strcmp(w.w[0], "repeat") == 0)
		return d_repeat(p, &w);
	if (strcmp(w.w[0], "host") == 0)
		return d_host(p, &w);
	if (strcmp(w.w[0], "link") == 0)
		return d_link(p, &w);
	if (strcmp(w.w[0], "drop") == 0)
		return d_drop(p, &w);
	if (strcmp(w.w[0], "vary") == 0)
		return d_vary(p, &w);
	if (!is_action(w.w[0]))
		return fail(p, "unknown statement '%s' (test, title, shows, seed, repeat, "
		    "min-time-scale, host, link, drop, vary, sysctl, program, an action, check)",
		    w.w[0]);
	return d_action(p, &w);
}

/* What the whole file must have, once every line is read. */
static int
complete(struct parser *p)
{
	int i;

	p->line = p->nlines > 0 ? p->nlines : 1;
	if (p->t->id == NULL)
		return fail(p, "no 'test ID' line: the file is empty or all comments");
	if (p->t->title == NULL)
		return fail(p, "no 'title' line");
	if (p->t->shows == NULL)
		return fail(p, "no 'shows' line (one sentence: what the test shows)");
	if (p->nhosts == 0)
		return fail(p, "no host");
	if (p->nprocs == 0)
		return fail(p, "no program");
	if (!p->ended)
		return fail(p, "no 'end' action: the last action ends the test");
	if (p->nchk == 0)
		return fail(p, "no check: a test must be able to fail");
	for (i = 0; i < p->nprocs; i++)
		if (!p->started[i]) {
			p->line = p->proc_lines[i];
			return fail(p, "program %s is never started", p->t->procs[i].name);
		}
	return scen_vary_complete(p);
}

struct test_spec *
scen_parse(const char *buf, size_t len, const char *file, char *err, size_t errlen)
{
	struct parser p;
	char line[SCEN_MAX_LINE + 2];
	size_t at = 0;
	int rc = 0;

	if (parser_init(&p, file, err, errlen) < 0)
		return NULL;
	if (len > SCEN_MAX_BYTES) {
		fail(&p, "larger than %d KiB: not a scenario file", SCEN_MAX_BYTES / 1024);
		rc = -1;
	}
	while (rc == 0 && at < len) {
		size_t n = 0;

		p.line = ++p.nlines;
		while (at < len && buf[at] != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = buf[at];
			at++;
		}
		at++;
		line[n] = '\0';
		rc = read_line(&p, line, n);
		if (rc == 1)
			rc = statement(&p, trim(line));
	}
	if (rc == 0)
		rc = complete(&p);
	if (rc < 0) {
		scen_free(p.t);
		return NULL;
	}
	return p.t;
}

struct test_spec *
scen_load(const char *path, char *err, size_t errlen)
{
	struct test_spec *t;
	struct stat st;
	char *buf;
	ssize_t n;
	FILE *f;

	f = fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a file", path);
		fclose(f);
		return NULL;
	}
	if (st.st_size > SCEN_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %d KiB: not a scenario file", path,
		    SCEN_MAX_BYTES / 1024);
		fclose(f);
		return NULL;
	}
	buf = malloc(SCEN_MAX_BYTES + 1);
	if (buf == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	n = (ssize_t)fread(buf, 1, SCEN_MAX_BYTES + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	t = scen_parse(buf, (size_t)n, path, err, errlen);
	free(buf);
	return t;
}
