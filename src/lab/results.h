/*
 * results.h - a test's folder: result.json (for machines), report.md (for
 * a person), lab.json (the hosts), snapshots.json (the socket tables).
 */
#ifndef TIMEWAIT_RESULTS_H
#define TIMEWAIT_RESULTS_H

#include <stdio.h>

#include <jansson.h>

#include "checks.h"
#include "lab/lab.h"

void outcome_add(struct outcome_count *o, int *n, int max, const char *name);
/* Remove what an earlier run of the same test left in dir. */
int results_clear(const char *dir);
int results_write(const char *dir, const struct test_rec *r,
    const struct check_result *res, int nres, int ok,
    const struct outcome_count *oc, int noc, int runs, int passed_runs,
    double seconds);
/* result.json of dir with fields (an object, taken) added or replacing
 * its own: a test's variants (lab/variants.c). 0, or -1 with errno. */
int results_merge_json(const char *dir, json_t *fields);
/* After the drawings: report.md gets the Mermaid diagram and the trace's figures.
 * 0, or -1 with errno (a full disk: ENOSPC). */
int results_append_drawings(const char *dir, const struct test_rec *r);
/* The packets of a test, in order, for the terminal. */
void results_show(const char *out, const char *id, FILE *f);

#endif
