/*
 * input.c - safe opening of a run's files and JSON documents (input.h).
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
