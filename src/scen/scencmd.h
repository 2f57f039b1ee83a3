/*
 * scencmd.h - `timewait lab list` and `timewait lab check`: the scenario
 * files, shipped and given, listed or validated without running them.
 */
#ifndef TIMEWAIT_SCENCMD_H
#define TIMEWAIT_SCENCMD_H

int scen_list_main(int argc, char **argv);	/* argv[0] = "list" */
int scen_check_main(int argc, char **argv);	/* argv[0] = "check" */

#endif
