/*
 * outfile.h - writing one output file of a run folder (timeline.json, the
 * drawings) so that nothing planted there is followed and nothing good is
 * lost: the file is written in full under a fresh name (O_EXCL, never a
 * link) and only then renamed over the old one.
 */
#ifndef TIMEWAIT_MODEL_OUTFILE_H
#define TIMEWAIT_MODEL_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

/* dir/name from fn(ctx, f). 0, or -1 with "path: why" in err (the old
 * file, if any, left as it was). */
int outfile_write(const char *dir, const char *name,
    int (*fn)(const void *ctx, FILE *f), const void *ctx, char *err,
    size_t errlen);

#endif
