/*
 * run.h - `timewait lab run` and `timewait lab list`: the test catalogue run
 * in labs, checked, and written to a run folder. labcmd.c dispatches here.
 */
#ifndef TIMEWAIT_RUN_H
#define TIMEWAIT_RUN_H

#include "cli/flags.h"

extern const struct flag_cmd lab_run_cmd;

int lab_run_main(int argc, char **argv);	/* argv[0] = "run" */

#endif
