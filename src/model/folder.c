/*
 * folder.c - a test's folder as the run model's stages see it: which of
 * its files end with a suffix (sorted by name), whether an optional file is
 * merely missing, and which lab host owns an address or a name. Shared by
 * the stages, so none of them calls back into load.c.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/work.h"

int
missing(struct work *w)
{
	if (errno != ENOENT)
		return -1;
	if (w->errlen)
		w->err[0] = 0;
	return 0;
}

int
host_of_addr(const struct timeline *tl, const char *addr)
{
	for (int i = 0; i < tl->nhosts; i++)
		if (!strcmp(tl->hosts[i].addr, addr) ||
		    (tl->hosts[i].addr6[0] && !strcmp(tl->hosts[i].addr6, addr)))
			return i;
	return -1;
}

int
host_by_name(const struct timeline *tl, const char *name)
{
	for (int i = 0; i < tl->nhosts; i++)
		if (!strcmp(tl->hosts[i].name, name))
			return i;
	return -1;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
list_files(struct work *w, const char *suffix, char ***out, size_t *n)
{
	DIR *d = opendir(w->tl->testdir);
	struct dirent *e;
	char **v = NULL;
	size_t cnt = 0, cap = 0, sl = strlen(suffix);

	*out = NULL;
	*n = 0;
	if (!d) {
		snprintf(w->err, w->errlen, "%s: %s", w->tl->testdir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char *s;

		if (l <= sl || strcmp(e->d_name + l - sl, suffix))
			continue;
		if (!(s = strdup(e->d_name)) || VEC_PUSH(v, cnt, cap, s)) {
			free(s);
			closedir(d);
			free_list(v, cnt);
			snprintf(w->err, w->errlen, "out of memory");
			return -1;
		}
	}
	closedir(d);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_name);
	*out = v;
	*n = cnt;
	return 0;
}

void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

