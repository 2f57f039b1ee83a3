/*
 * benchfmt.c - the errors of a run in one line ("EADDRNOTAVAIL 1198,
 * ECONNREFUSED 3", or "none"), for the summaries of direct runs
 * (benchout.c) and of runs through a proxy (viaout.c).
 */
#include <stdio.h>

#include "bench/bench.h"
#include "util.h"

void
bench_print_errors(FILE *f, const struct run_result *r)
{
	int i, any = 0;

	for (i = 0; i <= BENCH_ERRNO_MAX; i++)
		if (r->errors[i]) {
			fprintf(f, "%s%s %llu", any ? ", " : "",
			    i == BENCH_ERR_EOF ? "EOF" : errno_name(i),
			    (unsigned long long)r->errors[i]);
			any = 1;
		}
	if (!any)
		fprintf(f, "none");
}
