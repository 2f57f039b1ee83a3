/*
 * fuzz_labjson.c - libFuzzer target: the lab's hosts (names and addresses every other file is matched to).
 * Each input becomes lab.json of a real run folder, then
 * timeline_load reads the folder (see rundir.h). Built by 'make fuzz'.
 */
#include "rundir.h"

RUNDIR_TARGET("lab.json")
