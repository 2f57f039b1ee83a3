/*
 * catalogue.c - the shipped tests: scenario files (scenarios/ID.scen),
 * found at run time so that a test can be changed without a rebuild, and
 * a user's own files given by path. The seed's eight (000-007) as
 * SCENARIOS.md defines them, then a variant for each seed test whose point
 * is a failure, showing the way around it.
 *
 * Where the shipped files are: $TIMEWAIT_SCENARIOS; else the repository's
 * scenarios/ beside the build folder of the running binary (build/timewait,
 * build/asan/timewait, build/asan/tests/test_x: up to three levels, where
 * the repository's Makefile is); else, for an installed binary
 * PREFIX/bin/timewait, PREFIX/share/timewait/scenarios.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalogue.h"
#include "scen/knobs.h"
#include "scen/scenfile.h"

/* Every test selected for this run, kept for the life of the process. */
static struct test_spec **chosen;
static int nchosen;

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
catalogue_dir(char *dir, size_t len, char *err, size_t errlen)
{
	/* The repository's folder (beside its Makefile), then an installed one. */
	static const char *const beside[] = {
		"../scenarios", "../../scenarios", "../../../scenarios",
		"../share/timewait/scenarios", NULL,
	};
	static const char *const marks[] = {
		"../Makefile", "../../Makefile", "../../../Makefile", NULL, NULL,
	};
	const char *env = getenv("TIMEWAIT_SCENARIOS");
	char exe[PATH_MAX], *slash;
	ssize_t n;
	int i;

	if (env != NULL && *env != '\0') {
		if (!is_dir(env)) {
			snprintf(err, errlen, "TIMEWAIT_SCENARIOS=%s is not a folder", env);
			return -1;
		}
		snprintf(dir, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL)
			*slash = '\0';
		for (i = 0; beside[i] != NULL; i++) {
			char mark[PATH_MAX];

			if (marks[i] != NULL && (snprintf(mark, sizeof(mark), "%s/%s", exe, marks[i]) >=
			    (int)sizeof(mark) || access(mark, F_OK) != 0))
				continue;
			if (snprintf(dir, len, "%s/%s", exe, beside[i]) < (int)len && is_dir(dir)) {
				char real[PATH_MAX];

				if (realpath(dir, real) != NULL)
					snprintf(dir, len, "%s", real);
				return 0;
			}
		}
	}
	snprintf(err, errlen, "no shipped scenarios found (set TIMEWAIT_SCENARIOS to the "
	    "scenarios/ folder, or 'make install')");
	return -1;
}

int
catalogue_is_path(const char *arg)
{
	size_t n = strlen(arg), e = strlen(SCEN_EXT);

	return strchr(arg, '/') != NULL || (n > e && strcmp(arg + n - e, SCEN_EXT) == 0);
}

/* The shipped test of that id, from dir. */
static struct test_spec *
load_shipped(const char *dir, const char *id, int *malformed, char *err, size_t errlen)
{
	struct test_spec *t;
	char path[PATH_MAX];

	if (!scen_valid_name(id)) {
		snprintf(err, errlen, "no test '%s' (see 'timewait lab list')", id);
		return NULL;
	}
	if (snprintf(path, sizeof(path), "%s/%s%s", dir, id, SCEN_EXT) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return NULL;
	}
	if (access(path, F_OK) != 0) {
		snprintf(err, errlen, "no test '%s' in %s (see 'timewait lab list')", id, dir);
		return NULL;
	}
	t = scen_load(path, err, errlen);
	if (t == NULL) {
		*malformed = 1;
		return NULL;
	}
	/* The file name is the id the user types: they must agree. */
	if (strcmp(t->id, id) != 0) {
		snprintf(err, errlen, "%s: its test is '%s': a shipped file is named ID%s", path,
		    t->id, SCEN_EXT);
		*malformed = 1;
		scen_free(t);
		return NULL;
	}
	t->shipped = 1;
	return t;
}

struct test_spec *
catalogue_load(const char *arg, int *malformed, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct test_spec *t;

	*malformed = 0;
	if (catalogue_is_path(arg)) {
		t = scen_load(arg, err, errlen);
		/* A file that is there but wrong is malformed; a missing one is not found. */
		if (t == NULL && access(arg, F_OK) == 0)
			*malformed = 1;
		return t;
	}
	if (catalogue_dir(dir, sizeof(dir), err, errlen) < 0)
		return NULL;
	return load_shipped(dir, arg, malformed, err, errlen);
}

static int
by_seed_then_id(const void *a, const void *b)
{
	const struct test_spec *x = *(struct test_spec *const *)a;
	const struct test_spec *y = *(struct test_spec *const *)b;

	if (x->seed != y->seed)
		return y->seed - x->seed;
	return strcmp(x->id, y->id);
}

int
catalogue_load_all(struct test_spec ***out, int *malformed, char *err, size_t errlen)
{
	struct test_spec **all = NULL, *t;
	char dir[PATH_MAX], id[256];
	struct dirent *e;
	int n = 0, cap = 0;
	size_t len, ext = strlen(SCEN_EXT);
	DIR *d;

	*malformed = 0;
	if (catalogue_dir(dir, sizeof(dir), err, errlen) < 0)
		return -1;
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len <= ext || strcmp(e->d_name + len - ext, SCEN_EXT) != 0 ||
		    len - ext >= sizeof(id) || e->d_name[0] == '.')
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(len - ext), e->d_name);
		if (n == cap) {
			struct test_spec **m = realloc(all, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*m));

			if (m == NULL) {
				snprintf(err, errlen, "out of memory");
				break;
			}
			all = m;
		}
		t = load_shipped(dir, id, malformed, err, errlen);
		if (t == NULL)
			break;
		all[n++] = t;
	}
	closedir(d);
	if (e != NULL) {
		catalogue_free_all(all, n);
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "no scenario in %s", dir);
		free(all);
		return -1;
	}
	qsort(all, (size_t)n, sizeof(*all), by_seed_then_id);
	*out = all;
	return n;
}

void
catalogue_free_all(struct test_spec **tests, int n)
{
	int i;

	for (i = 0; i < n; i++)
		scen_free(tests[i]);
	free(tests);
}

/* Keep t for the run, unless a test of that id is there: the same file
 * again is dropped, another file with the same id is refused. */
static int
choose(struct test_spec *t, char *err, size_t errlen)
{
	struct test_spec **m;
	int i;

	for (i = 0; i < nchosen; i++)
		if (strcmp(chosen[i]->id, t->id) == 0) {
			char a[PATH_MAX], b[PATH_MAX];

			if (realpath(chosen[i]->file, a) != NULL && realpath(t->file, b) != NULL &&
			    strcmp(a, b) == 0) {
				scen_free(t);
				return 0;
			}
			snprintf(err, errlen, "two tests named '%s' in one run (%s and %s): give "
			    "a copy its own 'test' line", t->id, chosen[i]->file, t->file);
			scen_free(t);
			return -1;
		}
	m = realloc(chosen, (size_t)(nchosen + 1) * sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		scen_free(t);
		return -1;
	}
	chosen = m;
	chosen[nchosen++] = t;
	return 0;
}

int
catalogue_select(char *const *args, int nargs, const char *const *knobs, int nknobs,
    const struct test_spec **out, int max, int *malformed, char *err, size_t errlen)
{
	struct test_spec **all = NULL, *t;
	int i, j, nall = 0, first = nchosen, tried;

	*malformed = 0;
	for (i = 0; i < nargs; i++) {
		if (strcmp(args[i], "all") == 0 || strcmp(args[i], "seed") == 0) {
			if (all == NULL && (nall = catalogue_load_all(&all, malformed, err, errlen)) < 0)
				return -1;
			for (j = 0; j < nall; j++) {
				if (all[j] == NULL || (!all[j]->seed && strcmp(args[i], "seed") == 0))
					continue;
				t = all[j];
				all[j] = NULL;
				if (choose(t, err, errlen) < 0)
					goto fail;
			}
			continue;
		}
		t = catalogue_load(args[i], malformed, err, errlen);
		if (t == NULL || choose(t, err, errlen) < 0)
			goto fail;
	}
	if (nchosen - first > max) {
		snprintf(err, errlen, "too many tests at once (at most %d)", max);
		goto fail;
	}
	for (i = first; i < nchosen; i++) {
		for (j = 0; j < nknobs; j++)
			if (scen_add_sysctl(chosen[i], knobs[j], err, errlen) < 0)
				goto fail;
		if (catalogue_runnable(chosen[i], err, errlen) < 0)
			goto fail;
		out[i - first] = chosen[i];
	}
	if (knobs_probe(out, nchosen - first, &tried, err, errlen) < 0) {
		*malformed = 1;
		goto fail;
	}
	catalogue_free_all(all, nall);
	return nchosen - first;
fail:
	catalogue_free_all(all, nall > 0 ? nall : 0);
	return -1;
}

int
catalogue_runnable(const struct test_spec *t, char *err, size_t errlen)
{
	/* Every program the parser takes runs now: timewait server and
	 * client, proxies (lab/proxyrun.c) and commands (lab/interp.c). */
	(void)t;
	(void)err;
	(void)errlen;
	return 0;
}

const struct proc_spec *
test_proc(const struct test_spec *t, const char *name)
{
	int i;

	for (i = 0; i < CAT_MAX_PROCS && t->procs[i].name != NULL; i++)
		if (strcmp(t->procs[i].name, name) == 0)
			return &t->procs[i];
	return NULL;
}

int
test_nprocs(const struct test_spec *t)
{
	int n = 0;

	while (n < CAT_MAX_PROCS && t->procs[n].name != NULL)
		n++;
	return n;
}

int
test_nhosts(const struct test_spec *t)
{
	int n = 0;

	while (n < CAT_MAX_HOSTS && t->hosts[n] != NULL)
		n++;
	return n;
}
