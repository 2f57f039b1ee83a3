/*
 * expand.h - a program's arguments with the lab filled in: {HOST} becomes
 * that host's IPv4 address, {HOST-v6} its IPv6 one, {dir} the scenario's
 * folder and {run} the test's run folder. Known only once the lab is
 * built, so done as each program starts.
 */
#ifndef TIMEWAIT_EXPAND_H
#define TIMEWAIT_EXPAND_H

#include <stddef.h>

#include "catalogue.h"
#include "lab/lab.h"

/* arg expanded into out. 0, or -1 (a name the lab does not have, too long). */
int scen_expand_lab(const struct test_spec *t, struct lab *lab, const char *rundir,
    const char *arg, char *out, size_t len);

/* The same with dir as {dir}: where a command sees the scenario's folder. */
int scen_expand_in(struct lab *lab, const char *dir, const char *rundir,
    const char *arg, char *out, size_t len);

#endif
