/*
 * commands.h - the entry point of every subcommand of timewait, and the
 * flag table of each (for the shell completion, made from them all).
 *
 * main.c dispatches on the first argument (or on argv[0] for the seed's
 * names timewait_server and timewait_client). Each entry point gets argv
 * with its own name as argv[0] and returns the process exit status:
 * 0 success, 1 failure, 2 usage error (EXIT_USAGE).
 */
#ifndef TIMEWAIT_COMMANDS_H
#define TIMEWAIT_COMMANDS_H

#include "cli/flags.h"

int server_main(int argc, char **argv);	/* server.c */
int client_main(int argc, char **argv);	/* client.c */
int lab_main(int argc, char **argv);	/* lab/labcmd.c */
int report_main(int argc, char **argv);	/* render/report.c */
int bench_main(int argc, char **argv);	/* bench/benchcmd.c */
int completion_main(int argc, char **argv);	/* cli/complete.c */

extern const struct flag_cmd options_server_cmd, options_client_cmd;	/* options.c */
extern const struct flag_cmd lab_run_cmd;			/* lab/run.c */
extern const struct flag_cmd lab_list_cmd, lab_check_cmd;	/* scen/scencmd.c */
extern const struct flag_cmd lab_up_cmd, lab_exec_cmd, lab_down_cmd,
    lab_status_cmd, lab_clean_cmd;				/* lab/labcmd.c */
extern const struct flag_cmd bench_cmd;				/* bench/benchcmd.c */
extern const struct flag_cmd report_cmd;			/* render/report.c */
extern const struct flag_cmd watch_cmd;			/* watch/cmd.c */
int watch_main(int argc, char **argv);	/* watch/cmd.c */

#endif
