/*
 * template.c - a proxy's configuration, rendered from a template kept in
 * the repository (proxies/) with the addresses and the folder of one run.
 *
 * The syntax is the least that keeps nginx's and HAProxy's own braces
 * readable: {name} with name in [a-z][a-z0-9_]* is a placeholder, "{{" is a
 * literal "{" (Apache's %{remote}p is written %{{remote}p), every other
 * brace is text. An unknown placeholder stops the rendering with FILE:LINE,
 * so a typo never reaches the proxy as a literal "{bakend}". Values are
 * checked too: they land in configuration files, where a space, a quote or
 * a semicolon would be syntax.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy/proxy.h"
#include "util.h"

#define NAME_MAX_LEN 31
#define TEMPLATE_MAX (256 * 1024)

static int
is_name_start(char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '_';
}

static int
is_value_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == ':' || c == '/' ||
	    c == '_' || c == '-';
}

/* Length of the placeholder name after a '{' at s, if s holds
 * "{name}"; else 0. */
static size_t
placeholder_len(const char *s)
{
	size_t n = 0;

	if (!is_name_start(s[1]))
		return 0;
	while (is_name_char(s[1 + n]))
		n++;
	return s[1 + n] == '}' ? n : 0;
}

static const struct proxy_var *
find_var(const struct proxy_var *vars, size_t nvars, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < nvars; i++)
		if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
			return &vars[i];
	return NULL;
}

static int
check_vars(const struct proxy_var *vars, size_t nvars, char *err, size_t errlen)
{
	size_t i;
	const char *c;

	for (i = 0; i < nvars; i++) {
		size_t len = strlen(vars[i].name);

		if (len == 0 || len > NAME_MAX_LEN || !is_name_start(vars[i].name[0]) ||
		    strspn(vars[i].name, "abcdefghijklmnopqrstuvwxyz0123456789_") != len) {
			snprintf(err, errlen, "bad placeholder name '%s'", vars[i].name);
			return -1;
		}
		if (vars[i].value == NULL || vars[i].value[0] == '\0') {
			snprintf(err, errlen, "{%s} has no value", vars[i].name);
			return -1;
		}
		for (c = vars[i].value; *c; c++)
			if (!is_value_char(*c)) {
				snprintf(err, errlen, "{%s}: '%s' has a character a "
				    "configuration file could misread", vars[i].name,
				    vars[i].value);
				return -1;
			}
	}
	return 0;
}

long
proxy_render_text(const char *text, const char *file,
    const struct proxy_var *vars, size_t nvars,
    char *out, size_t outlen, char *err, size_t errlen)
{
	const struct proxy_var *v;
	const char *s, *piece;
	size_t used = 0, plen, len;
	long line = 1;

	if (check_vars(vars, nvars, err, errlen) < 0)
		return -1;
	for (s = text; *s; s += len) {
		piece = s;
		len = 1;
		if (s[0] == '{' && s[1] == '{') {
			len = 2;
			plen = 1;
		} else if (s[0] == '{' && (plen = placeholder_len(s)) > 0) {
			v = find_var(vars, nvars, s + 1, plen);
			if (v == NULL) {
				snprintf(err, errlen, "%s:%ld: unknown placeholder {%.*s}",
				    file, line, (int)plen, s + 1);
				return -1;
			}
			len = plen + 2;
			piece = v->value;
			plen = strlen(v->value);
		} else {
			plen = 1;
			if (*s == '\n')
				line++;
		}
		if (used + plen >= outlen) {
			snprintf(err, errlen, "%s: rendered text longer than %zu bytes",
			    file, outlen);
			return -1;
		}
		memcpy(out + used, piece, plen);
		used += plen;
	}
	out[used] = '\0';
	return (long)used;
}

/* The whole file at path, NUL-terminated, in a buffer the caller frees. */
static char *
read_template(const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(TEMPLATE_MAX + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + got, TEMPLATE_MAX + 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		got += (size_t)n;
		if (got > TEMPLATE_MAX) {
			snprintf(err, errlen, "%s: larger than %d bytes", path, TEMPLATE_MAX);
			goto fail;
		}
	}
	close(fd);
	buf[got] = '\0';
	if (strlen(buf) != got) {
		snprintf(err, errlen, "%s: holds a NUL byte", path);
		free(buf);
		return NULL;
	}
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

int
proxy_render_file(const char *path, int dirfd, const char *name,
    const struct proxy_var *vars, size_t nvars, char *err, size_t errlen)
{
	size_t outlen = 2 * TEMPLATE_MAX;
	char *text, *out;
	long n;
	int fd, ret = -1;

	text = read_template(path, err, errlen);
	if (text == NULL)
		return -1;
	out = malloc(outlen);
	if (out == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(text);
		return -1;
	}
	n = proxy_render_text(text, path, vars, nvars, out, outlen, err, errlen);
	if (n < 0)
		goto out;
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		goto out;
	}
	if (write_all(fd, out, (size_t)n) < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(text);
	free(out);
	return ret;
}
