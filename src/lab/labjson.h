/*
 * labjson.h - lab.json, the description of a lab's hosts that a run folder
 * keeps: one writer and one schema for `lab run` (each test's folder) and
 * `lab up`/`lab down` (the folder down writes), as docs/formats.md gives
 * it. Readers (the timeline, the reports) take the hosts' names and
 * addresses from it.
 */
#ifndef TIMEWAIT_LAB_JSON_H
#define TIMEWAIT_LAB_JSON_H

#include "host/capture.h"
#include "lab/lab.h"

/* The "kind" of a lab: made by `lab run` for one test, or by `lab up`. */
#define LAB_JSON_RUN "run"
#define LAB_JSON_BY_HAND "by-hand"

/*
 * Writes <dir>/lab.json for lab (its sysctls read back from the hosts, so
 * the namespaces must still be there). captured: per host, 1 if
 * <host>.pcap is in dir; NULL: every host's is (lab run captures them all).
 * stats: per host, the capture's figures; NULL: none written (lab run keeps
 * them in result.json). 0, or -1 with a message on stderr.
 */
int lab_json_write(const char *dir, const struct lab *lab, const char *kind,
    const int *captured, const struct capture_stats *stats);

#endif
