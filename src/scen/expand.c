/*
 * expand.c - {HOST} substitution with a built lab's addresses; the
 * grammar of braces is scenlex.c's (scen_expand), the addresses the lab's.
 */
#include <string.h>

#include "scen/expand.h"
#include "scen/scenfile.h"

static const char *
lab_address(void *ctx, const char *host, int v6)
{
	struct lab_host *h = lab_host(ctx, host);

	if (h == NULL)
		return NULL;
	if (v6)
		return h->addr6[0] ? h->addr6 : NULL;
	return h->addr;
}

int
scen_expand_lab(const struct test_spec *t, struct lab *lab, const char *rundir,
    const char *arg, char *out, size_t len)
{
	return scen_expand(arg, lab_address, lab, t->dir ? t->dir : ".", rundir, out, len);
}

int
scen_expand_in(struct lab *lab, const char *dir, const char *rundir,
    const char *arg, char *out, size_t len)
{
	return scen_expand(arg, lab_address, lab, dir, rundir, out, len);
}
