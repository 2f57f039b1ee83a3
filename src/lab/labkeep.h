/*
 * labkeep.h - the by-hand lab of `timewait lab up/exec/down`: a keeper
 * process holds the lab (it owns the namespaces, so its pid is in every
 * name), captures on every host, and on SIGTERM writes the run folder and
 * destroys everything. The commands find it through a state file,
 * /run/timewait/<lab id>.json, which lives exactly as long as the keeper.
 */
#ifndef TIMEWAIT_LAB_KEEP_H
#define TIMEWAIT_LAB_KEEP_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "lab/lab.h"

#define LAB_STATE_DIR "/run/timewait"

struct lab_state {
	struct lab lab;			/* nsfds are -1 until opened */
	pid_t keeper;
	char staging[PATH_MAX];		/* pcaps and hosts file while up */
	char default_out[PATH_MAX];	/* runs/<id> under the cwd of `up`: for
					 * a stop without a folder (clean --all) */
	int captures;			/* 1 if pcaps are being written */
};

/* Forks the keeper and waits until the lab is up; fills st. 0 or -1. */
int lab_keeper_start(const char *const *names, int n, struct lab_state *st,
    char *err, size_t errlen);

/* The lab with this id, or the only one up when id is NULL.
 * 0; -1 none (or unreadable); -2 several up and id is NULL; -3 id is not
 * an identifier (fs_valid_id: a usage error). */
int lab_state_find(const char *id, struct lab_state *st, char *err, size_t errlen);

/* Parses a state file's text (len bytes) into st and checks every name
 * in it (id, when not NULL, must be the file's). 0 or -1 with err. The
 * state fuzz target (tests/fuzz/fuzz_state.c) calls it directly. */
int lab_state_parse(const char *text, size_t len, const char *id,
    struct lab_state *st, char *err, size_t errlen);

/* Opens the namespace of every host of st (for lab_spawn). 0 or -1. */
int lab_state_open(struct lab_state *st, char *err, size_t errlen);
void lab_state_close(struct lab_state *st);

/* Asks the keeper to write the run folder into out (NULL: its default) and
 * to take the lab down; waits until it is gone. out (absolute) is checked
 * first: its parent must be root's or the invoking user's and not
 * writable by others, out itself missing, empty or an earlier run folder
 * (it is replaced as a whole). 0 or -1 with err (also when the keeper
 * could not write the folder). */
int lab_keeper_stop(const struct lab_state *st, const char *out,
    char *err, size_t errlen);

/* Removes state files and staging folders of dead keepers (all: stops
 * the live ones first). Returns how many keepers it dealt with. */
int lab_state_clean(int all, int verbose);
/* The same for the state and staging folder of one dead keeper only (its
 * janitor's work): names with another pid in them are never touched. */
int lab_state_clean_owner(pid_t keeper);

#endif
