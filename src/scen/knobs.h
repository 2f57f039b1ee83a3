/*
 * knobs.h - a test's kernel knobs (network sysctls), set only inside its
 * lab hosts' network namespaces and never in the machine's own: tried
 * first in a namespace of their own (before any lab is built), then set
 * in each host and read back.
 */
#ifndef TIMEWAIT_KNOBS_H
#define TIMEWAIT_KNOBS_H

#include <stddef.h>

#include <jansson.h>

#include "catalogue.h"
#include "lab/lab.h"

/*
 * Try every sysctl of tests[0..n-1] in a throwaway network namespace (a
 * child process's; nothing stays): refuses one that a namespace does not
 * have (not per namespace), cannot write (global to the machine) or keeps
 * with another value. Needs root; without it returns 0 untried
 * (*tried = 0). 0, or -1 with "FILE:LINE: what" in err.
 */
int knobs_probe(const struct test_spec *const *tests, int n, int *tried, char *err,
    size_t errlen);

/* Set t's sysctls in its lab's hosts, read each back and check it holds
 * the value asked for, and that the machine's own value did not move.
 * 0, or -1 with a sentence in err. */
int knobs_apply(const struct test_spec *t, struct lab *lab, char *err, size_t errlen);

/* {"HOST": {"KEY": "VALUE"}} for result.json; NULL when t sets none. */
json_t *knobs_json(const struct test_spec *t);

/* Two sysctl values the same once blanks are one space and numbers numbers:
 * "32768\t60999" and "32768 60999", "05" and "5". */
int knobs_same(const char *a, const char *b);

#endif
