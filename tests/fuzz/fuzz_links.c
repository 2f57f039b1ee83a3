/*
 * fuzz_links.c - libFuzzer target: links.jsonl, what the lab's links did
 * to single packets (written by lab/delay.c; the run model marks the
 * packets it names, model/packets.c mark_links). Each input becomes
 * links.jsonl of a real run folder, then timeline_load reads the folder
 * (see rundir.h). Built by 'make fuzz'.
 */
#include "rundir.h"

RUNDIR_TARGET("links.jsonl")
