/*
 * fuzz_result.c - libFuzzer target: the verdict file (read by the report; loaded with the folder).
 * Each input becomes result.json of a real run folder, then
 * timeline_load reads the folder (see rundir.h). Built by 'make fuzz'.
 */
#include "rundir.h"

RUNDIR_TARGET("result.json")
