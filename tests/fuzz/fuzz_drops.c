/*
 * fuzz_drops.c - libFuzzer target: the segments the lab dropped, one JSON
 * object a line (lab/droplog.c). Each input becomes client.drops.jsonl of
 * a real run folder, then timeline_load reads the folder (see rundir.h).
 * Built by 'make fuzz'.
 */
#include "rundir.h"

RUNDIR_TARGET("client.drops.jsonl")
