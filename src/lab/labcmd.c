#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "lab/lab.h"
#include "lab/run.h"
int
lab_main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "run") == 0) return lab_run_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "list") == 0) return lab_list_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "clean") == 0) return lab_clean(0, 1) < 0;
	return 2;
}
