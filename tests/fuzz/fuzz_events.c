/*
 * fuzz_events.c - libFuzzer target: a program's event log (one JSON object a line).
 * Each input becomes client.client.events.jsonl of a real run folder, then
 * timeline_load reads the folder (see rundir.h). Built by 'make fuzz'.
 */
#include "rundir.h"

RUNDIR_TARGET("client.client.events.jsonl")
