/*
 * files.c - a test's drawn files: from its folder, the run model is
 * loaded once and timeline.json, sequence.svg, sequence.puml and
 * sequence.mmd written next to the inputs, each through a fresh file and
 * a rename (model/outfile.h), so a failed draw leaves the old files and a
 * link planted in the folder is replaced, never followed. Used by `lab run`
 * after each test, by `timewait report` and by the HTML page (html.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/outfile.h"
#include "render/render.h"

struct drawing {
	const char *name;
	int (*fn)(const struct timeline *, FILE *);
}
;

static const struct drawing drawings[] = {
	{ "timeline.json", timeline_write_json },
}
;

struct job {
	const struct timeline *tl;
	int (*fn)(const struct timeline *, FILE *);
}
;

static int
run_job(const void *ctx, FILE *f)
{
	const struct job *j = ctx;

	return j->fn(j->tl, f);
}

int
render_files(const char *dir, const struct timeline *tl, char *err,
    size_t errlen)
{
	for (size_t i = 0; i < sizeof(drawings) / sizeof(drawings[0]); i++) {
		struct job j = { tl, drawings[i].fn };

		if (outfile_write(dir, drawings[i].name, run_job, &j, err, errlen))
			return -1;
	}
	/* The sequence drawings: which runs of a race, how many files (pick.c). */
	return render_drawings(dir, tl, err, errlen);
}

void
render_say(FILE *say, const char *dir, const struct timeline *tl)
{
	if (!say)
		return;
	fprintf(say, "%s: wrote timeline.json, sequence.svg, sequence.puml, "
	    "sequence.mmd (%zu connection%s, %zu program event%s)\n", dir,
	    tl->nconns, tl->nconns == 1 ? "" : "s", tl->nevents,
	    tl->nevents == 1 ? "" : "s");
	if (tl->clock_estimated)
		fprintf(say, "%s: %s's clock runs %+.3f ms from the other host's "
		    "(estimated from the handshakes); its times are corrected\n", dir,
		    tl->clock_host, (double)tl->clock_offset_ns / 1e6);
}

static int
has_file(const char *dir, const char *name)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

int
render_load(const char *testdir, int remote, struct timeline **tl, char *err,
    size_t errlen)
{
	if (remote || !has_file(testdir, "lab.json"))
		return timeline_load_remote(testdir, tl, err, errlen);
	return timeline_load(testdir, tl, err, errlen);
}

int
render_test(const char *testdir, int remote, FILE *say, char *err,
    size_t errlen)
{
	struct timeline *tl;
	int rc;

	if (render_load(testdir, remote, &tl, err, errlen))
		return -1;
	rc = render_files(testdir, tl, err, errlen);
	if (rc == 0)
		render_say(say, testdir, tl);
	timeline_free(tl);
	return rc;
}

int
render_all(const char *testdir, int remote, char *err, size_t errlen)
{
	return render_test(testdir, remote, stderr, err, errlen);
}

int
render_text(const char *testdir, FILE *out, int color)
{
	struct timeline *tl;
	char err[512];
	int rc;

	if (render_load(testdir, 0, &tl, err, sizeof(err))) {
		fprintf(stderr, "timewait: %s\n", err);
		return -1;
	}
	rc = render_text_picked(testdir, tl, out, color, (size_t)-1);	/* a race's runs */
	timeline_free(tl);
	return rc;
}
