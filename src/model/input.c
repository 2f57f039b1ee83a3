/*
 * input.c - safe opening of a run's files and the one JSON-lines reader
 * (input.h), for the run model, the checks and the runner's live waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/input.h"

int
in_open(const char *path, long long max, char *err, size_t errlen)
{
	struct stat st;
	int fd, e;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		e = errno;
		if (e == ELOOP)
			snprintf(err, errlen, "%s: a symbolic link, not a file", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (st.st_size > max) {
		snprintf(err, errlen, "%s: too big (%lld bytes, at most %lld)", path,
		    (long long)st.st_size, max);
		close(fd);
		errno = EFBIG;
		return -1;
	}
	/* A regular file never blocks; back to ordinary reads. */
	(void)fcntl(fd, F_SETFL, 0);
	return fd;
}

json_t *
in_load_json(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j;
	int fd = in_open(path, IN_MAX_JSON, err, errlen);

	if (fd == -1)
		return NULL;
	j = json_loadfd(fd, 0, &je);
	close(fd);
	if (!j) {
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		errno = EINVAL;
	}
	return j;
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
jsonl_next(struct jsonl *r, json_t **obj, char *err, size_t errlen)
{
	json_error_t je;
	ssize_t len;

	*obj = NULL;
	for (;;) {
		len = getline(&r->line, &r->cap, r->f);
		if (len <= 0) {
			if (ferror(r->f)) {
				snprintf(err, errlen, "%s:%zu: %s", r->path, r->lineno + 1,
				    strerror(errno));
				return -1;
			}
			return 0;
		}
		if (r->line[len - 1] != '\n' && r->live)
			return 0;	/* not whole yet: read again next time */
		r->off += len;
		r->lineno++;
		if (len > IN_MAX_LINE) {
			snprintf(err, errlen, "%s:%zu: line too long (%zd bytes)", r->path,
			    r->lineno, len);
			return -1;
		}
		if (len == 1 && r->line[0] == '\n')
			continue;
		*obj = json_loadb(r->line, (size_t)len, 0, &je);
		if (!*obj) {
			snprintf(err, errlen, "%s:%zu: %s", r->path, r->lineno, je.text);
			return -1;
		}
		if (!json_is_object(*obj)) {
			json_decref(*obj);
			*obj = NULL;
			snprintf(err, errlen, "%s:%zu: not a JSON object", r->path, r->lineno);
			return -1;
		}
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

const char *
j_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

int64_t
j_int(const json_t *o, const char *k, int64_t dflt)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

int
j_time(const json_t *o, const char *k, int64_t *t)
{
	json_t *v = json_object_get(o, k);
	json_int_t x;

	if (!json_is_integer(v))
		return -1;
	x = json_integer_value(v);
	if (x < IN_T_MIN || x > IN_T_MAX)
		return -1;
	*t = (int64_t)x;
	return 0;
}
