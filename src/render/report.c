/* Placeholder until its part is built: says so and fails. */
#include <stdio.h>

#include "commands.h"

int
report_main(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "%s: not built yet\n", argv[0]);
	return 1;
}
