/*
 * reportmd.h - report.md of a test (reportmd.c): the renderer of the run
 * model together with what the checks found, for a person.
 */
#ifndef TIMEWAIT_RENDER_REPORTMD_H
#define TIMEWAIT_RENDER_REPORTMD_H

#include <stdio.h>

#include "checks.h"

/* Everything but the drawings: what ran, checks, outcomes (oc NULL: a
 * single run), who held TIME_WAIT, packets, sockets, capture figures. */
void render_report_md(FILE *f, const struct test_rec *r,
    const struct check_result *res, int nres, int ok,
    const struct outcome_count *oc, int noc, int runs);
/* The Mermaid diagram of r->tl (or why there is none) and the trace's
 * figures, once the drawings are made. */
void render_report_md_drawings(FILE *f, const struct test_rec *r);

#endif
