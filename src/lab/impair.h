/*
 * impair.h - the lab's impaired wire (lab/impair.c): a scenario's drops
 * made with nftables in the sending hosts' namespaces, and what they and
 * the hosts' /proc/net/netstat counters showed at the end of a run.
 */
#ifndef TIMEWAIT_LAB_IMPAIR_H
#define TIMEWAIT_LAB_IMPAIR_H

#include <stddef.h>

#include "checks.h"
#include "lab/lab.h"

/* Every drop of t, in the sending host's namespace of the built lab; the
 * rules written to dir/HOST.nft.txt too. 0, or -1 with err. */
int impair_apply(const struct test_spec *t, const struct lab *lab, const char *dir,
    char *err, size_t errlen);
/* At the end of a run, before the lab goes: the drops' counters into
 * r->dropped, the netstat counters the checks name into r->netstat. Once. */
void impair_read(struct test_rec *r, const struct lab *lab);

#endif
