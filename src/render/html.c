/* html.c - report.html for a run (being written). */
#include <stdio.h>

#include "render/render.h"

int
report_html(const char *rundir, const char *out_path, char *err, size_t errlen)
{
	(void)rundir;
	(void)out_path;
	snprintf(err, errlen, "report.html: not built yet");
	return -1;
}
