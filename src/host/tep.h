/*
 * tep.h - a libtraceevent handle that knows only the events asked for.
 *
 * tracefs_local_events_system() parses every format of the systems named
 * and the whole of /proc/kallsyms (tens of thousands of lines): about
 * 20 MiB and, under AddressSanitizer on a busy machine, seconds per lab.
 * The kernel trace of a lab and `timewait watch` each read a handful of
 * tracepoints, so they build their handle from those formats alone.
 */
#ifndef TIMEWAIT_HOST_TEP_H
#define TIMEWAIT_HOST_TEP_H

#include <stddef.h>

struct tep_handle;

/* A handle with this kernel's trace page format and the n events
 * sys[i]:name[i]. NULL with err naming what is missing. */
struct tep_handle *host_tep_events(const char *const *sys, const char *const *name,
    int n, char *err, size_t errlen);

#endif
