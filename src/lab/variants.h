/*
 * variants.h - a test with `vary link A B delay D1 D2 ...`: the test's
 * race series once per delay (lab/series.c runs them), each variant's
 * outcomes in result.json ("variants"), report.md and on the terminal.
 *
 * Files: the first variant's run is the test's folder itself (its
 * captures, runs.jsonl and drawings: what `timewait report` and the
 * run's report.html show); each other variant's is a folder inside it,
 * named after it (delay-10ms/), a whole race folder of its own.
 */
#ifndef TIMEWAIT_LAB_VARIANTS_H
#define TIMEWAIT_LAB_VARIANTS_H

#include <stdio.h>

#include <jansson.h>

#include "catalogue.h"
#include "checks.h"

#define VARIANT_OUTCOMES 8

/* What one variant's series came to. */
struct variant_run {
	unsigned delay_ms;
	char label[16];		/* "10ms" */
	char folder[32];	/* "." (the first) or "delay-10ms" */
	struct outcome_count oc[VARIANT_OUTCOMES];
	int noc;
	int runs;		/* runs classified */
	int consistent;		/* of them, a legitimate outcome the TIME_WAITs agree with */
	double rtt_ms;		/* the handshakes' median round trip at the client; -1: none */
	double seconds;
	char error[256];
};

/* t as variant v: its vary link delayed by the variant's delay both ways
 * (0: not delayed), no vary of its own. NULL when out of memory. Free with
 * free() (the strings stay t's). */
struct test_spec *variant_spec(const struct test_spec *t, int v);
/* label and folder of variant v of t into vr, its counts zeroed. */
void variant_init(const struct test_spec *t, int v, struct variant_run *vr);
/* The median SYN to SYN-ACK time at the client over the race's
 * connections (client ports base .. base+n-1) of tl; -1 if none. */
double variant_rtt_ms(const struct timeline *tl, int base, int n);
/* How many of variant vr's runs ended in outcome name. */
int variant_count(const struct variant_run *vr, const char *name);
/* Judge an outcome check (CK_OUTCOME) against the variants; 1: pass. */
int variant_judge(const struct check_spec *c, const struct variant_run *vr, int nvr,
    char *seen, size_t len);
/* The "variants" array of result.json. */
json_t *variants_json(const struct test_spec *t, const struct variant_run *vr, int nvr);
/* The test's folder dir: result.json gets "variants" and the runs over
 * them (per_variant each), report.md the table. 0, or -1 with errno. */
int variants_write(const char *dir, const struct test_spec *t, const struct variant_run *vr,
    int nvr, long per_variant, int runs, int passed_runs);
/* One line per variant, for the terminal and report.md (md: a table). */
void variants_print(FILE *f, const char *id, const struct vary_spec *v, json_t *variants,
    int md);
/* After `lab run`: the lines of test id from out/id/result.json, if it has
 * variants. */
void variants_show(const char *out, const char *id, FILE *f);

#endif
