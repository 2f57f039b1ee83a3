/*
 * fuzz_trace.c - libFuzzer target: the kernel trace (TCP state changes and resets, JSON lines).
 * Each input becomes trace.jsonl of a real run folder, then
 * timeline_load reads the folder (see rundir.h). Built by 'make fuzz'.
 */
#include "rundir.h"

RUNDIR_TARGET("trace.jsonl")
