/*
 * tep.c - a libtraceevent handle from the formats of a few events only
 * (see tep.h for why not tracefs_local_events_system).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "host/tep.h"

/* A tep with the page format of this kernel's trace buffers. */
static struct tep_handle *
new_tep(void)
{
	struct tep_handle *tep = tep_alloc();
	int size = 0;
	char *hp;
	enum tep_endian e = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ?
	    TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN;

	if (!tep)
		return NULL;
	tep_set_long_size(tep, sizeof(long));
	tep_set_page_size(tep, (int)sysconf(_SC_PAGESIZE));
	tep_set_file_bigendian(tep, e);
	tep_set_local_bigendian(tep, e);
	hp = tracefs_instance_file_read(NULL, "events/header_page", &size);
	if (!hp || tep_parse_header_page(tep, hp, size, sizeof(long))) {
		free(hp);
		tep_free(tep);
		return NULL;
	}
	free(hp);
	return tep;
}

/* One event's format into tep. */
static int
add_format(struct tep_handle *tep, const char *sys, const char *name)
{
	int size = 0, rc;
	char *text = tracefs_event_file_read(NULL, sys, name, "format", &size);

	if (!text)
		return -1;
	rc = tep_parse_event(tep, text, (unsigned long)size, sys) == TEP_ERRNO__SUCCESS ? 0 : -1;
	free(text);
	return rc;
}

struct tep_handle *
host_tep_events(const char *const *sys, const char *const *name, int n, char *err,
    size_t errlen)
{
	struct tep_handle *tep = new_tep();

	if (!tep) {
		snprintf(err, errlen, "reading the trace buffer's page format");
		return NULL;
	}
	for (int i = 0; i < n; i++)
		if (add_format(tep, sys[i], name[i])) {
			snprintf(err, errlen, "no tracepoint %s:%s in this kernel", sys[i], name[i]);
			tep_free(tep);
			return NULL;
		}
	return tep;
}
