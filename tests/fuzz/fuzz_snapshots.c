/*
 * fuzz_snapshots.c - libFuzzer target: the runner's socket snapshots (one JSON array).
 * Each input becomes snapshots.json of a real run folder, then
 * timeline_load reads the folder (see rundir.h). Built by 'make fuzz'.
 */
#include "rundir.h"

RUNDIR_TARGET("snapshots.json")
