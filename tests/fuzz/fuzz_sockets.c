/*
 * fuzz_sockets.c - libFuzzer target: a host's socket table (ss-like JSON lines).
 * Each input becomes server.sockets.jsonl of a real run folder, then
 * timeline_load reads the folder (see rundir.h). Built by 'make fuzz'.
 */
#include "rundir.h"

RUNDIR_TARGET("server.sockets.jsonl")
