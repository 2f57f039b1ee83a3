/*
 * commands.h - the entry point of every subcommand of timewait.
 *
 * main.c dispatches on the first argument (or on argv[0] for the seed's
 * names timewait_server and timewait_client). Each entry point gets argv
 * with its own name as argv[0] and returns the process exit status:
 * 0 success, 1 failure, 2 usage error (EXIT_USAGE).
 */
#ifndef TIMEWAIT_COMMANDS_H
#define TIMEWAIT_COMMANDS_H

#define EXIT_USAGE 2

int server_main(int argc, char **argv);	/* server.c */
int client_main(int argc, char **argv);	/* client.c */
int lab_main(int argc, char **argv);	/* lab/labcmd.c */
int report_main(int argc, char **argv);	/* render/report.c */
int bench_main(int argc, char **argv);	/* bench/benchcmd.c */
int watch_main(int argc, char **argv);	/* watch/cmd.c */

#endif
