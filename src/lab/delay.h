/*
 * delay.h - a link's delay, jitter and random loss (a scenario's `link A B
 * delay 10ms ...`, and its rate, duplicate and reorder), on a kernel without netem: the lab's bridge hands
 * each impaired direction's packets to a queue (NFQUEUE, in the switch
 * namespace, through iptables' FORWARD chain and br_netfilter), and a
 * thread of the runner gives each its verdict: accept once its delay has
 * passed, or drop it. Held on the bridge, a packet is captured leaving
 * one host and arriving at the other a delay later: on the wire.
 */
#ifndef TIMEWAIT_LAB_DELAY_H
#define TIMEWAIT_LAB_DELAY_H

#include <stddef.h>

#include "catalogue.h"
#include "lab/lab.h"

struct delay_engine;

/* What one direction of a link did: packets passed (after their delay),
 * packets dropped by its loss, packets passed at once for want of room;
 * copies sent (and not sent: the packet socket refused), packets sent
 * right behind a later one (and set aside but then sent alone: nothing
 * came after them), packets the rate's full queue dropped, bytes of
 * Ethernet frames sent (copies too). */
struct delay_count {
	long long passed, lost, overflow;
	long long duplicated, dup_failed, reordered, reorder_alone, queue_drops, bytes;
};

/* Whether direction d of l (0: a to b) has an impairment for the thread. */
int delay_dir_on(const struct link_spec *l, int d);
/* 1 if t has a link with a delay, loss, rate, duplication or reordering. */
int delay_wanted(const struct test_spec *t);
/* The rules and the thread for t's links in lab: NULL and err on failure
 * (nothing left set up), or when there is nothing to do (err empty). */
struct delay_engine *delay_start(const struct test_spec *t, const struct lab *lab,
    char *err, size_t errlen);
/* Write what the thread did to single packets to path (links.jsonl) when
 * it stops. */
void delay_set_log(struct delay_engine *e, const char *path);
/* Pass every packet still held, stop the thread; counts[link][direction]
 * (0: a to b). NULL is nothing to stop. */
void delay_stop(struct delay_engine *e, struct delay_count counts[CAT_MAX_LINKS][2]);

#endif
