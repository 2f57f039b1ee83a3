/*
 * scenlex.c - the small words of scenario files: lines, words, numbers,
 * durations, names, {HOST} substitutions, and the "FILE:LINE: what"
 * messages. Kept apart from the statements (scenfile.c) so that each rule
 * about what a word may be is written once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scen/scenint.h"
#include "util.h"

/* The strings of one test, freed together. */
struct mem {
	char **s;
	size_t n, cap;
};

int
fail(struct parser *p, const char *f, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, f);
	vsnprintf(msg, sizeof(msg), f, ap);
	va_end(ap);
	if (p->line > 0)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->file, p->line, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->file, msg);
	return -1;
}

static const char *
mem_keep(struct mem *m, const char *s)
{
	char *c;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		char **n = realloc(m->s, cap * sizeof(*n));

		if (n == NULL)
			return NULL;
		m->s = n;
		m->cap = cap;
	}
	c = strdup(s);
	if (c != NULL)
		m->s[m->n++] = c;
	return c;
}

const char *
keep(struct parser *p, const char *s)
{
	const char *c = mem_keep(p->t->mem, s);

	if (c == NULL)
		fail(p, "out of memory");
	return c;
}

void
scen_free(struct test_spec *t)
{
	struct mem *m;
	size_t i;

	if (t == NULL)
		return;
	m = t->mem;
	for (i = 0; m != NULL && i < m->n; i++)
		free(m->s[i]);
	if (m != NULL)
		free(m->s);
	free(m);
	free(t);
}

int
parser_init(struct parser *p, const char *file, char *err, size_t errlen)
{
	const char *slash;
	char cwd[PATH_MAX];

	memset(p, 0, sizeof(*p));
	p->file = file != NULL ? file : "-";
	p->err = err;
	p->errlen = errlen;
	p->t = calloc(1, sizeof(*p->t));
	if (p->t != NULL && (p->t->mem = calloc(1, sizeof(struct mem))) == NULL) {
		free(p->t);
		p->t = NULL;
	}
	if (p->t == NULL)
		return fail(p, "out of memory");
	/* The folder: {dir}, and where relative commands are found. */
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(cwd, sizeof(cwd), "/");
	slash = strrchr(p->file, '/');
	/* A folder path cut short would name another folder: none is made. */
	if ((slash == NULL ? fmt(p->dir, sizeof(p->dir), "%s", cwd) :
	    p->file[0] == '/' ? fmt(p->dir, sizeof(p->dir), "%.*s",
	    slash == p->file ? 1 : (int)(slash - p->file), p->file) :
	    fmt(p->dir, sizeof(p->dir), "%s/%.*s", strcmp(cwd, "/") ? cwd : "",
	    (int)(slash - p->file), p->file)) == -1)
		p->dir[0] = '\0';
	if ((p->t->file = keep(p, p->file)) == NULL || (p->t->dir = keep(p, p->dir)) == NULL) {
		scen_free(p->t);
		p->t = NULL;
		return -1;
	}
	return 0;
}

int
read_line(struct parser *p, char *line, size_t n)
{
	size_t i;
	char *s;

	if (n > SCEN_MAX_LINE)
		return fail(p, "line longer than %d characters", SCEN_MAX_LINE);
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == '\0')
			return fail(p, "a NUL byte: this is not a text file");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(p, "control character 0x%02x in the line", c);
	}
	s = line + strspn(line, " \t");
	return *s == '\0' || *s == '#' ? 0 : 1;
}

char *
trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

int
split(struct parser *p, const char *text, size_t len, struct words *w)
{
	size_t i = 0, o = 0;

	w->n = 0;
	while (i < len) {
		int quoted = 0;

		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i >= len)
			break;
		if (w->n == SCEN_MAX_WORDS)
			return fail(p, "too many words on the line (at most %d)", SCEN_MAX_WORDS);
		w->w[w->n++] = &w->buf[o];
		if (text[i] == '"') {
			quoted = 1;
			i++;
		}
		while (i < len) {
			char c = text[i];

			if (quoted && c == '"') {
				quoted = 2;
				i++;
				break;
			}
			if (!quoted && (c == ' ' || c == '\t'))
				break;
			if (!quoted && c == '"')
				return fail(p, "a '\"' inside a word: quote the whole word");
			if (quoted && c == '\\' && i + 1 < len && (text[i + 1] == '"' || text[i + 1] == '\\'))
				c = text[++i];
			if (o >= sizeof(w->buf) - 1)
				return fail(p, "line too long");
			w->buf[o++] = c;
			i++;
		}
		if (quoted == 1)
			return fail(p, "a '\"' is not closed");
		if (quoted == 2 && i < len && text[i] != ' ' && text[i] != '\t')
			return fail(p, "a closing '\"' must end the word");
		w->buf[o++] = '\0';
	}
	return 0;
}

int
number(struct parser *p, const char *s, long lo, long hi, long *v)
{
	long x = 0;
	const char *c;

	if (*s == '\0' || strlen(s) > 9)
		return fail(p, "'%s' is not a number from %ld to %ld", s, lo, hi);
	for (c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return fail(p, "'%s' is not a number from %ld to %ld", s, lo, hi);
		x = x * 10 + (*c - '0');
	}
	if (x < lo || x > hi)
		return fail(p, "'%s' is not a number from %ld to %ld", s, lo, hi);
	*v = x;
	return 0;
}

/* Digits, an optional fraction, then the unit (or none, if unit_free). */
static int
parse_duration(const char *s, int unit_free, unsigned *ms)
{
	unsigned long whole = 0, frac = 0, scale = 1, mult;
	int nd = 0, nf = 0;

	for (; *s >= '0' && *s <= '9'; s++, nd++) {
		if (nd == 7)
			return -1;
		whole = whole * 10 + (unsigned long)(*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, nf++) {
			if (nf == 3)
				return -1;
			frac = frac * 10 + (unsigned long)(*s - '0');
			scale *= 10;
		}
		if (nf == 0)
			return -1;
	}
	if (nd == 0)
		return -1;
	if (strcmp(s, "ms") == 0)
		mult = 1;
	else if (strcmp(s, "s") == 0)
		mult = 1000;
	else if (*s == '\0' && (unit_free || (whole == 0 && frac == 0)))
		mult = 1;
	else
		return -1;
	if ((frac * mult) % scale != 0)
		return -1;	/* not whole milliseconds */
	whole = whole * mult + frac * mult / scale;
	if (whole > 3600UL * 1000)
		return -1;
	*ms = (unsigned)whole;
	return 0;
}

int
duration(struct parser *p, const char *s, unsigned *ms)
{
	if (parse_duration(s, 0, ms) < 0)
		return fail(p, "'%s' is not a duration: whole milliseconds up to an hour, "
		    "with a unit (300ms, 13s, 1.5s)", s);
	return 0;
}

int
duration_range(struct parser *p, const char *s, int *lo, int *hi)
{
	const char *dots = strstr(s, "..");
	const char *unit;
	unsigned a, b;
	char first[32];

	if (dots == NULL || (size_t)(dots - s) >= sizeof(first))
		return fail(p, "'%s' is not a range of durations: LO..HI (0..300ms, 55s..60s)", s);
	snprintf(first, sizeof(first), "%.*s", (int)(dots - s), s);
	/* A unit written once (0..300ms) is the unit of both. */
	unit = dots + 2 + strspn(dots + 2, "0123456789.");
	if (parse_duration(dots + 2, 0, &b) < 0)
		return fail(p, "'%s' is not a range of durations: LO..HI (0..300ms, 55s..60s)", s);
	if (first[strspn(first, "0123456789.")] == '\0' && first[0] != '\0') {
		char withunit[48];

		snprintf(withunit, sizeof(withunit), "%s%s", first, unit);
		if (parse_duration(withunit, 0, &a) < 0)
			return fail(p, "'%s' is not a range of durations: LO..HI (0..300ms, 55s..60s)", s);
	} else if (parse_duration(first, 0, &a) < 0) {
		return fail(p, "'%s' is not a range of durations: LO..HI (0..300ms, 55s..60s)", s);
	}
	if (a > b)
		return fail(p, "the range %s ends before it starts", s);
	*lo = (int)a;
	*hi = (int)b;
	return 0;
}

/* A step the programs log (docs/formats.md), so that a typo is caught here
 * and not after a wait's timeout. */
int
scen_known_step(const char *s)
{
	static const char *const steps[] = {
		"start", "listen", "socket", "setsockopt", "bind", "connect", "accept",
		"epoll", "read", "write", "shutdown", "close", "signal", "quit",
		"resolve", "stdin", "timer", "peer-close", "server-close", "end",
		"done", "stats", "fork", "epoll_ctl", "epoll_wait", "rst", NULL,
	};
	int i;

	for (i = 0; steps[i] != NULL; i++)
		if (strcmp(s, steps[i]) == 0)
			return 1;
	return 0;
}

int
scen_valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > SCEN_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	return 1;
}

int
scen_valid_host(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 12 || strcmp(s, "sw") == 0 || strcmp(s, "dir") == 0 ||
	    strcmp(s, "run") == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

int
host_index(const struct parser *p, const char *name)
{
	int i;

	for (i = 0; i < p->nhosts; i++)
		if (strcmp(p->t->hosts[i], name) == 0)
			return i;
	return -1;
}

int
proc_index(const struct parser *p, const char *name)
{
	int i;

	for (i = 0; i < p->nprocs; i++)
		if (strcmp(p->t->procs[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * Walk arg's substitutions; each {NAME} calls name(ctx, NAME, len) which
 * appends its text to out (or fails), and plain text is appended as it is.
 * Returns 0, or -1 with *bad: 1 unclosed '{', 2 lone '}', 3 name refused,
 * 4 out too small.
 */
static int
walk_braces(const char *arg, int (*name)(void *ctx, const char *s, size_t n, char *out,
    size_t len, size_t *o), void *ctx, char *out, size_t len, int *bad)
{
	size_t o = 0;
	const char *c = arg;

	while (*c) {
		if ((c[0] == '{' && c[1] == '{') || (c[0] == '}' && c[1] == '}')) {
			if (o + 1 >= len)
				return *bad = 4, -1;
			out[o++] = *c;
			c += 2;
		} else if (*c == '{') {
			const char *e = strchr(c, '}');

			if (e == NULL)
				return *bad = 1, -1;
			if (name(ctx, c + 1, (size_t)(e - c - 1), out, len, &o) < 0)
				return *bad = o >= len ? 4 : 3, -1;
			c = e + 1;
		} else if (*c == '}') {
			return *bad = 2, -1;
		} else {
			if (o + 1 >= len)
				return *bad = 4, -1;
			out[o++] = *c++;
		}
	}
	out[o] = '\0';
	return 0;
}

struct brace_check {
	struct parser *p;
	char name[64];
};

static int
name_known(void *ctx, const char *s, size_t n, char *out, size_t len, size_t *o)
{
	struct brace_check *b = ctx;

	(void)out;
	(void)len;
	(void)o;
	snprintf(b->name, sizeof(b->name), "%.*s", (int)(n < 60 ? n : 60), s);
	if (strcmp(b->name, "dir") == 0 || strcmp(b->name, "run") == 0 || host_index(b->p, b->name) >= 0)
		return 0;
	if (n > 3 && strcmp(b->name + strlen(b->name) - 3, "-v6") == 0) {
		b->name[strlen(b->name) - 3] = '\0';
		if (host_index(b->p, b->name) >= 0)
			return 0;
		b->name[strlen(b->name)] = '-';
	}
	return -1;
}

int
check_braces(struct parser *p, const char *arg)
{
	struct brace_check b = { p, "" };
	char out[SCEN_MAX_LINE + 2];
	int bad = 0;

	if (walk_braces(arg, name_known, &b, out, sizeof(out), &bad) == 0)
		return 0;
	if (bad == 1)
		return fail(p, "a '{' is not closed in '%s' (write '{{' for one '{')", arg);
	if (bad == 2)
		return fail(p, "a lone '}' in '%s' (write '}}' for one '}')", arg);
	if (bad == 3)
		return fail(p, "{%s}: no host of that name above (a host, HOST-v6, dir or run)", b.name);
	return fail(p, "argument too long");
}

struct expand_ctx {
	const char *(*lookup)(void *ctx, const char *host, int v6);
	void *ctx;
	const char *dir, *run;
};

static int
name_value(void *ctx, const char *s, size_t n, char *out, size_t len, size_t *o)
{
	struct expand_ctx *x = ctx;
	const char *v = NULL;
	char name[64];
	size_t vn;

	if (n >= sizeof(name))
		return -1;
	snprintf(name, sizeof(name), "%.*s", (int)n, s);
	if (strcmp(name, "dir") == 0)
		v = x->dir;
	else if (strcmp(name, "run") == 0)
		v = x->run;
	else if (n > 3 && strcmp(name + n - 3, "-v6") == 0 && x->lookup != NULL) {
		name[n - 3] = '\0';
		v = x->lookup(x->ctx, name, 1);
		if (v == NULL) {
			name[n - 3] = '-';
			v = x->lookup(x->ctx, name, 0);
		}
	} else if (x->lookup != NULL)
		v = x->lookup(x->ctx, name, 0);
	if (v == NULL)
		return -1;
	vn = strlen(v);
	if (*o + vn + 1 > len) {
		*o = len;
		return -1;
	}
	memcpy(out + *o, v, vn);
	*o += vn;
	return 0;
}

int
scen_expand(const char *arg, const char *(*lookup)(void *ctx, const char *host, int v6),
    void *ctx, const char *dir, const char *run, char *out, size_t len)
{
	struct expand_ctx x = { lookup, ctx, dir, run };
	int bad = 0;

	if (len == 0)
		return -1;
	return walk_braces(arg, name_value, &x, out, len, &bad);
}

int
scen_sysctl_key_ok(const char *key)
{
	size_t i, n = strlen(key), part = 0;

	if (n < 5 || n > SCEN_KEY_MAX || strncmp(key, "net.", 4) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = key[i];

		if (c == '.') {
			if (part == 0)
				return 0;
			part = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-') {
			part++;
		} else {
			return 0;
		}
	}
	return part > 0;
}

int
scen_sysctl_value_ok(const char *value)
{
	size_t i, n = strlen(value);

	if (n == 0 || n > SCEN_VALUE_MAX || value[0] == ' ' || value[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] >= 0x7f)
			return 0;
	return 1;
}
