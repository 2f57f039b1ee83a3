/*
 * jsonl.c - the strict flat JSON-lines reader (jsonl.h): objects of
 * strings, numbers, true, false and null, one a line, parsed in place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/input.h"
#include "model/jsonl.h"

static char *
skip_ws(char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static int
hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* A code point as UTF-8 at out; the new end. */
static char *
put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		*out++ = (char)cp;
	} else if (cp < 0x800) {
		*out++ = (char)(0xc0 | cp >> 6);
		*out++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*out++ = (char)(0xe0 | cp >> 12);
		*out++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*out++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*out++ = (char)(0xf0 | cp >> 18);
		*out++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*out++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*out++ = (char)(0x80 | (cp & 0x3f));
	}
	return out;
}

/* A \u escape at p (after the 'u'), a surrogate pair taken whole. */
static int
unicode_escape(char **pp, char **outp)
{
	char *p = *pp;
	unsigned cp, lo;

	if (hex4(p, &cp))
		return -1;
	p += 4;
	if (cp >= 0xd800 && cp < 0xdc00) {
		if (p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) ||
		    lo < 0xdc00 || lo >= 0xe000)
			return -1;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p += 6;
	} else if (cp >= 0xdc00 && cp < 0xe000) {
		return -1;
	}
	*outp = put_utf8(*outp, cp);
	*pp = p;
	return 0;
}

/* A string starting after its opening quote, unescaped in place (the text
 * never grows: an escape is longer than what it stands for). */
static char *
parse_string(char *p, char **end)
{
	char *out = p, *start = p;

	for (;;) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			break;
		if (c < 0x20)
			return NULL;	/* the end of the line, or a raw control */
		if (c != '\\') {
			*out++ = *p++;
			continue;
		}
		p++;
		switch (*p++) {
		case '"': *out++ = '"'; break;
		case '\\': *out++ = '\\'; break;
		case '/': *out++ = '/'; break;
		case 'b': *out++ = '\b'; break;
		case 'f': *out++ = '\f'; break;
		case 'n': *out++ = '\n'; break;
		case 'r': *out++ = '\r'; break;
		case 't': *out++ = '\t'; break;
		case 'u':
			if (unicode_escape(&p, &out))
				return NULL;
			break;
		default:
			return NULL;
		}
	}
	*out = 0;
	*end = p + 1;
	return start;
}

/* A number as JSON writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static char *
parse_number(char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		if (*++p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

/* One value at p into o's slot i; the text after it, or NULL. */
static char *
parse_value(char *p, struct jrec *o, int i, const char **why)
{
	static const struct { const char *word; size_t len; enum jtype t; } words[] = {
		{ "true", 4, JT_TRUE }, { "false", 5, JT_FALSE }, { "null", 4, JT_NULL },
	};
	char *end;

	if (*p == '"') {
		o->type[i] = JT_STR;
		if (!(o->v[i] = parse_string(p + 1, &end)))
			*why = "bad string";
		return o->v[i] ? end : NULL;
	}
	if (*p == '{' || *p == '[') {
		*why = "nested value (the format is flat)";
		return NULL;
	}
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
		if (!strncmp(p, words[w].word, words[w].len)) {
			o->type[i] = (uint8_t)words[w].t;
			o->v[i] = "";
			return p + words[w].len;
		}
	if (!(end = parse_number(p))) {
		*why = "bad value";
		return NULL;
	}
	o->type[i] = JT_NUM;
	o->v[i] = p;
	return end;
}

int
jrec_parse(char *line, struct jrec *o, const char **why)
{
	char *p = skip_ws(line);

	o->n = 0;
	*why = "not a JSON object";
	if (*p++ != '{')
		return -1;
	p = skip_ws(p);
	if (*p == '}')
		return *skip_ws(p + 1) ? -1 : 0;
	for (;;) {
		char *key, *vend, c;
		int i = o->n;

		if (i == JREC_MAX) {
			*why = "too many keys";
			return -1;
		}
		*why = "bad key";
		if (*p++ != '"' || !(key = parse_string(p, &p)))
			return -1;
		p = skip_ws(p);
		if (*p++ != ':')
			return -1;
		p = skip_ws(p);
		if (!(vend = parse_value(p, o, i, why)))
			return -1;
		o->k[o->n++] = key;
		p = skip_ws(vend);
		c = *p;
		*vend = 0;	/* ends a number in place; a string ended before */
		*why = "expected , or }";
		if (c == '}') {
			*why = "text after the object";
			return *skip_ws(p + 1) ? -1 : 0;
		}
		if (c != ',')
			return -1;
		p = skip_ws(p + 1);
	}
}

int
jsonl_open(struct jsonl *r, const char *path, off_t from, int live,
    char *err, size_t errlen)
{
	int fd;

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->live = live;
	if ((fd = in_open(path, IN_MAX_FILE, err, errlen)) == -1)
		return -1;
	if ((from && lseek(fd, from, SEEK_SET) == -1) || !(r->f = fdopen(fd, "r"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	r->off = from;
	return 0;
}

int
jsonl_next(struct jsonl *r, const struct jrec **rec, char *err, size_t errlen)
{
	const char *why;
	ssize_t len;

	*rec = NULL;
	for (;;) {
		errno = 0;
		len = getline(&r->line, &r->cap, r->f);
		if (len <= 0) {
			if (ferror(r->f)) {
				snprintf(err, errlen, "%s:%zu: %s", r->path, r->lineno + 1,
				    strerror(errno ? errno : EIO));
				return -1;
			}
			return 0;
		}
		if (r->line[len - 1] != '\n' && r->live)
			return 0;	/* not whole yet: read again next time */
		r->off += len;
		r->lineno++;
		if (len > JSONL_MAX_LINE) {
			snprintf(err, errlen, "%s:%zu: line too long (%zd bytes)", r->path,
			    r->lineno, len);
			return -1;
		}
		if ((size_t)len != strlen(r->line)) {
			snprintf(err, errlen, "%s:%zu: a NUL byte in the line", r->path,
			    r->lineno);
			return -1;
		}
		if (*skip_ws(r->line) == 0)
			continue;	/* an empty line */
		if (jrec_parse(r->line, &r->rec, &why)) {
			snprintf(err, errlen, "%s:%zu: %s", r->path, r->lineno, why);
			return -1;
		}
		*rec = &r->rec;
		return 1;
	}
}

void
jsonl_close(struct jsonl *r)
{
	if (r->f)
		fclose(r->f);
	free(r->line);
	memset(r, 0, sizeof(*r));
}

static int
find(const struct jrec *o, const char *k)
{
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->k[i], k))
			return i;
	return -1;
}

int
jr_has(const struct jrec *o, const char *k)
{
	return find(o, k) >= 0;
}

const char *
jr_str(const struct jrec *o, const char *k)
{
	int i = find(o, k);

	return i >= 0 && o->type[i] == JT_STR ? o->v[i] : "";
}

/* An integer value (no fraction, no exponent) in range: 0, else -1. */
static int
int_of(const struct jrec *o, int i, int64_t *v)
{
	char *end;
	long long x;

	if (i < 0 || o->type[i] != JT_NUM || strpbrk(o->v[i], ".eE"))
		return -1;
	errno = 0;
	x = strtoll(o->v[i], &end, 10);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

int64_t
jr_int(const struct jrec *o, const char *k, int64_t dflt)
{
	int64_t v;

	return int_of(o, find(o, k), &v) ? dflt : v;
}

int
jr_time(const struct jrec *o, const char *k, int64_t *t)
{
	int64_t v;

	if (int_of(o, find(o, k), &v) || v < IN_T_MIN || v > IN_T_MAX)
		return -1;
	*t = v;
	return 0;
}
