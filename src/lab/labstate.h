/*
 * labstate.h - the state files of by-hand labs (labstate.c), shared by the
 * keeper (labkeep.c) and nothing else. lab_state_parse, for the fuzz
 * target too, is in labkeep.h.
 */
#ifndef TIMEWAIT_LAB_STATE_H
#define TIMEWAIT_LAB_STATE_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "lab/labkeep.h"

/* "<id><ext>", the name of a state file in LAB_STATE_DIR; -1 (EINVAL) if
 * id is not an identifier (fs_valid_id). */
int lab_state_name(char *buf, size_t len, const char *id, const char *ext);
/* <id>.json of st, written whole into the state folder sdir. 0 or -1. */
int lab_state_write(int sdir, const struct lab_state *st);
/* Reads and checks <id>.json. 0; -1 no such lab or unusable (err says);
 * -3 id is not an identifier. */
int lab_state_load(const char *id, struct lab_state *st, char *err, size_t errlen);
/* Ids of the labs with a state file, at most max. */
int lab_state_ids(char ids[][40], int max);
/* root as JSON into name in folder dirfd, whole or not at all. 0 or -1. */
int lab_json_write_at(int dirfd, const char *name, json_t *root, mode_t mode);

#endif
