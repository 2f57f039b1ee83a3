/*
 * scenfile.h - scenario files: a test written by hand as text, read into
 * the struct test_spec the interpreter (lab/run.c) and the evaluator
 * (checks.c) already know. The format is docs/scenario-files.md.
 *
 * Everything that can be wrong with a file is found here, before any lab
 * is built, and said as "FILE:LINE: what is wrong". The parser needs only
 * libc (and tcpstate.c), so the fuzz target builds from it alone.
 */
#ifndef TIMEWAIT_SCENFILE_H
#define TIMEWAIT_SCENFILE_H

#include <stddef.h>

#include "catalogue.h"

#define SCEN_EXT ".scen"
#define SCEN_MAX_BYTES (256 * 1024)	/* a scenario file is a page or two */
#define SCEN_MAX_LINE 1000
#define SCEN_NAME_MAX 63		/* test ids, program and snapshot names */

/* A command's program (not timewait's, not a proxy) runs with this PATH,
 * and is looked up in it when the file is read. */
#define SCEN_EXEC_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Where such a program sees the scenario's folder, read-only: its {dir}
 * and its working folder (lab/spawn.c makes /tmp a tmpfs of its own). */
#define SCEN_DIR_VIEW "/tmp/scenario"

/*
 * Parse a scenario held in buf[0..len-1] (no NUL needed). file names it in
 * messages and its folder becomes t->dir ({dir}, commands given with a
 * relative path). Returns a test to scen_free, or NULL with
 * "FILE:LINE: what is wrong" in err.
 */
struct test_spec *scen_parse(const char *buf, size_t len, const char *file,
    char *err, size_t errlen);
/* The same from a file on disk; a file that cannot be read: "FILE: why". */
struct test_spec *scen_load(const char *path, char *err, size_t errlen);
void scen_free(struct test_spec *t);

/* A name that may become part of a path: [A-Za-z0-9][A-Za-z0-9._-]*, at
 * most SCEN_NAME_MAX characters. */
int scen_valid_name(const char *s);
/* A host name the lab can make: 1-12 of a-z and 0-9, not sw, dir or run. */
int scen_valid_host(const char *s);

/*
 * A knob from the command line, "HOST:KEY=VALUE" (--sysctl): added to t,
 * or replacing the scenario's own setting of the same key on that host.
 * 0, or -1 with a sentence in err.
 */
int scen_add_sysctl(struct test_spec *t, const char *arg, char *err, size_t errlen);
/* key and value well formed: net.X.Y..., a value of printable characters. */
int scen_sysctl_key_ok(const char *key);
int scen_sysctl_value_ok(const char *value);

/*
 * Replace {HOST} (IPv4 address), {HOST-v6} (IPv6), {dir} (the scenario's
 * folder), {run} (the test's run folder), {{ and }} in arg. lookup(ctx,
 * host, v6) gives an address or NULL. 0, or -1 (unknown name, too long).
 */
int scen_expand(const char *arg, const char *(*lookup)(void *ctx, const char *host, int v6),
    void *ctx, const char *dir, const char *run, char *out, size_t len);

#endif
