/*
 * sysctl.c - reading and writing a namespace's /proc/sys values (see
 * sysctl.h): one short open/read or open/write while the thread sits in
 * the namespace. The lab sets its hosts' defaults this way and the bench
 * its per-host tuning.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "host/netns.h"
#include "host/sysctl.h"
#include "util.h"

static int
sysctl_path(char *path, size_t len, const char *key)
{
	if (key[0] == '/' || strstr(key, "..") != NULL) {
		errno = EINVAL;
		return -1;
	}
	if (fmt(path, len, "/proc/sys/%s", key) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
write_here(const char *key, const char *value)
{
	char path[PATH_MAX];
	int fd, rc;

	if (sysctl_path(path, sizeof(path), key) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = write_all(fd, value, strlen(value));
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

static int
read_here(const char *key, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;

	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	if (sysctl_path(path, sizeof(path), key) < 0)
		return -1;
	if ((n = read_small_file(path, buf, len)) < 0)
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

struct sysctl_job {
	const char *key, *value;	/* value NULL: read into buf */
	char *buf;
	size_t len;
};

static int
sysctl_job_run(void *arg)
{
	struct sysctl_job *j = arg;

	return j->value != NULL ? write_here(j->key, j->value) :
	    read_here(j->key, j->buf, j->len);
}

int
host_sysctl_set(int nsfd, const char *key, const char *value)
{
	struct sysctl_job j = { key, value, NULL, 0 };

	return host_netns_run(nsfd, sysctl_job_run, &j);
}

int
host_sysctl_get(int nsfd, const char *key, char *buf, size_t len)
{
	struct sysctl_job j = { key, NULL, buf, len };

	return host_netns_run(nsfd, sysctl_job_run, &j);
}

int
host_sysctl_set_all(const char *const kv[][2], int optional, const char **failed)
{
	int i;

	for (i = 0; kv[i][0] != NULL; i++)
		if (write_here(kv[i][0], kv[i][1]) < 0 &&
		    !(optional && errno == ENOENT)) {
			if (failed != NULL)
				*failed = kv[i][0];
			return -1;
		}
	return 0;
}
