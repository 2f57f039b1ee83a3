/*
 * input.h - reading a run's files safely: every file the model, the checks
 * and the runner's live waits read goes through here.
 *
 * A file is opened without following a link and without blocking, then
 * refused unless it is a regular file of bounded size: a FIFO, a device or
 * a link put in a run folder can neither hang nor feed us endless bytes.
 * A JSON document (lab.json, snapshots.json) is read with jansson, and an
 * error names the file and its line; JSON-lines files have jsonl.h.
 */
#ifndef TIMEWAIT_MODEL_INPUT_H
#define TIMEWAIT_MODEL_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

#define IN_MAX_FILE (1LL << 30)		/* a pcap or a JSON-lines file */
#define IN_MAX_JSON (64LL << 20)	/* a whole-file JSON document */

/* Times a run can hold: ns since the epoch, from 1970 to 2116 (every
 * pcap time fits), so that the difference of two of them, or one plus a
 * minute of TIME_WAIT, cannot overflow. */
#define IN_T_MIN 0LL
#define IN_T_MAX (INT64_MAX / 2)

/*
 * Open path read-only: a regular file of at most max bytes, never through
 * a link. The fd, or -1 with errno set and "path: why" in err (errno
 * ENOENT: the file is not there).
 */
int in_open(const char *path, long long max, char *err, size_t errlen);

/* A whole JSON document (lab.json, snapshots.json): NULL with errno ENOENT
 * when the file is missing, NULL with err for anything else. */
json_t *in_load_json(const char *path, char *err, size_t errlen);

/* Field readers of a JSON document's objects: "" / dflt when absent or
 * of another type. */
const char *j_str(const json_t *o, const char *k);
int64_t j_int(const json_t *o, const char *k, int64_t dflt);
/* A time field: 0, or -1 when absent, not an integer or out of
 * [IN_T_MIN, IN_T_MAX]. */
int j_time(const json_t *o, const char *k, int64_t *t);

#endif
