/* Placeholder until the runner is built: says so and fails. */
#include <stdio.h>

#include "lab/run.h"

int
lab_run_main(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "lab %s: not built yet\n", argv[0]);
	return 1;
}

int
lab_list_main(int argc, char **argv)
{
	return lab_run_main(argc, argv);
}
